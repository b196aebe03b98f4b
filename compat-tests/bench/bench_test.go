package bench

import (
	"os"
	"testing"

	"github.com/raftzk/raftzk/compat-tests/harness"
)

func TestMain(m *testing.M) { os.Exit(harness.Main(m)) }

// BenchmarkStandalone runs every operation of Ops against a standalone
// raftzk and then a standalone Apache ZooKeeper (each fsyncs every write, as
// by default). Compare the ratios, not the absolute numbers: the machines
// are small and noisy. Run
//
//	go test ./compat-tests/bench -run '^$' -bench . -benchtime 30000x
func BenchmarkStandalone(b *testing.B) {
	for _, target := range []string{harness.TargetRaftzk, harness.TargetZooKeeper} {
		b.Run(target, func(b *testing.B) {
			s := harness.Start(b, target, harness.Options{JVMFlags: ZooKeeperJVM, Config: []string{"maxClientCnxns=0"}})
			conns := Dial(b, []string{s.Addr})
			Prepare(b, conns[0], "/bench")
			for _, o := range Ops("/bench") {
				b.Run(o.Name, func(b *testing.B) { Run(b, conns, o, s.Pid()) })
			}
		})
	}
}
