package quorum

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/raft"
)

// Node is one server's membership in the Raft group. All methods are safe
// for concurrent use.
//
// Lock order: closeMu, then leaderMu; fsm.mu is never held with either.
type Node struct {
	cfg   Config
	log   *slog.Logger
	raft  *raft.Raft
	store *Store
	fsm   *fsm
	trans raft.Transport

	notify chan bool     // raft's NotifyCh, drained by observeLoop
	stop   chan struct{} // closed by Close after raft has shut down
	wg     sync.WaitGroup

	closeMu sync.RWMutex
	closing bool           // guarded by closeMu
	pending sync.WaitGroup // raft operations in flight; Add only under closeMu.RLock with !closing

	started    atomic.Pointer[raft.Raft] // raft, once NewRaft has returned (for the transport's goroutines)
	suspecting atomic.Bool
	// SuspectLeader shortened the raft timeouts; restoreTimeouts runs

	leaderMu      sync.Mutex
	leaderChanged chan struct{} // closed and replaced on every leadership change; guarded by leaderMu

	closeOnce sync.Once
	closeErr  error
}

// Open opens (or creates) the server's replicated state in cfg.Dir and
// starts Raft. Before it returns, sm holds the newest snapshot plus every
// entry this server knows to be applied; a standalone server additionally
// becomes leader and applies its whole log, so it never serves stale data
// after a restart. An ensemble member returns without waiting for a leader
// and catches up as the leader tells it the commit index.
//
// Open calls sm's methods on the calling goroutine; afterwards they are
// called on raft's apply goroutine.
func Open(cfg Config, sm StateMachine) (_ *Node, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("server", cfg.ServerID)
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("quorum: %w", err)
	}

	n := &Node{
		cfg:           cfg,
		log:           logger,
		notify:        make(chan bool, 16),
		stop:          make(chan struct{}),
		leaderChanged: make(chan struct{}),
	}
	var cleanup []func()
	defer func() {
		if err != nil {
			for i := len(cleanup) - 1; i >= 0; i-- {
				cleanup[i]()
			}
		}
	}()

	n.store, err = OpenStore(filepath.Join(cfg.Dir, "raft.db"), StoreOptions{LockTimeout: time.Second, NoSync: cfg.UnsafeNoSync})
	if err != nil {
		return nil, err
	}
	cleanup = append(cleanup, func() { _ = n.store.Close() })

	snaps, err := raft.NewFileSnapshotStoreWithLogger(cfg.Dir, cfg.SnapshotRetain, newHCLog(logger, "snapshot"))
	if err != nil {
		return nil, fmt.Errorf("quorum: snapshot store: %w", err)
	}

	n.trans, err = cfg.transport(logger)
	if err != nil {
		return nil, err
	}
	if nt, ok := n.trans.(*raft.NetworkTransport); ok {
		n.trans = &patientTransport{NetworkTransport: nt, keepTrying: n.keepReplicating}
	}
	cleanup = append(cleanup, func() {
		if c, ok := n.trans.(io.Closer); ok {
			_ = c.Close()
		}
	})

	n.fsm = newFSM(sm, n.store, logger)
	if err := n.catchUp(snaps); err != nil {
		return nil, err
	}

	rc := cfg.raftConfig(n.notify, logger)
	existing, err := raft.HasExistingState(n.store, n.store, snaps)
	if err != nil {
		return nil, fmt.Errorf("quorum: %w", err)
	}
	if !existing && !cfg.Join {
		conf := cfg.bootstrapConfiguration(n.trans.LocalAddr())
		if err := raft.BootstrapCluster(rc, n.store, n.store, snaps, n.trans, conf); err != nil {
			return nil, fmt.Errorf("quorum: bootstrap: %w", err)
		}
		logger.Info("bootstrapped raft group", "servers", len(conf.Servers))
	}

	n.raft, err = raft.NewRaft(rc, n.fsm, n.store, n.store, snaps, n.trans)
	if err != nil {
		return nil, fmt.Errorf("quorum: start raft: %w", err)
	}
	n.started.Store(n.raft)
	cleanup = append(cleanup, func() {
		_ = n.raft.Shutdown().Error()
		close(n.stop)
		n.wg.Wait()
	})
	n.wg.Add(1)
	go n.observeLoop()

	if cfg.standalone() {
		if err := n.awaitStandaloneLeader(); err != nil {
			return nil, err
		}
	}
	logger.Info("quorum node open", "applied_zxid", n.AppliedZxid(), "standalone", cfg.standalone())
	return n, nil
}

