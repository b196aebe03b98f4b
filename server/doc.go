// Package server is the ZooKeeper server: the client listener and its
// per-connection loops, sessions, the request pipeline, the state machine that
// applies committed log entries to the data tree, watches, ACLs and the
// four-letter words.
//
// A request flows in one direction: readLoop decodes frames and queues them on
// the connection; processLoop answers reads from the local tree and turns
// writes into log entries it proposes in session order; the apply goroutine
// (owned by quorum) applies committed entries to the tree, fires watches and
// resolves the proposals; respondLoop releases replies strictly in request
// order; writeLoop is the only writer of the socket.
package server
