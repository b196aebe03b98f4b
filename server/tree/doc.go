// Package tree is ZooKeeper's data tree: znodes with their data, ACLs and
// Stat, the session table with each session's ephemerals, and the rules every
// write follows (the checks and their order from PrepRequestProcessor, the
// Stat effects from DataTree).
//
// The tree is pure and deterministic: no goroutines, no clock, no I/O. Time and
// zxid arrive with each transaction, so every replica that applies the same
// transactions in the same order holds the same tree. A Tree is not safe for
// concurrent use; the server guards it with a RWMutex and lets only its apply
// goroutine write.
package tree
