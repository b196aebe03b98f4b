package quorumtest

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"github.com/raftzk/raftzk/quorum"
)

// Options shapes a Cluster.
type Options struct {
	Voters    int // default 3
	Nonvoters int // observers
	// Tune, if set, adjusts each server's Config before Open.
	Tune func(cfg *quorum.Config)
}

// WaitTimeout bounds every wait in this package.
const WaitTimeout = 15 * time.Second

// Cluster is an in-process ensemble: each server has its own Dir (fsynced
// bbolt, file snapshots) and a raft.InmemTransport, so partitions are
// exact and cost nothing. Server ids are 1..Voters+Nonvoters. Its methods
// must be called from the test goroutine.
type Cluster struct {
	t       testing.TB
	opts    Options
	members []*member
	blocked map[[2]uint64]bool // cut links, both orders stored
}

type member struct {
	id    uint64
	voter bool
	join  bool
	dir   string
	addr  raft.ServerAddress
	trans *raft.InmemTransport
	node  *quorum.Node // nil while stopped
	sm    *Recorder
}

// New starts a cluster and registers its Close with t.Cleanup. It returns
// without waiting for a leader; see WaitLeader.
func New(t testing.TB, opts Options) *Cluster {
	t.Helper()
	if opts.Voters == 0 {
		opts.Voters = 3
	}
	c := &Cluster{t: t, opts: opts, blocked: make(map[[2]uint64]bool)}
	for i := range opts.Voters + opts.Nonvoters {
		id := uint64(i + 1)
		c.members = append(c.members, &member{
			id:    id,
			voter: i < opts.Voters,
			dir:   t.TempDir(),
			addr:  raft.ServerAddress(fmt.Sprintf("server%d", id)),
		})
	}
	t.Cleanup(c.Close)
	for _, m := range c.members {
		c.start(m)
	}
	return c
}

func (c *Cluster) config(m *member) quorum.Config {
	cfg := quorum.DefaultConfig()
	cfg.ServerID = m.id
	cfg.Dir = m.dir
	cfg.Logger = slog.New(slog.NewTextHandler(tWriter{c.t}, nil))
	for _, o := range c.members {
		if !o.join || o == m {
			cfg.Peers = append(cfg.Peers, quorum.Peer{ID: o.id, Addr: string(o.addr), Voter: o.voter})
		}
	}
	cfg.Join = m.join
	cfg.Transport = m.trans
	// Durability is the crash test's business (package quorum); here fsync
	// stalls on a shared disk would only cost spurious elections.
	cfg.UnsafeNoSync = true
	cfg.HeartbeatTimeout = 100 * time.Millisecond
	cfg.ElectionTimeout = 100 * time.Millisecond
	cfg.LeaderLeaseTimeout = 100 * time.Millisecond
	cfg.CommitTimeout = 5 * time.Millisecond
	cfg.StartTimeout = WaitTimeout
	if c.opts.Tune != nil {
		c.opts.Tune(&cfg)
	}
	return cfg
}

func (c *Cluster) start(m *member) {
	c.t.Helper()
	_, m.trans = raft.NewInmemTransportWithTimeout(m.addr, 200*time.Millisecond)
	m.sm = &Recorder{}
	n, err := quorum.Open(c.config(m), m.sm)
	if err != nil {
		c.t.Fatalf("quorumtest: open server %d: %v", m.id, err)
	}
	m.node = n
	c.rewire()
}

// rewire connects every pair of running servers whose link is not cut and
// disconnects the rest.
func (c *Cluster) rewire() {
	for _, a := range c.members {
		if a.node == nil {
			continue
		}
		for _, b := range c.members {
			if a == b {
				// A server reaches itself, as over TCP (quorum's
				// SuspectLeader may nominate itself).
				a.trans.Connect(a.addr, a.trans)
				continue
			}
			if b.node == nil || c.blocked[[2]uint64{a.id, b.id}] {
				a.trans.Disconnect(b.addr)
			} else {
				a.trans.Connect(b.addr, b.trans)
			}
		}
	}
}

func (c *Cluster) member(id uint64) *member {
	c.t.Helper()
	for _, m := range c.members {
		if m.id == id {
			return m
		}
	}
	c.t.Fatalf("quorumtest: no server %d", id)
	return nil
}

// Node returns server id's Node, or nil while it is stopped.
func (c *Cluster) Node(id uint64) *quorum.Node { return c.member(id).node }

// StateMachine returns server id's current Recorder (a new one after Restart).
func (c *Cluster) StateMachine(id uint64) *Recorder { return c.member(id).sm }

