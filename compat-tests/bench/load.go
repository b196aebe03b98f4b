// Package bench is the client load the side-by-side benchmarks run against
// raftzk and Apache ZooKeeper: the operations, the sessions and the
// measurement (throughput, latency percentiles, server memory).
// BenchmarkStandalone here and BenchmarkEnsembleLoad in compat-tests/ensemble
// use it.
package bench

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
)

const (
	// Clients is the number of concurrent client sessions.
	Clients = 32
	// Nodes is how many znodes the read and setData loads spread over.
	Nodes = 1000
	// DataSize is the payload of every write.
	DataSize = 100
)

// ZooKeeperJVM is how zkServer.sh starts ZooKeeper: its default 1 GB heap,
// G1 and the full JIT (the test harnesses' default trades those for
// start-up).
var ZooKeeperJVM = []string{"-Xmx1000m", "-XX:+UseG1GC"}

var acl = zk.WorldACL(zk.PermAll)

// Op is one kind of request; Do sends the i-th one on c.
type Op struct {
	Name string
	Do   func(c *zk.Conn, i int64) error
}

// Ops returns the operations, working under root (see Prepare).
func Ops(root string) []Op {
	payload := make([]byte, DataSize)
	node := func(i int64) string { return fmt.Sprintf("%s/n%04d", root, i%Nodes) }
	var created atomic.Int64 // names stay unique across the runs of growing b.N
	return []Op{
		{"create", func(c *zk.Conn, _ int64) error {
			_, err := c.Create(fmt.Sprintf("%s/c/x%d", root, created.Add(1)), payload, 0, acl)
			return err
		}},
		{"setData", func(c *zk.Conn, i int64) error {
			_, err := c.Set(node(i), payload, -1)
			return err
		}},
		{"getData", func(c *zk.Conn, i int64) error {
			_, _, err := c.Get(node(i))
			return err
		}},
		{"exists", func(c *zk.Conn, i int64) error {
			_, _, err := c.Exists(node(i))
			return err
		}},
		{"getChildren", func(c *zk.Conn, _ int64) error {
			_, _, err := c.Children(root + "/small")
			return err
		}},
		{"mixed-90r", func(c *zk.Conn, i int64) error {
			if i%10 == 0 {
				_, err := c.Set(node(i), payload, -1)
				return err
			}
			_, _, err := c.Get(node(i))
			return err
		}},
	}
}

// Dial opens Clients sessions, the i-th to addrs[i % len(addrs)] alone, and
// closes them in b.Cleanup.
func Dial(b *testing.B, addrs []string) []*zk.Conn {
	b.Helper()
	conns := make([]*zk.Conn, Clients)
	for i := range conns {
		addr := addrs[i%len(addrs)]
		c, ev, err := zk.Connect([]string{addr}, 10*time.Second, zk.WithLogger(quiet{}))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(c.Close)
		deadline := time.After(30 * time.Second)
	wait:
		for {
			select {
			case e := <-ev:
				if e.State == zk.StateHasSession {
					break wait
				}
			case <-deadline:
				b.Fatalf("no session from %s", addr)
			}
		}
		conns[i] = c
	}
	return conns
}

// Prepare creates root, root/c (for creates), root/small with 10 children
// and the Nodes data nodes, through c.
func Prepare(b *testing.B, c *zk.Conn, root string) {
	b.Helper()
	for _, p := range []string{root, root + "/c", root + "/small"} {
		if _, err := c.Create(p, nil, 0, acl); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 10 {
		if _, err := c.Create(fmt.Sprintf("%s/small/k%d", root, i), nil, 0, acl); err != nil {
			b.Fatal(err)
		}
	}
	// Pipelined: go-zookeeper sends asynchronously from many goroutines.
	payload := make([]byte, DataSize)
	var wg sync.WaitGroup
	errs := make(chan error, Nodes)
	for i := range Nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Create(fmt.Sprintf("%s/n%04d", root, i), payload, 0, acl); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
}

// Run spreads b.N requests of o over the sessions, each session one
// request at a time, as applications mostly use ZooKeeper, and reports
// ops/s, p50-us, p99-us and, summed over the server processes pids,
// rss-MB.
func Run(b *testing.B, conns []*zk.Conn, o Op, pids ...int) {
	var next atomic.Int64
	lat := make([][]time.Duration, len(conns))
	var wg sync.WaitGroup
	var failed atomic.Value
	b.ResetTimer()
	start := time.Now()
	for ci, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				t0 := time.Now()
				if err := o.Do(c, i); err != nil {
					failed.Store(err)
					return
				}
				lat[ci] = append(lat[ci], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatalf("%s: %v", o.Name, err)
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
	b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-us")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-us")
	var rss float64
	for _, pid := range pids {
		rss += RSSMB(pid)
	}
	if rss > 0 {
		b.ReportMetric(rss, "rss-MB")
	}
}

// RSSMB reads a process's resident set size from /proc (0 if it cannot).
func RSSMB(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

type quiet struct{}

func (quiet) Printf(string, ...any) {}
