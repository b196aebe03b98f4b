package server

import (
	"bytes"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
	"github.com/raftzk/raftzk/server/tree"
	"github.com/raftzk/raftzk/server/watch"
)

// applyResult is what applying one entry gives its proposer: a ZooKeeper
// result code and, on success, the response record.
type applyResult struct {
	code protocol.Code
	resp jute.Record
}

// stateMachine applies committed log entries to the tree. Apply, Snapshot and
// Restore are called from the one apply goroutine; readers take mu.RLock.
type stateMachine struct {
	log     *slog.Logger
	opts    tree.Options
	watches *watch.Manager

	mu   sync.RWMutex // guards t; only the apply goroutine takes it for writing
	t    *tree.Tree
	last atomic.Int64 // zxid of the last applied entry

	// configChanged is called (outside mu) with the new membership text
	// after a reconfig is applied.
	configChanged func(data []byte)

	// sessionCreated and sessionClosed are called (outside mu) after a
	// createSession or closeSession is applied, on every replica.
	sessionCreated func(id int64, timeout int32)
	sessionClosed  func(id int64)

	// eventsQueued is called after a transaction's watch events are queued
	// (still under mu, so before any reply that shows the change).
	eventsQueued func()

	// waiters receive the results of entries this server forwarded.
	waiters *waiters
}

func newStateMachine(log *slog.Logger, opts tree.Options, w *watch.Manager) *stateMachine {
	return &stateMachine{log: log, opts: opts, watches: w, t: tree.New(opts), waiters: newWaiters()}
}

// Apply applies one committed entry at zxid.
func (s *stateMachine) Apply(zxid int64, data []byte) any {
	e, err := decodeEntry(data)
	if err != nil {
		// Every replica decodes the same bytes the same way, so answering
		// with an error keeps them identical.
		s.log.Error("cannot decode log entry", "zxid", zxid, "err", err)
		s.mu.Lock()
		s.t.SetLastZxid(zxid)
		s.mu.Unlock()
		s.last.Store(zxid)
		return &applyResult{code: protocol.CodeMarshallingError}
	}
	tx := &tree.Txn{Zxid: zxid, Time: e.hdr.Time, Session: e.hdr.ClientID, Ids: e.ids}
	// Notifications carry zxid -1, as ZooKeeper 3.8 sends them (3.9 sends
	// the transaction's zxid; clients do not depend on either).
	const nz = -1
	s.mu.Lock()
	res := s.applyLocked(tx, e)
	s.t.SetLastZxid(zxid)
	for _, ev := range tx.Events {
		s.watches.Trigger(ev.Type, ev.Path, nz, ev.ACL)
	}
	if len(tx.Events) > 0 && s.eventsQueued != nil {
		s.eventsQueued()
	}
	s.mu.Unlock()
	s.last.Store(zxid)
	switch protocol.Op(e.hdr.Type) {
	case protocol.OpCreateSession:
		if s.sessionCreated != nil {
			s.sessionCreated(e.hdr.ClientID, e.body.(*jute.CreateSessionTxn).TimeOut)
		}
	case protocol.OpCloseSession:
		if s.sessionClosed != nil {
			s.sessionClosed(e.hdr.ClientID)
		}
	case protocol.OpReconfig:
		if res.code == protocol.CodeOK && s.configChanged != nil {
			s.configChanged(res.resp.(*jute.GetDataResponse).Data)
		}
	}
	s.waiters.trigger(waitKey{e.hdr.ClientID, e.hdr.Cxid}, zxid, res)
	return res
}

func (s *stateMachine) applyLocked(tx *tree.Txn, e *entry) *applyResult {
	t := s.t
	op := protocol.Op(e.hdr.Type)
	switch r := e.body.(type) {
	case *jute.CreateSessionTxn:
		t.CreateSession(tx, r.TimeOut)
		return &applyResult{}
	case nil:
		if op == protocol.OpCloseSession {
			t.CloseSession(tx)
			return &applyResult{}
		}
	case *jute.ErrorTxn:
		return &applyResult{code: protocol.Code(r.Err)}
	case *jute.DeleteTxn:
		return &applyResult{code: t.DeleteContainer(tx, r.Path)}
	case *jute.CreateRequest:
		path, n, code := t.Create(tx, &tree.CreateRequest{Op: op, Path: r.Path, Data: r.Data, ACL: r.ACL, Flags: r.Flags, TTL: -1})
		return createResult(op, path, n, code)
	case *jute.CreateTTLRequest:
		path, n, code := t.Create(tx, &tree.CreateRequest{Op: op, Path: r.Path, Data: r.Data, ACL: r.ACL, Flags: r.Flags, TTL: r.Ttl})
		return createResult(op, path, n, code)
	case *jute.DeleteRequest:
		return &applyResult{code: t.Delete(tx, r.Path, r.Version)}
	case *jute.SetDataRequest:
		n, code := t.SetData(tx, r.Path, r.Data, r.Version)
		if code != protocol.CodeOK {
			return &applyResult{code: code}
		}
		return &applyResult{resp: &jute.SetDataResponse{Stat: n.StatCopy()}}
	case *jute.SetACLRequest:
		n, code := t.SetACL(tx, r.Path, r.ACL, r.Version)
		if code != protocol.CodeOK {
			return &applyResult{code: code}
		}
		return &applyResult{resp: &jute.SetACLResponse{Stat: n.StatCopy()}}
	case *jute.SetDataTxn: // reconfig
		n := t.Reconfig(tx, r.Data)
		resp := &jute.GetDataResponse{Data: n.Data}
		n.CopyStat(&resp.Stat)
		return &applyResult{resp: resp}
	case *protocol.MultiRequest:
		return &applyResult{resp: &protocol.MultiResponse{Results: t.Multi(tx, r.Ops)}}
	}
	s.log.Error("log entry of unexpected type", "zxid", tx.Zxid, "op", op)
	return &applyResult{code: protocol.CodeMarshallingError}
}

func createResult(op protocol.Op, path string, n *tree.Node, code protocol.Code) *applyResult {
	if code != protocol.CodeOK {
		return &applyResult{code: code}
	}
	if op == protocol.OpCreate {
		return &applyResult{resp: &jute.CreateResponse{Path: path}}
	}
	return &applyResult{resp: &jute.Create2Response{Path: path, Stat: n.StatCopy()}}
}

// memSnapshot is a point-in-time snapshot serialised while no Apply runs.
type memSnapshot struct{ b []byte }

func (m *memSnapshot) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(m.b)
	return int64(n), err
}

func (m *memSnapshot) Release() { m.b = nil }

// snapshot serialises the tree in ZooKeeper's snapshot format.
func (s *stateMachine) snapshot() (*memSnapshot, error) {
	var buf bytes.Buffer
	s.mu.RLock()
	err := s.t.WriteSnapshot(&buf)
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	return &memSnapshot{b: buf.Bytes()}, nil
}

// restore replaces the tree with a snapshot taken at zxid.
func (s *stateMachine) restore(r io.Reader, zxid int64) error {
	t, err := tree.ReadSnapshot(r, s.opts)
	if err != nil {
		return err
	}
	t.SetLastZxid(zxid)
	s.mu.Lock()
	s.t = t
	s.mu.Unlock()
	s.last.Store(zxid)
	return nil
}
