// Package quorum replicates raftzk's write log with Raft (hashicorp/raft)
// and keeps it durable in bbolt. It knows entries only as bytes plus a zxid
// and calls back into the server through StateMachine; it never imports the
// server, jute or protocol packages.
//
// # Storage
//
// Config.Dir holds raft.db, a bbolt file with the Raft log, Raft's stable
// keys (term, vote) and the applied index (Store), and snapshots/, raft's
// FileSnapshotStore. Every StoreLogs batch is one fsynced bbolt transaction:
// an entry is acknowledged by this server only once it is on disk, and
// committed only once it is on disk on a quorum.
//
// # zxids
//
// An entry's zxid is MakeZxid(term, index): the Raft term is ZooKeeper's
// epoch and the low 32 bits of the Raft index its counter (past index 2^32
// the epoch also counts the counter's wraps; see MakeZxid). It is computed
// when the entry is applied, identically on every replica, and increases
// strictly along the log.
//
// # Goroutines and what blocks
//
//   - StateMachine.Apply, Snapshot and Restore run on one goroutine, raft's
//     apply goroutine, in log order and never concurrently with each other.
//     During Open they run on Open's caller. Apply must not call Node
//     methods that wait for it (Propose, Sync, Snapshot, Close).
//   - Snapshot.WriteTo runs on raft's snapshot goroutine, concurrently with
//     Apply; Snapshot.Release follows on the apply or snapshot goroutine.
//   - Open blocks until the state machine holds the newest snapshot plus
//     every entry this server recorded as applied; a standalone server also
//     waits to become leader (about 50-100 ms) and applies its whole log.
//   - Propose blocks until its entry is committed and applied locally, or
//     fails (ErrNotLeader, ErrLeadershipLost, ErrClosed, ctx's error).
//     Concurrent proposals share appends and fsyncs (raft's group commit),
//     so throughput grows with the number of proposers.
//   - Sync (leader only) blocks until everything committed before the call
//     is applied locally; WaitApplied blocks until a given zxid is applied.
//   - Close stops new operations, lets in-flight ones finish (bounded by a
//     few election timeouts), then stops raft and waits for every goroutine
//     quorum started.
//
// # Restart
//
// The applied index rides along in the same bbolt transaction as each log
// batch (no extra fsync) and is flushed by Close. On Open, quorum restores
// the newest snapshot and replays the log up to that index itself, before
// raft starts; raft then re-delivers those entries and the adapter skips
// them. Entries committed after the last recorded index are applied once
// the leader's commit index is known (immediately for a standalone server).
//
// # Topologies
//
// A standalone server (Config.Peers empty or only itself) is a Raft group of
// one voter on an in-memory transport: the same write path as an ensemble.
// An ensemble uses raft's TCP transport on each Peer.Addr (the zoo.cfg
// quorum port); observers are Raft non-voters. The package quorumtest runs
// in-process ensembles on raft's in-memory transport.
package quorum
