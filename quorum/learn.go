package quorum

import (
	"strconv"
	"time"

	"github.com/hashicorp/raft"
)

// learnPoll is how often LearnCommitted looks for the entry in the log, and
// learnWait how long at most.
const (
	learnPoll = 100 * time.Microsecond
	learnWait = 200 * time.Millisecond
)

// LearnCommitted tells a follower that the leader has committed the entry
// with this zxid, as the leader's answer to a request this server forwarded
// says.
//
// Raft tells a follower the commit index only with the leader's next
// AppendEntries. When no other write follows, that comes a commit timeout
// later, and every write a client sends through a follower would wait that
// long to apply there. ZooKeeper's leader sends COMMIT at once. So the node
// hands itself the empty AppendEntries the leader would send next, carrying
// that commit index, and the entry applies now.
//
// It does nothing unless this node is a follower whose log holds that very
// entry (same index and term). By Raft's log matching, the log up to the entry
// is then the leader's, so nothing is committed that the leader has not
// committed.
//
// It may wait a little for the entry to reach the log, so callers that must
// not block (a connection's reader) hand it to a goroutine of their own.
func (n *Node) LearnCommitted(zxid int64) {
	if n.cfg.standalone() {
		return
	}
	if n.raft.State() != raft.Follower {
		return
	}
	// The leader commits once a majority holds the entry, so this follower
	// may not have appended it yet: give it a little while (raft's own
	// AppendEntries tells it within the commit timeout anyway).
	deadline := time.Now().Add(min(n.cfg.CommitTimeout, learnWait))
	var index uint64
	for {
		last := n.raft.LastIndex()
		if index = indexNear(zxid, last); index <= last {
			break
		}
		if time.Now().After(deadline) {
			return
		}
		select {
		case <-n.stop:
			return
		case <-time.After(learnPoll):
		}
	}
	if index == 0 || n.raft.CommitIndex() >= index {
		return
	}
	var l raft.Log
	if err := n.store.GetLog(index, &l); err != nil || MakeZxid(l.Term, l.Index) != zxid {
		return // not the entry the leader committed
	}
	term0 := n.raft.CurrentTerm()
	leaderAddr, leaderID := n.raft.LeaderWithID()
	if leaderID == "" || n.raft.State() != raft.Follower || n.raft.CurrentTerm() != term0 {
		return // an election under way: the leader and term may not match
	}
	req := &raft.AppendEntriesRequest{
		RPCHeader: raft.RPCHeader{
			ProtocolVersion: raft.ProtocolVersionMax,
			ID:              []byte(leaderID),
			Addr:            n.trans.EncodePeer(leaderID, leaderAddr),
		},
		// The current term: an RPC from an older one is ignored, and a
		// node that moved to a newer term ignores this one.
		Term:              term0,
		PrevLogEntry:      index,
		PrevLogTerm:       l.Term,
		LeaderCommitIndex: index,
	}
	self := raft.ServerID(strconv.FormatUint(n.cfg.ServerID, 10))
	var resp raft.AppendEntriesResponse
	if err := n.trans.AppendEntries(self, n.trans.LocalAddr(), req, &resp); err != nil {
		n.log.Debug("cannot hand the commit index to ourselves", "err", err)
	}
}

// AppliedChanged returns a channel that is closed when the applied zxid next
// changes. Take the channel, then read AppliedZxid, so no change is missed.
func (n *Node) AppliedChanged() <-chan struct{} { return n.fsm.changedCh() }

// CommitUntold reports whether, on the leader, zxid is the newest entry of
// the log: no later entry is on its way to the followers, so none will tell
// them it is committed before raft's commit timeout. The leader should then
// tell them itself (followers hand it to LearnCommitted).
func (n *Node) CommitUntold(zxid int64) bool {
	return n.IsLeader() && indexNear(zxid, n.raft.LastIndex()) == n.raft.LastIndex()
}
