// Package diff is the differential runner: it plays one scenario against two
// ZooKeeper-speaking servers (Apache ZooKeeper and raftzk), records a
// transcript of everything each server answered, normalises what must differ
// (zxids, session ids, times, passwords) and compares the two.
//
// A scenario is a text file in a small line-based language (see README.md and
// ParseScenario). Running a scenario against one address gives a Transcript:
// one line per reply, watch event, handshake and wait, in a deterministic
// order (every step waits for its reply; events are placed in the order they
// arrived on their connection, relative to that connection's replies). Zxids
// become Z1, Z2, ... by rank within the transcript, session ids become the
// scenario's session names, and times are checked for plausibility instead of
// compared. CompareTranscripts reports the first differing lines side by side.
//
// Scenarios run one at a time per server, each under its own root znode
// ($R), so that reply zxids (the server's last applied zxid) only reflect the
// scenario's own writes. After a scenario the runner closes its sessions and
// deletes its root, so nothing it leaves behind (ephemerals, containers, TTL
// nodes) changes the zxid sequence of the next one.
package diff
