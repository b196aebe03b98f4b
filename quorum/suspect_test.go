package quorum_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/raftzk/raftzk/quorum"
	"github.com/raftzk/raftzk/quorum/quorumtest"
)

// TestSuspectLeader: followers whose heartbeat timeout is an hour elect a new
// leader as soon as one of them is told the old one is gone, then run with
// their configured timeouts again. Server 2, the lowest id left, is the
// nominee: told itself, it stands at once; when only server 3 is told, 3
// nominates it after a lease timeout.
func TestSuspectLeader(t *testing.T) {
	for _, told := range []uint64{2, 3} {
		t.Run(fmt.Sprintf("server%d-told", told), func(t *testing.T) { testSuspectLeader(t, told) })
	}
}

func testSuspectLeader(t *testing.T, told uint64) {
	const slow, lease = time.Hour, 50 * time.Millisecond
	c := quorumtest.New(t, quorumtest.Options{Voters: 3, Tune: func(cfg *quorum.Config) {
		if cfg.ServerID != 1 { // server 1 times out first and leads
			cfg.HeartbeatTimeout, cfg.ElectionTimeout = slow, slow
		}
		cfg.LeaderLeaseTimeout = lease
	}})
	if got := c.WaitLeader(); got != 1 {
		t.Fatalf("leader = %d, want 1", got)
	}
	// Every server applies an entry, so the followers' logs are equal and
	// either may win the election.
	if _, _, err := c.Node(1).Propose(t.Context(), []byte("before")); err != nil {
		t.Fatal(err)
	}
	c.Converge()
	// A follower that suspects a server other than its leader changes nothing.
	c.Node(2).SuspectLeader(3)
	if hb, _ := c.Node(2).Timeouts(); hb != slow {
		t.Fatalf("suspecting a non-leader set the heartbeat timeout to %v", hb)
	}

	c.Stop(1)
	// The other server still remembers leader 1 and would refuse an ordinary
	// candidate for an hour; a hand-over candidate gets its vote.
	c.Node(told).SuspectLeader(1)
	if hb, et := c.Node(told).Timeouts(); hb != lease || et != lease {
		t.Fatalf("while suspecting: timeouts %v/%v, want the lease timeout", hb, et)
	}
	// Server 2 stands; when 3 was told, 3 (campaigning on its shortened
	// timeouts) may win the vote once 2 has forgotten leader 1.
	leader := c.WaitLeader(2, 3)
	if told == 2 && leader != 2 {
		t.Fatalf("leader = %d, want the nominee 2", leader)
	}
	if _, _, err := c.Node(leader).Propose(t.Context(), []byte("after")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(quorumtest.WaitTimeout)
	for _, id := range []uint64{2, 3} {
		for {
			hb, et := c.Node(id).Timeouts()
			if hb == slow && et == slow {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("server %d still runs with timeouts %v/%v after the election", id, hb, et)
			}
			time.Sleep(5 * time.Millisecond) // polling a condition, not synchronising
		}
	}
}