// transport builds the Raft transport c asks for.
func (c *Config) transport(logger *slog.Logger) (raft.Transport, error) {
	if c.Transport != nil {
		return c.Transport, nil
	}
	if c.standalone() {
		_, t := raft.NewInmemTransport(raft.ServerAddress("inmem:" + strconv.FormatUint(c.ServerID, 10)))
		return t, nil
	}
	self := c.self()
	adv, err := net.ResolveTCPAddr("tcp", self.Addr)
	if err != nil {
		return nil, fmt.Errorf("quorum: resolve %s: %w", self.Addr, err)
	}
	bind := c.BindAddr
	if bind == "" {
		bind = self.Addr
	}
	t, err := raft.NewTCPTransportWithLogger(bind, adv, 3, 10*time.Second, newHCLog(logger, "transport"))
	if err != nil {
		return nil, fmt.Errorf("quorum: listen %s: %w", bind, err)
	}
	return t, nil
}

// bootstrapConfiguration is the initial membership written to an empty Dir.
func (c *Config) bootstrapConfiguration(local raft.ServerAddress) raft.Configuration {
	if c.standalone() {
		return raft.Configuration{Servers: []raft.Server{{
			Suffrage: raft.Voter, ID: serverID(c.ServerID), Address: local,
		}}}
	}
	var conf raft.Configuration
	for _, p := range c.Peers {
		s := raft.Server{Suffrage: raft.Nonvoter, ID: serverID(p.ID), Address: raft.ServerAddress(p.Addr)}
		if p.Voter {
			s.Suffrage = raft.Voter
		}
		conf.Servers = append(conf.Servers, s)
	}
	return conf
}

// catchUp restores the newest snapshot into the state machine and replays
// the log entries the store records as applied, before raft starts. Raft
// re-delivers those entries once it learns the commit index; fsm skips them.
func (n *Node) catchUp(snaps raft.SnapshotStore) error {
	applied, err := n.store.AppliedIndex()
	if err != nil {
		return err
	}
	metas, err := snaps.List()
	if err != nil {
		return fmt.Errorf("quorum: list snapshots: %w", err)
	}
	var from uint64 = 1
	if len(metas) > 0 {
		meta := metas[0]
		_, rc, err := snaps.Open(meta.ID)
		if err != nil {
			return fmt.Errorf("quorum: open snapshot %s: %w", meta.ID, err)
		}
		err = n.fsm.restore(rc)
		_ = rc.Close()
		if err != nil {
			return fmt.Errorf("quorum: snapshot %s: %w", meta.ID, err)
		}
		from = max(n.fsm.appliedIndex, meta.Index) + 1
	}
	last, err := n.store.LastIndex()
	if err != nil {
		return err
	}
	to := min(applied, last)
	if from > to {
		n.store.StageApplied(n.fsm.appliedIndex)
		return nil
	}
	batch := make([]*raft.Log, 0, n.cfg.MaxAppendEntries)
	for i := from; i <= to; i++ {
		l := new(raft.Log)
		if err := n.store.GetLog(i, l); err != nil {
			return fmt.Errorf("quorum: replay entry %d of %d-%d: %w", i, from, to, err)
		}
		batch = append(batch, l)
		if len(batch) == cap(batch) || i == to {
			n.fsm.ApplyBatch(batch)
			batch = batch[:0]
		}
	}
	// Raft has not handed these over yet; Snapshot must wait until it has.
	n.fsm.fedIndex = 0
	n.log.Info("replayed log", "from", from, "to", to, "applied_zxid", n.fsm.zxid.Load())
	return nil
}

// awaitStandaloneLeader waits until a group of one has elected itself and
// applied everything in its log.
func (n *Node) awaitStandaloneLeader() error {
	deadline := time.NewTimer(n.cfg.StartTimeout)
	defer deadline.Stop()
	for {
		ch := n.LeaderChanged()
		if n.IsLeader() {
			break
		}
		select {
		case <-ch:
		case <-deadline.C:
			return fmt.Errorf("quorum: standalone server did not become leader within %v", n.cfg.StartTimeout)
		}
	}
	if err := n.raft.Barrier(n.cfg.StartTimeout).Error(); err != nil {
		return fmt.Errorf("quorum: catch up: %w", mapErr(err))
	}
	return nil
}

