package quorum

import (
	"fmt"
	"net"
	"slices"
	"testing"
	"time"
)

// freeAddrs reserves n loopback ports. The listeners are closed before the
// ports are used, so another process could take one in between; a failure
// to listen then shows up as an Open error.
func freeAddrs(t *testing.T, n int) []string {
	var addrs []string
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addrs = append(addrs, l.Addr().String())
		defer l.Close()
	}
	return addrs
}

func TestNode_TCPEnsemble(t *testing.T) {
	addrs := freeAddrs(t, 3)
	var peers []Peer
	for i, a := range addrs {
		peers = append(peers, Peer{ID: uint64(i + 1), Addr: a, Voter: true})
	}
	nodes := make([]*Node, 3)
	sms := make([]*recordSM, 3)
	for i := range nodes {
		cfg := testConfig(t, t.TempDir())
		cfg.ServerID = uint64(i + 1)
		cfg.Peers = peers
		cfg.UnsafeNoSync = true
		cfg.HeartbeatTimeout = 200 * time.Millisecond
		cfg.ElectionTimeout = 200 * time.Millisecond
		cfg.LeaderLeaseTimeout = 200 * time.Millisecond
		sms[i] = &recordSM{}
		nodes[i] = openNode(t, cfg, sms[i])
	}
	var leader *Node
	waitFor(t, "a TCP leader", func() bool {
		for _, n := range nodes {
			if n.IsLeader() {
				leader = n
				return true
			}
		}
		return false
	})
	ctx := testCtx(t)
	for i := range 20 {
		if _, _, err := leader.Propose(ctx, fmt.Appendf(nil, "tcp%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	z, err := leader.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range nodes {
		if err := n.WaitApplied(ctx, z); err != nil {
			t.Fatalf("server %d: %v", i+1, err)
		}
	}
	want := sms[0].snapshotEntries()
	for i, n := range nodes {
		if got := sms[i].snapshotEntries(); len(got) != 20 || (i > 0 && !slices.Equal(got, want)) {
			t.Fatalf("server %d applied %d entries, differing from server 1", i+1, len(got))
		}
		if id, addr, ok := n.Leader(); !ok || addr != peers[id-1].Addr {
			t.Fatalf("server %d sees leader %d at %q", i+1, id, addr)
		}
	}
}
