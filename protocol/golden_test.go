package protocol_test

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
)

// The golden tests decode every frame captured from Apache ZooKeeper 3.8.0
// and its clients (Java 3.8.0, kazoo 2.8.0, go-zookeeper/zk 1.0.4, and raw
// frames), check the decoded values, then re-encode them and compare with the
// captured bytes. Session ids, zxids, times and passwords differ per capture,
// so those are checked structurally; paths, data, flags, versions, ACLs,
// opcodes and error codes are checked explicitly for a representative set.

var openACL = []jute.ACL{{Perms: protocol.PermAll, ID: jute.Id{Scheme: "world", ID: "anyone"}}}

// digestID is what DigestAuthenticationProvider stores for user:password.
func digestID(user, pass string) string {
	h := sha1.Sum([]byte(user + ":" + pass))
	return user + ":" + base64.StdEncoding.EncodeToString(h[:])
}

// encodeFrame builds a whole frame the way a server or client would: length
// word, header, body.
func encodeFrame(hdr, body jute.Record) []byte {
	b, off := protocol.BeginFrame(nil)
	e := jute.Encoder{B: b}
	hdr.Encode(&e)
	if body != nil {
		body.Encode(&e)
	}
	protocol.EndFrame(e.B, off)
	return e.B
}

// decodeAll decodes rec from b and fails unless it used every byte: a reader
// that stops early or reads too far would otherwise go unnoticed.
func decodeAll(t *testing.T, d *jute.Decoder, rec jute.Record) {
	t.Helper()
	rec.Decode(d)
	if d.Err() != nil {
		t.Fatalf("decode %T: %v", rec, d.Err())
	}
	if d.Remaining() != 0 {
		t.Fatalf("decode %T: %d bytes left over", rec, d.Remaining())
	}
}

// onlyNullsNormalised reports whether ours differs from golden only in length
// words that golden has as -1 (null) and ours as 0 (empty): the documented
// normalisation of null ustrings (jute/doc.go), which we never emit.
func onlyNullsNormalised(golden, ours []byte) bool {
	if len(golden) != len(ours) {
		return false
	}
	for i := 0; i < len(golden); {
		if golden[i] == ours[i] {
			i++
			continue
		}
		if i+4 > len(golden) || !bytes.Equal(golden[i:i+4], []byte{0xff, 0xff, 0xff, 0xff}) ||
			!bytes.Equal(ours[i:i+4], []byte{0, 0, 0, 0}) {
			return false
		}
		i += 4
	}
	return true
}

// nullStringsExpected lists the captured requests in which a client writes a
// null ustring (-1), which our encoder writes back as "" (0): the Java client
// writes null reconfig arguments as null, and kazoo writes every empty string
// as null (here the empty id of the "auth" ACL scheme, and reconfig's None).
func nullStringsExpected(f *goldenFrame, rec jute.Record) bool {
	switch r := rec.(type) {
	case *jute.ReconfigRequest:
		return true
	case *jute.CreateRequest:
		if f.client() != "kazoo" {
			return false
		}
		for _, a := range r.ACL {
			if a.ID.ID == "" {
				return true
			}
		}
	}
	return false
}

// compareReencoded compares our re-encoding with the captured frame.
func compareReencoded(t *testing.T, f *goldenFrame, ours []byte, nullsOK bool) {
	t.Helper()
	if bytes.Equal(ours, f.frame) {
		return
	}
	if nullsOK && onlyNullsNormalised(f.frame, ours) {
		return
	}
	t.Errorf("re-encoded frame differs\n got %x\nwant %x", ours, f.frame)
}

