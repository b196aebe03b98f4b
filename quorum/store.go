package quorum

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/raft"
	bolt "go.etcd.io/bbolt"
)

// Bucket layout of raft.db. Keys of bucketLogs are big-endian indexes so a
// cursor walks them in log order.
var (
	bucketLogs   = []byte("logs")
	bucketStable = []byte("stable")
	bucketQuorum = []byte("quorum")

	// keyApplied holds the highest log index known to be applied (and hence
	// committed). It is written in the same transaction as a StoreLogs batch,
	// so it never costs an extra fsync; see Store.StageApplied.
	keyApplied = []byte("applied")
)

// logEncodingVersion is the first byte of every stored entry.
const logEncodingVersion = 1

// ErrCorrupt is returned when raft.db holds bytes this package cannot decode.
var ErrCorrupt = errors.New("quorum: corrupt log store")

// Store is a raft.LogStore and raft.StableStore kept in one bbolt file.
// Every write transaction is fsynced before it returns, so an entry handed to
// StoreLogs is durable once StoreLogs returns nil.
//
// Store is safe for concurrent use: raft calls it from its main loop, its
// replication goroutines and its snapshot goroutine.
type Store struct {
	db *bolt.DB

	mu         sync.Mutex
	applied    uint64 // staged by StageApplied; guarded by mu
	appliedOut uint64 // last value written to disk; guarded by mu
}

var (
	_ raft.LogStore    = (*Store)(nil)
	_ raft.StableStore = (*Store)(nil)
)

// StoreOptions tunes OpenStore.
type StoreOptions struct {
	// LockTimeout bounds the wait for another process's lock on the file.
	LockTimeout time.Duration
	// NoSync skips fsync: a crash may lose acknowledged writes. For tests
	// only (in-process clusters whose durability is not under test).
	NoSync bool
}

// OpenStore opens (creating if needed) the bbolt file at path.
func OpenStore(path string, opts StoreOptions) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout, NoFreelistSync: true, NoSync: opts.NoSync, InitialMmapSize: 256 << 20})
	if err != nil {
		return nil, fmt.Errorf("quorum: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketLogs, bucketStable, bucketQuorum} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("quorum: init %s: %w", path, err)
	}
	s := &Store{db: db}
	if s.appliedOut, err = s.AppliedIndex(); err != nil {
		_ = db.Close()
		return nil, err
	}
	s.applied = s.appliedOut
	return s, nil
}

// Close closes the bbolt file. Call it only after raft has shut down.
func (s *Store) Close() error {
	return s.db.Close()
}

// FirstIndex returns the first stored index, or 0 when the log is empty.
func (s *Store) FirstIndex() (uint64, error) {
	var idx uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		if k, _ := tx.Bucket(bucketLogs).Cursor().First(); k != nil {
			idx = binary.BigEndian.Uint64(k)
		}
		return nil
	})
	return idx, err
}

// LastIndex returns the last stored index, or 0 when the log is empty.
func (s *Store) LastIndex() (uint64, error) {
	var idx uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		if k, _ := tx.Bucket(bucketLogs).Cursor().Last(); k != nil {
			idx = binary.BigEndian.Uint64(k)
		}
		return nil
	})
	return idx, err
}

// GetLog reads the entry at index into l, or returns raft.ErrLogNotFound.
func (s *Store) GetLog(index uint64, l *raft.Log) error {
	return s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketLogs).Get(indexKey(index))
		if v == nil {
			return raft.ErrLogNotFound
		}
		// v is only valid during the transaction; decodeLog copies.
		return decodeLog(v, l)
	})
}

// StoreLog stores one entry durably.
func (s *Store) StoreLog(l *raft.Log) error {
	return s.StoreLogs([]*raft.Log{l})
}

// StoreLogs stores a batch of entries in one fsynced transaction, together
// with the applied index staged since the previous batch.
func (s *Store) StoreLogs(logs []*raft.Log) error {
	s.mu.Lock()
	applied := s.applied
	s.mu.Unlock()
	var buf []byte
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLogs)
		for _, l := range logs {
			buf = encodeLog(buf[:0], l)
			// bbolt keeps a reference to the value until commit, so each
			// Put needs its own slice.
			v := make([]byte, len(buf))
			copy(v, buf)
			if err := b.Put(indexKey(l.Index), v); err != nil {
				return err
			}
		}
		return s.putApplied(tx, applied)
	})
	if err != nil {
		return fmt.Errorf("quorum: store logs: %w", err)
	}
	s.noteApplied(applied)
	return nil
}

// DeleteRange deletes entries min..max inclusive.
func (s *Store) DeleteRange(lo, hi uint64) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketLogs).Cursor()
		for k, _ := c.Seek(indexKey(lo)); k != nil; k, _ = c.Next() {
			if binary.BigEndian.Uint64(k) > hi {
				break
			}
			if err := c.Delete(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("quorum: delete range %d-%d: %w", lo, hi, err)
	}
	return nil
}

