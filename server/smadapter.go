package server

import (
	"context"
	"io"

	"github.com/raftzk/raftzk/quorum"
)

// StateMachine adapts the server's state machine to quorum.StateMachine.
type StateMachine struct{ sm *stateMachine }

var _ quorum.StateMachine = (*StateMachine)(nil)

// Apply applies one committed entry; called from quorum's apply goroutine.
func (a *StateMachine) Apply(zxid int64, data []byte) any { return a.sm.Apply(zxid, data) }

// Snapshot serialises the tree (no Apply runs meanwhile).
func (a *StateMachine) Snapshot() (quorum.Snapshot, error) {
	s, err := a.sm.snapshot()
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Restore replaces the tree with a snapshot taken at zxid.
func (a *StateMachine) Restore(r io.Reader, zxid int64) error { return a.sm.restore(r, zxid) }

// QuorumProposer adapts a quorum node to Proposer.
//
// quorum.Node.Propose blocks until the entry is applied, so Propose here
// resolves before it returns: a connection's writes are proposed one after
// another, which keeps log order equal to session order. Throughput across
// connections still batches, since raft groups concurrent proposals.
func QuorumProposer(n *quorum.Node) Proposer { return quorumProposer{n} }

type quorumProposer struct{ n *quorum.Node }

type doneFuture struct {
	zxid int64
	res  any
	err  error
}

func (f doneFuture) Wait() (int64, any, error) { return f.zxid, f.res, f.err }

func (p quorumProposer) Propose(data []byte) Future {
	z, r, err := p.n.Propose(context.Background(), data)
	return doneFuture{z, r, err}
}

func (p quorumProposer) Sync(ctx context.Context) error {
	_, err := p.n.Sync(ctx)
	return err
}
