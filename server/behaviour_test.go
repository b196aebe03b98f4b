package server

import (
	"encoding/binary"
	"errors"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
	"github.com/raftzk/raftzk/server/acl"
)

func TestServer_SessionExpiryDeletesEphemerals(t *testing.T) {
	_, addr := startServer(t, Options{TickTime: 100 * time.Millisecond})
	watcher := connect(t, addr)
	nc, resp := handshake(t, addr, 0, nil, 300)
	if resp.TimeOut != 300 {
		t.Fatalf("negotiated %d, want 300 (2 × tickTime ≤ 300 ≤ 20 × tickTime)", resp.TimeOut)
	}
	call(t, nc, 1, protocol.OpCreate, &jute.CreateRequest{Path: "/eph", ACL: openACL(), Flags: int32(protocol.ModeEphemeral)})
	_, _, ch, err := watcher.ExistsW("/eph")
	if err != nil {
		t.Fatal(err)
	}
	nc.Close() // the client goes away without closeSession
	select {
	case ev := <-ch:
		if ev.Type != zk.EventNodeDeleted || ev.Path != "/eph" {
			t.Fatalf("event %+v", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ephemeral not deleted after session expiry")
	}
	// Resuming the expired session gets the invalid answer: id 0, timeout 0.
	nc2, r2 := handshake(t, addr, resp.SessionID, resp.Passwd, 300)
	if nc2 != nil {
		defer nc2.Close()
	}
	if r2.SessionID != 0 || r2.TimeOut != 0 || len(r2.Passwd) != 16 {
		t.Fatalf("resume of expired session answered %+v", r2)
	}
}

func TestServer_ResumeWithWrongPasswordIsExpired(t *testing.T) {
	_, addr := startServer(t, Options{})
	nc, resp := handshake(t, addr, 0, nil, 10000)
	defer nc.Close()
	bad := append([]byte(nil), resp.Passwd...)
	bad[0] ^= 1
	nc2, r2 := handshake(t, addr, resp.SessionID, bad, 10000)
	if r2.SessionID != 0 || r2.TimeOut != 0 {
		t.Fatalf("wrong password answered %+v", r2)
	}
	if nc2 != nil {
		expectClosed(t, nc2)
	}
	// The right password takes the session over, and the old connection closes.
	nc3, r3 := handshake(t, addr, resp.SessionID, resp.Passwd, 10000)
	defer nc3.Close()
	if r3.SessionID != resp.SessionID {
		t.Fatalf("resume answered %+v", r3)
	}
	expectClosed(t, nc)
}

func TestServer_HandshakeFormsFollowTheClient(t *testing.T) {
	_, addr := startServer(t, Options{})
	for _, withRO := range []bool{false, true} {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		req := jute.ConnectRequest{TimeOut: 10000, Passwd: make([]byte, 16), HasReadOnly: withRO}
		writeFrame(t, nc, &req)
		nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		var hdr [4]byte
		if _, err := nc.Read(hdr[:]); err != nil {
			t.Fatal(err)
		}
		want := uint32(36)
		if withRO {
			want = 37
		}
		if got := binary.BigEndian.Uint32(hdr[:]); got != want {
			t.Fatalf("readOnly=%v: response length %d, want %d", withRO, got, want)
		}
		nc.Close()
	}
}

func TestServer_LastZxidSeenAheadIsRefused(t *testing.T) {
	_, addr := startServer(t, Options{})
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	req := jute.ConnectRequest{LastZxidSeen: 1 << 40, TimeOut: 10000, Passwd: make([]byte, 16), HasReadOnly: true}
	writeFrame(t, nc, &req)
	expectClosed(t, nc)
}

func TestServer_WatchEventPrecedesReply(t *testing.T) {
	_, addr := startServer(t, Options{})
	nc, _ := handshake(t, addr, 0, nil, 10000)
	defer nc.Close()
	call(t, nc, 1, protocol.OpCreate, &jute.CreateRequest{Path: "/w", ACL: openACL()})
	call(t, nc, 2, protocol.OpGetData, &jute.GetDataRequest{Path: "/w", Watch: true})
	hdr := jute.RequestHeader{Xid: 3, Type: int32(protocol.OpSetData)}
	writeFrame(t, nc, &hdr, &jute.SetDataRequest{Path: "/w", Data: []byte("x"), Version: -1})
	h, _, events := readReply(t, nc, 3)
	if h.Err != 0 || len(events) != 1 || events[0].Type != int32(protocol.EventNodeDataChanged) || events[0].Path != "/w" {
		t.Fatalf("reply %+v events %+v", h, events)
	}
}

func TestServer_PersistentRecursiveWatch(t *testing.T) {
	_, addr := startServer(t, Options{})
	nc, _ := handshake(t, addr, 0, nil, 10000)
	defer nc.Close()
	call(t, nc, 1, protocol.OpCreate, &jute.CreateRequest{Path: "/r", ACL: openACL()})
	body := call(t, nc, 2, protocol.OpAddWatch, &jute.AddWatchRequest{Path: "/r", Mode: int32(protocol.AddWatchPersistentRecursive)})
	if len(body) != 4 {
		t.Fatalf("addWatch body % x, want ErrorResponse{0}", body)
	}
	hdr := jute.RequestHeader{Xid: 3, Type: int32(protocol.OpCreate)}
	writeFrame(t, nc, &hdr, &jute.CreateRequest{Path: "/r/a", ACL: openACL()})
	_, _, ev1 := readReply(t, nc, 3)
	hdr = jute.RequestHeader{Xid: 4, Type: int32(protocol.OpSetData)}
	writeFrame(t, nc, &hdr, &jute.SetDataRequest{Path: "/r/a", Data: []byte("x"), Version: -1})
	_, _, ev2 := readReply(t, nc, 4)
	hdr = jute.RequestHeader{Xid: 5, Type: int32(protocol.OpDelete)}
	writeFrame(t, nc, &hdr, &jute.DeleteRequest{Path: "/r/a", Version: -1})
	_, _, ev3 := readReply(t, nc, 5)
	got := append(append(ev1, ev2...), ev3...)
	want := []jute.WatcherEvent{
		{Type: int32(protocol.EventNodeCreated), State: 3, Path: "/r/a"},
		{Type: int32(protocol.EventNodeDataChanged), State: 3, Path: "/r/a"},
		{Type: int32(protocol.EventNodeDeleted), State: 3, Path: "/r/a"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("events %+v", got)
	}
	// removeWatches of the recursive watch, then nothing is left: NoWatcher.
	call(t, nc, 6, protocol.OpRemoveWatches, &jute.RemoveWatchesRequest{Path: "/r", Type: int32(protocol.WatcherPersistentRecursive)})
	h, _ := callCode(t, nc, 7, protocol.OpCheckWatches, &jute.CheckWatchesRequest{Path: "/r", Type: int32(protocol.WatcherAny)})
	if protocol.Code(h.Err) != protocol.CodeNoWatcher {
		t.Fatalf("checkWatches after remove: %v", protocol.Code(h.Err))
	}
}

func TestServer_SetWatchesDeliversMissedEvents(t *testing.T) {
	_, addr := startServer(t, Options{})
	writer := connect(t, addr)
	writer.Create("/sw", []byte("a"), 0, zk.WorldACL(zk.PermAll))
	writer.Create("/gone", nil, 0, zk.WorldACL(zk.PermAll))
	_, st, _ := writer.Get("/sw")
	rel := st.Mzxid
	writer.Set("/sw", []byte("b"), -1)
	writer.Delete("/gone", -1)
	writer.Create("/born", nil, 0, zk.WorldACL(zk.PermAll))

	nc, _ := handshake(t, addr, 0, nil, 10000)
	defer nc.Close()
	hdr := jute.RequestHeader{Xid: 1, Type: int32(protocol.OpSetWatches2)}
	writeFrame(t, nc, &hdr, &jute.SetWatches2{RelativeZxid: rel,
		DataWatches: []string{"/sw", "/gone"}, ExistWatches: []string{"/born", "/notyet"},
		ChildWatches: []string{"/"}, PersistentWatches: []string{"/p"}})
	h, _, events := readReply(t, nc, 1)
	if h.Err != 0 {
		t.Fatal(protocol.Code(h.Err))
	}
	got := events
	if len(got) != 4 {
		t.Fatalf("synthesised events %v", got)
	}
	types := map[int32]string{}
	for _, e := range events {
		types[e.Type] = e.Path
	}
	if types[int32(protocol.EventNodeCreated)] != "/born" || types[int32(protocol.EventNodeDeleted)] != "/gone" ||
		types[int32(protocol.EventNodeDataChanged)] != "/sw" || types[int32(protocol.EventNodeChildrenChanged)] != "/" {
		t.Fatalf("events %+v", events)
	}
	// The exist watch on /notyet was registered: creating it fires.
	writer.Create("/notyet", nil, 0, zk.WorldACL(zk.PermAll))
	_, _, ev := readReply(t, nc, mustPing(t, nc))
	if len(ev) != 1 || ev[0].Path != "/notyet" || ev[0].Type != int32(protocol.EventNodeCreated) {
		t.Fatalf("after create: %+v", ev)
	}
}

// mustPing sends a ping and returns its xid, for readReply to wait on.
func mustPing(t *testing.T, nc net.Conn) int32 {
	hdr := jute.RequestHeader{Xid: protocol.XidPing, Type: int32(protocol.OpPing)}
	writeFrame(t, nc, &hdr)
	return protocol.XidPing
}

func TestServer_WhoAmIAndTTL(t *testing.T) {
	_, addr := startServer(t, Options{ExtendedTypes: true, ContainerCheckInterval: 50 * time.Millisecond})
	nc, _ := handshake(t, addr, 0, nil, 10000)
	defer nc.Close()
	call(t, nc, protocol.XidAuth, protocol.OpAuth, &jute.AuthPacket{Scheme: "digest", Auth: []byte("user:password")})
	var who jute.WhoAmIResponse
	jute.Unmarshal(call(t, nc, 1, protocol.OpWhoAmI, nil), &who)
	if !reflect.DeepEqual(who.ClientInfo, []jute.ClientInfo{{AuthScheme: "digest", User: "user"}, {AuthScheme: "ip", User: "127.0.0.1"}}) {
		t.Fatalf("whoAmI %+v", who.ClientInfo)
	}
	var cr jute.Create2Response
	jute.Unmarshal(call(t, nc, 2, protocol.OpCreateTTL, &jute.CreateTTLRequest{Path: "/ttl", ACL: openACL(), Flags: int32(protocol.ModePersistentWithTTL), Ttl: 100}), &cr)
	if cr.Path != "/ttl" || cr.Stat.EphemeralOwner != 0 {
		t.Fatalf("createTTL %+v", cr)
	}
	h, _ := callCode(t, nc, 3, protocol.OpCreateTTL, &jute.CreateTTLRequest{Path: "/bad", ACL: openACL(), Flags: int32(protocol.ModePersistent), Ttl: 100})
	if protocol.Code(h.Err) != protocol.CodeBadArguments {
		t.Fatalf("createTTL with a non-TTL mode: %v", protocol.Code(h.Err))
	}
	call(t, nc, 4, protocol.OpCreateContainer, &jute.CreateRequest{Path: "/c", ACL: openACL(), Flags: int32(protocol.ModeContainer)})
	call(t, nc, 5, protocol.OpCreate, &jute.CreateRequest{Path: "/c/kid", ACL: openACL()})
	call(t, nc, 6, protocol.OpDelete, &jute.DeleteRequest{Path: "/c/kid", Version: -1})
	xid := int32(7)
	waitFor(t, "TTL node and emptied container reaped", func() bool {
		xid++
		h1, _ := callCode(t, nc, xid, protocol.OpExists, &jute.ExistsRequest{Path: "/ttl"})
		xid++
		h2, _ := callCode(t, nc, xid, protocol.OpExists, &jute.ExistsRequest{Path: "/c"})
		return h1.Err == int32(protocol.CodeNoNode) && h2.Err == int32(protocol.CodeNoNode)
	})
}

func TestServer_TTLNeedsExtendedTypes(t *testing.T) {
	_, addr := startServer(t, Options{})
	nc, _ := handshake(t, addr, 0, nil, 10000)
	defer nc.Close()
	h, _ := callCode(t, nc, 1, protocol.OpCreateTTL, &jute.CreateTTLRequest{Path: "/ttl", ACL: openACL(), Flags: int32(protocol.ModePersistentWithTTL), Ttl: 100})
	if protocol.Code(h.Err) != protocol.CodeUnimplemented {
		t.Fatalf("createTTL without extended types: %v", protocol.Code(h.Err))
	}
}

func TestServer_BadInputHurtsOnlyThatConnection(t *testing.T) {
	_, addr := startServer(t, Options{MaxBuffer: 1 << 16})
	good := connect(t, addr)
	if _, err := good.Create("/keep", []byte("v"), 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	t.Run("oversized frame", func(t *testing.T) {
		nc, _ := handshake(t, addr, 0, nil, 10000)
		defer nc.Close()
		var hdr [4]byte
		binary.BigEndian.PutUint32(hdr[:], 1<<16+1)
		nc.Write(hdr[:])
		expectClosed(t, nc)
	})
	t.Run("negative length", func(t *testing.T) {
		nc, _ := handshake(t, addr, 0, nil, 10000)
		defer nc.Close()
		nc.Write([]byte{0xff, 0xff, 0xff, 0xf0})
		expectClosed(t, nc)
	})
	t.Run("unknown opcode", func(t *testing.T) {
		nc, _ := handshake(t, addr, 0, nil, 10000)
		defer nc.Close()
		h, _ := callCode(t, nc, 1, protocol.Op(77), nil)
		if protocol.Code(h.Err) != protocol.CodeUnimplemented || h.Zxid != -1 {
			t.Fatalf("reply %+v", h)
		}
		expectClosed(t, nc)
	})
	t.Run("truncated body", func(t *testing.T) {
		nc, _ := handshake(t, addr, 0, nil, 10000)
		defer nc.Close()
		hdr := jute.RequestHeader{Xid: 1, Type: int32(protocol.OpCreate)}
		writeFrame(t, nc, &hdr, &jute.ErrorResponse{Err: 1 << 20}) // a string length with nothing behind it
		h, _, _ := readReply(t, nc, 1)
		if protocol.Code(h.Err) != protocol.CodeMarshallingError {
			t.Fatalf("reply %+v", h)
		}
	})
	t.Run("bad path", func(t *testing.T) {
		nc, _ := handshake(t, addr, 0, nil, 10000)
		defer nc.Close()
		for i, p := range []string{"", "rel", "/a/", "/a//b", "/.", "/a/..", "/\u0000x", "/\U0001F600"} {
			h, _ := callCode(t, nc, int32(i+1), protocol.OpCreate, &jute.CreateRequest{Path: p, ACL: openACL()})
			if c := protocol.Code(h.Err); c != protocol.CodeBadArguments && c != protocol.CodeNoNode {
				t.Fatalf("create %q: %v", p, c)
			}
		}
	})
	t.Run("garbage handshake", func(t *testing.T) {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		nc.Write([]byte{0, 0, 0, 3, 1, 2, 3})
		expectClosed(t, nc)
	})
	data, _, err := good.Get("/keep")
	if err != nil || string(data) != "v" {
		t.Fatalf("the well-behaved session suffered: %q %v", data, err)
	}
}

func TestServer_FourLetterWords(t *testing.T) {
	_, addr := startServer(t, Options{FourLetterWords: map[string]bool{"srvr": true, "ruok": true}})
	if got := fourLetter(t, addr, "ruok"); got != "imok" {
		t.Fatalf("ruok: %q", got)
	}
	if got := fourLetter(t, addr, "mntr"); got != "mntr is not executed because it is not in the whitelist.\n" {
		t.Fatalf("mntr: %q", got)
	}
	srvr := fourLetter(t, addr, "srvr")
	for _, want := range []string{"Zookeeper version: ", "Mode: standalone\n", "Node count: 5\n"} {
		if !strings.Contains(srvr, want) {
			t.Fatalf("srvr lacks %q:\n%s", want, srvr)
		}
	}
}

func TestServer_MultiAndMultiRead(t *testing.T) {
	_, addr := startServer(t, Options{})
	c := connect(t, addr)
	res, err := c.Multi(
		&zk.CreateRequest{Path: "/m", Acl: zk.WorldACL(zk.PermAll)},
		&zk.CreateRequest{Path: "/m/a", Data: []byte("x"), Acl: zk.WorldACL(zk.PermAll)},
		&zk.SetDataRequest{Path: "/m/a", Data: []byte("y"), Version: 0},
		&zk.CheckVersionRequest{Path: "/m/a", Version: 1},
	)
	if err != nil || len(res) != 4 || res[1].String != "/m/a" || res[2].Stat.Version != 1 {
		t.Fatalf("multi %+v %v", res, err)
	}
	res, err = c.Multi(
		&zk.CreateRequest{Path: "/m/b", Acl: zk.WorldACL(zk.PermAll)},
		&zk.DeleteRequest{Path: "/m/none", Version: -1},
	)
	if !errors.Is(err, zk.ErrNoNode) || len(res) != 2 || res[0].String != "" {
		t.Fatalf("failed multi %+v %v", res, err)
	}
	if ok, _, _ := c.Exists("/m/b"); ok {
		t.Fatal("failed multi applied its first op")
	}

	nc, _ := handshake(t, addr, 0, nil, 10000)
	defer nc.Close()
	m := &protocol.MultiRequest{Ops: []protocol.MultiOp{
		{Op: protocol.OpGetData, Req: &jute.GetDataRequest{Path: "/m/a"}},
		{Op: protocol.OpGetChildren, Req: &jute.GetChildrenRequest{Path: "/nope"}},
		{Op: protocol.OpGetChildren, Req: &jute.GetChildrenRequest{Path: "/m"}},
	}}
	var mr protocol.MultiResponse
	jute.Unmarshal(call(t, nc, 1, protocol.OpMultiRead, m), &mr)
	if len(mr.Results) != 3 || string(mr.Results[0].Resp.(*jute.GetDataResponse).Data) != "y" ||
		mr.Results[1].Err != protocol.CodeNoNode ||
		!reflect.DeepEqual(mr.Results[2].Resp.(*jute.GetChildrenResponse).Children, []string{"a"}) {
		t.Fatalf("multiRead %+v", mr.Results)
	}
	// A write op inside multiRead fails the whole request.
	bad := &protocol.MultiRequest{Ops: []protocol.MultiOp{{Op: protocol.OpDelete, Req: &jute.DeleteRequest{Path: "/m/a", Version: -1}}}}
	h, _ := callCode(t, nc, 2, protocol.OpMultiRead, bad)
	if protocol.Code(h.Err) != protocol.CodeMarshallingError {
		t.Fatalf("multiRead with a delete: %v", protocol.Code(h.Err))
	}
}

func TestServer_DigestACLAndSuper(t *testing.T) {
	_, addr := startServer(t, Options{SuperDigest: "super:lK75jTNcA+U9vtVEw5vB51mj/w4="})
	owner := connect(t, addr)
	owner.AddAuth("digest", []byte("user:password"))
	if _, err := owner.Create("/sec", []byte("s"), 0, zk.DigestACL(zk.PermAll, "user", "password")); err != nil {
		t.Fatal(err)
	}
	other := connect(t, addr)
	if _, _, err := other.Get("/sec"); !errors.Is(err, zk.ErrNoAuth) {
		t.Fatalf("get without auth: %v", err)
	}
	if _, err := other.Create("/x", nil, 0, []zk.ACL{{Perms: zk.PermAll, Scheme: "auth", ID: ""}}); !errors.Is(err, zk.ErrInvalidACL) {
		t.Fatalf("auth ACL without auth ids: %v", err)
	}
	if _, err := other.Create("/x", nil, 0, []zk.ACL{{Perms: zk.PermAll, Scheme: "digest", ID: "bad"}}); !errors.Is(err, zk.ErrInvalidACL) {
		t.Fatalf("malformed digest id: %v", err)
	}
	acl, _, err := other.GetACL("/sec")
	if !errors.Is(err, zk.ErrNoAuth) {
		t.Fatalf("getACL without READ or ADMIN: %v %v", acl, err)
	}
	admin := connect(t, addr)
	admin.AddAuth("digest", []byte("super:secret"))
	if data, _, err := admin.Get("/sec"); err != nil || string(data) != "s" {
		t.Fatalf("super get: %q %v", data, err)
	}
}

func TestServer_EventsFilteredByReadACL(t *testing.T) {
	_, addr := startServer(t, Options{})
	owner, _ := handshake(t, addr, 0, nil, 10000)
	defer owner.Close()
	call(t, owner, protocol.XidAuth, protocol.OpAuth, &jute.AuthPacket{Scheme: "digest", Auth: []byte("u:p")})
	call(t, owner, 1, protocol.OpCreate, &jute.CreateRequest{Path: "/tree", ACL: openACL()})
	secret := []jute.ACL{{Perms: protocol.PermAll, ID: jute.Id{Scheme: "digest", ID: DigestIDForTest("u", "p")}}}
	spy, _ := handshake(t, addr, 0, nil, 10000)
	defer spy.Close()
	call(t, spy, 1, protocol.OpAddWatch, &jute.AddWatchRequest{Path: "/tree", Mode: int32(protocol.AddWatchPersistentRecursive)})
	// A node the spy cannot read: no event; a readable one: an event.
	call(t, owner, 2, protocol.OpCreate, &jute.CreateRequest{Path: "/tree/hidden", ACL: secret})
	call(t, owner, 3, protocol.OpCreate, &jute.CreateRequest{Path: "/tree/open", ACL: openACL()})
	_, _, ev := readReply(t, spy, mustPing(t, spy))
	if len(ev) != 1 || ev[0].Path != "/tree/open" {
		t.Fatalf("spy saw %+v, want only the readable node's creation", ev)
	}
}

func DigestIDForTest(user, pass string) string { return acl.DigestID(user, pass) }
