package server

import (
	"errors"
	"fmt"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
)

// A log entry is a jute TxnHeader (session, cxid, time stamped by the
// proposer, opcode; zxid 0, since the zxid comes from the log position), the
// identities of the connection that sent it (so ACLs are checked at apply
// time, race-free), then the request record. Replicas apply it
// deterministically: every check runs at apply time against the tree as it is
// at that point of the log.
type entry struct {
	hdr  jute.TxnHeader
	ids  []jute.Id
	body jute.Record // nil for closeSession
}

var errBadEntry = errors.New("server: malformed log entry")

func (e *entry) encode() []byte {
	var enc jute.Encoder
	e.hdr.Encode(&enc)
	enc.VectorLen(len(e.ids))
	for i := range e.ids {
		e.ids[i].Encode(&enc)
	}
	if e.body != nil {
		e.body.Encode(&enc)
	}
	return enc.B
}

func entryBody(op protocol.Op) (jute.Record, bool) {
	switch op {
	case protocol.OpCreateSession:
		return &jute.CreateSessionTxn{}, true
	case protocol.OpCloseSession:
		return nil, true
	case protocol.OpDeleteContainer:
		return &jute.DeleteTxn{}, true
	case protocol.OpError:
		return &jute.ErrorTxn{}, true
	case protocol.OpReconfig:
		return &jute.SetDataTxn{}, true
	case protocol.OpCreate, protocol.OpCreate2, protocol.OpCreateContainer,
		protocol.OpCreateTTL, protocol.OpDelete, protocol.OpSetData,
		protocol.OpSetACL, protocol.OpMulti:
		rec, _ := protocol.NewRequest(op)
		return rec, true
	}
	return nil, false
}

func decodeEntry(b []byte) (*entry, error) {
	e := &entry{}
	d := jute.NewDecoder(b)
	e.hdr.Decode(&d)
	if n := d.VectorLen(8); n > 0 {
		e.ids = make([]jute.Id, n)
		for i := range e.ids {
			e.ids[i].Decode(&d)
		}
	}
	if d.Err() != nil {
		return nil, fmt.Errorf("%w: %v", errBadEntry, d.Err())
	}
	body, ok := entryBody(protocol.Op(e.hdr.Type))
	if !ok {
		return nil, fmt.Errorf("%w: type %d", errBadEntry, e.hdr.Type)
	}
	if body != nil {
		body.Decode(&d)
		if d.Err() != nil {
			return nil, fmt.Errorf("%w: %v", errBadEntry, d.Err())
		}
	}
	e.body = body
	return e, nil
}