// Set stores a stable key durably.
func (s *Store) Set(key, val []byte) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketStable).Put(key, append([]byte(nil), val...))
	})
}

// Get returns the value of a stable key, or nil (and no error) when it is
// absent, as raft.StableStore documents.
func (s *Store) Get(key []byte) ([]byte, error) {
	var val []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketStable).Get(key); v != nil {
			val = append([]byte(nil), v...)
		}
		return nil
	})
	return val, err
}

// SetUint64 stores a stable uint64 durably.
func (s *Store) SetUint64(key []byte, val uint64) error {
	return s.Set(key, binary.BigEndian.AppendUint64(nil, val))
}

// GetUint64 returns a stable uint64, or 0 when it is absent.
func (s *Store) GetUint64(key []byte) (uint64, error) {
	v, err := s.Get(key)
	if err != nil || v == nil {
		return 0, err
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("%w: stable key %q has %d bytes", ErrCorrupt, key, len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

// StageApplied records that every entry up to index has been applied. The
// value reaches disk with the next StoreLogs batch (or FlushApplied), never
// with a transaction of its own; on restart entries up to it are replayed
// before raft starts. Called from the apply goroutine only. It moves
// backwards only when a snapshot from the leader replaces the state.
func (s *Store) StageApplied(index uint64) {
	s.mu.Lock()
	s.applied = index
	s.mu.Unlock()
}

// FlushApplied writes the staged applied index if it has changed since the
// last write. Node.Close calls it after raft has stopped.
func (s *Store) FlushApplied() error {
	s.mu.Lock()
	applied, out := s.applied, s.appliedOut
	s.mu.Unlock()
	if applied == out {
		return nil
	}
	if err := s.db.Update(func(tx *bolt.Tx) error { return s.putApplied(tx, applied) }); err != nil {
		return fmt.Errorf("quorum: flush applied index: %w", err)
	}
	s.noteApplied(applied)
	return nil
}

// AppliedIndex returns the applied index stored on disk.
func (s *Store) AppliedIndex() (uint64, error) {
	var idx uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketQuorum).Get(keyApplied)
		switch {
		case v == nil:
		case len(v) == 8:
			idx = binary.BigEndian.Uint64(v)
		default:
			return fmt.Errorf("%w: applied index has %d bytes", ErrCorrupt, len(v))
		}
		return nil
	})
	return idx, err
}

func (s *Store) putApplied(tx *bolt.Tx, applied uint64) error {
	s.mu.Lock()
	out := s.appliedOut
	s.mu.Unlock()
	if applied == out {
		return nil
	}
	return tx.Bucket(bucketQuorum).Put(keyApplied, binary.BigEndian.AppendUint64(nil, applied))
}

func (s *Store) noteApplied(applied uint64) {
	s.mu.Lock()
	s.appliedOut = applied
	s.mu.Unlock()
}

func indexKey(i uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), i)
}

// encodeLog appends the stored form of l to buf:
//
//	version u8 | index uvarint | term uvarint | type u8 | appendedAt varint (unix ns, 0 = zero)
//	| len(data) uvarint | data | len(extensions) uvarint | extensions
func encodeLog(buf []byte, l *raft.Log) []byte {
	buf = append(buf, logEncodingVersion)
	buf = binary.AppendUvarint(buf, l.Index)
	buf = binary.AppendUvarint(buf, l.Term)
	buf = append(buf, byte(l.Type))
	var at int64
	if !l.AppendedAt.IsZero() {
		at = l.AppendedAt.UnixNano()
	}
	buf = binary.AppendVarint(buf, at)
	buf = binary.AppendUvarint(buf, uint64(len(l.Data)))
	buf = append(buf, l.Data...)
	buf = binary.AppendUvarint(buf, uint64(len(l.Extensions)))
	buf = append(buf, l.Extensions...)
	return buf
}

// decodeLog parses the output of encodeLog into l, copying the byte fields.
func decodeLog(b []byte, l *raft.Log) error {
	d := decoder{b: b}
	if v := d.byte(); v != logEncodingVersion {
		return fmt.Errorf("%w: entry encoding version %d", ErrCorrupt, v)
	}
	l.Index = d.uvarint()
	l.Term = d.uvarint()
	l.Type = raft.LogType(d.byte())
	if at := d.varint(); at != 0 {
		l.AppendedAt = time.Unix(0, at)
	} else {
		l.AppendedAt = time.Time{}
	}
	l.Data = d.bytes()
	l.Extensions = d.bytes()
	if d.err != nil {
		return d.err
	}
	if len(d.b) != 0 {
		return fmt.Errorf("%w: %d trailing bytes in entry %d", ErrCorrupt, len(d.b), l.Index)
	}
	return nil
}

// decoder reads encodeLog's format, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = fmt.Errorf("%w: truncated entry", ErrCorrupt)
	}
	d.b = nil
}

func (d *decoder) byte() byte {
	if len(d.b) < 1 {
		d.fail()
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	if n == 0 {
		return nil
	}
	v := make([]byte, n)
	copy(v, d.b[:n])
	d.b = d.b[n:]
	return v
}
