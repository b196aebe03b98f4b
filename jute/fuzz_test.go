package jute_test

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/jute/jutetest"
)

// Fuzz targets for every decoder in the package. CI runs them as plain tests
// over the seed corpus (the golden frames and txn log, plus testdata/fuzz);
// run one for real with e.g.
//
//	go test ./jute -run='^$' -fuzz='^FuzzRecord$' -fuzztime=45s

// txnEntry is one txn as the log stores it and as a Raft entry carries it:
// TxnHeader, the body its type selects, and an optional TxnDigest.
type txnEntry struct {
	Hdr    jute.TxnHeader
	Body   jute.Record
	Digest *jute.TxnDigest
}

var errUnknownTxn = errors.New("unknown txn type")

func (x *txnEntry) Encode(e *jute.Encoder) {
	x.Hdr.Encode(e)
	x.Body.Encode(e)
	if x.Digest != nil {
		x.Digest.Encode(e)
	}
}

func (x *txnEntry) Decode(d *jute.Decoder) {
	x.Hdr.Decode(d)
	if d.Err() != nil {
		return
	}
	if x.Body = txnRecord(x.Hdr.Type); x.Body == nil {
		d.Fail(errUnknownTxn)
		return
	}
	x.Body.Decode(d)
	if d.Err() == nil && d.Remaining() > 0 {
		x.Digest = &jute.TxnDigest{}
		x.Digest.Decode(d)
	}
}

type recordSeed struct {
	kind uint8
	data []byte
}

// fuzzSeeds returns (record index, bytes) pairs: every golden payload body
// (after the request or reply header) paired with every record type that
// decodes it exactly, and the whole payloads as headers and handshakes.
func fuzzSeeds(tb testing.TB) []recordSeed {
	tb.Helper()
	payloads := goldenPayloads(tb)
	names := make([]string, 0, len(payloads))
	for n := range payloads {
		names = append(names, n)
	}
	sort.Strings(names)
	var seeds []recordSeed
	seen := map[string]bool{}
	add := func(kind int, b []byte) {
		k := string(rune(kind)) + string(b)
		if !seen[k] {
			seen[k] = true
			seeds = append(seeds, recordSeed{uint8(kind), b})
		}
	}
	for _, n := range names {
		p := payloads[n]
		for _, body := range [][]byte{p, tail(p, 8), tail(p, 16)} {
			for i, r := range records {
				d := jute.NewDecoder(body)
				r.new().Decode(&d)
				if d.Err() == nil && d.Remaining() == 0 {
					add(i, body)
				}
			}
		}
	}
	for _, x := range goldenTxns(tb) {
		for i, r := range records {
			d := jute.NewDecoder(x)
			r.new().Decode(&d)
			if d.Err() == nil && d.Remaining() == 0 {
				add(i, x)
			}
		}
	}
	return seeds
}

func tail(b []byte, n int) []byte {
	if len(b) < n {
		return nil
	}
	return b[n:]
}

// goldenTxns returns the raw txns of the golden txn logs, and the sub-txns of
// their multis.
func goldenTxns(tb testing.TB) [][]byte {
	tb.Helper()
	logs, _ := filepath.Glob(filepath.Join(goldenDir, "txnlog-*.bin"))
	var out [][]byte
	for _, name := range logs {
		b, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		for off := 16; off+12 <= len(b); {
			n := int(binary.BigEndian.Uint32(b[off+8:]))
			if off+12+n+1 > len(b) {
				break
			}
			out = append(out, b[off+12:off+12+n])
			off += 12 + n + 1
		}
	}
	return out
}

// FuzzRecord decodes arbitrary bytes as any record type of the package.
func FuzzRecord(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s.kind, s.data)
	}
	// Claimed lengths far beyond the input, at the first length of each kind.
	for i := range records {
		f.Add(uint8(i), []byte{0x40, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
		f.Add(uint8(i), []byte{0, 0, 0, 1, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	}
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		jutetest.CheckRecord(t, data, records[int(kind)%len(records)].new)
	})
}

// FuzzTxn decodes arbitrary bytes as a txn log entry (header, body by type,
// digest), and the sub-txns of a multi by their types.
func FuzzTxn(f *testing.F) {
	for _, x := range goldenTxns(f) {
		f.Add(x)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		jutetest.CheckRecord(t, data, func() jute.Record { return &txnEntry{} })
		var x txnEntry
		if jute.Unmarshal(data, &x) != nil {
			return
		}
		if m, ok := x.Body.(*jute.MultiTxn); ok {
			for _, sub := range m.Txns {
				if rec := txnRecord(sub.Type); rec != nil {
					jutetest.CheckRecord(t, sub.Data, func() jute.Record { return txnRecord(sub.Type) })
				}
			}
		}
	})
}

// FuzzWatcherEvent decodes the body of a notification.
func FuzzWatcherEvent(f *testing.F) {
	for _, p := range goldenPayloads(f) {
		if len(p) > 16 && int32(binary.BigEndian.Uint32(p)) == -1 {
			f.Add(p[16:])
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		jutetest.CheckRecord(t, data, func() jute.Record { return &jute.WatcherEvent{} })
	})
}

// FuzzReplyHeader decodes the header of every server frame.
func FuzzReplyHeader(f *testing.F) {
	for _, p := range goldenPayloads(f) {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		jutetest.CheckRecord(t, data, func() jute.Record { return &jute.ReplyHeader{} })
	})
}

// FuzzConnect decodes both handshake records, whose last byte is optional.
func FuzzConnect(f *testing.F) {
	for _, p := range goldenPayloads(f) {
		if len(p) >= 36 && len(p) <= 45 {
			f.Add(p)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		jutetest.CheckRecord(t, data, func() jute.Record { return &jute.ConnectRequest{} })
		jutetest.CheckRecord(t, data, func() jute.Record { return &jute.ConnectResponse{} })
	})
}
