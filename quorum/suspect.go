package quorum

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/hashicorp/raft"
)

// SuspectLeader tells a follower that the leader it follows, id, looks gone:
// the server's own connection to it closed and a redial failed, as when the
// leader's process dies. A ZooKeeper follower starts an election as soon as
// its leader's socket closes; a raft follower would wait out its whole
// heartbeat timeout, and a candidate's votes are refused by followers that
// still remember the leader. So the voter with the lowest id left stands at
// once as a hand-over candidate (nominateSuccessor), and until a new leader
// is known (or twenty election timeouts pass) the heartbeat and election
// timeouts drop to the leader lease timeout, the lowest raft accepts.
//
// A wrong suspicion costs at most an election; raft's term and log checks
// still decide every vote. SuspectLeader does nothing on the leader, on a
// standalone node, or when id is not the leader this node knows.
func (n *Node) SuspectLeader(id uint64) {
	if n.cfg.standalone() || n.IsLeader() {
		return
	}
	if cur, _, ok := n.Leader(); !ok || cur != id {
		return
	}
	n.closeMu.RLock()
	defer n.closeMu.RUnlock()
	if n.closing || !n.suspecting.CompareAndSwap(false, true) {
		return
	}
	n.log.Info("leader looks gone; electing now", "leader", id)
	if n.cfg.LeaderLeaseTimeout < n.cfg.HeartbeatTimeout {
		fast := n.raft.ReloadableConfig()
		fast.HeartbeatTimeout = n.cfg.LeaderLeaseTimeout
		fast.ElectionTimeout = n.cfg.LeaderLeaseTimeout
		if err := n.raft.ReloadConfig(fast); err != nil {
			n.log.Warn("cannot shorten raft timeouts", "err", err)
		}
	}
	n.wg.Add(2)
	go n.restoreTimeouts(id)
	go n.nominateSuccessor(id)
}

// restoreTimeouts puts the configured raft timeouts back, and lets
// SuspectLeader act again, once a leader other than old is known, or after
// twenty election timeouts.
func (n *Node) restoreTimeouts(old uint64) {
	defer n.wg.Done()
	defer n.suspecting.Store(false)
	ch := make(chan raft.Observation, 4)
	obs := raft.NewObserver(ch, false, func(o *raft.Observation) bool {
		_, ok := o.Data.(raft.LeaderObservation)
		return ok
	})
	n.raft.RegisterObserver(obs)
	defer n.raft.DeregisterObserver(obs)
	deadline := time.NewTimer(20 * n.cfg.ElectionTimeout)
	defer deadline.Stop()
wait:
	for {
		if id, _, ok := n.Leader(); ok && id != old {
			break
		}
		select {
		case <-ch:
		case <-deadline.C:
			break wait
		case <-n.stop:
			return
		}
	}
	rc := n.raft.ReloadableConfig()
	rc.HeartbeatTimeout = n.cfg.HeartbeatTimeout
	rc.ElectionTimeout = n.cfg.ElectionTimeout
	if err := n.raft.ReloadConfig(rc); err != nil {
		n.log.Warn("cannot restore raft timeouts", "err", err)
	}
}

// Timeouts reports the heartbeat and election timeouts raft runs with now:
// the configured ones, or the lease timeout while SuspectLeader is in force.
func (n *Node) Timeouts() (heartbeat, election time.Duration) {
	rc := n.raft.ReloadableConfig()
	return rc.HeartbeatTimeout, rc.ElectionTimeout
}

// nominateSuccessor gets one voter to stand for election at once: the voter
// with the lowest id other than the lost leader, through the RPC a leader
// uses to hand over leadership. Such a candidate's vote requests are not
// refused for a leader the other voters still remember, so one round of
// votes decides, where followers timing out on their own often split the
// vote; raft's term and log checks still decide whether it wins.
//
// The nominee sends the RPC to itself as soon as it suspects the leader.
// Other servers give it a lease timeout to do so and nominate it only if no
// leader is known by then (it may not have noticed), moving on to the next
// id if it does not answer: a hand-over RPC that reaches a server that has
// just won makes it stand again, so it is sent once, and late.
func (n *Node) nominateSuccessor(dead uint64) {
	defer n.wg.Done()
	f := n.raft.GetConfiguration()
	if f.Error() != nil {
		return
	}
	var voters []raft.Server
	for _, s := range f.Configuration().Servers {
		if s.Suffrage == raft.Voter && serverNum(s.ID) != dead {
			voters = append(voters, s)
		}
	}
	slices.SortFunc(voters, func(a, b raft.Server) int { return cmp.Compare(serverNum(a.ID), serverNum(b.ID)) })
	self := raft.ServerID(strconv.FormatUint(n.cfg.ServerID, 10))
	req := &raft.TimeoutNowRequest{RPCHeader: raft.RPCHeader{
		ProtocolVersion: raft.ProtocolVersionMax,
		ID:              []byte(self),
		Addr:            n.trans.EncodePeer(self, n.trans.LocalAddr()),
	}}
	for _, v := range voters {
		if v.ID != self && !n.waitNewLeader(dead, n.cfg.LeaderLeaseTimeout) {
			return
		}
		if cur, _, ok := n.Leader(); ok && cur != dead {
			return
		}
		var resp raft.TimeoutNowResponse
		if err := n.trans.TimeoutNow(v.ID, v.Address, req, &resp); err != nil {
			n.log.Info("nominee did not answer", "nominee", v.ID, "err", err)
			continue
		}
		n.log.Info("nominated a successor to the lost leader", "leader", dead, "nominee", v.ID)
		return
	}
}

// waitNewLeader waits up to d for a leader other than old, and reports
// whether to go on: false once one is known or the node closes.
func (n *Node) waitNewLeader(old uint64, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-n.stop:
		return false
	}
	cur, _, ok := n.Leader()
	return !ok || cur == old
}

// serverNum is the numeric server id raft's ServerID carries (0 if none).
func serverNum(id raft.ServerID) uint64 {
	v, _ := strconv.ParseUint(string(id), 10, 64)
	return v
}
