package quorum

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/raft"
)

var (
	// ErrNotLeader: this server is not the leader, so it cannot propose or
	// sync; the entry was not appended. Retry on the leader (Node.Leader).
	ErrNotLeader = errors.New("quorum: not leader")
	// ErrLeadershipLost: this server stopped being leader after it appended
	// the entry. The entry may still be committed by the next leader; its
	// outcome is unknown (ZooKeeper clients get ConnectionLoss).
	ErrLeadershipLost = errors.New("quorum: leadership lost, outcome unknown")
	// ErrClosed: the Node is closed or closing.
	ErrClosed = errors.New("quorum: closed")
)

// mapErr turns raft's errors into quorum's sentinels.
func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, raft.ErrNotLeader), errors.Is(err, raft.ErrLeadershipTransferInProgress):
		return ErrNotLeader
	case errors.Is(err, raft.ErrLeadershipLost), errors.Is(err, raft.ErrAbortedByRestore):
		return ErrLeadershipLost
	case errors.Is(err, raft.ErrRaftShutdown):
		return ErrClosed
	case errors.Is(err, raft.ErrEnqueueTimeout):
		return context.DeadlineExceeded
	default:
		return fmt.Errorf("quorum: %w", err)
	}
}