// observeLoop turns raft's leadership notifications into LeaderChanged
// broadcasts. It runs until Close.
func (n *Node) observeLoop() {
	defer n.wg.Done()
	for {
		select {
		case leader := <-n.notify:
			n.log.Info("leadership changed", "leader", leader)
			n.leaderMu.Lock()
			close(n.leaderChanged)
			n.leaderChanged = make(chan struct{})
			n.leaderMu.Unlock()
		case <-n.stop:
			return
		}
	}
}

// Propose replicates data and returns after the entry is committed (durable
// on a quorum) and applied locally, with its zxid and the result of
// StateMachine.Apply. Proposals from many goroutines are batched by raft
// into one append and one fsync. data is handed to StateMachine.Apply as
// is (on this server), so the caller must not modify it afterwards.
//
// Errors: ErrNotLeader (nothing appended), ErrLeadershipLost (outcome
// unknown), ErrClosed, or ctx's error. If ctx ends after the entry was
// handed to raft, the entry may still be applied later.
func (n *Node) Propose(ctx context.Context, data []byte) (zxid int64, result any, err error) {
	f, err := n.do(ctx, func(timeout time.Duration) raft.Future {
		return n.raft.Apply(data, timeout)
	})
	if err != nil {
		return 0, nil, err
	}
	a, ok := f.(raft.ApplyFuture).Response().(applied)
	if !ok {
		panic(fmt.Sprintf("quorum: proposed entry came back as %T", f.(raft.ApplyFuture).Response()))
	}
	return a.zxid, a.result, nil
}

// Sync waits until every entry committed before the call is applied
// locally, and returns the applied zxid. Only the leader can sync
// (ErrNotLeader elsewhere); a follower forwards the sync to the leader and
// then calls WaitApplied with the zxid the leader returned.
func (n *Node) Sync(ctx context.Context) (int64, error) {
	_, err := n.do(ctx, func(timeout time.Duration) raft.Future {
		return n.raft.Barrier(timeout)
	})
	if err != nil {
		return 0, err
	}
	return n.AppliedZxid(), nil
}

// WaitApplied blocks until the applied zxid reaches zxid, ctx ends or the
// node closes.
func (n *Node) WaitApplied(ctx context.Context, zxid int64) error {
	for {
		ch := n.fsm.changedCh()
		if n.fsm.zxid.Load() >= zxid {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-n.stop:
			return ErrClosed
		}
	}
}

// AppliedZxid returns the zxid of the last entry applied to the state
// machine (0 before the first). It never decreases except when a follower
// installs a leader's snapshot.
func (n *Node) AppliedZxid() int64 {
	return n.fsm.zxid.Load()
}

// IsLeader reports whether this server is currently the leader.
func (n *Node) IsLeader() bool {
	return n.raft.State() == raft.Leader
}

// LeaderChanged returns a channel that is closed at the next change of this
// server's leadership. Take the channel, then read IsLeader, so no change
// is missed.
func (n *Node) LeaderChanged() <-chan struct{} {
	n.leaderMu.Lock()
	defer n.leaderMu.Unlock()
	return n.leaderChanged
}

// Leader returns the current leader's id and quorum address as far as this
// server knows; ok is false when there is none.
func (n *Node) Leader() (id uint64, addr string, ok bool) {
	a, sid := n.raft.LeaderWithID()
	if sid == "" {
		return 0, "", false
	}
	id, err := strconv.ParseUint(string(sid), 10, 64)
	if err != nil {
		return 0, "", false
	}
	return id, string(a), true
}

// Snapshot takes a snapshot now and compacts the log behind it. It is a
// no-op when nothing was applied since the last snapshot.
func (n *Node) Snapshot(ctx context.Context) error {
	_, err := n.do(ctx, func(time.Duration) raft.Future { return n.raft.Snapshot() })
	if errors.Is(err, raft.ErrNothingNewToSnapshot) {
		return nil
	}
	return err
}

