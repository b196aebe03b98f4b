// Package ensemble tests raftzk ensembles as real processes: 3 or 5
// `raftzk serve --config zoo.cfg` members on 127.0.0.1 with private data
// directories and myid files, driven by real clients (go-zookeeper/zk and
// kazoo), while members are killed (SIGKILL), paused (SIGSTOP/SIGCONT) and
// restarted by pid. Start builds the binary through compat-tests/harness
// (or runs the one named by the environment variable RAFTZK_BIN)
// and waits for a leader (srvr "Mode: leader").
//
// The same Cluster can run Apache ZooKeeper's own ensemble (Options.Target
// harness.TargetZooKeeper), which BenchmarkFailover uses to compare leader
// failover times. See README.md.
package ensemble
