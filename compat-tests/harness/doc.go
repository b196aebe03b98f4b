// Package harness starts real ZooKeeper-speaking server processes for the
// compatibility suites: Apache ZooKeeper (from the Debian zookeeper package)
// and raftzk (built from ./cmd/raftzk), each with a private zoo.cfg and data
// directory on a free 127.0.0.1 port.
//
// A suite runs the same scenario against every target:
//
//	for _, tg := range harness.Targets() {
//		t.Run(tg.Name, func(t *testing.T) {
//			srv := tg.Start(t, harness.Options{})
//			// drive srv.Addr with a real client
//		})
//	}
//
// Servers are stopped by pid and reaped in t.Cleanup; when the test failed,
// the tail of the server's log is written with t.Log. Every method of Server
// must be called from the goroutine that owns the test (it uses t.Fatal).
//
// The environment variable RAFTZK_COMPAT_TARGETS (comma-separated, e.g.
// "zookeeper") restricts Targets.
package harness
