package server

import (
	"bytes"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
)

// FuzzDecodeEntry: log entries never panic the decoder, and what decodes
// re-encodes to bytes that decode to the same entry.
func FuzzDecodeEntry(f *testing.F) {
	for _, e := range []entry{
		{hdr: jute.TxnHeader{ClientID: 7, Cxid: 1, Time: 99, Type: int32(protocol.OpCreate)},
			ids:  []jute.Id{{Scheme: "ip", ID: "127.0.0.1"}},
			body: &jute.CreateRequest{Path: "/a", Data: []byte("x"), ACL: openACL(), Flags: 1}},
		{hdr: jute.TxnHeader{ClientID: 7, Type: int32(protocol.OpCreateSession)}, body: &jute.CreateSessionTxn{TimeOut: 4000}},
		{hdr: jute.TxnHeader{ClientID: 7, Type: int32(protocol.OpCloseSession)}},
		{hdr: jute.TxnHeader{Type: int32(protocol.OpDeleteContainer)}, body: &jute.DeleteTxn{Path: "/c"}},
		{hdr: jute.TxnHeader{ClientID: 7, Cxid: 3, Type: int32(protocol.OpMulti)}, body: &protocol.MultiRequest{Ops: []protocol.MultiOp{
			{Op: protocol.OpSetData, Req: &jute.SetDataRequest{Path: "/a", Version: -1}}}}},
		{hdr: jute.TxnHeader{ClientID: 7, Cxid: 4, Type: int32(protocol.OpError)}, body: &jute.ErrorTxn{Err: -5}},
		{hdr: jute.TxnHeader{ClientID: 7, Cxid: 5, Type: int32(protocol.OpReconfig)}, body: &jute.SetDataTxn{Path: "/zookeeper/config", Data: []byte("server.1=h:1:2"), Version: -1}},
	} {
		f.Add(e.encode())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := decodeEntry(b)
		if err != nil {
			return
		}
		again, err := decodeEntry(e.encode())
		if err != nil {
			t.Fatalf("re-encoded entry does not decode: %v", err)
		}
		if !bytes.Equal(again.encode(), e.encode()) {
			t.Fatal("entry changed across a round trip")
		}
	})
}

// FuzzConnection feeds arbitrary bytes to a live server connection, either
// raw or after a valid handshake. The server must not panic, and a
// well-behaved session on another connection must keep working.
func FuzzConnection(f *testing.F) {
	frame := func(recs ...jute.Record) []byte {
		b, off := protocol.BeginFrame(nil)
		e := jute.Encoder{B: b}
		for _, r := range recs {
			r.Encode(&e)
		}
		protocol.EndFrame(e.B, off)
		return e.B
	}
	f.Add(false, []byte("ruok"))
	f.Add(false, frame(&jute.ConnectRequest{TimeOut: 4000, Passwd: make([]byte, 16), HasReadOnly: true}))
	f.Add(true, frame(&jute.RequestHeader{Xid: 1, Type: int32(protocol.OpCreate)}, &jute.CreateRequest{Path: "/f", ACL: openACL()}))
	f.Add(true, frame(&jute.RequestHeader{Xid: 1, Type: int32(protocol.OpMulti)}, &protocol.MultiRequest{Ops: []protocol.MultiOp{
		{Op: protocol.OpCreate, Req: &jute.CreateRequest{Path: "/f/a", ACL: openACL()}},
		{Op: protocol.OpDelete, Req: &jute.DeleteRequest{Path: "/nope", Version: -1}}}}))
	f.Add(true, frame(&jute.RequestHeader{Xid: 2, Type: int32(protocol.OpSetWatches2)}, &jute.SetWatches2{DataWatches: []string{"/"}}))
	f.Add(true, frame(&jute.RequestHeader{Xid: 3, Type: 77}))
	f.Add(true, []byte{0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0, 1, 0xff, 0xff})
	f.Add(true, []byte{0x7f, 0xff, 0xff, 0xff})

	// Logs go nowhere: the fuzz target may not log through f.
	s, err := New(Options{Logger: slog.New(slog.DiscardHandler), TickTime: 100 * time.Millisecond, ExtendedTypes: true,
		FourLetterWords: map[string]bool{"*": true}})
	if err != nil {
		f.Fatal(err)
	}
	p := newMemProposer(s.StateMachine())
	s.Start(p)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.Fatal(err)
	}
	go s.Serve(l)
	f.Cleanup(func() {
		s.Close()
		p.Close()
	})
	addr := l.Addr().String()
	hs := frame(&jute.ConnectRequest{TimeOut: 4000, Passwd: make([]byte, 16), HasReadOnly: true})

	f.Fuzz(func(t *testing.T, handshakeFirst bool, input []byte) {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		if handshakeFirst {
			nc.Write(hs)
		}
		nc.Write(input)
		nc.(*net.TCPConn).CloseWrite()
		nc.SetReadDeadline(time.Now().Add(2 * time.Second))
		buf := make([]byte, 64<<10)
		for {
			if _, err := nc.Read(buf); err != nil {
				break
			}
		}
		// Another client is unaffected.
		ok, _ := handshake(t, addr, 0, nil, 4000)
		if ok == nil {
			t.Fatal("server stopped accepting sessions")
		}
		defer ok.Close()
		h, _ := callCode(t, ok, 1, protocol.OpExists, &jute.ExistsRequest{Path: "/zookeeper"})
		if h.Err != 0 {
			t.Fatalf("exists /zookeeper after fuzz input: %v", protocol.Code(h.Err))
		}
	})
}

// FuzzPeerMsg: follower-to-leader messages never panic the decoder.
func FuzzPeerMsg(f *testing.F) {
	ent := entry{hdr: jute.TxnHeader{ClientID: 1, Cxid: 2, Type: int32(protocol.OpSetData)}, body: &jute.SetDataRequest{Path: "/a", Version: -1}}
	fwd := append([]byte{msgForward, 0, 0, 0, 0, 0, 0, 0, 1}, ent.encode()...)
	rc := entry{hdr: jute.TxnHeader{ClientID: 1, Cxid: 3, Type: int32(protocol.OpReconfig)}, ids: []jute.Id{{Scheme: "super"}},
		body: &jute.ReconfigRequest{LeavingServers: "3", CurConfigID: -1}}
	f.Add(fwd)
	f.Add(append([]byte{msgReconfig, 0, 0, 0, 0, 0, 0, 0, 2}, rc.encode()...))
	f.Add([]byte{msgSync, 0, 0, 0, 0, 0, 0, 0, 3})
	f.Add([]byte{msgTouch, 1, 0, 0, 0, 0, 0, 0, 7})
	f.Add([]byte{msgHello, 0, 0, 0, 0, 0, 0, 0, 2})
	f.Add([]byte{9})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parsePeerMsg(b)
		if err != nil {
			return
		}
		if m.typ == msgForward {
			if _, err := entryKey(m.data); err != nil {
				t.Fatal("accepted a forward without an entry header")
			}
		}
		if m.typ == msgReconfig && m.reconfig == nil {
			t.Fatal("accepted a reconfig without a request")
		}
		if m.typ == msgHello && len(b) != 9 {
			t.Fatalf("accepted a hello of %d bytes", len(b))
		}
	})
}
