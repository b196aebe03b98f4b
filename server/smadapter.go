package server

import (
	"context"
	"io"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"

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

// QuorumProposer adapts a quorum node to Proposer: proposals are pipelined
// (quorum.Node.ProposeAsync keeps call order), so a connection with many
// writes in flight costs one fsync per raft batch, not one per write.
func QuorumProposer(n *quorum.Node) Proposer { return quorumProposer{n} }

type quorumProposer struct{ n *quorum.Node }

func (p quorumProposer) Propose(data []byte) Future { return p.n.ProposeAsync(data) }

func (p quorumProposer) IsLeader() bool { return p.n.IsLeader() }

func (p quorumProposer) HasLeader() bool { return true }

// Reconfig on a standalone server is Unimplemented, as in ZooKeeper.
func (p quorumProposer) Reconfig(int64, int32, []jute.Id, *jute.ReconfigRequest) Future {
	return doneFuture{zxid: p.n.AppliedZxid(), res: &applyResult{code: protocol.CodeUnimplemented}}
}

func (p quorumProposer) Sync(ctx context.Context) error {
	_, err := p.n.Sync(ctx)
	return err
}
