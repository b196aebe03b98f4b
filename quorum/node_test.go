package quorum

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestNode_StandaloneLeadsAfterOpen: Open returns a standalone node that
// already leads, so its first request need not wait for an election.
func TestNode_StandaloneLeadsAfterOpen(t *testing.T) {
	n := openNode(t, testConfig(t, t.TempDir()), &recordSM{})
	if !n.IsLeader() {
		t.Fatal("standalone node is not leader after Open")
	}
	if id, _, ok := n.Leader(); !ok || id != 1 {
		t.Fatalf("Leader() = %d, %v; want 1, true", id, ok)
	}
}

func TestNode_ProposeConcurrent(t *testing.T) {
	sm := &recordSM{}
	n := openNode(t, testConfig(t, t.TempDir()), sm)
	ctx := testCtx(t)

	const workers, per = 16, 100
	type ack struct {
		zxid  int64
		bytes int
	}
	acks := make(map[string]ack)
	var mu sync.Mutex
	var wg sync.WaitGroup
	errc := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			var last int64
			for i := range per {
				data := fmt.Sprintf("w%02d-%04d", w, i)
				zxid, res, err := n.Propose(ctx, []byte(data))
				if err != nil {
					errc <- err
					return
				}
				// One proposer's entries are applied in its order.
				if zxid <= last {
					errc <- fmt.Errorf("%s: zxid %#x not above previous %#x", data, zxid, last)
					return
				}
				last = zxid
				mu.Lock()
				acks[data] = ack{zxid, res.(int)}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}

	entries := sm.snapshotEntries()
	if len(entries) != workers*per {
		t.Fatalf("applied %d entries, want %d", len(entries), workers*per)
	}
	total := 0
	for i, e := range entries {
		if i > 0 && e.zxid <= entries[i-1].zxid {
			t.Fatalf("entry %d zxid %#x not above %#x", i, e.zxid, entries[i-1].zxid)
		}
		total += len(e.data)
		a, ok := acks[e.data]
		if !ok {
			t.Fatalf("applied %q was never acknowledged", e.data)
		}
		if a.zxid != e.zxid || a.bytes != total {
			t.Fatalf("%q acknowledged as zxid %#x bytes %d, applied as zxid %#x bytes %d", e.data, a.zxid, a.bytes, e.zxid, total)
		}
	}
	if got, want := n.AppliedZxid(), entries[len(entries)-1].zxid; got != want {
		t.Fatalf("AppliedZxid = %#x, want %#x", got, want)
	}
	if z, err := n.Sync(ctx); err != nil || z != n.AppliedZxid() {
		t.Fatalf("Sync = %#x, %v; want %#x", z, err, n.AppliedZxid())
	}
}

func TestNode_Restart(t *testing.T) {
	for _, snap := range []bool{false, true} {
		t.Run(fmt.Sprintf("snapshot=%v", snap), func(t *testing.T) {
			dir := t.TempDir()
			ctx := testCtx(t)
			sm := &recordSM{}
			n, err := Open(testConfig(t, dir), sm)
			if err != nil {
				t.Fatal(err)
			}
			propose := func(n *Node, from, to int) {
				t.Helper()
				for i := from; i < to; i++ {
					if _, _, err := n.Propose(ctx, fmt.Appendf(nil, "e%d", i)); err != nil {
						t.Fatal(err)
					}
				}
			}
			propose(n, 0, 50)
			if snap {
				if err := n.Snapshot(ctx); err != nil {
					t.Fatal(err)
				}
				propose(n, 50, 80)
			}
			want := sm.snapshotEntries()
			if err := n.Close(); err != nil {
				t.Fatal(err)
			}
			if _, _, err := n.Propose(ctx, []byte("late")); !errors.Is(err, ErrClosed) {
				t.Fatalf("Propose after Close: err = %v, want ErrClosed", err)
			}

			sm2 := &recordSM{}
			n2 := openNode(t, testConfig(t, dir), sm2)
			got := sm2.snapshotEntries()
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("after restart state has %d entries, want %d\n got %v\nwant %v", len(got), len(want), got, want)
			}
			if r := sm2.restoreCount(); (r == 1) != snap {
				t.Fatalf("Restore called %d times, snapshot taken: %v", r, snap)
			}
			if n2.AppliedZxid() != want[len(want)-1].zxid {
				t.Fatalf("AppliedZxid after restart = %#x, want %#x", n2.AppliedZxid(), want[len(want)-1].zxid)
			}
			// New entries continue above the old ones, in a new term.
			z, _, err := n2.Propose(ctx, []byte("after"))
			if err != nil {
				t.Fatal(err)
			}
			if z <= want[len(want)-1].zxid || z>>32 <= want[0].zxid>>32 {
				t.Fatalf("zxid after restart %#x is not above %#x in a later epoch", z, want[len(want)-1].zxid)
			}
		})
	}
}

