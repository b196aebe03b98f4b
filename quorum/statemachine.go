package quorum

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/raft"
)

// StateMachine is implemented by the server. Apply, Snapshot and Restore are
// called from one goroutine (the apply goroutine), in log order, never
// concurrently with each other. Open calls them too, before it returns, to
// restore the newest snapshot and replay the committed log.
type StateMachine interface {
	// Apply applies one committed entry. It must be deterministic: every
	// replica applies the same entries in the same order and must reach the
	// same state. zxid is the entry's zxid (see MakeZxid). data is owned by
	// the state machine from now on. The result is handed to the Propose call
	// that proposed the entry, if it was proposed on this node; it is not
	// replicated. Apply must not call back into Node (Propose, Sync, Close
	// wait for the apply goroutine and would deadlock).
	Apply(zxid int64, data []byte) any

	// Snapshot captures the current state. No Apply runs while it runs, so
	// it should only take a cheap point-in-time reference (copy-on-write);
	// Snapshot.WriteTo later runs concurrently with Apply.
	Snapshot() (Snapshot, error)

	// Restore replaces all state with the snapshot read from r, which was
	// written by Snapshot.WriteTo when the last applied zxid was zxid.
	Restore(r io.Reader, zxid int64) error
}

// Snapshot is a point-in-time state captured by StateMachine.Snapshot.
type Snapshot interface {
	// WriteTo writes the state to w. It runs on a snapshot goroutine,
	// concurrently with StateMachine.Apply.
	WriteTo(w io.Writer) (int64, error)
	// Release is called exactly once when quorum is done with the snapshot,
	// whether or not WriteTo was called.
	Release()
}

// MakeZxid returns the zxid of the Raft entry at (term, index): the low 32
// bits of the index are ZooKeeper's counter, and the high 32 bits, ZooKeeper's
// epoch, are the term plus index/2^32. While the index is below 2^32 the
// epoch is simply the term. Past it, the epoch also moves up each time the
// counter wraps around: 2^32 entries in one term take ZooKeeper to a new
// epoch, and here they must not make the zxid go back. So the zxid is
// identical on every replica and strictly increasing along the log: a later
// entry has an equal or higher term and an equal or higher index/2^32, and
// if both are equal, a higher counter.
func MakeZxid(term, index uint64) int64 {
	return int64(term+index>>32)<<32 | int64(uint32(index))
}

// indexNear returns the index whose low 32 bits are zxid's counter and which
// lies within 2^31 of near.
func indexNear(zxid int64, near uint64) uint64 {
	return uint64(int64(near) + int64(int32(uint32(zxid)-uint32(near))))
}

// snapshotMagic starts every snapshot file quorum writes; after it come a
// version byte, the raft index the state covers and the last applied zxid.
var snapshotMagic = [4]byte{'R', 'Z', 'K', 'S'}

const (
	snapshotVersion    = 1
	snapshotHeaderSize = 4 + 1 + 8 + 8
)

// errSnapshotNotReady is returned to raft while the state machine is ahead of
// what raft has handed it (entries replayed by Open that raft re-delivers
// after it starts): a snapshot now would be labelled with too low an index.
var errSnapshotNotReady = errors.New("quorum: state machine still skipping replayed entries")

// applied is what the fsm returns for a command entry; Propose unpacks it.
type applied struct {
	zxid   int64
	result any
}

// fsm adapts a StateMachine to raft.BatchingFSM and tracks what has been
// applied. Fields marked "apply goroutine" are owned by raft's runFSM
// goroutine (or by Open before raft starts); the rest are safe for
// concurrent use.
type fsm struct {
	sm    StateMachine
	store *Store
	log   *slog.Logger

	appliedIndex uint64 // apply goroutine: last raft index reflected in sm
	fedIndex     uint64 // apply goroutine: last raft index raft handed over

	zxid atomic.Int64 // zxid of the last applied command

	mu      sync.Mutex
	changed chan struct{} // closed and replaced whenever zxid advances; guarded by mu
}

var _ raft.BatchingFSM = (*fsm)(nil)

func newFSM(sm StateMachine, store *Store, log *slog.Logger) *fsm {
	return &fsm{sm: sm, store: store, log: log, changed: make(chan struct{})}
}