// AddVoter adds (or promotes) a voting server. Only the leader can change
// membership.
func (n *Node) AddVoter(ctx context.Context, id uint64, addr string) error {
	_, err := n.do(ctx, func(timeout time.Duration) raft.Future {
		return n.raft.AddVoter(serverID(id), raft.ServerAddress(addr), 0, timeout)
	})
	return err
}

// AddNonvoter adds a server that replicates the log but does not vote (a
// ZooKeeper observer).
func (n *Node) AddNonvoter(ctx context.Context, id uint64, addr string) error {
	_, err := n.do(ctx, func(timeout time.Duration) raft.Future {
		return n.raft.AddNonvoter(serverID(id), raft.ServerAddress(addr), 0, timeout)
	})
	return err
}

// RemoveServer removes a server from the group.
func (n *Node) RemoveServer(ctx context.Context, id uint64) error {
	_, err := n.do(ctx, func(timeout time.Duration) raft.Future {
		return n.raft.RemoveServer(serverID(id), 0, timeout)
	})
	return err
}

// Members returns the latest membership, committed or not.
func (n *Node) Members(ctx context.Context) ([]Peer, error) {
	f, err := n.do(ctx, func(time.Duration) raft.Future { return n.raft.GetConfiguration() })
	if err != nil {
		return nil, err
	}
	var peers []Peer
	for _, s := range f.(raft.ConfigurationFuture).Configuration().Servers {
		id, err := strconv.ParseUint(string(s.ID), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("quorum: server id %q is not a number", s.ID)
		}
		peers = append(peers, Peer{ID: id, Addr: string(s.Address), Voter: s.Suffrage == raft.Voter})
	}
	return peers, nil
}

// do starts a raft operation and waits until it finishes, ctx ends or the
// node closes. start gets the time left before ctx's deadline (0: none) to
// bound how long raft may take to accept the operation.
//
// Raft can leave a future unanswered if it shuts down with the operation
// queued, so every operation is counted in pending, and Close lets pending
// operations finish before it shuts raft down.
func (n *Node) do(ctx context.Context, start func(timeout time.Duration) raft.Future) (raft.Future, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var timeout time.Duration
	if d, ok := ctx.Deadline(); ok {
		if timeout = time.Until(d); timeout <= 0 {
			return nil, context.DeadlineExceeded
		}
	}
	n.closeMu.RLock()
	if n.closing {
		n.closeMu.RUnlock()
		return nil, ErrClosed
	}
	n.pending.Add(1)
	n.closeMu.RUnlock()

	f := start(timeout)
	if ctx.Done() == nil {
		err := f.Error()
		n.pending.Done()
		return f, mapErr(err)
	}
	done := make(chan error, 1)
	go func() {
		defer n.pending.Done()
		done <- f.Error()
	}()
	select {
	case err := <-done:
		return f, mapErr(err)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close stops accepting operations, lets those in flight finish (bounded by
// a few election timeouts), shuts raft down, flushes the applied index and
// closes the store. It waits for every goroutine quorum started. Close is
// idempotent.
func (n *Node) Close() error {
	n.closeOnce.Do(func() {
		n.closeMu.Lock()
		n.closing = true
		n.closeMu.Unlock()

		drained := make(chan struct{})
		go func() {
			n.pending.Wait()
			close(drained)
		}()
		timer := time.NewTimer(2*n.cfg.ElectionTimeout + n.cfg.LeaderLeaseTimeout)
		select {
		case <-drained:
		case <-timer.C:
			n.log.Warn("closing with raft operations still in flight")
		}
		timer.Stop()

		errs := []error{mapShutdown(n.raft.Shutdown().Error())}
		close(n.stop)
		n.wg.Wait()
		if c, ok := n.trans.(io.Closer); ok {
			errs = append(errs, c.Close())
		}
		errs = append(errs, n.store.FlushApplied(), n.store.Close())
		n.closeErr = errors.Join(errs...)
		n.log.Info("quorum node closed", "applied_zxid", n.AppliedZxid())
	})
	return n.closeErr
}

func mapShutdown(err error) error {
	if err == nil || errors.Is(err, raft.ErrRaftShutdown) {
		return nil
	}
	return fmt.Errorf("quorum: shutdown: %w", err)
}
