package protocol_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"reflect"
	"runtime/metrics"
	"testing"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
)

// Fuzz targets for every decoder entry point of the package. CI runs them as
// plain tests over the seed corpus (the golden frames, plus testdata/fuzz);
// run one for real with e.g.
//
//	go test ./protocol -run='^$' -fuzz='^FuzzRequest$' -fuzztime=45s

func heapAllocBytes() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// allocBound: decoded values are a small multiple of the input, plus slack
// for the runtime counter's imprecision on small objects (large objects, what
// trusting a claimed length would allocate, are counted exactly).
func allocBound(n int) uint64 { return 1<<20 + 64*uint64(n) }

// checkRecord: no panic; allocation bounded by the input; for what decoded,
// decode(encode(x)) == x modulo null vectors coming back empty, the encoding
// is as long as what was consumed, and re-encoding is a fixpoint.
func checkRecord(t *testing.T, data []byte, newRec func() jute.Record) {
	t.Helper()
	x1 := newRec()
	before := heapAllocBytes()
	d := jute.NewDecoder(data)
	x1.Decode(&d)
	if got := heapAllocBytes() - before; got > allocBound(len(data)) {
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
	if !equalModNull(reflect.ValueOf(x1), reflect.ValueOf(x2)) {
		t.Fatalf("%T: decode(encode(x)) != x\n x  %s\n x' %s", x1, dump(x1), dump(x2))
	}
	if e2 := jute.Marshal(x2); !bytes.Equal(e1, e2) {
		t.Fatalf("%T: encoding is not a fixpoint", x1)
	}
}

// equalModNull is reflect.DeepEqual except that a nil vector equals an empty
// one; buffers keep null and empty distinct.
func equalModNull(a, b reflect.Value) bool {
	if a.Kind() != b.Kind() || a.Type() != b.Type() {
		return false
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return equalModNull(a.Elem(), b.Elem())
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if !equalModNull(a.Field(i), b.Field(i)) {
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
			if !equalModNull(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	default:
		return a.Equal(b)
	}
}

var errNoSuchOp = errors.New("no such op")

// requestFrame is a request payload as the server reads it: RequestHeader,
// then the body protocol.NewRequest picks for the opcode.
type requestFrame struct {
	Hdr  jute.RequestHeader
	Body jute.Record
}

func (r *requestFrame) Encode(e *jute.Encoder) {
	r.Hdr.Encode(e)
	if r.Body != nil {
		r.Body.Encode(e)
	}
}

func (r *requestFrame) Decode(d *jute.Decoder) {
	r.Hdr.Decode(d)
	if d.Err() != nil {
		return
	}
	rec, ok := protocol.NewRequest(protocol.Op(r.Hdr.Type))
	if !ok {
		d.Fail(errNoSuchOp)
		return
	}
	if r.Body = rec; rec != nil {
		rec.Decode(d)
	}
}

// replyFrame is a reply payload for a request of opcode op: ReplyHeader, then
// the body protocol.NewResponse picks when err is 0.
type replyFrame struct {
	op   protocol.Op
	Hdr  jute.ReplyHeader
	Body jute.Record
}

func (r *replyFrame) Encode(e *jute.Encoder) {
	r.Hdr.Encode(e)
	if r.Body != nil {
		r.Body.Encode(e)
	}
}

func (r *replyFrame) Decode(d *jute.Decoder) {
	r.Hdr.Decode(d)
	if d.Err() != nil || r.Hdr.Err != 0 {
		return
	}
	if r.Hdr.Xid == protocol.XidNotification {
		r.Body = &jute.WatcherEvent{}
	} else {
		r.Body = protocol.NewResponse(r.op)
	}
	if r.Body != nil {
		r.Body.Decode(d)
	}
}

// FuzzFrameReader reads frames from an arbitrary stream delivered in chunks
// of arbitrary sizes, and compares with a direct parse: same frames, same
// place of failure, lengths above the limit or negative rejected before any
// allocation.
func FuzzFrameReader(f *testing.F) {
	var all []byte
	byConn := map[string][]byte{}
	for _, g := range loadGolden(f) {
		k := g.conn() + g.dir()
		byConn[k] = append(byConn[k], g.frame...)
		all = append(all, g.frame...)
	}
	for _, s := range byConn {
		f.Add(s, []byte{1, 7, 3, 250})
	}
	f.Add(all, []byte{0})
	f.Add([]byte{0x7f, 0xff, 0xff, 0xff, 1, 2, 3}, []byte{2})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 1, 2, 3}, []byte{2})
	f.Add([]byte{0, 0, 0x10, 0x01, 1, 2, 3}, []byte{2})
	f.Fuzz(func(t *testing.T, stream, splits []byte) {
		const max = 4096
		before := heapAllocBytes()
		fr := protocol.NewFrameReader(&chunkReader{b: stream, sizes: splits}, max)
		rest := stream
		for {
			got, err := fr.ReadFrame()
			switch {
			case len(rest) == 0:
				if err != io.EOF {
					t.Fatalf("at end: %v", err)
				}
				return
			case len(rest) < 4:
				if err != io.ErrUnexpectedEOF {
					t.Fatalf("partial length word: %v", err)
				}
				return
			}
			n := int32(binary.BigEndian.Uint32(rest))
			switch {
			case n < 0 || n > max:
				if !errors.Is(err, protocol.ErrFrameTooLarge) {
					t.Fatalf("length %d: %v", n, err)
				}
				if a := heapAllocBytes() - before; a > allocBound(len(stream)) {
					t.Fatalf("allocated %d bytes", a)
				}
				return
			case int(n) > len(rest)-4:
				if err != io.ErrUnexpectedEOF {
					t.Fatalf("truncated frame: %v", err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, rest[4:4+n]) {
				t.Fatalf("frame of %d bytes: %v", n, err)
			}
			rest = rest[4+n:]
		}
	})
}

// chunkReader returns its bytes in reads of the sizes given (cycled; a size
// of 0 counts as 1).
type chunkReader struct {
	b     []byte
	sizes []byte
	i     int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := len(r.b)
	if len(r.sizes) > 0 {
		n = max(int(r.sizes[r.i%len(r.sizes)]), 1)
		r.i++
	}
	n = min(n, len(p), len(r.b))
	copy(p, r.b[:n])
	r.b = r.b[n:]
	return n, nil
}

// FuzzDecodeConnect decodes the first frame of a connection.
func FuzzDecodeConnect(f *testing.F) {
	for _, g := range loadGolden(f) {
		if g.op() == "connect" {
			f.Add(g.body())
		}
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		before := heapAllocBytes()
		r, err := protocol.DecodeConnect(frame)
		if a := heapAllocBytes() - before; a > allocBound(len(frame)) {
			t.Fatalf("allocated %d bytes", a)
		}
		if err != nil {
			if !errors.Is(err, protocol.ErrBadHandshake) {
				t.Fatalf("error %v is not ErrBadHandshake", err)
			}
			return
		}
		b := jute.Marshal(&r)
		r2, err := protocol.DecodeConnect(b)
		if err != nil || !reflect.DeepEqual(r, r2) || len(b) > len(frame) {
			t.Fatalf("round trip: %+v -> %x -> %+v, %v", r, b, r2, err)
		}
		resp := jute.ConnectResponse{TimeOut: r.TimeOut, SessionID: r.SessionID, Passwd: make([]byte, 16), HasReadOnly: r.HasReadOnly}
		if got := protocol.AppendConnectResponse(nil, &resp); len(got) != 40+boolInt(r.HasReadOnly) {
			t.Fatalf("connect response of %d bytes", len(got))
		}
	})
}

// FuzzRequest decodes a request payload (header and body) through the
// opcode table: every request record type of protocol.NewRequest.
func FuzzRequest(f *testing.F) {
	for _, g := range loadGolden(f) {
		if g.dir() == "c2s" && g.op() != "connect" {
			f.Add(g.body())
		}
	}
	// A header for every opcode in the table with a few body bytes.
	for op := protocol.Op(-12); op < 110; op++ {
		if _, ok := protocol.NewRequest(op); ok {
			f.Add(binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, 1), uint32(op)))
			f.Add(append(binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, 1), uint32(op)),
				0x40, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12))
		}
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		checkRecord(t, payload, func() jute.Record { return &requestFrame{} })
	})
}

