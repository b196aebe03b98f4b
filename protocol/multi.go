package protocol

import (
	"errors"

	"github.com/raftzk/raftzk/jute"
)

// ErrBadMultiOp is the decode error for a multi sub-op of a type that multi
// and multiRead never carry; the server answers MarshallingError.
var ErrBadMultiOp = errors.New("protocol: invalid type of op in multi")

// MultiOp is one sub-request of a multi or multiRead.
type MultiOp struct {
	Op  Op
	Req jute.Record // *jute.CreateRequest, *jute.CreateTTLRequest, *jute.DeleteRequest, *jute.SetDataRequest, *jute.CheckVersionRequest, *jute.GetDataRequest or *jute.GetChildrenRequest
}

// MultiRequest is MultiOperationRecord: each op as MultiHeader{op, false, -1}
// plus its request, then the terminator MultiHeader{-1, true, -1}.
type MultiRequest struct {
	Ops []MultiOp
}

func multiOpRecord(op Op) jute.Record {
	switch op {
	case OpCreate, OpCreate2, OpCreateContainer:
		return &jute.CreateRequest{}
	case OpCreateTTL:
		return &jute.CreateTTLRequest{}
	case OpDelete:
		return &jute.DeleteRequest{}
	case OpSetData:
		return &jute.SetDataRequest{}
	case OpCheck:
		return &jute.CheckVersionRequest{}
	case OpGetData:
		return &jute.GetDataRequest{}
	case OpGetChildren:
		return &jute.GetChildrenRequest{}
	}
	return nil
}

// Encode appends the multi request to e.
func (m *MultiRequest) Encode(e *jute.Encoder) {
	for _, o := range m.Ops {
		h := jute.MultiHeader{Type: int32(o.Op), Done: false, Err: -1}
		h.Encode(e)
		o.Req.Encode(e)
	}
	end := jute.MultiHeader{Type: -1, Done: true, Err: -1}
	end.Encode(e)
}

// Decode reads a multi request. A sub-op of a type multi never carries fails
// the decoder with ErrBadMultiOp.
func (m *MultiRequest) Decode(d *jute.Decoder) {
	m.Ops = m.Ops[:0]
	for d.Err() == nil {
		var h jute.MultiHeader
		h.Decode(d)
		if d.Err() != nil || h.Done {
			return
		}
		rec := multiOpRecord(Op(h.Type))
		if rec == nil {
			d.Fail(ErrBadMultiOp)
			return
		}
		rec.Decode(d)
		m.Ops = append(m.Ops, MultiOp{Op: Op(h.Type), Req: rec})
	}
}

// MultiResult is one per-op result of a multi or multiRead.
type MultiResult struct {
	Op   Op          // the result type: the op's type, or OpError
	Err  Code        // for OpError results
	Resp jute.Record // nil for delete, check and error results
}

// MultiResponse is the reply body of multi and multiRead: each result as
// MultiHeader{type, false, err} plus its body, then MultiHeader{-1, true, -1}.
// An error result's body is ErrorResponse{err}.
type MultiResponse struct {
	Results []MultiResult
}

// Encode appends the multi response to e.
func (m *MultiResponse) Encode(e *jute.Encoder) {
	for _, r := range m.Results {
		if r.Op == OpError {
			h := jute.MultiHeader{Type: int32(OpError), Done: false, Err: int32(r.Err)}
			h.Encode(e)
			er := jute.ErrorResponse{Err: int32(r.Err)}
			er.Encode(e)
			continue
		}
		h := jute.MultiHeader{Type: int32(r.Op), Done: false, Err: 0}
		h.Encode(e)
		if r.Resp != nil {
			r.Resp.Encode(e)
		}
	}
	end := jute.MultiHeader{Type: -1, Done: true, Err: -1}
	end.Encode(e)
}

func multiResultRecord(op Op) (jute.Record, bool) {
	switch op {
	case OpCreate:
		return &jute.CreateResponse{}, true
	case OpCreate2, OpCreateContainer, OpCreateTTL:
		return &jute.Create2Response{}, true
	case OpSetData:
		return &jute.SetDataResponse{}, true
	case OpGetData:
		return &jute.GetDataResponse{}, true
	case OpGetChildren:
		return &jute.GetChildrenResponse{}, true
	case OpDelete, OpCheck:
		return nil, true
	}
	return nil, false
}

// Decode reads a multi response.
func (m *MultiResponse) Decode(d *jute.Decoder) {
	m.Results = m.Results[:0]
	for d.Err() == nil {
		var h jute.MultiHeader
		h.Decode(d)
		if d.Err() != nil || h.Done {
			return
		}
		if Op(h.Type) == OpError {
			var er jute.ErrorResponse
			er.Decode(d)
			m.Results = append(m.Results, MultiResult{Op: OpError, Err: Code(er.Err)})
			continue
		}
		rec, ok := multiResultRecord(Op(h.Type))
		if !ok {
			d.Fail(ErrBadMultiOp)
			return
		}
		if rec != nil {
			rec.Decode(d)
		}
		m.Results = append(m.Results, MultiResult{Op: Op(h.Type), Resp: rec})
	}
}
