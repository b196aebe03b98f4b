// Package quorumtest runs in-process quorum ensembles for tests: every
// server has its own Dir and a raft.InmemTransport, and the Cluster can
// partition, disconnect, heal, stop, restart and add servers. Recorder is an
// append-only quorum.StateMachine that records what was applied, so tests
// can check that no acknowledged entry is lost and that replicas agree.
package quorumtest