// Apply implements raft.FSM.
func (f *fsm) Apply(l *raft.Log) any {
	return f.ApplyBatch([]*raft.Log{l})[0]
}

// ApplyBatch implements raft.BatchingFSM. Entries at or below appliedIndex
// were already applied by Open's replay and are skipped.
func (f *fsm) ApplyBatch(logs []*raft.Log) []any {
	out := make([]any, len(logs))
	before := f.zxid.Load()
	z := before
	for i, l := range logs {
		f.fedIndex = l.Index
		if l.Index <= f.appliedIndex {
			continue
		}
		if l.Type == raft.LogCommand {
			z = MakeZxid(l.Term, l.Index)
			out[i] = applied{zxid: z, result: f.sm.Apply(z, l.Data)}
		}
		f.appliedIndex = l.Index
	}
	f.store.StageApplied(f.appliedIndex)
	if z != before {
		f.publish(z)
	}
	return out
}

// publish makes zxid visible to AppliedZxid and wakes waiters.
func (f *fsm) publish(zxid int64) {
	f.zxid.Store(zxid)
	f.mu.Lock()
	close(f.changed)
	f.changed = make(chan struct{})
	f.mu.Unlock()
}

// changedCh returns a channel closed at the next zxid change.
func (f *fsm) changedCh() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.changed
}

// Snapshot implements raft.FSM.
func (f *fsm) Snapshot() (raft.FSMSnapshot, error) {
	if f.fedIndex < f.appliedIndex {
		return nil, errSnapshotNotReady
	}
	s, err := f.sm.Snapshot()
	if err != nil {
		return nil, fmt.Errorf("quorum: state machine snapshot: %w", err)
	}
	return &fsmSnapshot{snap: s, index: f.appliedIndex, zxid: f.zxid.Load()}, nil
}

// Restore implements raft.FSM: raft calls it when the leader sends a snapshot.
func (f *fsm) Restore(rc io.ReadCloser) error {
	return f.restore(rc)
}

// restore reads a snapshot written by fsmSnapshot.Persist into the state
// machine. Called on the apply goroutine or by Open before raft starts.
func (f *fsm) restore(r io.Reader) error {
	var hdr [snapshotHeaderSize]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return fmt.Errorf("%w: snapshot header: %v", ErrCorrupt, err)
	}
	if [4]byte(hdr[:4]) != snapshotMagic || hdr[4] != snapshotVersion {
		return fmt.Errorf("%w: snapshot header %x", ErrCorrupt, hdr[:5])
	}
	index := binary.BigEndian.Uint64(hdr[5:])
	zxid := int64(binary.BigEndian.Uint64(hdr[13:]))
	if err := f.sm.Restore(r, zxid); err != nil {
		return fmt.Errorf("quorum: state machine restore: %w", err)
	}
	f.appliedIndex = index
	f.fedIndex = index
	f.store.StageApplied(index)
	f.publish(zxid)
	f.log.Info("restored snapshot", "index", index, "zxid", zxid)
	return nil
}

// fsmSnapshot prefixes the state machine's snapshot with quorum's header.
type fsmSnapshot struct {
	snap  Snapshot
	index uint64
	zxid  int64
}

// Persist implements raft.FSMSnapshot; it runs on raft's snapshot goroutine.
func (s *fsmSnapshot) Persist(sink raft.SnapshotSink) error {
	var hdr [snapshotHeaderSize]byte
	copy(hdr[:], snapshotMagic[:])
	hdr[4] = snapshotVersion
	binary.BigEndian.PutUint64(hdr[5:], s.index)
	binary.BigEndian.PutUint64(hdr[13:], uint64(s.zxid))
	if _, err := sink.Write(hdr[:]); err != nil {
		_ = sink.Cancel()
		return fmt.Errorf("quorum: write snapshot header: %w", err)
	}
	if _, err := s.snap.WriteTo(sink); err != nil {
		_ = sink.Cancel()
		return fmt.Errorf("quorum: write snapshot: %w", err)
	}
	return sink.Close()
}

// Release implements raft.FSMSnapshot.
func (s *fsmSnapshot) Release() {
	s.snap.Release()
}
