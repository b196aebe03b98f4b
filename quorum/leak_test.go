package quorum

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"
)

// quorumGoroutines returns the stacks of live goroutines started by raft or
// by this package (the test's own goroutine excluded).
func quorumGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var live []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "TestNode_CloseLeavesNoGoroutines") {
			continue
		}
		if strings.Contains(g, "github.com/hashicorp/raft.") || strings.Contains(g, "raftzk/quorum.") {
			live = append(live, g)
		}
	}
	return live
}

func TestNode_CloseLeavesNoGoroutines(t *testing.T) {
	n, err := Open(testConfig(t, t.TempDir()), &recordSM{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for range 10 { // with a deadline, so waiter goroutines are started
		if _, _, err := n.Propose(ctx, []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	if len(quorumGoroutines()) == 0 {
		t.Fatal("no raft goroutines seen while open: the detector is broken")
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	var live []string
	deadline := time.Now().Add(5 * time.Second)
	for live = quorumGoroutines(); len(live) > 0 && time.Now().Before(deadline); live = quorumGoroutines() {
		time.Sleep(10 * time.Millisecond) // polling a condition, not synchronising
	}
	if len(live) > 0 {
		t.Fatalf("%d goroutines outlive Close; first:\n%s", len(live), live[0])
	}
}
