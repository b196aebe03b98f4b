package protocol_test

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
)

// reply is a decoded server frame after the handshake.
type reply struct {
	f    *goldenFrame
	hdr  jute.ReplyHeader
	op   protocol.Op // of the request it answers; OpNotification for xid -1
	body jute.Record // nil for a bare header
	req  jute.Record // the request it answers, if any
}

func decodeReplies(t *testing.T, frames []*goldenFrame) []*reply {
	ix := indexGolden(frames)
	var out []*reply
	for _, f := range frames {
		if f.dir() != "s2c" || f.op() == "connect" {
			continue
		}
		r := &reply{f: f}
		t.Run(f.name, func(t *testing.T) {
			d := jute.NewDecoder(f.body())
			r.hdr.Decode(&d)
			if d.Err() != nil {
				t.Fatal(d.Err())
			}
			code := protocol.Code(r.hdr.Err)
			if code.String() != f.meta["err"] || fmt.Sprint(r.hdr.Xid) != f.meta["xid"] || fmt.Sprint(r.hdr.Zxid) != f.meta["zxid"] {
				t.Fatalf("header %+v, capture says %v", r.hdr, f.meta)
			}
			if !code.Known() {
				t.Fatalf("unknown code %d", r.hdr.Err)
			}
			switch req := ix.request(f); {
			case r.hdr.Xid == protocol.XidPing:
				r.op = protocol.OpPing
			case r.hdr.Xid == protocol.XidNotification:
				r.op = protocol.OpNotification
				r.body = &jute.WatcherEvent{}
			case req != nil:
				h, rec := decodeRequestQuiet(req)
				if h.Xid != r.hdr.Xid {
					t.Fatalf("reply xid %d to request xid %d", r.hdr.Xid, h.Xid)
				}
				r.op, r.req = protocol.Op(h.Type), rec
				if code == protocol.CodeOK {
					r.body = protocol.NewResponse(r.op)
				}
			default:
				t.Fatalf("reply without a request")
			}
			if r.body != nil {
				decodeAll(t, &d, r.body)
			} else if d.Remaining() != 0 {
				// Errors carry the header only (multi reports per-op
				// errors inside an OK reply).
				t.Fatalf("%v reply %v with %d body bytes", r.op, code, d.Remaining())
			}
			checkReplyShape(t, r)
			compareReencoded(t, f, encodeFrame(&r.hdr, r.body), false)
			out = append(out, r)
		})
	}
	return out
}

// decodeRequestQuiet decodes a request frame the Requests test has checked.
func decodeRequestQuiet(f *goldenFrame) (jute.RequestHeader, jute.Record) {
	var h jute.RequestHeader
	d := jute.NewDecoder(f.body())
	h.Decode(&d)
	rec, _ := protocol.NewRequest(protocol.Op(h.Type))
	if rec != nil {
		rec.Decode(&d)
	}
	return h, rec
}

// checkReplyShape checks what must hold of every captured reply.
func checkReplyShape(t *testing.T, r *reply) {
	t.Helper()
	switch r.op {
	case protocol.OpNotification:
		ev := r.body.(*jute.WatcherEvent)
		// 3.8 sends zxid -1 in notifications; the state is always SyncConnected.
		if r.hdr.Zxid != -1 || r.hdr.Err != 0 || protocol.KeeperState(ev.State) != protocol.StateSyncConnected ||
			ev.Type < int32(protocol.EventNodeCreated) || ev.Type > int32(protocol.EventNodeChildrenChanged) ||
			!strings.HasPrefix(ev.Path, "/golden-"+r.f.client()) {
			t.Errorf("notification %+v %+v", r.hdr, ev)
		}
	case protocol.OpPing:
		if r.hdr.Xid != protocol.XidPing || r.hdr.Zxid <= 0 || r.hdr.Err != 0 {
			t.Errorf("ping reply %+v", r.hdr)
		}
	case protocol.OpAuth:
		// Auth replies carry zxid 0.
		if r.hdr.Zxid != 0 {
			t.Errorf("auth reply %+v", r.hdr)
		}
	default:
		if protocol.Code(r.hdr.Err) == protocol.CodeUnimplemented {
			if r.hdr.Zxid != -1 {
				t.Errorf("Unimplemented with zxid %d", r.hdr.Zxid)
			}
		} else if r.hdr.Zxid <= 0 {
			t.Errorf("reply with zxid %d", r.hdr.Zxid)
		}
	}
	if p, _ := fieldString(r.req, "Path"); p == "/zookeeper/config" {
		return // a system node; checked explicitly
	}
	walkStats(r.body, func(s jute.Stat) {
		if s.Czxid <= 0 || s.Mzxid < s.Czxid || s.Pzxid < s.Czxid || s.Ctime <= 0 || s.Mtime < s.Ctime ||
			s.Version < 0 || s.Aversion < 0 || s.DataLength < 0 || s.NumChildren < 0 || s.Mzxid > r.hdr.Zxid {
			t.Errorf("implausible %+v", s)
		}
	})
	if gd, ok := r.body.(*jute.GetDataResponse); ok && int(gd.Stat.DataLength) != len(gd.Data) {
		t.Errorf("dataLength %d for %d bytes", gd.Stat.DataLength, len(gd.Data))
	}
}

