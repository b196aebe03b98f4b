package quorum

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

func openTestStore(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := OpenStore(filepath.Join(dir, "raft.db"), StoreOptions{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func testLog(i uint64) *raft.Log {
	return &raft.Log{
		Index:      i,
		Term:       i/10 + 1,
		Type:       raft.LogCommand,
		Data:       []byte{byte(i), byte(i >> 8), 0xAB},
		Extensions: []byte("ext"),
		AppendedAt: time.Unix(1700000000, int64(i)),
	}
}

func TestStore_LogsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := openTestStore(t, dir)

	if first, _ := s.FirstIndex(); first != 0 {
		t.Fatalf("FirstIndex of empty store = %d, want 0", first)
	}
	if last, _ := s.LastIndex(); last != 0 {
		t.Fatalf("LastIndex of empty store = %d, want 0", last)
	}
	var got raft.Log
	if err := s.GetLog(1, &got); !errors.Is(err, raft.ErrLogNotFound) {
		t.Fatalf("GetLog on empty store: err = %v, want ErrLogNotFound", err)
	}

	var batch []*raft.Log
	for i := uint64(1); i <= 300; i++ {
		batch = append(batch, testLog(i))
	}
	if err := s.StoreLogs(batch[:299]); err != nil {
		t.Fatal(err)
	}
	if err := s.StoreLog(batch[299]); err != nil {
		t.Fatal(err)
	}
	check := func(s *Store, lo, hi uint64) {
		t.Helper()
		if first, err := s.FirstIndex(); err != nil || first != lo {
			t.Fatalf("FirstIndex = %d, %v; want %d", first, err, lo)
		}
		if last, err := s.LastIndex(); err != nil || last != hi {
			t.Fatalf("LastIndex = %d, %v; want %d", last, err, hi)
		}
		for i := lo; i <= hi; i++ {
			var l raft.Log
			if err := s.GetLog(i, &l); err != nil {
				t.Fatalf("GetLog(%d): %v", i, err)
			}
			want := testLog(i)
			if l.Index != want.Index || l.Term != want.Term || l.Type != want.Type ||
				!bytes.Equal(l.Data, want.Data) || !bytes.Equal(l.Extensions, want.Extensions) ||
				!l.AppendedAt.Equal(want.AppendedAt) {
				t.Fatalf("GetLog(%d) = %+v, want %+v", i, l, want)
			}
		}
	}
	check(s, 1, 300)

	// Compaction of a prefix, then truncation of a suffix (a follower
	// dropping a conflicting tail).
	if err := s.DeleteRange(1, 100); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRange(251, 300); err != nil {
		t.Fatal(err)
	}
	check(s, 101, 250)
	if err := s.GetLog(100, &got); !errors.Is(err, raft.ErrLogNotFound) {
		t.Fatalf("GetLog(100) after delete: err = %v, want ErrLogNotFound", err)
	}

	// Everything survives a reopen.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTestStore(t, dir)
	defer s.Close()
	check(s, 101, 250)
}

func TestStore_Stable(t *testing.T) {
	dir := t.TempDir()
	s := openTestStore(t, dir)

	if v, err := s.Get([]byte("missing")); err != nil || v != nil {
		t.Fatalf("Get(missing) = %q, %v; want nil, nil", v, err)
	}
	if v, err := s.GetUint64([]byte("missing")); err != nil || v != 0 {
		t.Fatalf("GetUint64(missing) = %d, %v; want 0, nil", v, err)
	}
	if err := s.Set([]byte("k"), []byte("v1")); err != nil {
		t.Fatal(err)
	}
	if err := s.SetUint64([]byte("CurrentTerm"), 42); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTestStore(t, dir)
	defer s.Close()
	if v, err := s.Get([]byte("k")); err != nil || string(v) != "v1" {
		t.Fatalf("Get(k) = %q, %v; want v1", v, err)
	}
	if v, err := s.GetUint64([]byte("CurrentTerm")); err != nil || v != 42 {
		t.Fatalf("GetUint64(CurrentTerm) = %d, %v; want 42", v, err)
	}
	if _, err := s.GetUint64([]byte("k")); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("GetUint64 of a 2-byte value: err = %v, want ErrCorrupt", err)
	}
}

func TestStore_AppliedRidesWithLogs(t *testing.T) {
	dir := t.TempDir()
	s := openTestStore(t, dir)
	s.StageApplied(7)
	// Staging alone writes nothing.
	if got, _ := s.AppliedIndex(); got != 0 {
		t.Fatalf("applied on disk after StageApplied = %d, want 0", got)
	}
	if err := s.StoreLog(testLog(8)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.AppliedIndex(); got != 7 {
		t.Fatalf("applied on disk after StoreLog = %d, want 7", got)
	}
	s.StageApplied(9)
	s.StageApplied(8) // the last staged value wins
	if err := s.FlushApplied(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTestStore(t, dir)
	defer s.Close()
	if got, _ := s.AppliedIndex(); got != 8 {
		t.Fatalf("applied on disk after reopen = %d, want 8", got)
	}
}

func TestStore_Locked(t *testing.T) {
	dir := t.TempDir()
	s := openTestStore(t, dir)
	defer s.Close()
	if _, err := OpenStore(filepath.Join(dir, "raft.db"), StoreOptions{LockTimeout: 50 * time.Millisecond}); err == nil {
		t.Fatal("second OpenStore of a locked file succeeded")
	}
}

func TestDecodeLog_Corrupt(t *testing.T) {
	full := encodeLog(nil, testLog(3))
	for n := 0; n < len(full); n++ {
		var l raft.Log
		if err := decodeLog(full[:n], &l); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("decodeLog of %d/%d bytes: err = %v, want ErrCorrupt", n, len(full), err)
		}
	}
	var l raft.Log
	if err := decodeLog(append(full, 0), &l); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("decodeLog with trailing byte: err = %v, want ErrCorrupt", err)
	}
}
