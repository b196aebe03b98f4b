package quorum

import (
	"errors"
	"net"
	"time"

	"github.com/hashicorp/raft"
)

// patientTransport is raft's TCP transport, except that AppendEntries to a
// peer that refuses connections (its process is down) keeps redialling while
// keepTrying says so, instead of failing at once.
//
// raft's leader backs off exponentially between failed AppendEntries to a
// peer, up to about ten seconds, and cannot be woken early: a member restarted
// after an outage of a minute or so sat unreplicated, unable to create
// sessions, for up to ten seconds. Waiting inside the call instead keeps the
// failure count (and so the back-off) small, and the peer is reached within
// one redial interval of its return. ZooKeeper's followers connect to the
// leader themselves, so they rejoin at once too.
type patientTransport struct {
	*raft.NetworkTransport
	// keepTrying reports whether to go on redialling peer id: while this
	// node leads, the peer is a member, and the node is open.
	keepTrying func(id raft.ServerID) bool
}

// redialInterval is how often patientTransport redials a refusing peer.
const redialInterval = 50 * time.Millisecond

// AppendEntries implements raft.Transport.
func (t *patientTransport) AppendEntries(id raft.ServerID, target raft.ServerAddress, args *raft.AppendEntriesRequest, resp *raft.AppendEntriesResponse) error {
	err := t.NetworkTransport.AppendEntries(id, target, args, resp)
	for err != nil && isDialError(err) && t.keepTrying(id) {
		time.Sleep(redialInterval)
		err = t.NetworkTransport.AppendEntries(id, target, args, resp)
	}
	return err
}

// isDialError reports whether err is a failure to connect, so that nothing
// was sent.
func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// keepReplicating is patientTransport's keepTrying for n.
func (n *Node) keepReplicating(id raft.ServerID) bool {
	r := n.started.Load() // nil until NewRaft has returned
	if r == nil || r.State() != raft.Leader {
		return false
	}
	n.closeMu.RLock()
	closing := n.closing
	n.closeMu.RUnlock()
	if closing {
		return false
	}
	f := r.GetConfiguration()
	if f.Error() != nil {
		return false
	}
	for _, s := range f.Configuration().Servers {
		if s.ID == id {
			return true
		}
	}
	return false
}
