package jute_test

import (
	"bytes"
	"testing"

	"github.com/raftzk/raftzk/jute"
)

// Benchmarks for the records on the hot path of a read-heavy workload. A
// decode allocates only the decoded values (one string for a path, one slice
// for data); an encode into a reused buffer allocates nothing.

var benchStat = jute.Stat{Czxid: 0x100000002, Mzxid: 0x100000010, Ctime: 1700000000000, Mtime: 1700000001000,
	Version: 3, Cversion: 1, Aversion: 0, EphemeralOwner: 0, DataLength: 100, NumChildren: 2, Pzxid: 0x100000011}

var benchData = bytes.Repeat([]byte("0123456789"), 10)

func benchEncode(b *testing.B, recs ...jute.Record) {
	b.ReportAllocs()
	e := jute.Encoder{B: make([]byte, 0, 512)}
	for b.Loop() {
		e.B = e.B[:0]
		for _, r := range recs {
			r.Encode(&e)
		}
	}
	b.SetBytes(int64(len(e.B)))
}

func benchDecode(b *testing.B, in []byte, recs ...jute.Record) {
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	var d jute.Decoder // reused, as a connection would (see TestHotPathAllocations)
	for b.Loop() {
		d = jute.NewDecoder(in)
		for _, r := range recs {
			r.Decode(&d)
		}
		if d.Err() != nil {
			b.Fatal(d.Err())
		}
	}
}

func BenchmarkGetDataRequest_Encode(b *testing.B) {
	benchEncode(b, &jute.RequestHeader{Xid: 42, Type: 4}, &jute.GetDataRequest{Path: "/app/config/service-1", Watch: true})
}

func BenchmarkGetDataRequest_Decode(b *testing.B) {
	in := jute.Marshal(&jute.GetDataRequest{Path: "/app/config/service-1", Watch: true})
	var r jute.GetDataRequest
	benchDecode(b, in, &r)
}

func BenchmarkGetDataResponse_Encode(b *testing.B) {
	benchEncode(b, &jute.ReplyHeader{Xid: 42, Zxid: 0x100000020}, &jute.GetDataResponse{Data: benchData, Stat: benchStat})
}

func BenchmarkGetDataResponse_Decode(b *testing.B) {
	in := jute.Marshal(&jute.GetDataResponse{Data: benchData, Stat: benchStat})
	var r jute.GetDataResponse
	benchDecode(b, in, &r)
}

func BenchmarkSetDataRequest_Encode(b *testing.B) {
	benchEncode(b, &jute.RequestHeader{Xid: 42, Type: 5}, &jute.SetDataRequest{Path: "/app/config/service-1", Data: benchData, Version: 3})
}

func BenchmarkSetDataRequest_Decode(b *testing.B) {
	in := jute.Marshal(&jute.SetDataRequest{Path: "/app/config/service-1", Data: benchData, Version: 3})
	var r jute.SetDataRequest
	benchDecode(b, in, &r)
}

func BenchmarkReplyHeaderStat_Encode(b *testing.B) {
	benchEncode(b, &jute.ReplyHeader{Xid: 42, Zxid: 0x100000020}, &jute.ExistsResponse{Stat: benchStat})
}

func BenchmarkReplyHeaderStat_Decode(b *testing.B) {
	e := jute.Encoder{}
	(&jute.ReplyHeader{Xid: 42, Zxid: 0x100000020}).Encode(&e)
	(&jute.ExistsResponse{Stat: benchStat}).Encode(&e)
	var h jute.ReplyHeader
	var r jute.ExistsResponse
	benchDecode(b, e.B, &h, &r)
}

// TestHotPathAllocations pins the allocation counts the benchmarks report, so
// a regression fails in CI and not only in a benchmark run.
func TestHotPathAllocations(t *testing.T) {
	getData := jute.Marshal(&jute.GetDataRequest{Path: "/app/config/service-1", Watch: true})
	getDataResp := jute.Marshal(&jute.GetDataResponse{Data: benchData, Stat: benchStat})
	setData := jute.Marshal(&jute.SetDataRequest{Path: "/app/config/service-1", Data: benchData, Version: 3})
	replyStat := append(jute.Marshal(&jute.ReplyHeader{Xid: 1}), jute.Marshal(&jute.ExistsResponse{Stat: benchStat})...)
	for _, tc := range []struct {
		name string
		in   []byte
		recs func() []jute.Record
		want float64
	}{
		{"GetDataRequest", getData, func() []jute.Record { return []jute.Record{&jute.GetDataRequest{}} }, 1},       // the path
		{"GetDataResponse", getDataResp, func() []jute.Record { return []jute.Record{&jute.GetDataResponse{}} }, 1}, // the data
		{"SetDataRequest", setData, func() []jute.Record { return []jute.Record{&jute.SetDataRequest{}} }, 2},       // path, data
		{"ReplyHeader+Stat", replyStat, func() []jute.Record { return []jute.Record{&jute.ReplyHeader{}, &jute.ExistsResponse{}} }, 0},
	} {
		recs := tc.recs()
		// The decoder lives outside the loop, as it would in a connection
		// struct: passed to Decode through the Record interface, a local
		// Decoder escapes to the heap (one allocation per frame that a
		// caller avoids by keeping one Decoder and assigning NewDecoder to it).
		var d jute.Decoder
		got := testing.AllocsPerRun(100, func() {
			d = jute.NewDecoder(tc.in)
			for _, r := range recs {
				r.Decode(&d)
			}
		})
		if got != tc.want {
			t.Errorf("decode %s: %v allocations, want %v", tc.name, got, tc.want)
		}
	}
	e := jute.Encoder{B: make([]byte, 0, 512)}
	rec := &jute.GetDataResponse{Data: benchData, Stat: benchStat}
	if got := testing.AllocsPerRun(100, func() { e.B = e.B[:0]; rec.Encode(&e) }); got != 0 {
		t.Errorf("encode into a reused buffer: %v allocations", got)
	}
}
