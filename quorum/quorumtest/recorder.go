package quorumtest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"sync"

	"github.com/raftzk/raftzk/quorum"
)

// Entry is one entry applied to a Recorder.
type Entry struct {
	Zxid int64
	Data string
}

// Recorder is an append-only quorum.StateMachine that records every applied
// entry. Apply returns the number of entries after the entry. It panics if
// zxids do not strictly increase, and is safe to inspect from any goroutine.
type Recorder struct {
	mu       sync.Mutex
	entries  []Entry // append-only; snapshots share a prefix
	restores int
}

var _ quorum.StateMachine = (*Recorder)(nil)

// Apply implements quorum.StateMachine.
func (r *Recorder) Apply(zxid int64, data []byte) any {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n := len(r.entries); n > 0 && r.entries[n-1].Zxid >= zxid {
		panic(fmt.Sprintf("quorumtest: zxid %#x applied after %#x", zxid, r.entries[n-1].Zxid))
	}
	r.entries = append(r.entries, Entry{zxid, string(data)})
	return len(r.entries)
}

// Snapshot implements quorum.StateMachine.
func (r *Recorder) Snapshot() (quorum.Snapshot, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return recorderSnap(r.entries[:len(r.entries):len(r.entries)]), nil
}

// Restore implements quorum.StateMachine.
func (r *Recorder) Restore(rd io.Reader, zxid int64) error {
	var entries []Entry
	var hdr [12]byte
	for {
		if _, err := io.ReadFull(rd, hdr[:]); err == io.EOF {
			break
		} else if err != nil {
			return err
		}
		data := make([]byte, binary.BigEndian.Uint32(hdr[8:]))
		if _, err := io.ReadFull(rd, data); err != nil {
			return err
		}
		entries = append(entries, Entry{int64(binary.BigEndian.Uint64(hdr[:])), string(data)})
	}
	if n := len(entries); n > 0 && entries[n-1].Zxid != zxid {
		return fmt.Errorf("quorumtest: snapshot ends at zxid %#x, quorum says %#x", entries[n-1].Zxid, zxid)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.entries = entries
	r.restores++
	return nil
}

// Entries returns a copy of everything applied, in order.
func (r *Recorder) Entries() []Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Entry(nil), r.entries...)
}

// Restores returns how many snapshots were restored.
func (r *Recorder) Restores() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.restores
}

type recorderSnap []Entry

func (s recorderSnap) WriteTo(w io.Writer) (int64, error) {
	var buf bytes.Buffer
	for _, e := range s {
		buf.Write(binary.BigEndian.AppendUint64(nil, uint64(e.Zxid)))
		buf.Write(binary.BigEndian.AppendUint32(nil, uint32(len(e.Data))))
		buf.WriteString(e.Data)
	}
	return buf.WriteTo(w)
}

func (s recorderSnap) Release() {}
