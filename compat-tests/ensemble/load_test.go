package ensemble

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// write is one create attempted by the load.
type write struct {
	path           string
	writer         int
	issued, answer time.Time
	err            error
}

// load is a set of writer clients, each homed on a different member (and
// able to fail over to the others), creating fresh znodes under dir as fast
// as they are acknowledged. Every attempt is recorded.
type load struct {
	dir   string
	acks  atomic.Int64
	quit  chan struct{}
	wg    sync.WaitGroup
	mu    sync.Mutex
	log   []write
	start time.Time
	// lastIssued is when a writer last sent a write (UnixNano), answered
	// or not: log holds a write only once it is answered.
	lastIssued atomic.Int64
}

// startLoad starts one writer per home member; writers are stopped in
// t.Cleanup if the test does not stop them first.
func startLoad(t testing.TB, c *Cluster, dir string, homes []*Member) *load {
	t.Helper()
	setup := dial(t, "load-setup", c.Addrs(), sessionTimeout)
	mustCreate(t, setup, dir, nil)
	setup.Close()
	l := &load{dir: dir, quit: make(chan struct{}), start: time.Now()}
	for i, m := range homes {
		cl := dial(t, fmt.Sprintf("writer%d@%d", i, m.ID), homeFirst(c, m), sessionTimeout)
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for seq := 0; ; seq++ {
				select {
				case <-l.quit:
					return
				default:
				}
				w := write{path: fmt.Sprintf("%s/w%d-%06d", dir, i, seq), writer: i, issued: time.Now()}
				l.lastIssued.Store(w.issued.UnixNano())
				_, w.err = cl.Create(w.path, []byte(m.Addr), 0, acl)
				w.answer = time.Now()
				l.mu.Lock()
				l.log = append(l.log, w)
				l.mu.Unlock()
				if w.err == nil {
					l.acks.Add(1)
				} else {
					time.Sleep(10 * time.Millisecond) // back-off after a failure
				}
			}
		}()
	}
	t.Cleanup(l.stop)
	return l
}

func (l *load) stop() {
	select {
	case <-l.quit:
	default:
		close(l.quit)
	}
	l.wg.Wait()
}

// waitProgress waits until n more writes are acknowledged than now, and
// returns how long that took.
func (l *load) waitProgress(t testing.TB, n int64, timeout time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	target := l.acks.Load() + n
	if !waitFor(timeout, func() bool { return l.acks.Load() >= target }) {
		t.Fatalf("load: only %d of %d acknowledged writes within %v; last errors: %s", l.acks.Load(), target, timeout, l.lastErrors(5))
	}
	return time.Since(start)
}

// issuedAfter reports whether a writer has sent a write since t0.
func (l *load) issuedAfter(t0 time.Time) bool {
	return l.lastIssued.Load() > t0.UnixNano()
}

// firstAckAfter returns the earliest acknowledgement of a write issued at or
// after t0, or the zero time.
func (l *load) firstAckAfter(t0 time.Time) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	var first time.Time
	for _, w := range l.log {
		if w.err == nil && !w.issued.Before(t0) && (first.IsZero() || w.answer.Before(first)) {
			first = w.answer
		}
	}
	return first
}

func (l *load) lastErrors(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for i := len(l.log) - 1; i >= 0 && len(out) < n; i-- {
		if l.log[i].err != nil {
			out = append(out, fmt.Sprintf("%s: %v", l.log[i].path, l.log[i].err))
		}
	}
	return strings.Join(out, "; ")
}

// writes returns a copy of the log.
func (l *load) writes() []write {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]write(nil), l.log...)
}

// check stops the load and verifies, through a client pinned to every
// running member, after sync: every acknowledged create is there, nothing
// that was not attempted is there, and a create answered with a definite
// error is not there; and all members hold the same children.
func (l *load) check(t *testing.T, c *Cluster) {
	t.Helper()
	l.stop()
	acked, maybe := map[string]bool{}, map[string]bool{}
	failed := 0
	for _, w := range l.writes() {
		name := w.path[len(l.dir)+1:]
		switch {
		case w.err == nil:
			acked[name] = true
		case definite(w.err):
			t.Errorf("create %s: unexpected answer %v", w.path, w.err)
		default:
			maybe[name] = true
			failed++
		}
	}
	var ref []string
	for _, m := range c.Members {
		if !m.Running() {
			continue
		}
		cl := dial(t, fmt.Sprintf("check@%d", m.ID), []string{m.Addr}, sessionTimeout)
		var kids []string
		err := retry(30*time.Second, func() error {
			if _, err := cl.Sync(l.dir); err != nil {
				return err
			}
			var err error
			kids, _, err = cl.Children(l.dir)
			return err
		})
		cl.Close()
		if err != nil {
			t.Fatalf("server %d: children of %s: %v", m.ID, l.dir, err)
		}
		have := map[string]bool{}
		for _, k := range kids {
			have[k] = true
			if !acked[k] && !maybe[k] {
				t.Errorf("server %d: %s/%s exists but was never attempted", m.ID, l.dir, k)
			}
		}
		lost := 0
		for k := range acked {
			if !have[k] {
				lost++
				if lost <= 10 {
					t.Errorf("server %d: acknowledged %s/%s is missing", m.ID, l.dir, k)
				}
			}
		}
		if lost > 0 {
			t.Errorf("server %d: %d of %d acknowledged writes missing", m.ID, lost, len(acked))
		}
		sort.Strings(kids)
		if ref == nil {
			ref = kids
		} else if strings.Join(ref, ",") != strings.Join(kids, ",") {
			t.Errorf("server %d: %d children differ from the first member's %d", m.ID, len(kids), len(ref))
		}
	}
	t.Logf("load: %d acknowledged, %d in doubt (connection lost), %d of those applied", len(acked), failed, len(ref)-len(acked))
}
