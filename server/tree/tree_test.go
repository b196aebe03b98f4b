package tree

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
)

// openPolicy allows everything and keeps ACLs as given (auth ids ignored).
type openPolicy struct{}

func (openPolicy) Check([]jute.ACL, int32, []jute.Id) bool { return true }
func (openPolicy) Fixup(a []jute.ACL, _ []jute.Id) ([]jute.ACL, protocol.Code) {
	if len(a) == 0 {
		return nil, protocol.CodeInvalidACL
	}
	return a, protocol.CodeOK
}

type fixture struct {
	t    *testing.T
	tr   *Tree
	zxid int64
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{t: t, tr: New(Options{Policy: openPolicy{}, ExtendedTypes: true})}
	f.tr.CreateSession(f.tx(1), 30000)
	return f
}

func (f *fixture) tx(session int64) *Txn {
	f.zxid++
	return &Txn{Zxid: 1<<32 | f.zxid, Time: 1000 + f.zxid, Session: session}
}

func (f *fixture) create(path string, flags int32) (string, protocol.Code) {
	p, _, code := f.tr.Create(f.tx(1), &CreateRequest{Op: protocol.OpCreate, Path: path, Data: []byte("d"), ACL: OpenACL, Flags: flags, TTL: -1})
	return p, code
}

func TestTree_CreateErrorsInZooKeeperOrder(t *testing.T) {
	f := newFixture(t)
	f.create("/eph", int32(protocol.ModeEphemeral))
	for _, tc := range []struct {
		name  string
		path  string
		flags int32
		acl   []jute.ACL
		want  protocol.Code
	}{
		{"bad flags", "/x", 9, OpenACL, protocol.CodeBadArguments},
		{"relative", "x", 0, OpenACL, protocol.CodeBadArguments},
		{"empty acl", "/x", 0, nil, protocol.CodeInvalidACL},
		{"missing parent", "/no/x", 0, OpenACL, protocol.CodeNoNode},
		{"trailing slash", "/x/", 0, OpenACL, protocol.CodeNoNode},
		{"bad char", "/x\u0001", 0, OpenACL, protocol.CodeBadArguments},
		{"root", "/", 0, OpenACL, protocol.CodeNodeExists},
		{"exists", "/eph", 0, OpenACL, protocol.CodeNodeExists},
		{"child of ephemeral", "/eph/c", 0, OpenACL, protocol.CodeNoChildrenForEphemerals},
		{"ttl without ttl", "/t", int32(protocol.ModePersistentWithTTL), OpenACL, protocol.CodeBadArguments},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, code := f.tr.Create(f.tx(1), &CreateRequest{Op: protocol.OpCreate, Path: tc.path, ACL: tc.acl, Flags: tc.flags, TTL: -1})
			if code != tc.want {
				t.Fatalf("got %v, want %v", code, tc.want)
			}
		})
	}
}

func TestTree_TTLNeedsExtendedTypes(t *testing.T) {
	tr := New(Options{Policy: openPolicy{}})
	tr.CreateSession(&Txn{Session: 1}, 1000)
	_, _, code := tr.Create(&Txn{Zxid: 1, Session: 1}, &CreateRequest{Op: protocol.OpCreateTTL, Path: "/t", ACL: OpenACL, Flags: int32(protocol.ModePersistentWithTTL), TTL: 100})
	if code != protocol.CodeUnimplemented {
		t.Fatalf("got %v", code)
	}
}

func TestTree_VisibleCversionAndSequence(t *testing.T) {
	f := newFixture(t)
	f.create("/s", 0)
	a, _ := f.create("/s/n-", int32(protocol.ModePersistentSequential))
	b, _ := f.create("/s/n-", int32(protocol.ModePersistentSequential))
	f.tr.Delete(f.tx(1), a, -1)
	f.tr.Delete(f.tx(1), b, -1)
	c, _ := f.create("/s/n-", int32(protocol.ModePersistentSequential))
	if a != "/s/n-0000000000" || b != "/s/n-0000000001" || c != "/s/n-0000000002" {
		t.Fatalf("names %s %s %s", a, b, c)
	}
	st := f.tr.Get("/s").StatCopy()
	if st.Cversion != 5 || st.NumChildren != 1 {
		t.Fatalf("stat %+v", st)
	}
	if root := f.tr.Get("/").StatCopy(); root.Cversion != 0 {
		// "/" had zookeeper (stored 0, shown -1) and gained /s: stored 1, 2 children.
		t.Fatalf("root cversion %d", root.Cversion)
	}
}