func TestGolden_Inventory(t *testing.T) {
	frames := loadGolden(t)
	seen := map[string]bool{}
	for _, f := range frames {
		seen[f.client()+" "+f.dir()+" "+f.op()] = true
	}
	// What the capture must contain; a re-capture that loses one fails here.
	for _, want := range []string{
		"java c2s connect", "java s2c connect", "gozk c2s connect", "kazoo c2s connect",
		"java c2s create", "java c2s create2", "java c2s createContainer", "java c2s createTTL",
		"java c2s delete", "java c2s exists", "java c2s getData", "java c2s setData",
		"java c2s getACL", "java c2s setACL", "java c2s getChildren", "java c2s getChildren2",
		"java c2s sync", "java c2s multi", "java c2s multiRead", "java c2s reconfig",
		"java c2s checkWatches", "java c2s removeWatches", "java c2s addWatch",
		"java c2s getEphemerals", "java c2s getAllChildrenNumber", "java c2s whoAmI",
		"java c2s setWatches2", "java c2s auth", "java c2s ping", "java c2s closeSession",
		"java s2c notification", "java s2c multiRead", "java s2c multi",
		"gozk c2s setWatches", "gozk c2s createTTL", "gozk c2s createContainer", "gozk c2s auth",
		"gozk c2s multi", "gozk s2c notification", "gozk c2s ping",
		"kazoo c2s multi", "kazoo c2s reconfig", "kazoo c2s auth", "kazoo c2s ping",
		"raw c2s multi", "raw s2c auth", "raw c2s unknown",
	} {
		if !seen[want] {
			t.Errorf("no %q frame in the golden set", want)
		}
	}
}

// TestGolden_FrameReader feeds each connection's captured byte stream, per
// direction, to FrameReader whole and one byte at a time.
func TestGolden_FrameReader(t *testing.T) {
	streams := map[string][]*goldenFrame{}
	var keys []string
	for _, f := range loadGolden(t) {
		k := f.conn() + " " + f.dir()
		if streams[k] == nil {
			keys = append(keys, k)
		}
		streams[k] = append(streams[k], f)
	}
	for _, k := range keys {
		var stream []byte
		for _, f := range streams[k] {
			stream = append(stream, f.frame...)
		}
		for _, oneByte := range []bool{false, true} {
			var r = bytes.NewReader(stream)
			fr := protocol.NewFrameReader(r, protocol.DefaultMaxBuffer)
			if oneByte {
				fr = protocol.NewFrameReader(iotest.OneByteReader(r), protocol.DefaultMaxBuffer)
			}
			for _, f := range streams[k] {
				got, err := fr.ReadFrame()
				if err != nil {
					t.Fatalf("%s: %s: %v", k, f.name, err)
				}
				if !bytes.Equal(got, f.body()) {
					t.Fatalf("%s: %s: payload differs", k, f.name)
				}
			}
			if _, err := fr.ReadFrame(); err == nil {
				t.Fatalf("%s: a frame after the last one", k)
			}
		}
	}
}

