package server

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
)

// memProposer is the test quorum: one goroutine applies entries in the order
// they were proposed, with zxids 1<<32 | n, like a fresh single-voter log.
type memProposer struct {
	sm   *StateMachine
	ch   chan *memFuture
	n    int64
	done chan struct{}
	wg   sync.WaitGroup

	noLeader atomic.Bool
}

type memFuture struct {
	data []byte
	zxid int64
	res  any
	err  error
	done chan struct{}
}

func (f *memFuture) Wait() (int64, any, error) {
	<-f.done
	return f.zxid, f.res, f.err
}

func newMemProposer(sm *StateMachine) *memProposer {
	p := &memProposer{sm: sm, ch: make(chan *memFuture, 1024), done: make(chan struct{})}
	p.wg.Add(1)
	go p.loop()
	return p
}

func (p *memProposer) loop() {
	defer p.wg.Done()
	for {
		select {
		case f := <-p.ch:
			if f.data == nil { // a Sync barrier
				close(f.done)
				continue
			}
			p.n++
			f.zxid = 1<<32 | p.n
			f.res = p.sm.Apply(f.zxid, f.data)
			close(f.done)
		case <-p.done:
			return
		}
	}
}

func (p *memProposer) Propose(data []byte) Future {
	f := &memFuture{data: data, done: make(chan struct{})}
	select {
	case p.ch <- f:
	case <-p.done:
		f.err = errors.New("closed")
		close(f.done)
	}
	return f
}

func (p *memProposer) Sync(ctx context.Context) error {
	f := p.Propose(nil)
	_, _, err := f.Wait()
	return err
}

func (p *memProposer) IsLeader() bool { return true }

// HasLeader is true unless a test cut the proposer off with setLeader.
func (p *memProposer) HasLeader() bool { return !p.noLeader.Load() }

func (p *memProposer) Reconfig(int64, int32, []jute.Id, *jute.ReconfigRequest) Future {
	return &memFuture{res: &applyResult{code: protocol.CodeUnimplemented}, done: closedChan}
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (p *memProposer) setLeader(ok bool) { p.noLeader.Store(!ok) }

func (p *memProposer) Close() {
	close(p.done)
	p.wg.Wait()
}
