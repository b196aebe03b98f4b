package quorumtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/raftzk/raftzk/quorum"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), WaitTimeout)
	t.Cleanup(cancel)
	return ctx
}

// proposeN proposes n entries named prefix-i on server id and returns their
// zxids by name.
func proposeN(t *testing.T, n *quorum.Node, prefix string, count int) map[string]int64 {
	t.Helper()
	ctx := testCtx(t)
	acked := make(map[string]int64)
	for i := range count {
		data := fmt.Sprintf("%s-%d", prefix, i)
		z, _, err := n.Propose(ctx, []byte(data))
		if err != nil {
			t.Fatalf("propose %s: %v", data, err)
		}
		acked[data] = z
	}
	return acked
}

// checkHas fails unless entries hold every acknowledged entry at its zxid.
func checkHas(t *testing.T, who string, entries []Entry, acked map[string]int64) {
	t.Helper()
	have := make(map[string]int64, len(entries))
	for _, e := range entries {
		have[e.Data] = e.Zxid
	}
	for data, z := range acked {
		if got, ok := have[data]; !ok || got != z {
			t.Fatalf("%s: acknowledged %q at zxid %#x, has it: %v at %#x", who, data, z, ok, got)
		}
	}
}

func TestCluster_ReplicatesToAll(t *testing.T) {
	c := New(t, Options{Voters: 3, Nonvoters: 1})
	leader := c.WaitLeader(1, 2, 3)
	if c.Node(4).IsLeader() {
		t.Fatal("non-voter became leader")
	}
	acked := proposeN(t, c.Node(leader), "a", 50)
	z := c.Converge()
	for _, id := range c.Running() {
		checkHas(t, fmt.Sprintf("server %d", id), c.StateMachine(id).Entries(), acked)
		if got := c.Node(id).AppliedZxid(); got != z {
			t.Fatalf("server %d AppliedZxid = %#x, want %#x", id, got, z)
		}
	}
	follower := uint64(1)
	if leader == 1 {
		follower = 2
	}
	if _, _, err := c.Node(follower).Propose(testCtx(t), []byte("x")); !errors.Is(err, quorum.ErrNotLeader) {
		t.Fatalf("Propose on follower: err = %v, want ErrNotLeader", err)
	}
	if _, err := c.Node(follower).Sync(testCtx(t)); !errors.Is(err, quorum.ErrNotLeader) {
		t.Fatalf("Sync on follower: err = %v, want ErrNotLeader", err)
	}
	if id, _, ok := c.Node(follower).Leader(); !ok || id != leader {
		t.Fatalf("follower's Leader() = %d, %v; want %d", id, ok, leader)
	}
}

func TestCluster_LeaderFailover(t *testing.T) {
	c := New(t, Options{Voters: 3})
	old := c.WaitLeader()
	acked := proposeN(t, c.Node(old), "before", 30)
	c.Converge()

	c.Disconnect(old)
	var rest []uint64
	for _, id := range c.Running() {
		if id != old {
			rest = append(rest, id)
		}
	}
	leader := c.WaitLeader(rest...)
	for k, v := range proposeN(t, c.Node(leader), "after", 30) {
		acked[k] = v
	}
	// The cut-off leader can no longer commit: its proposal fails.
	if _, _, err := c.Node(old).Propose(testCtx(t), []byte("lost")); err == nil {
		t.Fatal("isolated old leader committed a proposal")
	}

	c.Heal()
	c.Converge()
	for _, id := range c.Running() {
		entries := c.StateMachine(id).Entries()
		checkHas(t, fmt.Sprintf("server %d", id), entries, acked)
		for _, e := range entries {
			if e.Data == "lost" {
				t.Fatalf("server %d applied the isolated leader's entry", id)
			}
		}
	}
	// Epochs moved on with the new leader.
	if c.Node(leader).AppliedZxid()>>32 <= acked["before-0"]>>32 {
		t.Fatalf("zxid epoch did not increase after failover")
	}
}

