package ensemble

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/raftzk/raftzk/compat-tests/harness"
)

func TestMain(m *testing.M) { os.Exit(harness.Main(m)) }

// sessionTimeout is what test clients ask for: 20 ticks of DefaultTick, the
// server's maximum. A leader failover (about a second) is well inside it.
const sessionTimeout = 10 * time.Second

var acl = zk.WorldACL(zk.PermAll)

// orderedHosts is a zk.HostProvider that tries its servers in the order
// it was made with (the first is the client's home server; zk.Connect
// shuffles the list it passes to Init, so Init ignores that order) and backs off 50ms after
// each full round without a session, instead of go-zookeeper's shuffle and
// one-second pause. It never reports retryStart, so requests made while no
// server is reachable wait for the next session instead of failing.
type orderedHosts struct {
	mu      sync.Mutex
	servers []string
	curr    int
	tries   int
}

func (h *orderedHosts) Init(servers []string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(servers) != len(h.servers) {
		return errors.New("orderedHosts: server lists differ")
	}
	h.curr, h.tries = -1, 0
	return nil
}

func (h *orderedHosts) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.servers)
}

func (h *orderedHosts) Next() (string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.curr = (h.curr + 1) % len(h.servers)
	h.tries++
	if h.tries > len(h.servers) {
		// A retry back-off, not synchronisation.
		time.Sleep(50 * time.Millisecond)
	}
	return h.servers[h.curr], false
}

func (h *orderedHosts) Connected() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.tries = 0
}

// quietLogger drops go-zookeeper's log lines unless RAFTZK_ENSEMBLE_ZKLOG
// is set, in which case they go to stderr with a timestamp.
type quietLogger struct{}

func (quietLogger) Printf(f string, a ...any) {
	if os.Getenv("RAFTZK_ENSEMBLE_ZKLOG") != "" {
		fmt.Fprintf(os.Stderr, "%s zk: %s\n", time.Now().Format("15:04:05.000"), fmt.Sprintf(f, a...))
	}
}

// client is a go-zookeeper connection that remembers its session events.
type client struct {
	*zk.Conn
	name     string
	expired  atomic.Bool
	sessions atomic.Int32 // StateHasSession events seen
}

// dial connects a client to servers, trying them in order, and waits for a
// session. The connection is closed in t.Cleanup.
func dial(t testing.TB, name string, servers []string, timeout time.Duration) *client {
	t.Helper()
	c := &client{name: name}
	has := make(chan struct{}, 1)
	conn, _, err := zk.Connect(servers, timeout,
		zk.WithLogger(quietLogger{}),
		zk.WithHostProvider(&orderedHosts{servers: servers}),
		zk.WithEventCallback(func(ev zk.Event) {
			if ev.Type != zk.EventSession {
				return
			}
			switch ev.State {
			case zk.StateExpired:
				c.expired.Store(true)
			case zk.StateHasSession:
				c.sessions.Add(1)
				select {
				case has <- struct{}{}:
				default:
				}
			}
		}))
	if err != nil {
		t.Fatalf("%s: connect %v: %v", name, servers, err)
	}
	c.Conn = conn
	t.Cleanup(conn.Close)
	select {
	case <-has:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s: no session from %v within 30s", name, servers)
	}
	return c
}

// homeFirst returns the cluster's addresses starting with m's.
func homeFirst(c *Cluster, m *Member) []string {
	out := []string{m.Addr}
	for _, o := range c.Members {
		if o != m {
			out = append(out, o.Addr)
		}
	}
	return out
}

// definite reports whether err is a ZooKeeper answer (the request was
// executed, or refused, by the ensemble) rather than a lost connection,
// after which a write may or may not have been applied.
func definite(err error) bool {
	switch {
	case err == nil, errors.Is(err, zk.ErrNoNode), errors.Is(err, zk.ErrNodeExists),
		errors.Is(err, zk.ErrBadVersion), errors.Is(err, zk.ErrNotEmpty):
		return true
	}
	return false
}

// retry runs op until it returns an error for which definite is true or the
// timeout passes, and returns the last error. Use it only for idempotent
// steps (setup, checks), never inside a recorded history.
func retry(timeout time.Duration, op func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := op()
		if definite(err) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// mustCreate creates path (retrying lost connections; an existing node is
// fine) or fails the test.
func mustCreate(t testing.TB, c *client, path string, data []byte) {
	t.Helper()
	err := retry(30*time.Second, func() error {
		_, err := c.Create(path, data, 0, acl)
		return err
	})
	if err != nil && !errors.Is(err, zk.ErrNodeExists) {
		t.Fatalf("%s: create %s: %v", c.name, path, err)
	}
}

// syncGet runs sync then getData on the same session: a linearizable read.
func syncGet(c *client, path string) ([]byte, *zk.Stat, error) {
	if _, err := c.Sync(path); err != nil {
		return nil, nil, err
	}
	return c.Get(path)
}

// waitData waits until a plain (local) read of path through c returns want.
func waitData(t testing.TB, c *client, path, want string, timeout time.Duration) {
	t.Helper()
	var got string
	var err error
	ok := waitFor(timeout, func() bool {
		var b []byte
		b, _, err = c.Get(path)
		got = string(b)
		return err == nil && got == want
	})
	if !ok {
		t.Fatalf("%s (%s): %s = %q, %v; want %q", c.name, c.Server(), path, got, err, want)
	}
}
