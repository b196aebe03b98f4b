package diff

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/raftzk/raftzk/compat-tests/harness"
)

func TestMain(m *testing.M) { os.Exit(harness.Main(m)) }

// serverOptions is what every scenario needs from both servers: extended
// types (TTL nodes), fast container/TTL reaping, the super digest
// super:secret, a short tickTime so expiry scenarios are quick (session
// timeouts 400..4000 ms), every 4lw, no per-IP connection limit.
func serverOptions() harness.Options {
	return harness.Options{
		TickTime: 200,
		Config:   []string{"4lw.commands.whitelist=*", "maxClientCnxns=0"},
		Properties: map[string]string{
			"zookeeper.extendedTypesEnabled":                     "true",
			"znode.container.checkIntervalMs":                    "100",
			"zookeeper.DigestAuthenticationProvider.superDigest": "super:lK75jTNcA+U9vtVEw5vB51mj/w4=",
		},
	}
}

// TestSelfCheck plays every scenario against two Apache ZooKeeper servers
// and requires identical transcripts: it proves the normalisation (and
// that the scenarios are deterministic).
func TestSelfCheck(t *testing.T) {
	a := harness.StartZooKeeper(t, serverOptions())
	b := harness.StartZooKeeper(t, serverOptions())
	runScenarios(t, a, b, false)
	runRandom(t, a, b, []int64{1, 2})
}

// TestDifferential plays every scenario against Apache ZooKeeper (A, the
// reference) and raftzk (B). Scenarios marked @allow-differ exercise
// behaviour in which ZooKeeper 3.8.0 differs from later releases; their
// differences are logged, not failed.
func TestDifferential(t *testing.T) {
	b := harness.StartRaftzk(t, serverOptions()) // skips while raftzk cannot be built
	a := harness.StartZooKeeper(t, serverOptions())
	runScenarios(t, a, b, true)
	runRandom(t, a, b, []int64{1, 2, 3})
}

func dumpLogs(t *testing.T, servers ...*harness.Server) {
	t.Cleanup(func() {
		if t.Failed() {
			for _, s := range servers {
				t.Logf("log of %s %s:\n%s", s.Target, s.Addr, s.LogTail(40))
			}
		}
	})
}

func newPair(t *testing.T, ctx context.Context, a, b *harness.Server) *Pair {
	ra, err := NewRunner(ctx, a.Addr, Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ra.Close)
	rb, err := NewRunner(ctx, b.Addr, Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rb.Close)
	return &Pair{A: ra, B: rb}
}

// runScenarios runs the embedded scenarios (DIFF_SCENARIO=text keeps only
// names containing text; DIFF_SHOW=1 with -v logs every transcript).
func runScenarios(t *testing.T, a, b *harness.Server, allowKnown bool) {
	dumpLogs(t, a, b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	runScenariosOn(t, ctx, newPair(t, ctx, a, b), allowKnown, nil)
}

// runScenariosOn runs the embedded scenarios on a pair of runners. also
// names further scenarios allowed to differ, with the reason.
func runScenariosOn(t *testing.T, ctx context.Context, p *Pair, allowKnown bool, also map[string]string) {
	scs, err := LoadScenarios(Scenarios, "scenarios")
	if err != nil {
		t.Fatal(err)
	}
	if len(scs) < 150 {
		t.Errorf("only %d scenarios", len(scs))
	}
	only := os.Getenv("DIFF_SCENARIO")
	broken := false // a runner error (not a mismatch) ends the run
	for _, sc := range scs {
		if only != "" && !strings.Contains(sc.Name, only) {
			continue
		}
		if broken {
			break
		}
		// One subtest per scenario, so a failure names its scenario.
		t.Run(sc.Name, func(t *testing.T) {
			t0 := time.Now()
			res, err := p.Run(ctx, sc)
			if err != nil {
				broken = true
				t.Fatalf("%s: %v", sc.Name, err)
			}
			if d := time.Since(t0); d > 3*time.Second {
				t.Logf("%s took %v", sc.Name, d)
			}
			if os.Getenv("DIFF_SHOW") != "" {
				t.Logf("%s:\n%s", sc.Name, res.A)
			}
			if res.Mismatch == nil {
				return
			}
			if allowKnown && sc.AllowDiffer != "" {
				t.Logf("known difference (%s):\n%s", sc.AllowDiffer, res.Mismatch)
				return
			}
			if why, ok := also[sc.Name]; ok {
				t.Logf("known difference (%s):\n%s", why, res.Mismatch)
				return
			}
			t.Errorf("%s", res.Mismatch)
		})
	}
}

// runRandom plays seeded random scenarios (DIFF_SEEDS=1,2,3 overrides).
func runRandom(t *testing.T, a, b *harness.Server, seeds []int64) {
	if env := os.Getenv("DIFF_SEEDS"); env != "" {
		seeds = nil
		for _, s := range strings.Split(env, ",") {
			n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			seeds = append(seeds, n)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	p := newPair(t, ctx, a, b)
	for _, seed := range seeds {
		sc := GenerateRandom(seed, 150)
		res, err := p.Run(ctx, sc)
		if err != nil {
			t.Fatalf("random seed %d: %v", seed, err)
		}
		if res.Mismatch != nil {
			t.Errorf("random seed %d differs (rerun with DIFF_SEEDS=%d; raftzk compare --random-seed %d --random-steps 150 --random-only):\n%s\nscenario:\n%s",
				seed, seed, seed, res.Mismatch, sc.Source)
		}
	}
}
