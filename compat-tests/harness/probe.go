package harness

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// Probe dials addr, completes a ZooKeeper connect handshake (protocol
// version 0, 30s session timeout, readOnly=false) and closes the session it
// got with a closeSession request, all within timeout. A nil error means the
// server is serving clients. It costs the server two txns (createSession and
// closeSession), which is why the suites normalise zxids.
func Probe(addr string, timeout time.Duration) error {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	// ConnectRequest: int protocolVersion, long lastZxidSeen, int timeOut,
	// long sessionId, buffer passwd, boolean readOnly.
	req := make([]byte, 0, 49)
	req = binary.BigEndian.AppendUint32(req, 45)
	req = binary.BigEndian.AppendUint32(req, 0)
	req = binary.BigEndian.AppendUint64(req, 0)
	req = binary.BigEndian.AppendUint32(req, 30000)
	req = binary.BigEndian.AppendUint64(req, 0)
	req = binary.BigEndian.AppendUint32(req, 16)
	req = append(req, make([]byte, 16)...)
	req = append(req, 0)
	if _, err := c.Write(req); err != nil {
		return err
	}
	// ConnectResponse: int protocolVersion, int timeOut, long sessionId, buffer passwd.
	resp, err := readFrame(c)
	if err != nil {
		return fmt.Errorf("connect response: %w", err)
	}
	if len(resp) < 16 {
		return fmt.Errorf("connect response: %d bytes", len(resp))
	}
	if to := int32(binary.BigEndian.Uint32(resp[4:])); to <= 0 {
		return errors.New("connect response: session refused")
	}
	// RequestHeader{xid 1, type closeSession (-11)}.
	closeReq := binary.BigEndian.AppendUint32(nil, 8)
	closeReq = binary.BigEndian.AppendUint32(closeReq, 1)
	closeReq = binary.BigEndian.AppendUint32(closeReq, uint32(0xFFFFFFF5))
	if _, err := c.Write(closeReq); err != nil {
		return err
	}
	// ReplyHeader: int xid, long zxid, int err.
	rep, err := readFrame(c)
	if err != nil {
		return fmt.Errorf("closeSession reply: %w", err)
	}
	if len(rep) < 16 {
		return fmt.Errorf("closeSession reply: %d bytes", len(rep))
	}
	if code := int32(binary.BigEndian.Uint32(rep[12:])); code != 0 {
		return fmt.Errorf("closeSession reply: error %d", code)
	}
	return nil
}

func readFrame(r io.Reader) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n > 1<<20 {
		return nil, fmt.Errorf("frame of %d bytes", n)
	}
	b := make([]byte, n)
	_, err := io.ReadFull(r, b)
	return b, err
}
