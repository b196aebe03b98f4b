// Package zkraw is a small raw-protocol ZooKeeper client built on the jute and
// protocol packages. Unlike a real client it hides nothing: a caller chooses
// every opcode, xid and byte on the wire, can send malformed or oversized
// frames, resumes sessions by id and password, and drops connections without
// closeSession. It is meant for tests (the differential runner, server tests)
// and for load generation (raftzk bench).
//
// A Conn is one TCP connection and, after its handshake, one session. Each Conn
// owns a reader goroutine that decodes every frame the server sends and
// records it, in arrival order, as a Packet: replies (matched to the opcode of
// the request that carried the same xid, so bodies are decoded) and watch
// notifications (xid -1). Callers either wait for the reply to one xid (Do,
// Wait) or inspect the whole arrival log (Packets, WaitPacket). Set
// Options.DiscardLog to keep no log (for load generation).
//
// All methods of Conn are safe for concurrent use; requests written by
// concurrent callers are serialised on the socket in the order Send is called.
package zkraw