// TestCluster_NoAcknowledgedEntryLost proposes from several goroutines while
// the leader is repeatedly cut off; every acknowledged entry must survive on
// every server, and all servers must apply identical sequences.
func TestCluster_NoAcknowledgedEntryLost(t *testing.T) {
	c := New(t, Options{Voters: 3})
	c.WaitLeader()

	var mu sync.Mutex
	acked := make(map[string]int64)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				// Propose on whoever leads now; failures are expected.
				for _, id := range []uint64{1, 2, 3} {
					n := c.Node(id)
					if !n.IsLeader() {
						continue
					}
					ctx, cancel := context.WithTimeout(context.Background(), time.Second)
					data := fmt.Sprintf("g%d-%d", g, i)
					z, _, err := n.Propose(ctx, []byte(data))
					cancel()
					if err == nil {
						mu.Lock()
						acked[data] = z
						mu.Unlock()
					}
					break
				}
			}
		})
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }
	for round := range 3 {
		target := count() + 50
		c.waitFor("progress", func() bool { return count() >= target })
		leader := c.WaitLeader()
		c.Disconnect(leader)
		var rest []uint64
		for _, id := range []uint64{1, 2, 3} {
			if id != leader {
				rest = append(rest, id)
			}
		}
		c.WaitLeader(rest...)
		target = count() + 50
		c.waitFor(fmt.Sprintf("progress after failover %d", round), func() bool { return count() >= target })
		c.Heal()
	}
	close(stop)
	wg.Wait()

	c.Converge()
	mu.Lock()
	defer mu.Unlock()
	for _, id := range c.Running() {
		checkHas(t, fmt.Sprintf("server %d", id), c.StateMachine(id).Entries(), acked)
	}
	t.Logf("%d acknowledged entries survived 3 failovers", len(acked))
}

func TestCluster_FollowerCatchUpFromSnapshot(t *testing.T) {
	c := New(t, Options{Voters: 3, Tune: func(cfg *quorum.Config) {
		cfg.SnapshotThreshold = 20
		cfg.SnapshotInterval = 10 * time.Millisecond
		cfg.TrailingLogs = 5
	}})
	leader := c.WaitLeader()
	acked := proposeN(t, c.Node(leader), "a", 20)
	c.Converge()

	var follower uint64 = 1
	if leader == 1 {
		follower = 2
	}
	c.Stop(follower)
	for k, v := range proposeN(t, c.Node(leader), "b", 100) {
		acked[k] = v
	}
	// Force a snapshot so the log the follower needs is compacted away.
	if err := c.Node(leader).Snapshot(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	c.Restart(follower)
	c.Converge()
	sm := c.StateMachine(follower)
	checkHas(t, "restarted follower", sm.Entries(), acked)
	if sm.Restores() == 0 {
		t.Fatal("restarted follower caught up without installing a snapshot")
	}
}

func TestCluster_RestartWholeEnsemble(t *testing.T) {
	c := New(t, Options{Voters: 3})
	acked := proposeN(t, c.Node(c.WaitLeader()), "a", 40)
	c.Converge()
	for _, id := range []uint64{1, 2, 3} {
		c.Stop(id)
	}
	for _, id := range []uint64{1, 2, 3} {
		c.Restart(id)
		// Each server replays what it recorded as applied before Open returns.
		if c.StateMachine(id).Entries() == nil {
			t.Fatalf("server %d came back empty", id)
		}
	}
	c.Converge()
	for _, id := range c.Running() {
		checkHas(t, fmt.Sprintf("server %d", id), c.StateMachine(id).Entries(), acked)
	}
}

func TestCluster_Membership(t *testing.T) {
	c := New(t, Options{Voters: 3})
	leader := c.WaitLeader()
	acked := proposeN(t, c.Node(leader), "a", 10)
	observer := c.Add(false)
	voter := c.Add(true)
	c.Converge()
	checkHas(t, "observer", c.StateMachine(observer).Entries(), acked)
	checkHas(t, "new voter", c.StateMachine(voter).Entries(), acked)

	leader = c.WaitLeader()
	members, err := c.Node(leader).Members(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	roles := make(map[uint64]bool)
	for _, p := range members {
		roles[p.ID] = p.Voter
	}
	if len(roles) != 5 || roles[observer] || !roles[voter] {
		t.Fatalf("members = %+v; want 5 with %d a non-voter and %d a voter", members, observer, voter)
	}

	if err := c.Node(leader).RemoveServer(testCtx(t), observer); err != nil {
		t.Fatal(err)
	}
	members, err = c.Node(leader).Members(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != 4 {
		t.Fatalf("after RemoveServer members = %+v, want 4", members)
	}
}