func TestGolden_Connect(t *testing.T) {
	frames := loadGolden(t)
	reqs := map[string]jute.ConnectRequest{}
	n := 0
	for _, f := range frames {
		if f.op() != "connect" || f.dir() != "c2s" {
			continue
		}
		n++
		t.Run(f.name, func(t *testing.T) {
			r, err := protocol.DecodeConnect(f.body())
			if err != nil {
				t.Fatal(err)
			}
			reqs[f.conn()] = r
			if len(f.body()) != 44 && len(f.body()) != 45 {
				t.Fatalf("connect request of %d bytes", len(f.body()))
			}
			if r.HasReadOnly != (len(f.body()) == 45) {
				t.Errorf("HasReadOnly = %v for %d bytes", r.HasReadOnly, len(f.body()))
			}
			// go-zookeeper omits readOnly; Java and kazoo send it.
			if want := f.client() != "gozk"; f.client() != "raw" && r.HasReadOnly != want {
				t.Errorf("%s: HasReadOnly = %v", f.client(), r.HasReadOnly)
			}
			if r.ProtocolVersion != 0 || r.TimeOut != 4000 || len(r.Passwd) != protocol.PasswordLen {
				t.Errorf("unexpected %+v", r)
			}
			// The first connection of a client is a new session; later
			// ones resume it after the proxy's drop, with the zxid seen.
			resumed := resumedConns[f.conn()]
			if resumed && (r.SessionID == 0 || r.LastZxidSeen <= 0) {
				t.Errorf("resume without session or zxid: %+v", r)
			}
			if !resumed && f.client() != "raw" &&
				(r.SessionID != 0 || r.LastZxidSeen != 0 || !bytes.Equal(r.Passwd, make([]byte, 16))) {
				t.Errorf("new session with state: %+v", r)
			}
			if f.client() == "raw" && f.meta["conn"] == "3" && !r.ReadOnly {
				t.Errorf("raw conn 3 asked for read-only: %+v", r)
			}
			compareReencoded(t, f, encodeFrame(&r, nil), false)
		})
	}
	if n < 10 {
		t.Fatalf("only %d connect requests", n)
	}
	for _, f := range frames {
		if f.op() != "connect" || f.dir() != "s2c" {
			continue
		}
		t.Run(f.name, func(t *testing.T) {
			req, ok := reqs[f.conn()]
			if !ok {
				t.Fatal("no request for this response")
			}
			var r jute.ConnectResponse
			d := jute.NewDecoder(f.body())
			decodeAll(t, &d, &r)
			// The answer has the readOnly byte iff the request had it:
			// 37 bytes or 36.
			if r.HasReadOnly != req.HasReadOnly || len(f.body()) != 36+boolInt(req.HasReadOnly) {
				t.Errorf("%d-byte answer to a %v request", len(f.body()), req.HasReadOnly)
			}
			if r.ReadOnly {
				t.Error("a read-write server answered readOnly")
			}
			if len(r.Passwd) != protocol.PasswordLen {
				t.Errorf("password of %d bytes", len(r.Passwd))
			}
			expired := req.SessionID == 0x0123456789abcdef // raw: an unknown session
			switch {
			case expired:
				// Invalid resume: timeOut 0 and sessionId 0 and a zero password.
				if r.TimeOut != 0 || r.SessionID != 0 || !bytes.Equal(r.Passwd, make([]byte, 16)) {
					t.Errorf("expired answer %+v", r)
				}
			case req.SessionID != 0:
				if r.SessionID != req.SessionID || r.TimeOut != 4000 || !bytes.Equal(r.Passwd, req.Passwd) {
					t.Errorf("resume answer %+v for %+v", r, req)
				}
			default:
				if r.SessionID == 0 || r.TimeOut != 4000 || bytes.Equal(r.Passwd, make([]byte, 16)) {
					t.Errorf("new session answer %+v", r)
				}
			}
			compareReencoded(t, f, protocol.AppendConnectResponse(nil, &r), false)
		})
	}
}

// resumedConns are the connections on which a client resumed its session
// after the proxy dropped the first one.
var resumedConns = map[string]bool{"java/2": true, "kazoo/2": true, "gozk/2": true}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// decodeRequest decodes a captured request frame with the protocol table.
func decodeRequest(t *testing.T, f *goldenFrame) (jute.RequestHeader, jute.Record) {
	t.Helper()
	var h jute.RequestHeader
	d := jute.NewDecoder(f.body())
	h.Decode(&d)
	if d.Err() != nil {
		t.Fatal(d.Err())
	}
	op := protocol.Op(h.Type)
	if op.String() != f.op() {
		t.Fatalf("header says %v, capture says %s", op, f.op())
	}
	if fmt.Sprint(h.Xid) != f.meta["xid"] {
		t.Fatalf("xid %d, capture says %s", h.Xid, f.meta["xid"])
	}
	rec, ok := protocol.NewRequest(op)
	if !ok {
		t.Fatalf("NewRequest(%v) not ok", op)
	}
	if rec == nil {
		if d.Remaining() != 0 {
			t.Fatalf("%v carries %d body bytes", op, d.Remaining())
		}
		return h, nil
	}
	decodeAll(t, &d, rec)
	return h, rec
}

