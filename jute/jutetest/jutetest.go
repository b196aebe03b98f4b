// Package jutetest holds the decoder properties that the fuzz targets of
// jute and protocol check: no panic, allocation bounded by the input rather
// than by the lengths it claims, and decode(encode(x)) == x.
package jutetest

import (
	"bytes"
	"reflect"
	"runtime/metrics"
	"testing"

	"github.com/raftzk/raftzk/jute"
)

// HeapAllocBytes is the cumulative heap allocation of the process. It is
// cheap to read (no stop-the-world) and exact for large objects, which is
// what a decoder trusting a claimed length would allocate.
func HeapAllocBytes() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// AllocBound is the most a decode of n input bytes may allocate: the decoded
// values are at most a small multiple of the input (a 4-byte string header
// becomes a 16-byte Go string, a 12-byte ACL a 40-byte struct), plus slack
// for the imprecision of the runtime counter on small objects.
func AllocBound(n int) uint64 { return 1<<20 + 64*uint64(n) }

// CheckRecord is the property every decoder must have: no panic; allocation
// bounded by the input; and for what decoded, encode reproduces a record
// that decodes to the same value (null vectors and strings come back
// empty), uses as many bytes as were consumed, and re-encodes to the same
// bytes.
func CheckRecord(t testing.TB, data []byte, newRec func() jute.Record) {
	t.Helper()
	x1 := newRec()
	before := HeapAllocBytes()
	d := jute.NewDecoder(data)
	x1.Decode(&d)
	if got := HeapAllocBytes() - before; got > AllocBound(len(data)) {
		t.Fatalf("decoding %d bytes into %T allocated %d bytes", len(data), x1, got)
	}
	if d.Err() != nil {
		return
	}
	e1 := jute.Marshal(x1)
	if len(e1) != d.Offset() {
		t.Fatalf("%T: decoded %d bytes, encodes to %d", x1, d.Offset(), len(e1))
	}
	x2 := newRec()
	if err := jute.Unmarshal(e1, x2); err != nil {
		t.Fatalf("%T: re-decode: %v", x1, err)
	}
	if !EqualModNull(x1, x2) {
		t.Fatalf("%T: decode(encode(x)) != x\n x  %+v\n x' %+v", x1, x1, x2)
	}
	if e2 := jute.Marshal(x2); !bytes.Equal(e1, e2) {
		t.Fatalf("%T: encoding is not a fixpoint", x1)
	}
}

// EqualModNull is reflect.DeepEqual except that a nil vector equals an
// empty one (jute decodes a null vector as nil and encodes nil as empty).
// Buffers ([]byte) keep null and empty distinct: null znode data is not
// empty data.
func EqualModNull(a, b any) bool { return equalValues(reflect.ValueOf(a), reflect.ValueOf(b)) }

func equalValues(a, b reflect.Value) bool {
	if a.Kind() != b.Kind() || a.Type() != b.Type() {
		return false
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return equalValues(a.Elem(), b.Elem())
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if !equalValues(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.Type().Elem().Kind() == reflect.Uint8 {
			return a.IsNil() == b.IsNil() && bytes.Equal(a.Bytes(), b.Bytes())
		}
		if a.Len() != b.Len() {
			return false
		}
		for i := 0; i < a.Len(); i++ {
			if !equalValues(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	default:
		return a.Equal(b)
	}
}
