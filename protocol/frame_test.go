package protocol_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/jute/jutetest"
	"github.com/raftzk/raftzk/protocol"
)

// endless is a stream that claims a huge frame and then never ends: a reader
// that allocated the claimed length first would be caught by the allocation
// check, and one that tried to read it all would never return.
type endless struct{ hdr []byte }

func (e *endless) Read(p []byte) (int, error) {
	if len(e.hdr) > 0 {
		n := copy(p, e.hdr)
		e.hdr = e.hdr[n:]
		return n, nil
	}
	clear(p)
	return len(p), nil
}

func TestFrameReader_RejectsBeforeAllocating(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    uint32
	}{
		{"one past max", protocol.DefaultMaxBuffer + 1},
		{"1 GiB", 1 << 30},
		{"max int32", 1<<31 - 1},
		{"-1", 0xffffffff},
		{"min int32", 0x80000000},
		{"ruok", 0x72756f6b},
	} {
		t.Run(tc.name, func(t *testing.T) {
			allocs := testing.AllocsPerRun(20, func() {
				r := &endless{hdr: binary.BigEndian.AppendUint32(nil, tc.n)}
				fr := protocol.NewFrameReader(r, protocol.DefaultMaxBuffer)
				if _, err := fr.ReadFrame(); !errors.Is(err, protocol.ErrFrameTooLarge) {
					t.Fatalf("ReadFrame: %v", err)
				}
			})
			// The reader, the stream and the formatted error; nothing sized by n
			// (checked in bytes below).
			if allocs > 10 {
				t.Errorf("%v allocations", allocs)
			}
			before := jutetest.HeapAllocBytes()
			fr := protocol.NewFrameReader(&endless{hdr: binary.BigEndian.AppendUint32(nil, tc.n)}, protocol.DefaultMaxBuffer)
			_, _ = fr.ReadFrame()
			if a := jutetest.HeapAllocBytes() - before; a > 64<<10 {
				t.Errorf("allocated %d bytes", a)
			}
		})
	}
}

func TestFrameReader_Limits(t *testing.T) {
	var stream []byte
	for _, n := range []int{0, 1, 100, protocol.DefaultMaxBuffer} {
		stream = binary.BigEndian.AppendUint32(stream, uint32(n))
		stream = append(stream, bytes.Repeat([]byte{byte(n)}, n)...)
	}
	fr := protocol.NewFrameReader(bytes.NewReader(stream), protocol.DefaultMaxBuffer)
	for _, n := range []int{0, 1, 100, protocol.DefaultMaxBuffer} {
		b, err := fr.ReadFrame()
		if err != nil || len(b) != n {
			t.Fatalf("frame of %d: %d bytes, %v", n, len(b), err)
		}
	}
	if _, err := fr.ReadFrame(); err != io.EOF {
		t.Fatalf("after the last frame: %v", err)
	}
	// A truncated payload is ErrUnexpectedEOF, a truncated length word too.
	for _, s := range [][]byte{{0, 0, 0, 5, 1, 2}, {0, 0}} {
		fr := protocol.NewFrameReader(bytes.NewReader(s), protocol.DefaultMaxBuffer)
		if _, err := fr.ReadFrame(); err != io.ErrUnexpectedEOF {
			t.Errorf("%x: %v", s, err)
		}
	}
}

// TestFrameReader_ReadLength is the first-word check for four-letter words:
// the word is read alone, and the payload only if it is a length.
func TestFrameReader_ReadLength(t *testing.T) {
	fr := protocol.NewFrameReader(bytes.NewReader([]byte("ruok")), protocol.DefaultMaxBuffer)
	n, err := fr.ReadLength()
	if err != nil || protocol.FourLetterWords[n] != "ruok" {
		t.Fatalf("%d %v", n, err)
	}
	if _, err := fr.ReadPayload(n); !errors.Is(err, protocol.ErrFrameTooLarge) {
		t.Fatalf("ReadPayload(ruok): %v", err)
	}
}

func TestFrameReader_ReusesBuffer(t *testing.T) {
	var stream []byte
	for range 100 {
		stream = binary.BigEndian.AppendUint32(stream, 64)
		stream = append(stream, make([]byte, 64)...)
	}
	r := bytes.NewReader(stream)
	fr := protocol.NewFrameReader(r, protocol.DefaultMaxBuffer)
	fr.ReadFrame()
	if allocs := testing.AllocsPerRun(50, func() {
		if _, err := fr.ReadFrame(); err != nil {
			t.Fatal(err)
		}
	}); allocs != 0 {
		t.Errorf("%v allocations per frame", allocs)
	}
}

func TestBeginEndFrame(t *testing.T) {
	b, off := protocol.BeginFrame([]byte("xx"))
	e := jute.Encoder{B: b}
	e.Int(7)
	protocol.EndFrame(e.B, off)
	if want := []byte{'x', 'x', 0, 0, 0, 4, 0, 0, 0, 7}; !bytes.Equal(e.B, want) {
		t.Fatalf("%x", e.B)
	}
}
