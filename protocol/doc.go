// Package protocol gives meaning to the jute records on a ZooKeeper client
// connection: opcodes, error codes, create modes, permissions, watch event
// types and states, the special xids, length-prefixed framing bounded by
// jute.maxbuffer, the connect handshake, multi framing, path validation, and
// the table from opcode to request and response record.
//
// Everything here is pure: no goroutines, no I/O beyond the io.Reader or
// io.Writer a caller hands in.
package protocol
