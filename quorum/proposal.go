package quorum

import (
	"fmt"
	"sync"

	"github.com/hashicorp/raft"
)

// Proposal is an entry handed to raft by ProposeAsync, resolved once it is
// committed and applied locally (or failed).
type Proposal struct {
	n    *Node
	f    raft.ApplyFuture
	err  error
	once sync.Once

	zxid   int64
	result any
}

// ProposeAsync hands data to raft and returns without waiting for it to
// commit. Calls made from one goroutine are appended to the log in call
// order, so a caller can pipeline a session's writes and still keep them in
// session order. It blocks only while raft's intake queue is full.
//
// Every Proposal must be waited on: Close lets operations in flight finish,
// and a proposal counts as in flight until Wait returns.
func (n *Node) ProposeAsync(data []byte) *Proposal {
	p := &Proposal{n: n}
	n.closeMu.RLock()
	if n.closing {
		n.closeMu.RUnlock()
		p.err = ErrClosed
		return p
	}
	n.pending.Add(1)
	n.closeMu.RUnlock()
	p.f = n.raft.Apply(data, 0)
	return p
}

// Wait blocks until the entry is applied and returns its zxid and the state
// machine's result. Errors are those of Propose. Wait may be called more than
// once; it is safe from one goroutine at a time.
func (p *Proposal) Wait() (zxid int64, result any, err error) {
	if p.f == nil {
		return 0, nil, p.err
	}
	p.once.Do(func() {
		defer p.n.pending.Done()
		if err := p.f.Error(); err != nil {
			p.err = mapErr(err)
			return
		}
		a, ok := p.f.Response().(applied)
		if !ok {
			panic(fmt.Sprintf("quorum: proposed entry came back as %T", p.f.Response()))
		}
		p.zxid, p.result = a.zxid, a.result
	})
	return p.zxid, p.result, p.err
}
