package ensemble

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/raftzk/raftzk/compat-tests/bench"
	"github.com/raftzk/raftzk/compat-tests/harness"
)

// BenchmarkFailover measures leader failover on a 3-server ensemble with
// ZooKeeper's default timeouts (tickTime 2000, initLimit 10, syncLimit 5),
// for raftzk and for Apache ZooKeeper's own ensemble: one iteration kills -9
// the leader while clients homed on the two followers write in a loop, and
// measures the time from the kill to the first acknowledged write issued
// after it. The killed member is then restarted and caught up before the
// next iteration. Run it with
//
//	go test ./compat-tests/ensemble -run '^$' -bench Failover -benchtime 5x
//
// and compare the ms/failover (mean), min-ms and max-ms metrics of the two
// sub-benchmarks. It is not part of the default test run (one iteration
// takes 10-30 s, mostly restart and catch-up).
func BenchmarkFailover(b *testing.B) {
	for _, target := range []string{harness.TargetRaftzk, harness.TargetZooKeeper} {
		b.Run(target, func(b *testing.B) {
			c := Start(b, Options{Servers: 3, Target: target, TickTime: 2000, InitLimit: 10, SyncLimit: 5, LeaderTimeout: 2 * time.Minute})
			var took []time.Duration
			for i := 0; i < b.N; i++ {
				// A write, so that every member (ZooKeeper's followers show
				// zxid 0 until their first txn) reports a zxid, then wait
				// until all members, the restarted one too, have it.
				cl := dial(b, "prepare", c.Addrs(), sessionTimeout)
				mustCreate(b, cl, fmt.Sprintf("/prepare%d", i), nil)
				cl.Close()
				c.WaitZxidsEqual(2 * time.Minute)
				leader := c.WaitLeader(time.Minute)
				l := startLoad(b, c, fmt.Sprintf("/failover%d", i), c.Others(leader))
				l.waitProgress(b, 20, time.Minute)
				killed := time.Now()
				leader.Kill()
				var first time.Time
				if !waitFor(2*time.Minute, func() bool {
					first = l.firstAckAfter(killed)
					return !first.IsZero()
				}) {
					b.Fatalf("%s: no write acknowledged within 2 minutes of killing leader %d", target, leader.ID)
				}
				took = append(took, first.Sub(killed))
				l.stop()
				leader.Start()
				c.WaitLeader(time.Minute)
			}
			sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
			var sum time.Duration
			for _, d := range took {
				sum += d
			}
			b.ReportMetric(float64(sum.Milliseconds())/float64(len(took)), "ms/failover")
			b.ReportMetric(float64(took[0].Milliseconds()), "min-ms")
			b.ReportMetric(float64(took[len(took)-1].Milliseconds()), "max-ms")
			b.Logf("%s failovers: %v", target, took)
		})
	}
}

// BenchmarkEnsembleLoad runs the load of compat-tests/bench (32 sessions
// spread evenly over the members, so two thirds of the writes are forwarded
// by a follower) against a 3-server raftzk ensemble and a 3-server Apache
// ZooKeeper ensemble in one run, at ZooKeeper's default timeouts. rss-MB is
// the sum over the three members. Run it with
//
//	go test ./compat-tests/ensemble -run '^$' -bench EnsembleLoad -benchtime 20000x
func BenchmarkEnsembleLoad(b *testing.B) {
	for _, target := range []string{harness.TargetRaftzk, harness.TargetZooKeeper} {
		b.Run(target, func(b *testing.B) {
			c := Start(b, Options{Servers: 3, Target: target, TickTime: 2000, Config: []string{"maxClientCnxns=0"}, JVMFlags: bench.ZooKeeperJVM})
			conns := bench.Dial(b, c.Addrs())
			bench.Prepare(b, conns[0], "/bench")
			var pids []int
			for _, m := range c.Members {
				pids = append(pids, m.Pid())
			}
			for _, o := range bench.Ops("/bench") {
				b.Run(o.Name, func(b *testing.B) { bench.Run(b, conns, o, pids...) })
			}
		})
	}
}
