package diff

import (
	"context"
	"testing"
	"time"

	"github.com/raftzk/raftzk/compat-tests/ensemble"
	"github.com/raftzk/raftzk/compat-tests/harness"
)

// TestDifferentialEnsemble plays every scenario against a standalone Apache
// ZooKeeper and a 3-server raftzk ensemble whose sessions are spread over
// the three servers (session n connects to server n mod 3).
func TestDifferentialEnsemble(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-server ensemble")
	}
	opts := serverOptions()
	opts.TickTime = ensemble.DefaultTick
	// Both sides run with the same tickTime, so negotiated timeouts match.
	t.Setenv("JVMFLAGS", "-Dzookeeper.extendedTypesEnabled=true -Dznode.container.checkIntervalMs=100"+
		" -Dzookeeper.DigestAuthenticationProvider.superDigest=super:lK75jTNcA+U9vtVEw5vB51mj/w4=")
	c := ensemble.Start(t, ensemble.Options{Servers: 3, TickTime: ensemble.DefaultTick, Config: opts.Config})
	c.WaitLeader(60 * time.Second)
	a := harness.StartZooKeeper(t, opts)
	dumpLogs(t, a)
	t.Cleanup(func() {
		if t.Failed() {
			c.DumpLogs(40)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	ra, err := NewRunner(ctx, a.Addr, Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ra.Close)
	rb, err := NewEnsembleRunner(ctx, c.Addrs(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rb.Close)
	const membership = "an ensemble's /zookeeper/config holds its membership (a standalone server's is empty), in ZooKeeper too"
	runScenariosOn(t, ctx, &Pair{A: ra, B: rb}, true, map[string]string{
		"aaa-fresh-tree":       membership,
		"fresh-tree-protected": membership,
	})
}
