package protocol_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"reflect"
	"testing"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/jute/jutetest"
	"github.com/raftzk/raftzk/protocol"
)

// Fuzz targets for every decoder entry point of the package. CI runs them as
// plain tests over the seed corpus (the golden frames, plus testdata/fuzz);
// run one for real with e.g.
//
//	go test ./protocol -run='^$' -fuzz='^FuzzRequest$' -fuzztime=45s

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
		before := jutetest.HeapAllocBytes()
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
				if a := jutetest.HeapAllocBytes() - before; a > jutetest.AllocBound(len(stream)) {
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
		before := jutetest.HeapAllocBytes()
		r, err := protocol.DecodeConnect(frame)
		if a := jutetest.HeapAllocBytes() - before; a > jutetest.AllocBound(len(frame)) {
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
		jutetest.CheckRecord(t, payload, func() jute.Record { return &requestFrame{} })
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
		jutetest.CheckRecord(t, payload, func() jute.Record { return &replyFrame{op: protocol.Op(op)} })
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
		jutetest.CheckRecord(t, body, func() jute.Record { return &protocol.MultiRequest{} })
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
		jutetest.CheckRecord(t, body, func() jute.Record { return &protocol.MultiResponse{} })
	})
}