func TestTree_MultiRollsBackAndReportsPerOp(t *testing.T) {
	f := newFixture(t)
	f.create("/m", 0)
	before := f.tr.Get("/m").StatCopy()
	res := f.tr.Multi(f.tx(1), []protocol.MultiOp{
		{Op: protocol.OpCreate, Req: &jute.CreateRequest{Path: "/m/a", ACL: OpenACL}},
		{Op: protocol.OpCreate, Req: &jute.CreateRequest{Path: "/m", ACL: OpenACL}},
		{Op: protocol.OpSetData, Req: &jute.SetDataRequest{Path: "/m", Version: -1}},
	})
	want := []protocol.MultiResult{
		{Op: protocol.OpError, Err: protocol.CodeOK},
		{Op: protocol.OpError, Err: protocol.CodeNodeExists},
		{Op: protocol.OpError, Err: protocol.CodeRuntimeInconsistency},
	}
	if !reflect.DeepEqual(res, want) {
		t.Fatalf("results %+v", res)
	}
	if f.tr.Get("/m/a") != nil || f.tr.Get("/m").StatCopy() != before {
		t.Fatal("failed multi left changes behind")
	}
}

func TestTree_CloseSessionDeletesEphemerals(t *testing.T) {
	f := newFixture(t)
	f.create("/e1", int32(protocol.ModeEphemeral))
	f.create("/e2", int32(protocol.ModeEphemeralSequential))
	if got := f.tr.Ephemerals(1, "/e"); len(got) != 2 {
		t.Fatalf("ephemerals %v", got)
	}
	tx := f.tx(1)
	f.tr.CloseSession(tx)
	if f.tr.Get("/e1") != nil || len(f.tr.Ephemerals(1, "")) != 0 {
		t.Fatal("ephemerals survived closeSession")
	}
	if _, ok := f.tr.SessionTimeout(1); ok {
		t.Fatal("session survived")
	}
	if len(tx.Events) != 4 {
		t.Fatalf("events %+v", tx.Events)
	}
}

func TestTree_ReapCandidates(t *testing.T) {
	f := newFixture(t)
	f.tr.Create(f.tx(1), &CreateRequest{Op: protocol.OpCreateContainer, Path: "/c", ACL: OpenACL, Flags: int32(protocol.ModeContainer), TTL: -1})
	f.tr.Create(f.tx(1), &CreateRequest{Op: protocol.OpCreateContainer, Path: "/fresh", ACL: OpenACL, Flags: int32(protocol.ModeContainer), TTL: -1})
	f.create("/c/child", 0)
	f.tr.Delete(f.tx(1), "/c/child", -1)
	f.tr.Create(f.tx(1), &CreateRequest{Op: protocol.OpCreateTTL, Path: "/ttl", ACL: OpenACL, Flags: int32(protocol.ModePersistentWithTTL), TTL: 50})
	mt := f.tr.Get("/ttl").Stat.Mtime
	if got := f.tr.ReapCandidates(mt+10, 0, 100); !reflect.DeepEqual(got, []string{"/c"}) {
		t.Fatalf("early candidates %v", got)
	}
	if got := f.tr.ReapCandidates(mt+100, 0, 100); !reflect.DeepEqual(got, []string{"/c", "/ttl"}) {
		t.Fatalf("late candidates %v", got)
	}
	if st := f.tr.Get("/c").StatCopy(); st.EphemeralOwner != 0 {
		t.Fatalf("container shows owner %x", st.EphemeralOwner)
	}
}

func TestTree_SnapshotRoundTrip(t *testing.T) {
	f := newFixture(t)
	f.create("/a", 0)
	f.create("/a/b", int32(protocol.ModeEphemeral))
	f.tr.SetACL(f.tx(1), "/a", []jute.ACL{{Perms: 1, ID: jute.Id{Scheme: "digest", ID: "u:x"}}}, -1)
	var buf bytes.Buffer
	if err := f.tr.WriteSnapshot(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := ReadSnapshot(bytes.NewReader(buf.Bytes()), Options{Policy: openPolicy{}})
	if err != nil {
		t.Fatal(err)
	}
	f.tr.Walk(func(p string, n *Node) {
		m := got.Get(p)
		if m == nil || !bytes.Equal(m.Data, n.Data) || m.Stat != n.Stat || !reflect.DeepEqual(m.ACL, n.ACL) || !reflect.DeepEqual(m.Children(), n.Children()) {
			t.Fatalf("node %s differs after round trip", p)
		}
	})
	if got.NodeCount() != f.tr.NodeCount() || !reflect.DeepEqual(got.Ephemerals(1, ""), []string{"/a/b"}) {
		t.Fatal("counts or ephemerals differ")
	}
	// A flipped byte must fail the checksum.
	b := buf.Bytes()
	b[len(b)/2] ^= 0xff
	if _, err := ReadSnapshot(bytes.NewReader(b), Options{Policy: openPolicy{}}); err == nil {
		t.Fatal("corrupt snapshot accepted")
	}
}
