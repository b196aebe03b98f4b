package protocol

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrFrameTooLarge is returned for a frame length above the limit or below zero
// (ZooKeeper's "Len error"); the connection must be closed.
var ErrFrameTooLarge = errors.New("protocol: frame length out of range")

// FrameReader reads length-prefixed frames from a stream, reusing one buffer.
// It is owned by one goroutine (the connection's read loop).
type FrameReader struct {
	r   io.Reader
	max int
	hdr [4]byte
	buf []byte
}

// NewFrameReader returns a reader that rejects frames longer than max bytes
// (jute.maxbuffer) before allocating room for them.
func NewFrameReader(r io.Reader, max int) *FrameReader {
	return &FrameReader{r: r, max: max}
}

// ReadLength reads the next 4-byte length word without its payload. It is how
// the first word of a connection is checked for a four-letter word.
func (f *FrameReader) ReadLength() (int32, error) {
	if _, err := io.ReadFull(f.r, f.hdr[:]); err != nil {
		return 0, err
	}
	return int32(binary.BigEndian.Uint32(f.hdr[:])), nil
}

// ReadPayload reads a frame body of length n, as returned by ReadLength. The
// returned slice is valid only until the next call.
func (f *FrameReader) ReadPayload(n int32) ([]byte, error) {
	if n < 0 || int(n) > f.max {
		return nil, fmt.Errorf("%w: %d (max %d)", ErrFrameTooLarge, n, f.max)
	}
	if cap(f.buf) < int(n) {
		f.buf = make([]byte, n)
	}
	b := f.buf[:n]
	if _, err := io.ReadFull(f.r, b); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	// Give back a large buffer after a rare big frame so one oversized
	// request does not pin memory for the life of the connection.
	if cap(f.buf) > 64<<10 && n <= 64<<10 {
		f.buf = nil
	}
	return b, nil
}

// ReadFrame reads one whole frame. The returned slice is valid only until the
// next call.
func (f *FrameReader) ReadFrame() ([]byte, error) {
	n, err := f.ReadLength()
	if err != nil {
		return nil, err
	}
	return f.ReadPayload(n)
}

// BeginFrame appends a placeholder length word to b and returns the new slice
// and the offset of the word, for EndFrame to fill in.
func BeginFrame(b []byte) ([]byte, int) {
	return append(b, 0, 0, 0, 0), len(b)
}

// EndFrame writes the length of everything after the word at off.
func EndFrame(b []byte, off int) {
	binary.BigEndian.PutUint32(b[off:], uint32(len(b)-off-4))
}
