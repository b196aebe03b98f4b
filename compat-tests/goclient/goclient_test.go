package goclient

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/raftzk/raftzk/compat-tests/harness"
)

func TestMain(m *testing.M) { os.Exit(harness.Main(m)) }

var open = zk.WorldACL(zk.PermAll)

// quietLog keeps go-zookeeper's log out of the test after it ends.
type quietLog struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (l *quietLog) Printf(f string, a ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.done {
		l.t.Logf(f, a...)
	}
}

func connect(t *testing.T, addr string) (*zk.Conn, <-chan zk.Event) {
	t.Helper()
	l := &quietLog{t: t}
	t.Cleanup(func() { l.mu.Lock(); l.done = true; l.mu.Unlock() })
	c, ev, err := zk.Connect([]string{addr}, 6*time.Second, zk.WithLogger(l))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	waitState(t, ev, zk.StateHasSession)
	return c, ev
}

func waitState(t *testing.T, ev <-chan zk.Event, want zk.State) {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case e := <-ev:
			if e.State == want {
				return
			}
		case <-deadline:
			t.Fatalf("no %v within 15s", want)
		}
	}
}

func nextEvent(t *testing.T, ch <-chan zk.Event) zk.Event {
	t.Helper()
	select {
	case e := <-ch:
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("no watch event within 10s")
	}
	return zk.Event{}
}

func TestGoClient(t *testing.T) {
	for _, tg := range harness.Targets() {
		t.Run(tg.Name, func(t *testing.T) {
			srv := tg.Start(t, harness.Options{Properties: map[string]string{
				"zookeeper.extendedTypesEnabled":  "true",
				"znode.container.checkIntervalMs": "200",
			}})
			root := fmt.Sprintf("/goclient-%d", time.Now().UnixNano())
			c, _ := connect(t, srv.Addr)
			if _, err := c.Create(root, nil, 0, open); err != nil {
				t.Fatal(err)
			}
			t.Run("crud", func(t *testing.T) { crud(t, c, root+"/crud") })
			t.Run("modes", func(t *testing.T) { modes(t, c, root+"/modes") })
			t.Run("watches", func(t *testing.T) { watches(t, srv.Addr, c, root+"/watches") })
			t.Run("acl", func(t *testing.T) { acls(t, srv.Addr, c, root+"/acl") })
			t.Run("multi", func(t *testing.T) { multi(t, c, root+"/multi") })
			t.Run("reconnect", func(t *testing.T) { reconnect(t, srv.Addr, c, root+"/reconnect") })
		})
	}
}