// FuzzResponse decodes a reply payload for a request of opcode op, as a
// client (and our differential tests) would.
func FuzzResponse(f *testing.F) {
	frames := loadGolden(f)
	ix := indexGolden(frames)
	for _, g := range frames {
		if g.dir() != "s2c" || g.op() == "connect" {
			continue
		}
		op := int32(protocol.OpNotification)
		if req := ix.request(g); req != nil {
			op = int32(binary.BigEndian.Uint32(req.body()[4:]))
		}
		f.Add(op, g.body())
	}
	f.Fuzz(func(t *testing.T, op int32, payload []byte) {
		checkRecord(t, payload, func() jute.Record { return &replyFrame{op: protocol.Op(op)} })
	})
}

// FuzzMultiRequest decodes the body of a multi or multiRead request.
func FuzzMultiRequest(f *testing.F) {
	for _, g := range loadGolden(f) {
		if g.dir() == "c2s" && (g.op() == "multi" || g.op() == "multiRead") {
			f.Add(g.body()[8:])
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkRecord(t, body, func() jute.Record { return &protocol.MultiRequest{} })
	})
}

// FuzzMultiResponse decodes the body of a multi or multiRead reply.
func FuzzMultiResponse(f *testing.F) {
	for _, g := range loadGolden(f) {
		if g.dir() == "s2c" && (g.op() == "multi" || g.op() == "multiRead") {
			f.Add(g.body()[16:])
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkRecord(t, body, func() jute.Record { return &protocol.MultiResponse{} })
	})
}
