package server

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
)

type testLogWriter struct{ t testing.TB }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testLogWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// startServer runs a server on 127.0.0.1:0 over the in-memory proposer.
func startServer(t *testing.T, opts Options) (*Server, string) {
	t.Helper()
	s, _, addr := startServerWith(t, opts)
	return s, addr
}

// startServerWith is startServer that also returns the proposer.
func startServerWith(t *testing.T, opts Options) (*Server, *memProposer, string) {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	if opts.TickTime == 0 {
		opts.TickTime = 200 * time.Millisecond
	}
	if opts.FourLetterWords == nil {
		opts.FourLetterWords = map[string]bool{"*": true}
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	p := newMemProposer(s.StateMachine())
	s.Start(p)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(l)
	t.Cleanup(func() {
		s.Close()
		p.Close()
	})
	return s, p, l.Addr().String()
}

// zkLogger sends go-zookeeper's logs to the test until the test ends; its
// goroutines may outlive Conn.Close, and logging after the end panics.
type zkLogger struct {
	t    testing.TB
	mu   *sync.Mutex
	done *bool
}

func newZKLogger(t testing.TB) zkLogger {
	l := zkLogger{t: t, mu: new(sync.Mutex), done: new(bool)}
	t.Cleanup(func() {
		l.mu.Lock()
		*l.done = true
		l.mu.Unlock()
	})
	return l
}

func (l zkLogger) Printf(f string, a ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !*l.done {
		l.t.Logf(f, a...)
	}
}

// connect opens a go-zookeeper client and waits for its session.
func connect(t *testing.T, addr string) *zk.Conn {
	t.Helper()
	c, ev, err := zk.Connect([]string{addr}, 4*time.Second, zk.WithLogger(newZKLogger(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	deadline := time.After(5 * time.Second)
	for {
		select {
		case e := <-ev:
			if e.State == zk.StateHasSession {
				go func() {
					for range ev {
					}
				}()
				return c
			}
		case <-deadline:
			t.Fatal("no session within 5s")
		}
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestPassword_JavaRandomVectors(t *testing.T) {
	for _, tc := range []struct {
		id   int64
		want string
	}{
		{0x0100000000000000, "f22acd4a97e69d6d20a49bb638eadb38"},
		{0x01000a1b2c3d0000, "99540115b2ac339b9f3f41ba4b39270b"},
		{0x1234567890abcdef, "f7721b383fd583ba74d220ede39f7b43"},
	} {
		if got := hex.EncodeToString(Password(tc.id)); got != tc.want {
			t.Errorf("Password(%#x) = %s, want %s", tc.id, got, tc.want)
		}
	}
}

func TestServer_FreshTree(t *testing.T) {
	_, addr := startServer(t, Options{})
	c := connect(t, addr)
	kids, st, err := c.Children("/")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(kids) != "[zookeeper]" || st.Cversion != -1 || st.NumChildren != 1 {
		t.Fatalf("/ children %v stat %+v", kids, st)
	}
	kids, st, err = c.Children("/zookeeper")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(kids) != "[config quota]" || st.Cversion != -2 {
		t.Fatalf("/zookeeper children %v stat %+v", kids, st)
	}
	_, st, err = c.Get("/zookeeper/config")
	if err != nil || st.Aversion != -1 {
		t.Fatalf("/zookeeper/config stat %+v err %v", st, err)
	}
	acl, _, err := c.GetACL("/zookeeper/config")
	if err != nil || len(acl) != 1 || acl[0].Perms != zk.PermRead {
		t.Fatalf("/zookeeper/config acl %v err %v", acl, err)
	}
}

func TestServer_CRUDAndStatRules(t *testing.T) {
	_, addr := startServer(t, Options{})
	c := connect(t, addr)
	p, err := c.Create("/a", []byte("one"), 0, zk.WorldACL(zk.PermAll))
	if err != nil || p != "/a" {
		t.Fatalf("create: %q %v", p, err)
	}
	data, st, err := c.Get("/a")
	if err != nil || string(data) != "one" {
		t.Fatalf("get: %q %v", data, err)
	}
	if st.Czxid != st.Mzxid || st.Czxid != st.Pzxid || st.Ctime != st.Mtime || st.Version != 0 || st.DataLength != 3 {
		t.Fatalf("fresh stat %+v", st)
	}
	if _, err := c.Create("/a", nil, 0, zk.WorldACL(zk.PermAll)); !errors.Is(err, zk.ErrNodeExists) {
		t.Fatalf("second create: %v", err)
	}
	if _, err := c.Set("/a", []byte("two"), 5); !errors.Is(err, zk.ErrBadVersion) {
		t.Fatalf("set with bad version: %v", err)
	}
	st2, err := c.Set("/a", []byte("two"), 0)
	if err != nil || st2.Version != 1 || st2.Mzxid <= st.Mzxid || st2.Czxid != st.Czxid {
		t.Fatalf("set: %+v %v", st2, err)
	}
	if _, err := c.Create("/a/b", nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete("/a", -1); !errors.Is(err, zk.ErrNotEmpty) {
		t.Fatalf("delete non-empty: %v", err)
	}
	_, pst, _ := c.Exists("/a")
	if pst.NumChildren != 1 || pst.Cversion != 1 {
		t.Fatalf("parent after child create: %+v", pst)
	}
	if err := c.Delete("/a/b", -1); err != nil {
		t.Fatal(err)
	}
	_, pst2, _ := c.Exists("/a")
	if pst2.Cversion != 2 || pst2.Pzxid <= pst.Pzxid || pst2.Mzxid != st2.Mzxid {
		t.Fatalf("parent after child delete: %+v", pst2)
	}
	if err := c.Delete("/a", 1); err != nil {
		t.Fatal(err)
	}
	if ok, _, err := c.Exists("/a"); ok || err != nil {
		t.Fatalf("exists after delete: %v %v", ok, err)
	}
	if _, _, err := c.Get("/nope"); !errors.Is(err, zk.ErrNoNode) {
		t.Fatalf("get missing: %v", err)
	}
	for _, p := range []string{"/zookeeper", "/zookeeper/quota", "/"} {
		if err := c.Delete(p, -1); !errors.Is(err, zk.ErrBadArguments) {
			t.Fatalf("delete %s: %v", p, err)
		}
	}
}

func TestServer_SequentialNamesComeFromStoredCversion(t *testing.T) {
	_, addr := startServer(t, Options{})
	c := connect(t, addr)
	c.Create("/s", nil, 0, zk.WorldACL(zk.PermAll))
	var names []string
	for i := 0; i < 2; i++ {
		p, err := c.Create("/s/n-", nil, zk.FlagSequence, zk.WorldACL(zk.PermAll))
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, p)
	}
	for _, p := range names {
		c.Delete(p, -1)
	}
	p, err := c.Create("/s/n-", nil, zk.FlagSequence, zk.WorldACL(zk.PermAll))
	if err != nil {
		t.Fatal(err)
	}
	if names[0] != "/s/n-0000000000" || names[1] != "/s/n-0000000001" || p != "/s/n-0000000002" {
		t.Fatalf("names %v then %s", names, p)
	}
	_, st, _ := c.Exists("/s")
	if st.Cversion != 5 {
		t.Fatalf("cversion after 3 creates, 2 deletes = %d, want 5", st.Cversion)
	}
}

func TestServer_NullAndEmptyData(t *testing.T) {
	_, addr := startServer(t, Options{})
	conn, _ := handshake(t, addr, 0, nil, 30000)
	defer conn.Close()
	// create with null data, then getData must answer length -1.
	call(t, conn, 1, protocol.OpCreate, &jute.CreateRequest{Path: "/null", Data: nil, ACL: openACL(), Flags: 0})
	body := call(t, conn, 2, protocol.OpGetData, &jute.GetDataRequest{Path: "/null"})
	if !bytes.HasPrefix(body, []byte{0xff, 0xff, 0xff, 0xff}) {
		t.Fatalf("getData of null data: % x", body[:4])
	}
	call(t, conn, 3, protocol.OpCreate, &jute.CreateRequest{Path: "/empty", Data: []byte{}, ACL: openACL(), Flags: 0})
	body = call(t, conn, 4, protocol.OpGetData, &jute.GetDataRequest{Path: "/empty"})
	if !bytes.HasPrefix(body, []byte{0, 0, 0, 0}) {
		t.Fatalf("getData of empty data: % x", body[:4])
	}
}

func openACL() []jute.ACL {
	return []jute.ACL{{Perms: protocol.PermAll, ID: jute.Id{Scheme: "world", ID: "anyone"}}}
}

// handshake opens a raw connection and establishes or resumes a session.
func handshake(t *testing.T, addr string, id int64, passwd []byte, timeout int32) (net.Conn, jute.ConnectResponse) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if passwd == nil {
		passwd = make([]byte, 16)
	}
	req := jute.ConnectRequest{TimeOut: timeout, SessionID: id, Passwd: passwd, HasReadOnly: true}
	writeFrame(t, nc, &req)
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	fr := protocol.NewFrameReader(nc, 1<<20)
	frame, err := fr.ReadFrame()
	if err != nil {
		nc.Close()
		return nil, jute.ConnectResponse{}
	}
	var resp jute.ConnectResponse
	if err := jute.Unmarshal(frame, &resp); err != nil {
		t.Fatal(err)
	}
	return nc, resp
}

func writeFrame(t *testing.T, nc net.Conn, recs ...jute.Record) {
	t.Helper()
	b, off := protocol.BeginFrame(nil)
	e := jute.Encoder{B: b}
	for _, r := range recs {
		r.Encode(&e)
	}
	protocol.EndFrame(e.B, off)
	if _, err := nc.Write(e.B); err != nil {
		t.Fatal(err)
	}
}

// readReply reads frames until the reply to xid, returning its header and
// body, and the notifications seen before it.
func readReply(t *testing.T, nc net.Conn, xid int32) (jute.ReplyHeader, []byte, []jute.WatcherEvent) {
	t.Helper()
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	fr := protocol.NewFrameReader(nc, 64<<20)
	var events []jute.WatcherEvent
	for {
		frame, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("reading reply to xid %d: %v", xid, err)
		}
		d := jute.NewDecoder(frame)
		var h jute.ReplyHeader
		h.Decode(&d)
		rest := append([]byte(nil), frame[d.Offset():]...)
		if h.Xid == protocol.XidNotification {
			var ev jute.WatcherEvent
			jute.Unmarshal(rest, &ev)
			events = append(events, ev)
			continue
		}
		if h.Xid != xid {
			t.Fatalf("reply xid %d, want %d", h.Xid, xid)
		}
		return h, rest, events
	}
}

// call sends one request and returns the reply body; it fails on an error code.
func call(t *testing.T, nc net.Conn, xid int32, op protocol.Op, body jute.Record) []byte {
	t.Helper()
	h, b := callCode(t, nc, xid, op, body)
	if h.Err != 0 {
		t.Fatalf("%v: %v", op, protocol.Code(h.Err))
	}
	return b
}

func callCode(t *testing.T, nc net.Conn, xid int32, op protocol.Op, body jute.Record) (jute.ReplyHeader, []byte) {
	t.Helper()
	hdr := jute.RequestHeader{Xid: xid, Type: int32(op)}
	if body == nil {
		writeFrame(t, nc, &hdr)
	} else {
		writeFrame(t, nc, &hdr, body)
	}
	h, b, _ := readReply(t, nc, xid)
	return h, b
}

// expectClosed waits until the server closes nc.
func expectClosed(t *testing.T, nc net.Conn) {
	t.Helper()
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 4096)
	for {
		_, err := nc.Read(buf)
		if err == io.EOF || errors.Is(err, net.ErrClosed) || (err != nil && strings.Contains(err.Error(), "reset")) {
			return
		}
		if err != nil {
			t.Fatalf("connection not closed: %v", err)
		}
	}
}
