package quorum_test

import (
	"context"
	"testing"
	"time"

	"github.com/raftzk/raftzk/quorum"
	"github.com/raftzk/raftzk/quorum/quorumtest"
)

// TestLearnCommitted: with a commit timeout of an hour, a follower learns
// that its entry is committed only from LearnCommitted (as when the leader
// answers a forwarded write), and then applies it.
func TestLearnCommitted(t *testing.T) {
	c := quorumtest.New(t, quorumtest.Options{Voters: 3, Tune: func(cfg *quorum.Config) {
		cfg.CommitTimeout = time.Hour
	}})
	leader := c.WaitLeader()
	var follower uint64
	for _, id := range c.Running() {
		if id != leader {
			follower = id
		}
	}
	f := c.Node(follower)
	for i := range 3 {
		zxid, _, err := c.Node(leader).Propose(t.Context(), []byte{byte(i)})
		if err != nil {
			t.Fatal(err)
		}
		f.LearnCommitted(zxid)
		ctx, cancel := context.WithTimeout(t.Context(), quorumtest.WaitTimeout)
		err = f.WaitApplied(ctx, zxid)
		cancel()
		if err != nil {
			t.Fatalf("entry %d (zxid %#x): follower at %#x: %v", i, zxid, f.AppliedZxid(), err)
		}
	}
	// On the leader it changes nothing.
	c.Node(leader).LearnCommitted(c.Node(leader).AppliedZxid())
}
