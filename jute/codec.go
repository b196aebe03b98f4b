package jute

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"
)

// ErrShortBuffer is returned when a record needs more bytes than were given.
var ErrShortBuffer = errors.New("jute: short buffer")

// ErrBadLength is returned for a negative length or count other than -1.
var ErrBadLength = errors.New("jute: bad length")

// Record is a jute record: a Go struct whose fields are encoded in order.
type Record interface {
	// Encode appends the record to e.
	Encode(e *Encoder)
	// Decode reads the record from d. Errors are sticky on d.
	Decode(d *Decoder)
}

// Encoder appends jute values to a byte slice. The zero value is ready to use.
type Encoder struct {
	B []byte
}

// Int appends a jute int.
func (e *Encoder) Int(v int32) { e.B = binary.BigEndian.AppendUint32(e.B, uint32(v)) }

// Long appends a jute long.
func (e *Encoder) Long(v int64) { e.B = binary.BigEndian.AppendUint64(e.B, uint64(v)) }

// Bool appends a jute boolean as 0x00 or 0x01.
func (e *Encoder) Bool(v bool) {
	if v {
		e.B = append(e.B, 1)
	} else {
		e.B = append(e.B, 0)
	}
}

// Byte appends one raw byte.
func (e *Encoder) Byte(v byte) { e.B = append(e.B, v) }

// Buffer appends a jute buffer. A nil slice is written as length -1 (null);
// an empty non-nil slice as length 0.
func (e *Encoder) Buffer(v []byte) {
	if v == nil {
		e.Int(-1)
		return
	}
	e.Int(int32(len(v)))
	e.B = append(e.B, v...)
}

// String appends a jute ustring. It never writes the null length -1.
func (e *Encoder) String(v string) {
	e.Int(int32(len(v)))
	e.B = append(e.B, v...)
}

// VectorLen appends a vector count. It never writes the null count -1.
func (e *Encoder) VectorLen(n int) { e.Int(int32(n)) }

// Strings appends a vector<ustring>.
func (e *Encoder) Strings(v []string) {
	e.VectorLen(len(v))
	for _, s := range v {
		e.String(s)
	}
}

// Decoder reads jute values from a byte slice. Errors are sticky: after the first
// error every read returns the zero value and Err reports the error.
type Decoder struct {
	b   []byte
	off int
	err error
}

// NewDecoder returns a Decoder reading b. The decoder never retains b past the
// values it returns: strings and buffers are copied.
func NewDecoder(b []byte) Decoder { return Decoder{b: b} }

// Err returns the first error the decoder met, if any.
func (d *Decoder) Err() error { return d.err }

// Remaining reports how many bytes are left unread.
func (d *Decoder) Remaining() int { return len(d.b) - d.off }

// Offset reports how many bytes have been read.
func (d *Decoder) Offset() int { return d.off }

// Fail records err as the decoder's error if it has none yet.
func (d *Decoder) Fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *Decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n > len(d.b)-d.off {
		d.err = ErrShortBuffer
		return nil
	}
	p := d.b[d.off : d.off+n : d.off+n]
	d.off += n
	return p
}

// Int reads a jute int.
func (d *Decoder) Int() int32 {
	p := d.take(4)
	if p == nil {
		return 0
	}
	return int32(binary.BigEndian.Uint32(p))
}

// Long reads a jute long.
func (d *Decoder) Long() int64 {
	p := d.take(8)
	if p == nil {
		return 0
	}
	return int64(binary.BigEndian.Uint64(p))
}

// Bool reads a jute boolean; like Java, any non-zero byte is true.
func (d *Decoder) Bool() bool {
	p := d.take(1)
	return p != nil && p[0] != 0
}

// Byte reads one raw byte.
func (d *Decoder) Byte() byte {
	p := d.take(1)
	if p == nil {
		return 0
	}
	return p[0]
}

// length reads a length or count and checks that at least n*min bytes remain.
// It returns -1 for null.
func (d *Decoder) length(min int) int {
	n := d.Int()
	if d.err != nil {
		return 0
	}
	if n == -1 {
		return -1
	}
	if n < 0 {
		d.err = fmt.Errorf("%w: %d", ErrBadLength, n)
		return 0
	}
	if int64(n)*int64(min) > int64(len(d.b)-d.off) {
		d.err = ErrShortBuffer
		return 0
	}
	return int(n)
}

// Buffer reads a jute buffer; null (-1) decodes as nil, empty as a non-nil
// empty slice. The result is a copy.
func (d *Decoder) Buffer() []byte {
	n := d.length(1)
	if d.err != nil || n < 0 {
		return nil
	}
	p := d.take(n)
	out := make([]byte, n)
	copy(out, p)
	return out
}

// BufferView reads a jute buffer without copying: the result aliases the
// decoder's input and is valid only as long as that input is.
func (d *Decoder) BufferView() []byte {
	n := d.length(1)
	if d.err != nil || n < 0 {
		return nil
	}
	return d.take(n)
}

// String reads a jute ustring; null (-1) decodes as "". Invalid UTF-8 is kept
// as is (the caller validates paths).
func (d *Decoder) String() string {
	n := d.length(1)
	if d.err != nil || n <= 0 {
		return ""
	}
	return string(d.take(n))
}

// VectorLen reads a vector count, checking that count*minElem bytes remain.
// It returns -1 for a null vector.
func (d *Decoder) VectorLen(minElem int) int { return d.length(minElem) }

// Strings reads a vector<ustring>; null decodes as nil.
func (d *Decoder) Strings() []string {
	n := d.VectorLen(4)
	if d.err != nil || n < 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.String()
	}
	return out
}

// Marshal encodes r into a new byte slice.
func Marshal(r Record) []byte {
	var e Encoder
	r.Encode(&e)
	return e.B
}

// Unmarshal decodes r from b. Trailing bytes are allowed, as in ZooKeeper,
// where a reader stops after the fields it knows.
func Unmarshal(b []byte, r Record) error {
	d := NewDecoder(b)
	r.Decode(&d)
	return d.err
}

// ValidUTF8 reports whether s is valid UTF-8; exported for callers that must
// reject malformed strings.
func ValidUTF8(s string) bool { return utf8.ValidString(s) }
