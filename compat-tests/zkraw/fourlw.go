package zkraw

import (
	"context"
	"io"
	"net"
	"time"
)

// FourLetterWord connects to addr, sends the four-letter word cmd (for
// example "ruok", "srvr", "mntr") and returns everything the server writes
// before it closes the connection.
func FourLetterWord(ctx context.Context, addr, cmd string) (string, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return "", err
	}
	defer nc.Close()
	dl, ok := ctx.Deadline()
	if !ok {
		dl = time.Now().Add(10 * time.Second)
	}
	_ = nc.SetDeadline(dl)
	if _, err := io.WriteString(nc, cmd); err != nil {
		return "", err
	}
	b, err := io.ReadAll(nc)
	if err != nil && len(b) == 0 {
		return "", err
	}
	return string(b), nil
}
