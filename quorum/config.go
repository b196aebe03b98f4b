package quorum

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hashicorp/raft"
)

// Peer is one server of the ensemble (a server.N line of zoo.cfg).
type Peer struct {
	ID    uint64 // myid
	Addr  string // quorum host:port, carries Raft traffic
	Voter bool   // false for observers (Raft non-voters)
}

// Config configures a Node. Start from DefaultConfig.
type Config struct {
	// ServerID is this server's id (myid).
	ServerID uint64
	// Dir holds raft.db (log and stable store) and snapshots/.
	Dir string
	// Logger receives quorum's and raft's logs; nil discards them.
	Logger *slog.Logger

	// Peers is the initial ensemble, including this server. Empty, or only
	// this server, means standalone: a Raft group of one voter on an
	// in-memory transport. Peers is used only to bootstrap an empty Dir;
	// afterwards membership lives in the log (AddVoter, RemoveServer).
	Peers []Peer
	// Join means this server joins a running ensemble: an empty Dir is not
	// bootstrapped from Peers, and the server waits until the leader adds
	// it (Node.AddVoter or Node.AddNonvoter).
	Join bool
	// BindAddr is the address the Raft transport listens on; empty means
	// this server's Peer.Addr. Unused when standalone.
	BindAddr string

	// SnapshotThreshold is how many entries since the last snapshot trigger
	// a new one (ZooKeeper's snapCount).
	SnapshotThreshold uint64
	// SnapshotInterval is how often the threshold is checked (randomly
	// staggered up to twice as long).
	SnapshotInterval time.Duration
	// SnapshotRetain is how many snapshots to keep (autopurge.snapRetainCount).
	SnapshotRetain int
	// TrailingLogs is how many entries to keep behind a snapshot, so a
	// slightly lagging follower catches up from the log, not a snapshot.
	TrailingLogs uint64

	// HeartbeatTimeout is how long a follower waits without hearing from a
	// leader before it starts an election.
	HeartbeatTimeout time.Duration
	// ElectionTimeout is how long a candidate waits for votes.
	ElectionTimeout time.Duration
	// LeaderLeaseTimeout is how long a leader stays leader without hearing
	// from a quorum. At most HeartbeatTimeout.
	LeaderLeaseTimeout time.Duration
	// CommitTimeout bounds how long followers may go without learning the
	// commit index when the leader is idle.
	CommitTimeout time.Duration
	// MaxAppendEntries bounds a replication batch and a group commit.
	MaxAppendEntries int
	// StartTimeout bounds how long Open waits for a standalone node to
	// become leader and apply its whole log.
	StartTimeout time.Duration

	// UnsafeNoSync skips fsync of raft.db, so acknowledged writes can be
	// lost in a crash. Only for in-process test clusters (quorumtest).
	UnsafeNoSync bool

	// Transport, when set, replaces the transport Open would build
	// (quorumtest uses raft.InmemTransport). Node.Close closes it if it
	// implements io.Closer.
	Transport raft.Transport
}

// Standalone timeouts: a group of one wins its election alone, so there is
// no reason to wait long for a leader.
const (
	standaloneHeartbeat = 50 * time.Millisecond
	standaloneLease     = 50 * time.Millisecond
)

// DefaultConfig returns a Config with usable defaults; the caller sets
// ServerID, Dir, Logger and Peers.
func DefaultConfig() Config {
	return Config{
		SnapshotThreshold:  100000,
		SnapshotInterval:   30 * time.Second,
		SnapshotRetain:     3,
		TrailingLogs:       10000,
		HeartbeatTimeout:   1000 * time.Millisecond,
		ElectionTimeout:    1000 * time.Millisecond,
		LeaderLeaseTimeout: 500 * time.Millisecond,
		CommitTimeout:      20 * time.Millisecond,
		MaxAppendEntries:   256,
		StartTimeout:       30 * time.Second,
	}
}

// ErrInvalidConfig wraps every error returned by Config.Validate.
var ErrInvalidConfig = errors.New("quorum: invalid config")

