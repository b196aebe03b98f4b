package quorum

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// entry is one applied entry recorded by recordSM.
type entry struct {
	zxid int64
	data string
}

// recordSM is an append-only state machine: it records every applied entry
// and counts bytes. Apply returns the total byte count after the entry.
type recordSM struct {
	mu       sync.Mutex
	entries  []entry // append-only; snapshots share its prefix
	bytes    int
	restores int
}

func (s *recordSM) Apply(zxid int64, data []byte) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.entries); n > 0 && s.entries[n-1].zxid >= zxid {
		panic(fmt.Sprintf("zxid %#x applied after %#x", zxid, s.entries[n-1].zxid))
	}
	s.entries = append(s.entries, entry{zxid, string(data)})
	s.bytes += len(data)
	return s.bytes
}

func (s *recordSM) Snapshot() (Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Entries are never modified, so sharing the prefix is a point-in-time copy.
	return recordSnap(s.entries[:len(s.entries):len(s.entries)]), nil
}

func (s *recordSM) Restore(r io.Reader, zxid int64) error {
	var entries []entry
	var hdr [12]byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err == io.EOF {
			break
		} else if err != nil {
			return err
		}
		data := make([]byte, binary.BigEndian.Uint32(hdr[8:]))
		if _, err := io.ReadFull(r, data); err != nil {
			return err
		}
		entries = append(entries, entry{int64(binary.BigEndian.Uint64(hdr[:])), string(data)})
	}
	if n := len(entries); n > 0 && entries[n-1].zxid != zxid {
		return fmt.Errorf("snapshot ends at zxid %#x, header says %#x", entries[n-1].zxid, zxid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries = entries
	s.bytes = 0
	for _, e := range entries {
		s.bytes += len(e.data)
	}
	s.restores++
	return nil
}

func (s *recordSM) snapshotEntries() []entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]entry(nil), s.entries...)
}

func (s *recordSM) restoreCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.restores
}

type recordSnap []entry

func (rs recordSnap) WriteTo(w io.Writer) (int64, error) {
	var buf bytes.Buffer
	for _, e := range rs {
		buf.Write(binary.BigEndian.AppendUint64(nil, uint64(e.zxid)))
		buf.Write(binary.BigEndian.AppendUint32(nil, uint32(len(e.data))))
		buf.WriteString(e.data)
	}
	return buf.WriteTo(w)
}

func (rs recordSnap) Release() {}

// testLogger sends logs to t.Log.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// testConfig is a standalone config in dir.
func testConfig(t testing.TB, dir string) Config {
	cfg := DefaultConfig()
	cfg.ServerID = 1
	cfg.Dir = dir
	cfg.Logger = testLogger(t)
	cfg.StartTimeout = 10 * time.Second
	return cfg
}

func openNode(t testing.TB, cfg Config, sm StateMachine) *Node {
	t.Helper()
	n, err := Open(cfg, sm)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = n.Close() })
	return n
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond) // polling a condition, not synchronising
	}
}
