package diff

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/raftzk/raftzk/compat-tests/zkraw/zkproc"
)

// TestSelfCheck runs every scenario against two Apache ZooKeeper servers and
// requires identical transcripts: it proves the normalisation.
func TestSelfCheck(t *testing.T) {
	a := zkproc.Start(t, zkproc.Options{})
	b := zkproc.Start(t, zkproc.Options{})
	t.Cleanup(func() {
		if t.Failed() {
			for _, s := range []*zkproc.Server{a, b} {
				log, _ := os.ReadFile(s.LogPath())
				if len(log) > 4000 {
					log = log[len(log)-4000:]
				}
				t.Logf("log of %s:\n%s", s.Addr, log)
			}
		}
	})
	runPairTest(t, a.Addr, b.Addr, false)
}

func runPairTest(t *testing.T, addrA, addrB string, allowKnown bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	scs, err := LoadScenarios(Scenarios, "scenarios")
	if err != nil {
		t.Fatal(err)
	}
	if only := os.Getenv("DIFF_SCENARIO"); only != "" {
		var keep = scs[:0]
		for _, sc := range scs {
			if strings.Contains(sc.Name, only) {
				keep = append(keep, sc)
			}
		}
		scs = keep
	}
	ra, err := NewRunner(ctx, addrA, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer ra.Close()
	rb, err := NewRunner(ctx, addrB, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer rb.Close()
	p := &Pair{A: ra, B: rb}
	for _, sc := range scs {
		t0 := time.Now()
		res, err := p.Run(ctx, sc)
		if d := time.Since(t0); d > 2*time.Second {
			t.Logf("%s took %v", sc.Name, d)
		}
		if err != nil {
			t.Fatalf("%s: %v", sc.Name, err)
		}
		if testing.Verbose() && os.Getenv("DIFF_SHOW") != "" {
			t.Logf("%s:\n%s", sc.Name, res.A)
		}
		if res.Mismatch != nil {
			if allowKnown && sc.AllowDiffer != "" {
				t.Logf("known difference (%s):\n%s", sc.AllowDiffer, res.Mismatch)
				continue
			}
			t.Errorf("%s", res.Mismatch)
		}
	}
}
