package quorum

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
)

// countSM counts applied bytes and keeps nothing else.
type countSM struct{ bytes atomic.Int64 }

func (s *countSM) Apply(_ int64, data []byte) any {
	return s.bytes.Add(int64(len(data)))
}

func (s *countSM) Snapshot() (Snapshot, error)        { return recordSnap(nil), nil }
func (s *countSM) Restore(r io.Reader, _ int64) error { _, err := io.Copy(io.Discard, r); return err }

func benchNode(b *testing.B) (*Node, *countSM) {
	cfg := testConfig(b, b.TempDir())
	cfg.Logger = slog.New(slog.DiscardHandler)
	sm := &countSM{}
	return openNode(b, cfg, sm), sm
}

// BenchmarkPropose_Sequential measures one proposer: every entry pays a
// full fsync.
func BenchmarkPropose_Sequential(b *testing.B) {
	n, sm := benchNode(b)
	ctx := context.Background()
	data := make([]byte, 100)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := n.Propose(ctx, data); err != nil {
			b.Fatal(err)
		}
	}
	if sm.bytes.Load() < int64(b.N*len(data)) {
		b.Fatalf("applied %d bytes, want at least %d", sm.bytes.Load(), b.N*len(data))
	}
}

// BenchmarkPropose_Parallel measures many proposers sharing fsyncs through
// raft's group commit. Run with -cpu to vary the proposers (x64 per CPU).
func BenchmarkPropose_Parallel(b *testing.B) {
	n, sm := benchNode(b)
	data := make([]byte, 100)
	b.SetBytes(int64(len(data)))
	b.SetParallelism(64)
	b.RunParallel(func(pb *testing.PB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		for pb.Next() {
			if _, _, err := n.Propose(ctx, data); err != nil {
				b.Error(err)
				return
			}
		}
	})
	if sm.bytes.Load() < int64(b.N*len(data)) {
		b.Fatalf("applied %d bytes, want at least %d", sm.bytes.Load(), b.N*len(data))
	}
}