// Running returns the ids of the servers not stopped.
func (c *Cluster) Running() []uint64 {
	var ids []uint64
	for _, m := range c.members {
		if m.node != nil {
			ids = append(ids, m.id)
		}
	}
	return ids
}

// Partition cuts every link between the servers in group and the others.
func (c *Cluster) Partition(group ...uint64) {
	for _, a := range c.members {
		for _, b := range c.members {
			if slices.Contains(group, a.id) != slices.Contains(group, b.id) {
				c.blocked[[2]uint64{a.id, b.id}] = true
			}
		}
	}
	c.rewire()
}

// Disconnect cuts server id off from every other server.
func (c *Cluster) Disconnect(id uint64) { c.Partition(id) }

// Heal restores every link.
func (c *Cluster) Heal() {
	clear(c.blocked)
	c.rewire()
}

// Stop closes server id, keeping its Dir.
func (c *Cluster) Stop(id uint64) {
	c.t.Helper()
	m := c.member(id)
	if m.node == nil {
		return
	}
	if err := m.node.Close(); err != nil {
		c.t.Errorf("quorumtest: close server %d: %v", id, err)
	}
	m.node = nil
	c.rewire()
}

// Restart reopens a stopped server on its Dir with a fresh Recorder.
func (c *Cluster) Restart(id uint64) {
	c.t.Helper()
	m := c.member(id)
	if m.node != nil {
		c.t.Fatalf("quorumtest: server %d is running", id)
	}
	c.start(m)
}

// Add starts a new server with an empty Dir and asks the leader to add it
// as a voter or a non-voter. It returns the new id.
func (c *Cluster) Add(voter bool) uint64 {
	c.t.Helper()
	id := uint64(len(c.members) + 1)
	m := &member{id: id, voter: voter, join: true, dir: c.t.TempDir(), addr: raft.ServerAddress(fmt.Sprintf("server%d", id))}
	c.members = append(c.members, m)
	c.start(m)
	leader := c.Node(c.WaitLeader())
	ctx, cancel := context.WithTimeout(context.Background(), WaitTimeout)
	defer cancel()
	var err error
	if voter {
		err = leader.AddVoter(ctx, id, string(m.addr))
	} else {
		err = leader.AddNonvoter(ctx, id, string(m.addr))
	}
	if err != nil {
		c.t.Fatalf("quorumtest: add server %d: %v", id, err)
	}
	return id
}

// WaitLeader waits until exactly one of the given servers (default: all
// running) believes it is leader, and returns its id.
func (c *Cluster) WaitLeader(among ...uint64) uint64 {
	c.t.Helper()
	if len(among) == 0 {
		among = c.Running()
	}
	var leader uint64
	c.waitFor("a leader among "+fmt.Sprint(among), func() bool {
		leader = 0
		for _, id := range among {
			if n := c.Node(id); n != nil && n.IsLeader() {
				if leader != 0 {
					return false
				}
				leader = id
			}
		}
		return leader != 0
	})
	return leader
}

// Converge syncs the leader among the given servers (default: all running)
// and waits until each of them has applied what the leader has; it then
// fails the test unless they all hold identical entries. It returns the
// applied zxid.
func (c *Cluster) Converge(among ...uint64) int64 {
	c.t.Helper()
	if len(among) == 0 {
		among = c.Running()
	}
	ctx, cancel := context.WithTimeout(context.Background(), WaitTimeout)
	defer cancel()
	var zxid int64
	c.waitFor("a leader sync", func() bool {
		n := c.Node(c.WaitLeader(among...))
		z, err := n.Sync(ctx)
		zxid = z
		return err == nil
	})
	for _, id := range among {
		if err := c.Node(id).WaitApplied(ctx, zxid); err != nil {
			c.t.Fatalf("quorumtest: server %d did not apply zxid %#x: %v (at %#x)", id, zxid, err, c.Node(id).AppliedZxid())
		}
	}
	want := c.StateMachine(among[0]).Entries()
	for _, id := range among[1:] {
		if got := c.StateMachine(id).Entries(); !slices.Equal(got, want) {
			c.t.Fatalf("quorumtest: server %d diverged from server %d: %d vs %d entries", id, among[0], len(got), len(want))
		}
	}
	return zxid
}

// Close stops every running server.
func (c *Cluster) Close() {
	for _, m := range c.members {
		if m.node != nil {
			if err := m.node.Close(); err != nil {
				c.t.Errorf("quorumtest: close server %d: %v", m.id, err)
			}
			m.node = nil
		}
	}
}

func (c *Cluster) waitFor(what string, cond func() bool) {
	c.t.Helper()
	deadline := time.Now().Add(WaitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			c.t.Fatalf("quorumtest: timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond) // polling a condition, not synchronising
	}
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