// TestNode_RestartAfterUnflushedApply covers a restart where the applied
// index on disk lags the log (as after a crash): the unrecorded tail is
// applied by the standalone catch-up, exactly once.
func TestNode_RestartAfterUnflushedApply(t *testing.T) {
	dir := t.TempDir()
	ctx := testCtx(t)
	sm := &recordSM{}
	n, err := Open(testConfig(t, dir), sm) // never Closed: it "crashes"
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if _, _, err := n.Propose(ctx, fmt.Appendf(nil, "e%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	want := sm.snapshotEntries()
	// Simulate a crash: raft stops, but the final applied index is not
	// flushed, so the store only knows what rode along with earlier batches.
	if err := n.raft.Shutdown().Error(); err != nil {
		t.Fatal(err)
	}
	onDisk, _ := n.store.AppliedIndex()
	last, _ := n.store.LastIndex()
	if onDisk >= last {
		t.Fatalf("applied index on disk %d already covers the log (%d); test proves nothing", onDisk, last)
	}
	close(n.stop)
	n.wg.Wait()
	_ = n.store.Close()

	sm2 := &recordSM{}
	openNode(t, testConfig(t, dir), sm2)
	if got := sm2.snapshotEntries(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after crash-restart got %v\nwant %v", got, want)
	}
}

func TestNode_SnapshotThresholdCompacts(t *testing.T) {
	dir := t.TempDir()
	ctx := testCtx(t)
	cfg := testConfig(t, dir)
	cfg.SnapshotThreshold = 40
	cfg.SnapshotInterval = 10 * time.Millisecond
	cfg.TrailingLogs = 10
	cfg.SnapshotRetain = 2
	sm := &recordSM{}
	n := openNode(t, cfg, sm)

	snapshots := func() int {
		ents, _ := os.ReadDir(filepath.Join(dir, "snapshots"))
		c := 0
		for _, e := range ents {
			if e.IsDir() && filepath.Ext(e.Name()) != ".tmp" {
				c++
			}
		}
		return c
	}
	i := 0
	proposeSome := func() {
		for range 50 {
			if _, _, err := n.Propose(ctx, fmt.Appendf(nil, "e%d", i)); err != nil {
				t.Fatal(err)
			}
			i++
		}
	}
	// Keep writing until three snapshots were taken: retention must cap
	// the directory at SnapshotRetain while compaction drops the log head.
	var taken int
	waitFor(t, "three threshold snapshots", func() bool {
		before := snapshots()
		proposeSome()
		if s := snapshots(); s != before || s == cfg.SnapshotRetain {
			taken++
		}
		return taken >= 3
	})
	// raft renames a new snapshot into place before it deletes the oldest,
	// so for a moment there is one more than SnapshotRetain.
	waitFor(t, fmt.Sprintf("at most %d snapshots on disk", cfg.SnapshotRetain), func() bool {
		return snapshots() <= cfg.SnapshotRetain
	})
	waitFor(t, "log compaction", func() bool {
		first, _ := n.store.FirstIndex()
		return first > 1
	})
	want := sm.snapshotEntries()
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	sm2 := &recordSM{}
	openNode(t, cfg, sm2)
	if got := sm2.snapshotEntries(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after restart got %d entries, want %d", len(got), len(want))
	}
	if sm2.restoreCount() != 1 {
		t.Fatalf("restart restored %d snapshots, want 1", sm2.restoreCount())
	}
}

func TestNode_ContextAndClose(t *testing.T) {
	n := openNode(t, testConfig(t, t.TempDir()), &recordSM{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := n.Propose(ctx, []byte("x")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Propose with canceled ctx: err = %v", err)
	}
	if err := n.WaitApplied(testCtx(t), 0); err != nil {
		t.Fatalf("WaitApplied(0) = %v", err)
	}
	wctx, wcancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer wcancel()
	if err := n.WaitApplied(wctx, n.AppliedZxid()+1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitApplied of a future zxid: err = %v, want DeadlineExceeded", err)
	}
	// A waiter is woken by the entry that reaches its zxid.
	z, _, err := n.Propose(testCtx(t), []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	if err := n.WaitApplied(testCtx(t), z); err != nil {
		t.Fatal(err)
	}
	waiting := make(chan error, 1)
	go func() { waiting <- n.WaitApplied(context.Background(), z+1) }()
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-waiting; !errors.Is(err, ErrClosed) {
		t.Fatalf("WaitApplied across Close: err = %v, want ErrClosed", err)
	}
	if err := n.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
}

func TestNode_SecondOpenOfDirFails(t *testing.T) {
	dir := t.TempDir()
	openNode(t, testConfig(t, dir), &recordSM{})
	if n, err := Open(testConfig(t, dir), &recordSM{}); err == nil {
		_ = n.Close()
		t.Fatal("second Open of the same Dir succeeded")
	}
}

func TestMakeZxid(t *testing.T) {
	tests := []struct {
		term, index uint64
		want        int64
	}{
		{1, 1, 0x1_00000001},
		{2, 1, 0x2_00000001},
		{3, 0xffffffff, 0x3_ffffffff},
		{3, 0x1_00000000, 0x4_00000000}, // the counter wraps: the epoch moves on
		{3, 0x1_00000005, 0x4_00000005},
		{4, 0x1_00000006, 0x5_00000006},
	}
	for _, tt := range tests {
		if got := MakeZxid(tt.term, tt.index); got != tt.want {
			t.Errorf("MakeZxid(%d, %#x) = %#x, want %#x", tt.term, tt.index, got, tt.want)
		}
		if got := indexNear(MakeZxid(tt.term, tt.index), tt.index-3); got != tt.index {
			t.Errorf("indexNear(zxid of %#x) = %#x", tt.index, got)
		}
	}
	// Strictly increasing along any log: terms never fall, indexes rise.
	rng := rand.New(rand.NewPCG(1, 2))
	term, index := uint64(1), uint64(0xffff_f000)
	prev := MakeZxid(term, index)
	for range 100000 {
		index += 1 + rng.Uint64N(64)
		if rng.IntN(500) == 0 {
			term++
		}
		z := MakeZxid(term, index)
		if z <= prev {
			t.Fatalf("zxid went from %#x to %#x at term %d index %#x", prev, z, term, index)
		}
		prev = z
	}
}

func TestConfig_Validate(t *testing.T) {
	ok := DefaultConfig()
	ok.Dir = "/tmp/x"
	ok.ServerID = 1
	tests := []struct {
		name   string
		mutate func(*Config)
		valid  bool
	}{
		{"default", func(*Config) {}, true},
		{"no dir", func(c *Config) { c.Dir = "" }, false},
		{"self only", func(c *Config) { c.Peers = []Peer{{ID: 1, Voter: true}} }, true},
		{"three", func(c *Config) {
			c.Peers = []Peer{{1, "a:1", true}, {2, "b:1", true}, {3, "c:1", false}}
		}, true},
		{"self missing", func(c *Config) { c.Peers = []Peer{{2, "b:1", true}, {3, "c:1", true}} }, false},
		{"duplicate", func(c *Config) { c.Peers = []Peer{{1, "a:1", true}, {1, "b:1", true}} }, false},
		{"no address", func(c *Config) { c.Peers = []Peer{{1, "a:1", true}, {2, "", true}} }, false},
		{"no voter", func(c *Config) { c.Peers = []Peer{{1, "a:1", false}, {2, "b:1", false}} }, false},
		{"lease above heartbeat", func(c *Config) { c.LeaderLeaseTimeout = 2 * c.HeartbeatTimeout }, false},
		{"retain 0", func(c *Config) { c.SnapshotRetain = 0 }, false},
		{"huge batch", func(c *Config) { c.MaxAppendEntries = 5000 }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.mutate(&c)
			err := c.Validate()
			if (err == nil) != tt.valid {
				t.Fatalf("Validate() = %v, want valid=%v", err, tt.valid)
			}
			if err != nil && !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("Validate() error %v does not wrap ErrInvalidConfig", err)
			}
		})
	}
}