// walkStats calls fn for every Stat inside v.
func walkStats(v any, fn func(jute.Stat)) {
	var walk func(reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Struct:
			if s, ok := v.Interface().(jute.Stat); ok {
				fn(s)
				return
			}
			for i := 0; i < v.NumField(); i++ {
				walk(v.Field(i))
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		}
	}
	if v != nil {
		walk(reflect.ValueOf(v))
	}
}

func TestGolden_Replies(t *testing.T) {
	replies := decodeReplies(t, loadGolden(t))
	if t.Failed() {
		return
	}
	const J, K, G = "/golden-java", "/golden-kazoo", "/golden-gozk"
	// find returns the reply to client's request for op on path (or, for
	// records without a path, the nth such reply).
	find := func(client string, op protocol.Op, path string, nth int) *reply {
		t.Helper()
		for _, r := range replies {
			if r.f.client() != client || r.op != op {
				continue
			}
			if p, ok := fieldString(r.req, "Path"); ok && path != "" && p != path {
				continue
			}
			if nth == 0 {
				return r
			}
			nth--
		}
		t.Fatalf("no %s reply to %v %s", client, op, path)
		return nil
	}
	expectCode := func(r *reply, want protocol.Code) {
		t.Helper()
		if got := protocol.Code(r.hdr.Err); got != want {
			t.Errorf("%s: %v, want %v", r.f.name, got, want)
		}
	}
	stat := func(r *reply) jute.Stat {
		var s jute.Stat
		n := 0
		walkStats(r.body, func(x jute.Stat) { s = x; n++ })
		if n != 1 {
			t.Fatalf("%s: %d stats", r.f.name, n)
		}
		return s
	}
	seq := regexp.MustCompile(`^` + J + `/seq-\d{10}$`)

	// Paths and Stats of creates.
	if r := find("java", protocol.OpCreate, J, 0); !reflect.DeepEqual(r.body, &jute.CreateResponse{Path: J}) {
		t.Errorf("create: %+v", r.body)
	}
	if r := find("java", protocol.OpCreate2, J+"/seq-", 0); !seq.MatchString(r.body.(*jute.Create2Response).Path) {
		t.Errorf("create2 sequential: %+v", r.body)
	}
	for _, p := range []string{J + "/container", J + "/ttl"} {
		op := protocol.OpCreateContainer
		if strings.HasSuffix(p, "ttl") {
			op = protocol.OpCreateTTL
		}
		r := find("java", op, p, 0)
		s := stat(r)
		// Container and TTL owners are stored as markers but shown as 0.
		if r.body.(*jute.Create2Response).Path != p || s.EphemeralOwner != 0 || s.Version != 0 || s.DataLength != 1 {
			t.Errorf("%v: %+v", op, r.body)
		}
	}
	expectCode(find("java", protocol.OpCreate, J, 1), protocol.CodeNodeExists)
	expectCode(find("java", protocol.OpCreate, J+"/no/such", 0), protocol.CodeNoNode)
	expectCode(find("java", protocol.OpCreate, J+"/eph/kid", 0), protocol.CodeNoChildrenForEphemerals)
	expectCode(find("kazoo", protocol.OpCreate, K, 1), protocol.CodeNodeExists)
	expectCode(find("gozk", protocol.OpCreate, G, 1), protocol.CodeNodeExists)

	expectCode(find("java", protocol.OpExists, J+"/later", 0), protocol.CodeNoNode)

	// Reads.
	r := find("java", protocol.OpGetData, J, 0)
	if gd := r.body.(*jute.GetDataResponse); string(gd.Data) != "java" || gd.Stat.Version != 0 || gd.Stat.NumChildren == 0 {
		t.Errorf("getData: %+v", gd)
	}
	r = find("java", protocol.OpGetData, J+"/null", 0)
	if gd := r.body.(*jute.GetDataResponse); gd.Data != nil || gd.Stat.DataLength != 0 {
		t.Errorf("getData of null data: %+v", gd) // null stays null (-1), not empty
	}
	r = find("gozk", protocol.OpGetData, G+"/null", 0)
	if gd := r.body.(*jute.GetDataResponse); gd.Data != nil {
		t.Errorf("getData of null data: %+v", gd)
	}
	expectCode(find("java", protocol.OpGetData, J+"/missing2", 0), protocol.CodeNoNode)
	expectCode(find("java", protocol.OpExists, J+"/missing", 0), protocol.CodeNoNode)
	r = find("java", protocol.OpGetChildren2, J, 0)
	kids := append([]string(nil), r.body.(*jute.GetChildren2Response).Children...)
	sort.Strings(kids)
	wantKids := []string{"c2", "container", "eph", "missing", "null", "seq-0000000001", "ttl", "ttlseq-0000000005", "unicode-\u00e9\u4e2d"}
	if !reflect.DeepEqual(kids, wantKids) || stat(r).NumChildren != int32(len(kids)) {
		t.Errorf("getChildren2: %v %+v", kids, stat(r))
	}
	if r := find("java", protocol.OpGetAllChildrenNumber, J, 0); r.body.(*jute.GetAllChildrenNumberResponse).TotalNumber <= 0 {
		t.Errorf("getAllChildrenNumber: %+v", r.body)
	}
	if r := find("java", protocol.OpGetEphemerals, "", 0); !reflect.DeepEqual(r.body, &jute.GetEphemeralsResponse{Ephemerals: []string{J + "/eph"}}) {
		t.Errorf("getEphemerals: %+v", r.body)
	}
	if r := find("java", protocol.OpWhoAmI, "", 0); !reflect.DeepEqual(r.body, &jute.WhoAmIResponse{ClientInfo: []jute.ClientInfo{
		{AuthScheme: "digest", User: "javauser"}, {AuthScheme: "ip", User: "127.0.0.1"}}}) {
		t.Errorf("whoAmI: %+v", r.body)
	}
	if r := find("raw", protocol.OpWhoAmI, "", 0); !reflect.DeepEqual(r.body, &jute.WhoAmIResponse{ClientInfo: []jute.ClientInfo{
		{AuthScheme: "ip", User: "127.0.0.1"}}}) {
		t.Errorf("whoAmI: %+v", r.body)
	}
	// getConfig reads /zookeeper/config: a standalone server's is empty.
	// Surprise: its Stat is all zero except aversion -1 (the node is made
	// outside the txn path, without a Stat).
	if r := find("java", protocol.OpGetData, "/zookeeper/config", 0); !reflect.DeepEqual(r.body,
		&jute.GetDataResponse{Data: []byte{}, Stat: jute.Stat{Aversion: -1}}) {
		t.Errorf("getConfig: %+v", r.body)
	}

	// ACLs.
	r = find("java", protocol.OpGetACL, J+"/acl", 0)
	want := []jute.ACL{{Perms: protocol.PermAll, ID: jute.Id{Scheme: "digest", ID: digestID("javauser", "javapass")}}}
	if ga := r.body.(*jute.GetACLResponse); !reflect.DeepEqual(ga.ACL, want) || ga.Stat.Aversion != 0 {
		t.Errorf("getACL: %+v", ga)
	}
	if r := find("java", protocol.OpGetACL, J, 0); !reflect.DeepEqual(r.body.(*jute.GetACLResponse).ACL, openACL) {
		t.Errorf("getACL: %+v", r.body)
	}
	if r := find("java", protocol.OpSetACL, J+"/acl", 0); stat(r).Aversion != 1 {
		t.Errorf("setACL: %+v", r.body)
	}
	expectCode(find("java", protocol.OpSetACL, J+"/acl", 1), protocol.CodeBadVersion)
	expectCode(find("java", protocol.OpSetACL, J+"/acl", 2), protocol.CodeInvalidACL)
	expectCode(find("gozk", protocol.OpSetData, G+"/secret", 0), protocol.CodeNoAuth)

	// Writes.
	if r := find("java", protocol.OpSetData, J, 0); stat(r).Version != 1 || stat(r).DataLength != 6 {
		t.Errorf("setData: %+v", r.body)
	}
	expectCode(find("java", protocol.OpSetData, J, 1), protocol.CodeBadVersion)
	expectCode(find("java", protocol.OpDelete, J, 0), protocol.CodeNotEmpty)
	expectCode(find("java", protocol.OpDelete, J+"/c2", 0), protocol.CodeBadVersion)
	expectCode(find("gozk", protocol.OpDelete, G+"/missing", 0), protocol.CodeNoNode)
	if r := find("java", protocol.OpSync, J, 0); !reflect.DeepEqual(r.body, &jute.SyncResponse{Path: J}) {
		t.Errorf("sync: %+v", r.body)
	}

	// Watches.
	if r := find("java", protocol.OpAddWatch, J, 0); !reflect.DeepEqual(r.body, &jute.ErrorResponse{Err: 0}) {
		t.Errorf("addWatch: %+v", r.body)
	}
	expectCode(find("java", protocol.OpCheckWatches, J+"/m1", 0), protocol.CodeOK)
	expectCode(find("java", protocol.OpRemoveWatches, J+"/c2", 1), protocol.CodeNoWatcher)
	// WatcherType.Persistent (4) is 3.9-only: 3.8 cannot deserialize it.
	expectCode(find("raw", protocol.OpRemoveWatches, "/", 0), protocol.CodeMarshallingError)
	var events []string
	for _, r := range replies {
		if r.op == protocol.OpNotification && r.f.client() == "java" {
			ev := r.body.(*jute.WatcherEvent)
			events = append(events, fmt.Sprintf("%d %s", ev.Type, ev.Path))
		}
	}
	if wantEv := []string{
		"3 " + J, "1 " + J + "/missing", "4 " + J, // one-shot watches
		"1 " + J + "/pw", "3 " + J + "/pw", // persistent + recursive
	}; len(events) < len(wantEv) || !reflect.DeepEqual(events[:len(wantEv)], wantEv) {
		t.Errorf("java notifications %q", events)
	}

	// multi: a successful one; one whose second op fails, where every result
	// becomes an error (0 before, the code, RuntimeInconsistency after); and
	// multiRead, where errors are per op.
	r = find("java", protocol.OpMulti, "", 0)
	checkMultiResults(t, r, []protocol.Op{protocol.OpCreate, protocol.OpCreate,
		protocol.OpCreate2, protocol.OpCreate2, // 3.8.0 answers createContainer and createTTL sub-ops with create2 results
		protocol.OpSetData, protocol.OpCheck, protocol.OpDelete}, nil)
	if p := r.body.(*protocol.MultiResponse).Results[0].Resp.(*jute.CreateResponse).Path; p != J+"/m1" {
		t.Errorf("multi create path %q", p)
	}
	errs := []protocol.Code{protocol.CodeOK, protocol.CodeNodeExists, protocol.CodeRuntimeInconsistency}
	for _, c := range []string{"java", "kazoo", "gozk"} {
		checkMultiResults(t, find(c, protocol.OpMulti, "", 1), []protocol.Op{protocol.OpError, protocol.OpError, protocol.OpError}, errs)
	}
	checkMultiResults(t, find("java", protocol.OpMultiRead, "", 0),
		[]protocol.Op{protocol.OpGetData, protocol.OpGetChildren, protocol.OpError},
		[]protocol.Code{0, 0, protocol.CodeNoNode})
	checkMultiResults(t, find("raw", protocol.OpMulti, "", 0), nil, nil)   // empty multi
	checkMultiResults(t, find("kazoo", protocol.OpMulti, "", 2), nil, nil) // empty transaction

	// Refusals.
	expectCode(find("java", protocol.OpReconfig, "", 0), protocol.CodeReconfigDisabled)
	expectCode(find("raw", protocol.OpAuth, "", 0), protocol.CodeAuthFailed)
	for _, r := range replies {
		if r.f.op() == "unknown" {
			expectCode(r, protocol.CodeUnimplemented)
		}
	}
}

func checkMultiResults(t *testing.T, r *reply, ops []protocol.Op, errs []protocol.Code) {
	t.Helper()
	if r.hdr.Err != 0 {
		t.Errorf("%s: multi reply err %d: multi always answers OK", r.f.name, r.hdr.Err)
		return
	}
	m := r.body.(*protocol.MultiResponse)
	var gotOps []protocol.Op
	var gotErrs []protocol.Code
	for _, res := range m.Results {
		gotOps = append(gotOps, res.Op)
		gotErrs = append(gotErrs, res.Err)
	}
	if errs == nil && len(ops) > 0 {
		errs = make([]protocol.Code, len(ops))
	}
	if !reflect.DeepEqual(gotOps, ops) || !reflect.DeepEqual(gotErrs, errs) {
		t.Errorf("%s: results %v %v, want %v %v", r.f.name, gotOps, gotErrs, ops, errs)
	}
}