// Validate reports the first problem with c.
func (c *Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	if c.Dir == "" {
		return bad("Dir is empty")
	}
	if len(c.Peers) > 0 {
		seen := make(map[uint64]bool, len(c.Peers))
		self, voters := false, 0
		for _, p := range c.Peers {
			if seen[p.ID] {
				return bad("peer %d listed twice", p.ID)
			}
			seen[p.ID] = true
			if p.ID == c.ServerID {
				self = true
			}
			if p.Voter {
				voters++
			}
			if len(c.Peers) > 1 && p.Addr == "" {
				return bad("peer %d has no address", p.ID)
			}
		}
		if !self {
			return bad("Peers does not include ServerID %d", c.ServerID)
		}
		if voters == 0 {
			return bad("Peers has no voter")
		}
	}
	if c.Join && c.Transport == nil && c.self().Addr == "" {
		return bad("Join needs this server's address in Peers")
	}
	switch {
	case c.SnapshotThreshold == 0:
		return bad("SnapshotThreshold is 0")
	case c.SnapshotInterval < 5*time.Millisecond:
		return bad("SnapshotInterval %v is below 5ms", c.SnapshotInterval)
	case c.SnapshotRetain < 1:
		return bad("SnapshotRetain %d is below 1", c.SnapshotRetain)
	case c.HeartbeatTimeout < 5*time.Millisecond:
		return bad("HeartbeatTimeout %v is below 5ms", c.HeartbeatTimeout)
	case c.ElectionTimeout < c.HeartbeatTimeout:
		return bad("ElectionTimeout %v is below HeartbeatTimeout %v", c.ElectionTimeout, c.HeartbeatTimeout)
	case c.LeaderLeaseTimeout < 5*time.Millisecond || c.LeaderLeaseTimeout > c.HeartbeatTimeout:
		return bad("LeaderLeaseTimeout %v must be in [5ms, HeartbeatTimeout]", c.LeaderLeaseTimeout)
	case c.CommitTimeout < time.Millisecond:
		return bad("CommitTimeout %v is below 1ms", c.CommitTimeout)
	case c.MaxAppendEntries < 1 || c.MaxAppendEntries > 1024:
		return bad("MaxAppendEntries %d must be in [1, 1024]", c.MaxAppendEntries)
	case c.StartTimeout <= 0:
		return bad("StartTimeout %v is not positive", c.StartTimeout)
	}
	return nil
}

// standalone reports whether c describes a group of one.
func (c *Config) standalone() bool {
	return !c.Join && len(c.Peers) == 0 || (len(c.Peers) == 1 && c.Peers[0].ID == c.ServerID)
}

// self returns this server's entry in Peers.
func (c *Config) self() Peer {
	for _, p := range c.Peers {
		if p.ID == c.ServerID {
			return p
		}
	}
	return Peer{ID: c.ServerID, Voter: true}
}

// raftConfig translates c into hashicorp/raft's configuration.
func (c *Config) raftConfig(notify chan<- bool, logger *slog.Logger) *raft.Config {
	rc := raft.DefaultConfig()
	rc.LocalID = serverID(c.ServerID)
	rc.Logger = newHCLog(logger, "raft")
	rc.NotifyCh = notify
	rc.HeartbeatTimeout = c.HeartbeatTimeout
	rc.ElectionTimeout = c.ElectionTimeout
	rc.LeaderLeaseTimeout = c.LeaderLeaseTimeout
	rc.CommitTimeout = c.CommitTimeout
	rc.MaxAppendEntries = c.MaxAppendEntries
	// Proposals queue (up to MaxAppendEntries) while the leader loop writes
	// the previous batch. Without it raft.Apply waits for the loop, and a
	// single goroutine proposing in a row (a follower's forwarded writes)
	// gets one entry, and one fsync, per batch.
	rc.BatchApplyCh = true
	rc.SnapshotThreshold = c.SnapshotThreshold
	rc.SnapshotInterval = c.SnapshotInterval
	rc.TrailingLogs = c.TrailingLogs
	// Open restores the newest snapshot itself, then replays the applied
	// part of the log (see Node.catchUp); raft must not restore it again.
	rc.NoSnapshotRestoreOnStart = true
	// A server removed from the ensemble stops rather than leading alone.
	rc.ShutdownOnRemove = true
	if c.standalone() && c.Transport == nil {
		rc.HeartbeatTimeout = min(rc.HeartbeatTimeout, standaloneHeartbeat)
		rc.ElectionTimeout = min(rc.ElectionTimeout, standaloneHeartbeat)
		rc.LeaderLeaseTimeout = min(rc.LeaderLeaseTimeout, standaloneLease)
	}
	return rc
}

func serverID(id uint64) raft.ServerID {
	return raft.ServerID(fmt.Sprint(id))
}
