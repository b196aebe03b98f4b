package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"flag"
	"io"
	"log"
	"net"
	"os"
	"time"
)

// runRaw sends frames that no well-behaved client sends, to capture how a real
// ZooKeeper answers them: resumes of unknown sessions in both handshake forms,
// a readOnly=true handshake, an empty multi, and an unknown opcode. It writes
// the frames with plain byte appends, independent of the codec under test.
func runRaw(args []string) {
	fs := flag.NewFlagSet("raw", flag.ExitOnError)
	addr := fs.String("addr", "", "proxy address")
	_ = fs.Parse(args)

	// Unknown session, 44-byte form: expect a 36-byte all-zero answer, then EOF.
	c := dial(*addr)
	send(c, connectFrame(0x0123456789abcdef, false, false))
	log.Printf("raw: expired44 reply %d bytes", len(recv(c)))
	expectEOF(c)

	// Unknown session, 45-byte form: a 37-byte answer.
	c = dial(*addr)
	send(c, connectFrame(0x0123456789abcdef, true, false))
	log.Printf("raw: expired45 reply %d bytes", len(recv(c)))
	expectEOF(c)

	// New session asking for read-only; then an empty multi, a removeWatches
	// with a WatcherType 3.8 does not know, and closeSession.
	c = dial(*addr)
	send(c, connectFrame(0, true, true))
	recv(c)
	var b []byte
	b = be32(b, 1)
	b = be32(b, 14)             // multi
	b = be32(b, -1)             // terminator type
	b = append(b, 1)            // done
	b = be32(b, -1)             // err
	send(c, b)                  //
	recv(c)                     // empty multi: the terminator only
	b = be32(be32(nil, 2), 107) // whoAmI, header only
	send(c, b)
	recv(c)
	b = be32(be32(nil, 3), 18) // removeWatches
	b = be32(b, 1)
	b = append(b, '/')
	b = be32(b, 4) // WatcherType.Persistent: 3.9 only
	send(c, b)
	recv(c)
	b = be32(be32(nil, 4), -11) // closeSession
	send(c, b)
	recv(c)
	expectEOF(c)

	// New session, then an opcode ZooKeeper does not know: Unimplemented and a
	// closed connection.
	c = dial(*addr)
	send(c, connectFrame(0, false, false))
	recv(c)
	send(c, be32(be32(nil, 1), 200))
	recv(c)
	expectEOF(c)

	// An auth packet for a scheme the server does not know: AuthFailed, then
	// the server closes the connection.
	c = dial(*addr)
	send(c, connectFrame(0, true, false))
	recv(c)
	b = be32(be32(nil, -4), 100)
	b = be32(b, 0)
	b = be32(b, 4)
	b = append(b, "nope"...)
	b = be32(b, 1)
	b = append(b, 'x')
	send(c, b)
	recv(c)
	expectEOF(c)
	log.Print("raw: done")
}

func dial(addr string) net.Conn {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	must(err)
	must(c.SetDeadline(time.Now().Add(10 * time.Second)))
	return c
}

func be32(b []byte, v int32) []byte { return binary.BigEndian.AppendUint32(b, uint32(v)) }
func be64(b []byte, v int64) []byte { return binary.BigEndian.AppendUint64(b, uint64(v)) }

func connectFrame(session int64, withRO, ro bool) []byte {
	var b []byte
	b = be32(b, 0)       // protocolVersion
	b = be64(b, 0)       // lastZxidSeen
	b = be32(b, 4000)    // timeOut
	b = be64(b, session) // sessionId
	b = be32(b, 16)      // passwd length
	b = append(b, make([]byte, 16)...)
	if withRO {
		if ro {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	}
	return b
}

func send(c net.Conn, payload []byte) {
	_, err := c.Write(be32(nil, int32(len(payload))))
	must(err)
	_, err = c.Write(payload)
	must(err)
}

func recv(c net.Conn) []byte {
	var l [4]byte
	_, err := io.ReadFull(c, l[:])
	must(err)
	b := make([]byte, binary.BigEndian.Uint32(l[:]))
	_, err = io.ReadFull(c, b)
	must(err)
	return b
}

func expectEOF(c net.Conn) {
	defer c.Close()
	_, err := bufio.NewReader(c).ReadByte()
	var ne net.Error
	if err == nil || (errors.As(err, &ne) && ne.Timeout()) {
		log.Printf("raw: expected the server to close, got %v", err)
		os.Exit(1)
	}
}
