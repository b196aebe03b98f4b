// Package quorum replicates raftzk's write log with Raft (hashicorp/raft)
// and keeps it durable in bbolt. It knows entries only as bytes plus a zxid
// and calls back into the server through StateMachine; it never imports the
// server, jute or protocol packages.
package quorum
