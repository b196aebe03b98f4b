// Package bench measures raftzk next to Apache ZooKeeper in one run: the
// same client load, from the same go-zookeeper clients, against a standalone
// server of each. Compare the ratios, not the absolute numbers: the machines
// are small and noisy. Run
//
//	go test ./compat-tests/bench -run '^$' -bench . -benchtime 20000x
//
// Each operation's sub-benchmark reports ops/s (throughput of Clients
// concurrent clients), p50-us and p99-us (latency of one request as its client
// saw it) and rss-MB (the server's resident memory after that load).
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

	"github.com/raftzk/raftzk/compat-tests/harness"
)

func TestMain(m *testing.M) { os.Exit(harness.Main(m)) }

const (
	// Clients is the number of concurrent client sessions.
	Clients = 32
	// Nodes is how many znodes the read and setData loads spread over.
	Nodes = 1000
	// DataSize is the payload of every write.
	DataSize = 100
)

// zooKeeperJVM is how zkServer.sh starts ZooKeeper: its default 1 GB heap,
// G1 and the full JIT (the test harness's default trades those for start-up).
var zooKeeperJVM = []string{"-Xmx1000m", "-XX:+UseG1GC"}

var acl = zk.WorldACL(zk.PermAll)

type op struct {
	name string
	do   func(c *zk.Conn, i int64) error
}

func ops(root string, payload []byte) []op {
	node := func(i int64) string { return fmt.Sprintf("%s/n%04d", root, i%Nodes) }
	var created atomic.Int64 // names stay unique across the runs of growing b.N
	return []op{
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
		{"getChildren", func(c *zk.Conn, i int64) error {
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

// BenchmarkStandalone runs every operation against a standalone raftzk and
// a standalone Apache ZooKeeper (each fsyncs every write, as by default).
func BenchmarkStandalone(b *testing.B) {
	for _, target := range []string{harness.TargetRaftzk, harness.TargetZooKeeper} {
		b.Run(target, func(b *testing.B) {
			s := harness.Start(b, target, harness.Options{JVMFlags: zooKeeperJVM, Config: []string{"maxClientCnxns=0"}})
			conns := dialAll(b, s.Addr)
			root := "/bench"
			payload := make([]byte, DataSize)
			prepare(b, conns[0], root, payload)
			for _, o := range ops(root, payload) {
				b.Run(o.name, func(b *testing.B) { run(b, s, conns, o) })
			}
		})
	}
}

func dialAll(b *testing.B, addr string) []*zk.Conn {
	conns := make([]*zk.Conn, Clients)
	for i := range conns {
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

func prepare(b *testing.B, c *zk.Conn, root string, payload []byte) {
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

// run spreads b.N operations over the clients, each client one request at a
// time, as applications mostly use ZooKeeper.
func run(b *testing.B, s *harness.Server, conns []*zk.Conn, o op) {
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
				if err := o.do(c, i); err != nil {
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
		b.Fatalf("%s: %v", o.name, err)
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
	b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-us")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-us")
	if rss := rssMB(s.Pid()); rss > 0 {
		b.ReportMetric(rss, "rss-MB")
	}
}

// rssMB reads a process's resident set size from /proc (0 if it cannot).
func rssMB(pid int) float64 {
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