func TestGolden_Requests(t *testing.T) {
	frames := loadGolden(t)
	decoded := map[*goldenFrame]jute.Record{}
	for _, f := range frames {
		if f.dir() != "c2s" || f.op() == "connect" {
			continue
		}
		t.Run(f.name, func(t *testing.T) {
			if f.op() == "unknown" {
				// raw: opcode 200, which ZooKeeper answers Unimplemented.
				var h jute.RequestHeader
				d := jute.NewDecoder(f.body())
				decodeAll(t, &d, &h)
				if _, ok := protocol.NewRequest(protocol.Op(h.Type)); ok {
					t.Errorf("NewRequest(%d) ok", h.Type)
				}
				compareReencoded(t, f, encodeFrame(&h, nil), false)
				return
			}
			h, rec := decodeRequest(t, f)
			decoded[f] = rec
			checkRequestShape(t, f, h, rec)
			compareReencoded(t, f, encodeFrame(&h, rec), nullStringsExpected(f, rec))
		})
	}
	checkWantedRequests(t, frames, decoded)
}

// checkRequestShape checks what must hold of every captured request.
func checkRequestShape(t *testing.T, f *goldenFrame, h jute.RequestHeader, rec jute.Record) {
	t.Helper()
	op := protocol.Op(h.Type)
	switch {
	case op == protocol.OpPing:
		if h.Xid != protocol.XidPing {
			t.Errorf("ping with xid %d", h.Xid)
		}
	case op == protocol.OpAuth:
		// Java and kazoo use xid -4, go-zookeeper a normal xid.
		if (f.client() == "gozk") != (h.Xid > 0) || (f.client() != "gozk" && h.Xid != protocol.XidAuth) {
			t.Errorf("%s auth with xid %d", f.client(), h.Xid)
		}
	case h.Xid <= 0:
		t.Errorf("%v with xid %d", op, h.Xid)
	}
	if p, ok := fieldString(rec, "Path"); ok && op != protocol.OpRemoveWatches {
		if err := protocol.ValidatePath(p); err != nil {
			t.Errorf("client sent an invalid path: %v", err)
		}
		if !strings.HasPrefix(p, "/golden-") && p != "/zookeeper/config" {
			t.Errorf("path %q outside the capture's trees", p)
		}
	}
	switch r := rec.(type) {
	case *jute.CreateRequest:
		m := protocol.CreateMode(r.Flags)
		if op == protocol.OpCreateContainer != m.Container() || m.TTL() || !m.Valid() {
			t.Errorf("%v with flags %d", op, r.Flags)
		}
	case *jute.CreateTTLRequest:
		if !protocol.CreateMode(r.Flags).TTL() || r.Ttl <= 0 || r.Ttl > protocol.MaxTTL {
			t.Errorf("createTTL with flags %d ttl %d", r.Flags, r.Ttl)
		}
	case *protocol.MultiRequest:
		for _, o := range r.Ops {
			isRead := o.Op == protocol.OpGetData || o.Op == protocol.OpGetChildren
			if isRead != (op == protocol.OpMultiRead) {
				t.Errorf("%v carries %v", op, o.Op)
			}
		}
	}
}

// fieldString returns rec's string field name, if it has one.
func fieldString(rec jute.Record, name string) (string, bool) {
	if rec == nil {
		return "", false
	}
	v := reflect.ValueOf(rec).Elem().FieldByName(name)
	if !v.IsValid() || v.Kind() != reflect.String {
		return "", false
	}
	return v.String(), true
}

// wantRequest is one captured request decoded to explicit values. The frame
// is found by client, op and, when the record has one, its path; otherwise
// by its place among the client's frames of that op.
type wantRequest struct {
	client string
	op     protocol.Op
	nth    int // among frames with the same client and op, when rec has no Path
	xid    int32
	rec    jute.Record
}

