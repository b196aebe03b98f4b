package jute_test

import (
	"encoding/binary"
	"testing"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/jute/jutetest"
)

// TestDecode_ClaimedLengthsDoNotAllocate takes one real encoding of every
// record type and overwrites each 4-byte window in turn with a huge length
// (1 GiB, and 2^31-1): wherever the decoder reads a length or count from it,
// it must fail on the remaining bytes before allocating anything that large.
func TestDecode_ClaimedLengthsDoNotAllocate(t *testing.T) {
	byKind := map[uint8][]byte{}
	for _, s := range fuzzSeeds(t) {
		if len(s.data) > len(byKind[s.kind]) {
			byKind[s.kind] = s.data // the longest: the most length fields
		}
	}
	for i, r := range records {
		b, ok := byKind[uint8(i)]
		if !ok {
			b = jute.Marshal(r.new())
		}
		for off := 0; off+4 <= len(b); off++ {
			for _, huge := range []uint32{1 << 30, 1<<31 - 1} {
				in := append([]byte(nil), b...)
				binary.BigEndian.PutUint32(in[off:], huge)
				before := jutetest.HeapAllocBytes()
				d := jute.NewDecoder(in)
				r.new().Decode(&d)
				if got := jutetest.HeapAllocBytes() - before; got > jutetest.AllocBound(len(in)) {
					t.Fatalf("%s: length %d at offset %d of %d bytes: allocated %d bytes", r.name, huge, off, len(in), got)
				}
			}
		}
	}
}

// A 20-byte input claiming a 1 GB buffer, string or vector allocates nothing.
func TestDecode_ShortInputClaimingGigabyte(t *testing.T) {
	in := make([]byte, 20)
	binary.BigEndian.PutUint32(in, 1<<30)
	for _, dec := range []func(d *jute.Decoder){
		func(d *jute.Decoder) { d.Buffer() },
		func(d *jute.Decoder) { _ = d.String() },
		func(d *jute.Decoder) { d.Strings() },
		func(d *jute.Decoder) { d.BufferView() },
		func(d *jute.Decoder) { var r jute.GetACLResponse; r.Decode(d) },
		func(d *jute.Decoder) { var r jute.MultiTxn; r.Decode(d) },
	} {
		allocs := testing.AllocsPerRun(10, func() {
			d := jute.NewDecoder(in)
			dec(&d)
			if d.Err() == nil {
				t.Fatal("decoded a 1 GB value from 20 bytes")
			}
		})
		if allocs > 1 { // at most the error value
			t.Errorf("%v allocations", allocs)
		}
	}
}
