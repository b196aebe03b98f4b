package quorum

import (
	"fmt"
	"testing"
)

func TestNode_ProposeAsyncKeepsCallOrder(t *testing.T) {
	sm := &recordSM{}
	n := openNode(t, testConfig(t, t.TempDir()), sm)
	const count = 300
	props := make([]*Proposal, count)
	for i := range props {
		props[i] = n.ProposeAsync([]byte(fmt.Sprintf("e%03d", i)))
	}
	var last int64
	for i, p := range props {
		zxid, _, err := p.Wait()
		if err != nil {
			t.Fatal(err)
		}
		if zxid <= last {
			t.Fatalf("proposal %d has zxid %#x after %#x", i, zxid, last)
		}
		last = zxid
	}
	got := sm.snapshotEntries()
	var mine []string
	for _, e := range got {
		mine = append(mine, e.data)
	}
	for i := 0; i < count; i++ {
		if mine[i] != fmt.Sprintf("e%03d", i) {
			t.Fatalf("entry %d applied as %q", i, mine[i])
		}
	}
}

func TestNode_ProposeAsyncAfterClose(t *testing.T) {
	n := openNode(t, testConfig(t, t.TempDir()), &recordSM{})
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := n.ProposeAsync([]byte("x")).Wait(); err != ErrClosed {
		t.Fatalf("err %v, want ErrClosed", err)
	}
}