func checkWantedRequests(t *testing.T, frames []*goldenFrame, decoded map[*goldenFrame]jute.Record) {
	const J, K, G = "/golden-java", "/golden-kazoo", "/golden-gozk"
	data := func(s string) []byte { return []byte(s) }
	mixed := []jute.ACL{
		{Perms: protocol.PermRead, ID: jute.Id{Scheme: "world", ID: "anyone"}},
		{Perms: protocol.PermAll, ID: jute.Id{Scheme: "ip", ID: "127.0.0.1"}},
		{Perms: protocol.PermRead | protocol.PermWrite, ID: jute.Id{Scheme: "digest", ID: "javauser:Xm0MIvx6LSMchE1G3QUo5a+6pWU="}},
	}
	wants := []wantRequest{
		{client: "java", op: protocol.OpCreate, rec: &jute.CreateRequest{Path: J, Data: data("java"), ACL: openACL, Flags: 0}},
		{client: "java", op: protocol.OpCreate2, rec: &jute.CreateRequest{Path: J + "/c2", Data: data("create2"), ACL: openACL, Flags: 0}},
		{client: "java", op: protocol.OpCreate2, rec: &jute.CreateRequest{Path: J + "/seq-", Data: data("s"), ACL: openACL, Flags: 2}},
		{client: "java", op: protocol.OpCreate, rec: &jute.CreateRequest{Path: J + "/eph", Data: data("e"), ACL: openACL, Flags: 1}},
		{client: "java", op: protocol.OpCreateContainer, rec: &jute.CreateRequest{Path: J + "/container", Data: data("c"), ACL: openACL, Flags: 4}},
		{client: "java", op: protocol.OpCreateTTL, rec: &jute.CreateTTLRequest{Path: J + "/ttl", Data: data("t"), ACL: openACL, Flags: 5, Ttl: 60000}},
		{client: "java", op: protocol.OpCreateTTL, rec: &jute.CreateTTLRequest{Path: J + "/ttlseq-", Data: data("t"), ACL: openACL, Flags: 6, Ttl: 1234567}},
		{client: "java", op: protocol.OpCreate, rec: &jute.CreateRequest{Path: J + "/null", Data: nil, ACL: openACL}},
		{client: "java", op: protocol.OpCreate, rec: &jute.CreateRequest{Path: J + "/unicode-\u00e9\u4e2d", Data: data("\u00e9"), ACL: openACL}},
		{client: "java", op: protocol.OpCreate, rec: &jute.CreateRequest{Path: J + "/acl", Data: data("a"),
			ACL: []jute.ACL{{Perms: protocol.PermAll, ID: jute.Id{Scheme: "auth", ID: ""}}}}},
		{client: "java", op: protocol.OpExists, nth: 0, rec: &jute.ExistsRequest{Path: J, Watch: true}},
		{client: "java", op: protocol.OpExists, rec: &jute.ExistsRequest{Path: J + "/missing", Watch: true}},
		{client: "java", op: protocol.OpExists, rec: &jute.ExistsRequest{Path: "/golden-drop", Watch: false}},
		{client: "java", op: protocol.OpGetData, rec: &jute.GetDataRequest{Path: J + "/null", Watch: false}},
		{client: "java", op: protocol.OpSetData, rec: &jute.SetDataRequest{Path: J, Data: data("java-2"), Version: 0}},
		{client: "java", op: protocol.OpSetData, nth: 1, rec: &jute.SetDataRequest{Path: J, Data: data("x"), Version: 99}},
		{client: "java", op: protocol.OpGetChildren, rec: &jute.GetChildrenRequest{Path: J, Watch: true}},
		{client: "java", op: protocol.OpGetChildren2, rec: &jute.GetChildren2Request{Path: J, Watch: false}},
		{client: "java", op: protocol.OpDelete, rec: &jute.DeleteRequest{Path: J + "/c2", Version: 3}},
		{client: "java", op: protocol.OpDelete, rec: &jute.DeleteRequest{Path: J, Version: -1}},
		{client: "java", op: protocol.OpGetACL, rec: &jute.GetACLRequest{Path: J}},
		{client: "java", op: protocol.OpSetACL, rec: &jute.SetACLRequest{Path: J + "/acl", ACL: mixed, Version: 0}},
		{client: "java", op: protocol.OpSetACL, nth: 2, rec: &jute.SetACLRequest{Path: J + "/acl",
			ACL: []jute.ACL{{Perms: protocol.PermAll, ID: jute.Id{Scheme: "bogus", ID: "x"}}}, Version: -1}},
		{client: "java", op: protocol.OpAuth, xid: protocol.XidAuth, rec: &jute.AuthPacket{Type: 0, Scheme: "digest", Auth: data("javauser:javapass")}},
		{client: "java", op: protocol.OpSync, rec: &jute.SyncRequest{Path: J}},
		{client: "java", op: protocol.OpMulti, nth: 0, rec: &protocol.MultiRequest{Ops: []protocol.MultiOp{
			{Op: protocol.OpCreate, Req: &jute.CreateRequest{Path: J + "/m1", Data: data("m1"), ACL: openACL}},
			{Op: protocol.OpCreate, Req: &jute.CreateRequest{Path: J + "/m2", Data: data("m2"), ACL: openACL}},
			{Op: protocol.OpCreateContainer, Req: &jute.CreateRequest{Path: J + "/mc", Data: data("mc"), ACL: openACL, Flags: 4}},
			{Op: protocol.OpCreateTTL, Req: &jute.CreateTTLRequest{Path: J + "/mt", Data: data("mt"), ACL: openACL, Flags: 5, Ttl: 5000}},
			{Op: protocol.OpSetData, Req: &jute.SetDataRequest{Path: J + "/m1", Data: data("m1b"), Version: 0}},
			{Op: protocol.OpCheck, Req: &jute.CheckVersionRequest{Path: J + "/m1", Version: 1}},
			{Op: protocol.OpDelete, Req: &jute.DeleteRequest{Path: J + "/m2", Version: 0}},
		}}},
		{client: "java", op: protocol.OpMulti, nth: 1, rec: &protocol.MultiRequest{Ops: []protocol.MultiOp{
			{Op: protocol.OpCreate, Req: &jute.CreateRequest{Path: J + "/m3", Data: data("m3"), ACL: openACL}},
			{Op: protocol.OpCreate, Req: &jute.CreateRequest{Path: J, Data: data("dup"), ACL: openACL}},
			{Op: protocol.OpSetData, Req: &jute.SetDataRequest{Path: J + "/m1", Data: data("x"), Version: -1}},
		}}},
		{client: "java", op: protocol.OpMultiRead, rec: &protocol.MultiRequest{Ops: []protocol.MultiOp{
			{Op: protocol.OpGetData, Req: &jute.GetDataRequest{Path: J + "/m1"}},
			{Op: protocol.OpGetChildren, Req: &jute.GetChildrenRequest{Path: J + "/container"}},
			{Op: protocol.OpGetData, Req: &jute.GetDataRequest{Path: J + "/nope"}},
		}}},
		{client: "java", op: protocol.OpAddWatch, rec: &jute.AddWatchRequest{Path: J + "/pw", Mode: int32(protocol.AddWatchPersistent)}},
		{client: "java", op: protocol.OpAddWatch, rec: &jute.AddWatchRequest{Path: J, Mode: int32(protocol.AddWatchPersistentRecursive)}},
		{client: "java", op: protocol.OpCheckWatches, rec: &jute.CheckWatchesRequest{Path: J + "/m1", Type: int32(protocol.WatcherData)}},
		{client: "java", op: protocol.OpRemoveWatches, nth: 0, rec: &jute.RemoveWatchesRequest{Path: J + "/c2", Type: int32(protocol.WatcherChildren)}},
		{client: "java", op: protocol.OpRemoveWatches, nth: 1, rec: &jute.RemoveWatchesRequest{Path: J + "/c2", Type: int32(protocol.WatcherAny)}},
		{client: "java", op: protocol.OpGetEphemerals, rec: &jute.GetEphemeralsRequest{PrefixPath: J}},
		{client: "java", op: protocol.OpGetAllChildrenNumber, rec: &jute.GetAllChildrenNumberRequest{Path: J}},
		{client: "java", op: protocol.OpGetData, rec: &jute.GetDataRequest{Path: "/zookeeper/config"}},
		// Java writes the null leaving/newMembers as -1; they decode as "".
		{client: "java", op: protocol.OpReconfig, rec: &jute.ReconfigRequest{JoiningServers: "server.2=127.0.0.1:2888:3888;2182", CurConfigID: -1}},

		// kazoo writes "" as a null ustring; it decodes as "".
		{client: "kazoo", op: protocol.OpCreate, rec: &jute.CreateRequest{Path: K + "/acl", Data: data("a"),
			ACL: []jute.ACL{{Perms: protocol.PermAll, ID: jute.Id{Scheme: "auth", ID: ""}}}}},
		{client: "kazoo", op: protocol.OpCreate, rec: &jute.CreateRequest{Path: K + "/empty", Data: []byte{}, ACL: openACL}},
		{client: "kazoo", op: protocol.OpCreate, rec: &jute.CreateRequest{Path: K + "/eph", Data: data("e"), ACL: openACL, Flags: 1}},
		{client: "kazoo", op: protocol.OpCreate2, rec: &jute.CreateRequest{Path: K + "/c2", Data: data("create2"), ACL: openACL}},
		{client: "kazoo", op: protocol.OpAuth, xid: protocol.XidAuth, rec: &jute.AuthPacket{Scheme: "digest", Auth: data("kz:pw")}},
		{client: "kazoo", op: protocol.OpSetACL, rec: &jute.SetACLRequest{Path: K + "/acl", ACL: []jute.ACL{
			{Perms: protocol.PermRead | protocol.PermWrite, ID: jute.Id{Scheme: "digest", ID: digestID("kz", "pw")}},
			{Perms: protocol.PermRead, ID: jute.Id{Scheme: "world", ID: "anyone"}},
		}, Version: 0}},
		{client: "kazoo", op: protocol.OpMulti, nth: 0, rec: &protocol.MultiRequest{Ops: []protocol.MultiOp{
			{Op: protocol.OpCreate, Req: &jute.CreateRequest{Path: K + "/m1", Data: data("m1"), ACL: openACL}},
			{Op: protocol.OpSetData, Req: &jute.SetDataRequest{Path: K + "/m1", Data: data("m1b"), Version: 0}},
			{Op: protocol.OpCheck, Req: &jute.CheckVersionRequest{Path: K + "/m1", Version: 1}},
			{Op: protocol.OpDelete, Req: &jute.DeleteRequest{Path: K + "/m1", Version: 1}},
		}}},
		// An empty transaction: the terminator alone.
		{client: "kazoo", op: protocol.OpMulti, nth: 2, rec: &protocol.MultiRequest{}},
		{client: "kazoo", op: protocol.OpReconfig, rec: &jute.ReconfigRequest{JoiningServers: "server.2=127.0.0.1:2888:3888;2182", CurConfigID: -1}},

		{client: "gozk", op: protocol.OpCreate, rec: &jute.CreateRequest{Path: G, Data: data("gozk"), ACL: openACL}},
		{client: "gozk", op: protocol.OpCreate, rec: &jute.CreateRequest{Path: G + "/null", Data: nil, ACL: openACL}},
		{client: "gozk", op: protocol.OpCreate, rec: &jute.CreateRequest{Path: G + "/empty", Data: []byte{}, ACL: openACL}},
		{client: "gozk", op: protocol.OpCreate, rec: &jute.CreateRequest{Path: G + "/secret", Data: data("s"),
			ACL: []jute.ACL{{Perms: protocol.PermAll, ID: jute.Id{Scheme: "digest", ID: digestID("gozk", "secret")}}}}},
		{client: "gozk", op: protocol.OpCreateContainer, rec: &jute.CreateRequest{Path: G + "/container", Data: data("c"), ACL: openACL, Flags: 4}},
		{client: "gozk", op: protocol.OpCreateTTL, rec: &jute.CreateTTLRequest{Path: G + "/ttl", Data: data("t"), ACL: openACL, Flags: 5, Ttl: 60000}},
		{client: "gozk", op: protocol.OpGetChildren2, rec: &jute.GetChildren2Request{Path: G, Watch: true}},
		{client: "gozk", op: protocol.OpSetACL, rec: &jute.SetACLRequest{Path: G + "/secret", ACL: openACL, Version: 7}},
		{client: "gozk", op: protocol.OpAuth, rec: &jute.AuthPacket{Scheme: "digest", Auth: data("gozk:secret")}},
		{client: "gozk", op: protocol.OpMulti, nth: 1, rec: &protocol.MultiRequest{Ops: []protocol.MultiOp{
			{Op: protocol.OpCreate, Req: &jute.CreateRequest{Path: G + "/m2", Data: data("m2"), ACL: openACL}},
			{Op: protocol.OpCreate, Req: &jute.CreateRequest{Path: G, Data: data("dup"), ACL: openACL}},
			{Op: protocol.OpSetData, Req: &jute.SetDataRequest{Path: G + "/m2", Data: data("x"), Version: -1}},
		}}},

		{client: "raw", op: protocol.OpRemoveWatches, rec: &jute.RemoveWatchesRequest{Path: "/", Type: int32(protocol.WatcherPersistent)}},
		{client: "raw", op: protocol.OpAuth, xid: protocol.XidAuth, rec: &jute.AuthPacket{Scheme: "nope", Auth: data("x")}},
	}
	for _, w := range wants {
		wantPath, hasPath := fieldString(w.rec, "Path")
		if _, ok := w.rec.(*jute.GetEphemeralsRequest); ok {
			hasPath = false
		}
		var found *goldenFrame
		nth := 0
		for _, f := range frames {
			rec, ok := decoded[f]
			if !ok || f.client() != w.client || f.op() != w.op.String() {
				continue
			}
			if hasPath && w.nth == 0 {
				if p, _ := fieldString(rec, "Path"); p == wantPath {
					found = f
					break
				}
				continue
			}
			if nth == w.nth {
				found = f
				break
			}
			nth++
		}
		name := fmt.Sprintf("%s %v %s #%d", w.client, w.op, wantPath, w.nth)
		if found == nil {
			t.Errorf("%s: no such frame", name)
			continue
		}
		if got := decoded[found]; !reflect.DeepEqual(got, w.rec) {
			t.Errorf("%s (%s):\n got %s\nwant %s", name, found.name, dump(got), dump(w.rec))
		}
		if w.xid != 0 && found.meta["xid"] != fmt.Sprint(w.xid) {
			t.Errorf("%s: xid %s, want %d", name, found.meta["xid"], w.xid)
		}
	}

	// Watches re-sent after the reconnect: Java uses SetWatches2 because it
	// has persistent watches, go-zookeeper SetWatches. relativeZxid is the
	// last zxid the client saw, so only its sign is known.
	for _, f := range frames {
		switch r := decoded[f].(type) {
		case *jute.SetWatches2:
			want := jute.SetWatches2{RelativeZxid: r.RelativeZxid,
				DataWatches: []string{J + "/c2"}, ExistWatches: []string{J + "/later"}, ChildWatches: []string{},
				PersistentWatches: []string{J + "/pw"}, PersistentRecursiveWatches: []string{J}}
			if r.RelativeZxid <= 0 || !reflect.DeepEqual(*r, want) {
				t.Errorf("%s: %s", f.name, dump(r))
			}
		case *jute.SetWatches:
			want := jute.SetWatches{RelativeZxid: r.RelativeZxid,
				DataWatches: []string{G + "/child"}, ExistWatches: []string{G + "/after-reconnect"}, ChildWatches: []string{G + "/child"}}
			if r.RelativeZxid <= 0 || !reflect.DeepEqual(*r, want) {
				t.Errorf("%s: %s", f.name, dump(r))
			}
		}
	}
}

func dump(r any) string {
	if m, ok := r.(*protocol.MultiRequest); ok {
		var b strings.Builder
		for _, o := range m.Ops {
			fmt.Fprintf(&b, "{%v %+v} ", o.Op, o.Req)
		}
		return b.String()
	}
	return fmt.Sprintf("%+v", r)
}