func crud(t *testing.T, c *zk.Conn, p string) {
	if _, err := c.Create(p, []byte("a"), 0, open); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Create(p, nil, 0, open); !errors.Is(err, zk.ErrNodeExists) {
		t.Fatalf("create existing: %v", err)
	}
	data, st, err := c.Get(p)
	if err != nil || string(data) != "a" || st.Version != 0 || st.Czxid != st.Mzxid {
		t.Fatalf("get: %q %+v %v", data, st, err)
	}
	st2, err := c.Set(p, []byte("b"), st.Version)
	if err != nil || st2.Version != 1 || st2.Mzxid <= st.Mzxid {
		t.Fatalf("set: %+v %v", st2, err)
	}
	if _, err := c.Set(p, nil, 0); !errors.Is(err, zk.ErrBadVersion) {
		t.Fatalf("set stale version: %v", err)
	}
	for i := 0; i < 3; i++ {
		c.Create(fmt.Sprintf("%s/k%d", p, i), nil, 0, open)
	}
	kids, pst, err := c.Children(p)
	sort.Strings(kids)
	if err != nil || strings.Join(kids, ",") != "k0,k1,k2" || pst.NumChildren != 3 || pst.Cversion != 3 {
		t.Fatalf("children: %v %+v %v", kids, pst, err)
	}
	if err := c.Delete(p, -1); !errors.Is(err, zk.ErrNotEmpty) {
		t.Fatalf("delete non-empty: %v", err)
	}
	if ok, _, err := c.Exists(p + "/none"); ok || err != nil {
		t.Fatalf("exists missing: %v %v", ok, err)
	}
	if _, _, err := c.Get(p + "/none"); !errors.Is(err, zk.ErrNoNode) {
		t.Fatalf("get missing: %v", err)
	}
	if got, err := c.Sync(p); err != nil || got != p {
		t.Fatalf("sync: %q %v", got, err)
	}
	for i := 0; i < 3; i++ {
		if err := c.Delete(fmt.Sprintf("%s/k%d", p, i), 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Delete(p, 1); err != nil {
		t.Fatal(err)
	}
}

func modes(t *testing.T, c *zk.Conn, p string) {
	c.Create(p, nil, 0, open)
	s1, err := c.Create(p+"/s-", nil, zk.FlagSequence, open)
	if err != nil || s1 != p+"/s-0000000000" {
		t.Fatalf("sequential: %q %v", s1, err)
	}
	e, err := c.Create(p+"/e", nil, zk.FlagEphemeral, open)
	if err != nil {
		t.Fatal(err)
	}
	if _, st, _ := c.Exists(e); st.EphemeralOwner != c.SessionID() {
		t.Fatalf("ephemeral owner %x, session %x", st.EphemeralOwner, c.SessionID())
	}
	if _, err := c.Create(e+"/child", nil, 0, open); !errors.Is(err, zk.ErrNoChildrenForEphemerals) {
		t.Fatalf("child of ephemeral: %v", err)
	}
	prot, err := c.CreateProtectedEphemeralSequential(p+"/lock-", nil, open)
	if err != nil || !strings.Contains(prot, "_c_") {
		t.Fatalf("protected ephemeral sequential: %q %v", prot, err)
	}
	const flagContainer = 4 // CreateMode.CONTAINER; go-zookeeper has no name for it
	cont, err := c.CreateContainer(p+"/cont", nil, flagContainer, open)
	if err != nil || cont != p+"/cont" {
		t.Fatalf("container: %q %v", cont, err)
	}
	c.Create(cont+"/kid", nil, 0, open)
	c.Delete(cont+"/kid", -1)
	ttl, err := c.CreateTTL(p+"/ttl", nil, zk.FlagTTL, open, 300*time.Millisecond)
	if err != nil || ttl != p+"/ttl" {
		t.Fatalf("ttl: %q %v", ttl, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		okC, _, _ := c.Exists(cont)
		okT, _, _ := c.Exists(ttl)
		if !okC && !okT {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("container gone %v, ttl gone %v after 20s", !okC, !okT)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func watches(t *testing.T, addr string, c *zk.Conn, p string) {
	other, _ := connect(t, addr)
	c.Create(p, nil, 0, open)
	_, _, dataCh, err := c.GetW(p)
	if err != nil {
		t.Fatal(err)
	}
	_, _, kidsCh, err := c.ChildrenW(p)
	if err != nil {
		t.Fatal(err)
	}
	_, _, existCh, err := c.ExistsW(p + "/later")
	if err != nil {
		t.Fatal(err)
	}
	other.Set(p, []byte("x"), -1)
	if e := nextEvent(t, dataCh); e.Type != zk.EventNodeDataChanged || e.Path != p {
		t.Fatalf("data watch: %+v", e)
	}
	other.Create(p+"/later", nil, 0, open)
	if e := nextEvent(t, existCh); e.Type != zk.EventNodeCreated || e.Path != p+"/later" {
		t.Fatalf("exist watch: %+v", e)
	}
	if e := nextEvent(t, kidsCh); e.Type != zk.EventNodeChildrenChanged || e.Path != p {
		t.Fatalf("child watch: %+v", e)
	}
}

func acls(t *testing.T, addr string, c *zk.Conn, p string) {
	owner, _ := connect(t, addr)
	if err := owner.AddAuth("digest", []byte("alice:secret")); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.Create(p, []byte("s"), 0, zk.DigestACL(zk.PermAll, "alice", "secret")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Get(p); !errors.Is(err, zk.ErrNoAuth) {
		t.Fatalf("get without auth: %v", err)
	}
	acl, _, err := owner.GetACL(p)
	if err != nil || len(acl) != 1 || acl[0].Scheme != "digest" || !strings.HasPrefix(acl[0].ID, "alice:") {
		t.Fatalf("getACL: %+v %v", acl, err)
	}
	if _, err := owner.SetACL(p, zk.WorldACL(zk.PermRead), 0); err != nil {
		t.Fatal(err)
	}
	if d, _, err := c.Get(p); err != nil || string(d) != "s" {
		t.Fatalf("get after setACL: %q %v", d, err)
	}
	if _, err := c.Set(p, nil, -1); !errors.Is(err, zk.ErrNoAuth) {
		t.Fatalf("write with READ only: %v", err)
	}
	if _, err := c.Create(p+"2", nil, 0, []zk.ACL{{Perms: zk.PermAll, Scheme: "digest", ID: "bad"}}); !errors.Is(err, zk.ErrInvalidACL) {
		t.Fatalf("malformed digest id: %v", err)
	}
}

func multi(t *testing.T, c *zk.Conn, p string) {
	res, err := c.Multi(
		&zk.CreateRequest{Path: p, Acl: open},
		&zk.CreateRequest{Path: p + "/a", Data: []byte("1"), Acl: open},
		&zk.SetDataRequest{Path: p + "/a", Data: []byte("2"), Version: 0},
		&zk.CheckVersionRequest{Path: p + "/a", Version: 1},
		&zk.DeleteRequest{Path: p + "/a", Version: 1},
	)
	if err != nil || len(res) != 5 || res[1].String != p+"/a" || res[2].Stat == nil || res[2].Stat.Version != 1 {
		t.Fatalf("multi: %+v %v", res, err)
	}
	res, err = c.Multi(
		&zk.CreateRequest{Path: p + "/b", Acl: open},
		&zk.CheckVersionRequest{Path: p, Version: 42},
	)
	if !errors.Is(err, zk.ErrBadVersion) || len(res) != 2 {
		t.Fatalf("failing multi: %+v %v", res, err)
	}
	if ok, _, _ := c.Exists(p + "/b"); ok {
		t.Fatal("failed multi applied its create")
	}
}

// cutProxy forwards one address to another until cut.
type cutProxy struct {
	l     net.Listener
	to    string
	mu    sync.Mutex
	conns []net.Conn
}

func newProxy(t *testing.T, to string) *cutProxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{l: l, to: to}
	t.Cleanup(func() { l.Close(); p.cut() })
	go func() {
		for {
			a, err := l.Accept()
			if err != nil {
				return
			}
			b, err := net.Dial("tcp", to)
			if err != nil {
				a.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, a, b)
			p.mu.Unlock()
			go func() { io.Copy(a, b); a.Close() }()
			go func() { io.Copy(b, a); b.Close() }()
		}
	}()
	return p
}

func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// reconnect cuts a client's connection; while it is away another client
// changes a watched node; on reconnect the client keeps its session and
// ephemeral, and setWatches delivers the missed event.
func reconnect(t *testing.T, addr string, c *zk.Conn, p string) {
	c.Create(p, nil, 0, open)
	proxy := newProxy(t, addr)
	away, ev := connect(t, proxy.l.Addr().String())
	sid := away.SessionID()
	if _, err := away.Create(p+"/mine", nil, zk.FlagEphemeral, open); err != nil {
		t.Fatal(err)
	}
	_, _, ch, err := away.GetW(p)
	if err != nil {
		t.Fatal(err)
	}
	proxy.l.Close() // refuse reconnects until the change is made
	proxy.cut()
	waitState(t, ev, zk.StateDisconnected)
	if _, err := c.Set(p, []byte("while away"), -1); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", proxy.l.Addr().String())
	if err != nil {
		t.Fatalf("re-listen on the proxy address: %v", err)
	}
	proxy.l = l
	go func() {
		for {
			a, err := l.Accept()
			if err != nil {
				return
			}
			b, err := net.Dial("tcp", addr)
			if err != nil {
				a.Close()
				continue
			}
			go func() { io.Copy(a, b); a.Close() }()
			go func() { io.Copy(b, a); b.Close() }()
		}
	}()
	waitState(t, ev, zk.StateHasSession)
	if away.SessionID() != sid {
		t.Fatalf("reconnect got a new session %x, had %x", away.SessionID(), sid)
	}
	if e := nextEvent(t, ch); e.Type != zk.EventNodeDataChanged || e.Path != p {
		t.Fatalf("missed event after reconnect: %+v", e)
	}
	if ok, _, err := c.Exists(p + "/mine"); !ok || err != nil {
		t.Fatalf("ephemeral lost across reconnect: %v %v", ok, err)
	}
}
