package main

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/raftzk/raftzk/protocol"
)

// runProxy listens on 127.0.0.1, forwards every connection to a real ZooKeeper
// and writes each frame, per direction, to its own .hex file. Frames are
// recorded when they are complete, before they are forwarded, so the sequence
// numbers follow the order in which the proxy saw them.
func runProxy(args []string) {
	fs := flag.NewFlagSet("proxy", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "address to listen on (loopback only)")
	upstream := fs.String("upstream", "", "address of the real ZooKeeper")
	out := fs.String("out", "", "directory for the .hex files")
	label := fs.String("label", "client", "client name, the first part of every file name")
	portFile := fs.String("portfile", "", "write the listening port here once ready")
	drop := fs.String("drop-marker", "/golden-drop",
		"when a request frame contains this string, close the connection right after its reply, so the client reconnects (and re-sends its watches)")
	_ = fs.Parse(args)
	if *upstream == "" || *out == "" {
		log.Fatal("proxy: -upstream and -out are required")
	}
	if h, _, err := net.SplitHostPort(*listen); err != nil || (h != "127.0.0.1" && h != "localhost") {
		log.Fatalf("proxy: refusing to listen on %q: loopback only", *listen)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	p := &proxy{out: *out, label: *label, upstream: *upstream, drop: []byte(*drop)}
	if *portFile != "" {
		port := ln.Addr().(*net.TCPAddr).Port
		if err := os.WriteFile(*portFile, []byte(fmt.Sprintf("%d\n", port)), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	log.Printf("proxy %s: %s -> %s", *label, ln.Addr(), *upstream)
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go p.serve(c)
	}
}

type proxy struct {
	out, label, upstream string
	drop                 []byte
	seq                  atomic.Int64 // frame sequence number, across connections
	conns                atomic.Int64
	mu                   sync.Mutex // serialises file writes so seq order = file order
}

// conn is one proxied client connection. pending maps request xids to their
// opcode and sequence number, so a reply file can be named after its request.
type conn struct {
	p          *proxy
	id         int64
	client     net.Conn
	server     net.Conn
	mu         sync.Mutex
	pending    map[int32]pendingReq
	dropXid    int32
	dropArmed  bool
	closedOnce sync.Once
}

type pendingReq struct {
	op  protocol.Op
	seq int64
}

func (p *proxy) serve(c net.Conn) {
	s, err := net.DialTimeout("tcp", p.upstream, 5*time.Second)
	if err != nil {
		log.Printf("dial upstream: %v", err)
		c.Close()
		return
	}
	k := &conn{p: p, id: p.conns.Add(1), client: c, server: s, pending: map[int32]pendingReq{}}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); k.pump(c, s, "c2s") }()
	go func() { defer wg.Done(); k.pump(s, c, "s2c") }()
	wg.Wait()
}

func (k *conn) close() {
	k.closedOnce.Do(func() {
		k.client.Close()
		k.server.Close()
	})
}

// pump copies frames from src to dst, recording each one.
func (k *conn) pump(src, dst net.Conn, dir string) {
	defer k.close()
	first := true
	var lenb [4]byte
	for {
		if _, err := io.ReadFull(src, lenb[:]); err != nil {
			return
		}
		n := int32(binary.BigEndian.Uint32(lenb[:]))
		if first && dir == "c2s" && (n < 0 || n > 16<<20) {
			// A four-letter word: plain text, not frames. Pass it through.
			dst.Write(lenb[:])
			io.Copy(dst, src)
			return
		}
		if n < 0 || n > 64<<20 {
			log.Printf("conn %d %s: bad length %d", k.id, dir, n)
			return
		}
		frame := make([]byte, 4+int(n))
		copy(frame, lenb[:])
		if _, err := io.ReadFull(src, frame[4:]); err != nil {
			return
		}
		dropAfter := k.record(dir, first, frame)
		first = false
		if _, err := dst.Write(frame); err != nil {
			return
		}
		if dropAfter {
			log.Printf("conn %d: dropping after reply as asked", k.id)
			k.close()
			return
		}
	}
}

// record writes frame to a file and reports whether the connection should be
// dropped now (the reply to a request carrying the drop marker).
func (k *conn) record(dir string, first bool, frame []byte) bool {
	body := frame[4:]
	meta := []string{fmt.Sprintf("client=%s", k.p.label), fmt.Sprintf("conn=%d", k.id), "dir=" + dir}
	op := "connect"
	drop := false
	k.mu.Lock()
	switch {
	case first:
		meta = append(meta, "op=connect")
	case dir == "c2s" && len(body) >= 8:
		xid := int32(binary.BigEndian.Uint32(body))
		o := protocol.Op(int32(binary.BigEndian.Uint32(body[4:])))
		op = o.String()
		meta = append(meta, "op="+op, fmt.Sprintf("xid=%d", xid))
		if len(k.p.drop) > 0 && bytes.Contains(body[8:], k.p.drop) {
			k.dropXid, k.dropArmed = xid, true
		}
		k.pending[xid] = pendingReq{op: o}
	case dir == "s2c" && len(body) >= 16:
		xid := int32(binary.BigEndian.Uint32(body))
		zxid := int64(binary.BigEndian.Uint64(body[4:]))
		code := protocol.Code(int32(binary.BigEndian.Uint32(body[12:])))
		switch xid {
		case protocol.XidNotification:
			op = "notification"
		case protocol.XidPing:
			op = "ping"
		default:
			if r, ok := k.pending[xid]; ok {
				op = r.op.String()
				meta = append(meta, fmt.Sprintf("reqseq=%d", r.seq))
				delete(k.pending, xid)
			} else if xid == protocol.XidAuth {
				op = "auth"
			} else {
				op = "unknown"
			}
		}
		meta = append(meta, "op="+op, fmt.Sprintf("xid=%d", xid), fmt.Sprintf("zxid=%d", zxid), "err="+code.String())
		if code != 0 {
			op += "-" + code.String()
		}
		if k.dropArmed && xid == k.dropXid {
			drop = true
		}
	default:
		op = "short"
		meta = append(meta, "op=short")
	}
	k.mu.Unlock()

	k.p.mu.Lock()
	seq := k.p.seq.Add(1)
	name := fmt.Sprintf("%s-%04d-%s-%s.hex", k.p.label, seq, dir, strings.ReplaceAll(op, " ", ""))
	var b strings.Builder
	fmt.Fprintf(&b, "# %s seq=%d len=%d\n", strings.Join(meta, " "), seq, len(body))
	for i := 0; i < len(frame); i += 32 {
		j := min(i+32, len(frame))
		b.WriteString(hex.EncodeToString(frame[i:j]))
		b.WriteByte('\n')
	}
	if err := os.WriteFile(filepath.Join(k.p.out, name), []byte(b.String()), 0o644); err != nil {
		log.Fatal(err)
	}
	k.p.mu.Unlock()

	if dir == "c2s" && !first && len(body) >= 8 {
		xid := int32(binary.BigEndian.Uint32(body))
		k.mu.Lock()
		if r, ok := k.pending[xid]; ok {
			r.seq = seq
			k.pending[xid] = r
		}
		k.mu.Unlock()
	}
	return drop
}

var errUsage = errors.New("usage: goldencapture proxy|gozk|raw|trimlog [flags]")
