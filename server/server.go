package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
	"github.com/raftzk/raftzk/server/acl"
	"github.com/raftzk/raftzk/server/tree"
	"github.com/raftzk/raftzk/server/watch"
)

// Proposer is what the server needs from replication (quorum.Node provides
// it). Propose must log entries in the order it is called from one goroutine.
type Proposer interface {
	// Propose hands data to the log and returns at once; the Future
	// resolves once the entry is durable on a quorum and applied locally.
	Propose(data []byte) Future
	// Sync returns once everything committed before the call is applied
	// locally.
	Sync(ctx context.Context) error
	// IsLeader reports whether this server leads: only the leader expires
	// sessions and reaps containers.
	IsLeader() bool
	// HasLeader reports whether this server is in touch with a leader, i.e.
	// part of a working quorum.
	HasLeader() bool
	// Reconfig runs a dynamic reconfiguration for a session's request; the
	// future's result is the state machine's (a GetDataResponse of the new
	// /zookeeper/config, or an error code).
	Reconfig(session int64, cxid int32, ids []jute.Id, req *jute.ReconfigRequest) Future
}

// Serving states of an ensemble member.
const (
	stateServing    int32 = iota // read-write
	stateReadOnly                // cut off; serving read-only clients (readonlymode.enabled)
	stateNotServing              // cut off; no clients
)

// Future is a proposal in flight.
type Future interface {
	// Wait blocks until the entry is applied (or failed) and returns its
	// zxid and the state machine's result.
	Wait() (zxid int64, result any, err error)
}

// Options configure a Server. Zero values take ZooKeeper's defaults.
type Options struct {
	Logger            *slog.Logger
	ServerID          int64 // top byte of session ids; 1 standalone
	TickTime          time.Duration
	MinSessionTimeout time.Duration // default 2 × TickTime
	MaxSessionTimeout time.Duration // default 20 × TickTime
	MaxClientCnxns    int           // per client IP; 0 = unlimited
	MaxBuffer         int           // jute.maxbuffer
	ExtendedTypes     bool          // zookeeper.extendedTypesEnabled
	SkipACL           bool          // zookeeper.skipACL
	SuperDigest       string        // zookeeper.DigestAuthenticationProvider.superDigest
	DigestDisabled    bool          // zookeeper.DigestAuthenticationProvider.enabled=false
	FourLetterWords   map[string]bool
	ReconfigEnabled   bool
	// Container and TTL reaping (znode.container.*).
	ContainerCheckInterval time.Duration
	ContainerMaxPerMinute  int
	ContainerMaxNeverUsed  time.Duration
	// ConfigData is the content of /zookeeper/config (empty standalone).
	ConfigData []byte
	// Ensemble and Observer tell the four-letter words this server's role.
	Ensemble bool
	Observer bool
	// ReadOnlyMode is readonlymode.enabled: a server cut off from the quorum
	// keeps serving clients that asked for read-only sessions.
	ReadOnlyMode bool
	// Info for the four-letter words.
	ClientPort int
	DataDir    string
	DataLogDir string
}

func (o *Options) setDefaults() {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.ServerID == 0 {
		o.ServerID = 1
	}
	if o.TickTime <= 0 {
		o.TickTime = 3 * time.Second
	}
	if o.MinSessionTimeout <= 0 {
		o.MinSessionTimeout = 2 * o.TickTime
	}
	if o.MaxSessionTimeout <= 0 {
		o.MaxSessionTimeout = 20 * o.TickTime
	}
	if o.MaxBuffer <= 0 {
		o.MaxBuffer = protocol.DefaultMaxBuffer
	}
	if o.ContainerCheckInterval <= 0 {
		o.ContainerCheckInterval = time.Minute
	}
	if o.ContainerMaxPerMinute <= 0 {
		o.ContainerMaxPerMinute = 10000
	}
	if o.FourLetterWords == nil {
		o.FourLetterWords = map[string]bool{"srvr": true}
	}
}

// Server is a ZooKeeper server over a Proposer.
type Server struct {
	opts    Options
	log     *slog.Logger
	sm      *stateMachine
	watches *watch.Manager
	policy  *acl.Policy
	ids     *sessionIDs
	tracker *tracker
	prop    Proposer
	started time.Time

	mu        sync.Mutex
	conns     map[*conn]struct{}
	perIP     map[string]int
	bySession map[int64]*conn
	listeners []net.Listener

	stats serverStats

	// notified lists the connections given events by the transaction being
	// applied; only the apply goroutine touches it.
	notified []*conn
	state    atomic.Int32 // stateServing, stateReadOnly or stateNotServing

	quit chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

type serverStats struct {
	received, sent      atomic.Int64
	minLat, maxLat, sum atomic.Int64
	count               atomic.Int64
}

func (s *serverStats) observe(d time.Duration) {
	ms := d.Milliseconds()
	s.count.Add(1)
	s.sum.Add(ms)
	for {
		cur := s.maxLat.Load()
		if ms <= cur || s.maxLat.CompareAndSwap(cur, ms) {
			break
		}
	}
	for {
		cur := s.minLat.Load()
		if (cur != -1 && ms >= cur) || s.minLat.CompareAndSwap(cur, ms) {
			break
		}
	}
}

func (s *serverStats) reset() {
	s.received.Store(0)
	s.sent.Store(0)
	s.minLat.Store(-1)
	s.maxLat.Store(0)
	s.sum.Store(0)
	s.count.Store(0)
}

// New returns a Server. Its state machine must be handed to quorum (see
// StateMachine) and the resulting proposer to Start before it serves. It
// fails only for a bad auth configuration (e.g. a malformed super digest).
func New(opts Options) (*Server, error) {
	opts.setDefaults()
	s := &Server{
		opts:      opts,
		log:       opts.Logger,
		watches:   watch.New(),
		tracker:   newTracker(opts.TickTime, opts.Ensemble),
		conns:     make(map[*conn]struct{}),
		perIP:     make(map[string]int),
		bySession: make(map[int64]*conn),
		quit:      make(chan struct{}),
		started:   time.Now(),
	}
	s.stats.reset()
	pol, err := acl.New(acl.Config{SuperDigest: opts.SuperDigest, DigestEnabled: !opts.DigestDisabled, SkipACL: opts.SkipACL})
	if err != nil {
		return nil, err
	}
	s.policy = pol
	s.sm = newStateMachine(opts.Logger, tree.Options{Policy: s.policy, ExtendedTypes: opts.ExtendedTypes}, s.watches)
	s.sm.sessionClosed = s.sessionClosed
	s.sm.eventsQueued = s.kickNotified
	s.sm.sessionCreated = func(id int64, to int32) { s.tracker.add(id, to, time.Now()) }
	s.sm.t.SetConfig(opts.ConfigData)
	s.ids = newSessionIDs(opts.ServerID, time.Now())
	return s, nil
}

// Start begins serving with p as the replication layer: it starts tracking
// the sessions the state machine holds (each gets a fresh full timeout, as
// after a ZooKeeper restart) and starts session expiry and container reaping.
func (s *Server) Start(p Proposer) {
	s.prop = p
	now := time.Now()
	s.sm.mu.RLock()
	for id, to := range s.sm.t.Sessions() {
		s.tracker.add(id, to, now)
	}
	s.sm.mu.RUnlock()
	s.wg.Add(2)
	go s.expiryLoop()
	go s.reapLoop()
	if s.opts.Ensemble {
		s.wg.Add(1)
		go s.quorumLoop()
	}
}

// quorumLoop watches whether this ensemble member is part of a working
// quorum. Cut off for two ticks (a follower's syncLimit in spirit), it stops
// serving: every client connection closes, so clients see Disconnected and
// move to another server instead of reading stale data; with read-only mode
// it keeps only read-only clients. When a leader is back, read-only
// connections are closed so their clients reconnect read-write.
func (s *Server) quorumLoop() {
	defer s.wg.Done()
	t := time.NewTicker(s.opts.TickTime / 4)
	defer t.Stop()
	lastSeen := time.Now()
	// Before the first leader is seen the member is still joining: give the
	// election longer (ZooKeeper's initLimit plays this part) before giving up.
	grace := 10 * s.opts.TickTime
	for {
		select {
		case <-s.quit:
			return
		case now := <-t.C:
			if s.prop.HasLeader() {
				lastSeen = now
				grace = 2 * s.opts.TickTime
				if s.state.Swap(stateServing) != stateServing {
					s.log.Info("quorum regained; serving read-write")
					s.closeConns(func(c *conn) bool { return c.readOnly.Load() })
				}
				continue
			}
			if now.Sub(lastSeen) < grace || s.state.Load() != stateServing {
				continue
			}
			if s.opts.ReadOnlyMode {
				s.state.Store(stateReadOnly)
				s.log.Warn("lost quorum; serving read-only clients only")
				s.closeConns(func(c *conn) bool { return !c.readOnly.Load() })
			} else {
				s.state.Store(stateNotServing)
				s.log.Warn("lost quorum; not serving clients")
				s.closeConns(func(*conn) bool { return true })
			}
		}
	}
}

// closeConns closes the client connections for which pick is true.
func (s *Server) closeConns(pick func(*conn) bool) {
	for _, c := range s.connections() {
		if pick(c) {
			c.close()
		}
	}
}

// Serve accepts client connections on l until l is closed or the server
// stops. It returns nil after Close.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	s.listeners = append(s.listeners, l)
	s.mu.Unlock()
	for {
		nc, err := l.Accept()
		if err != nil {
			select {
			case <-s.quit:
				return nil
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		if !s.admit(nc) {
			nc.Close()
			continue
		}
		c := newConn(s, nc)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			c.serve()
		}()
	}
}

func remoteIP(nc net.Conn) string {
	if a, ok := nc.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP.String()
	}
	return nc.RemoteAddr().String()
}

func (s *Server) admit(nc net.Conn) bool {
	select {
	case <-s.quit:
		return false
	default:
	}
	ip := remoteIP(nc)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.opts.MaxClientCnxns > 0 && s.perIP[ip] >= s.opts.MaxClientCnxns {
		s.log.Warn("too many connections from one address", "remote", ip, "max", s.opts.MaxClientCnxns)
		return false
	}
	s.perIP[ip]++
	return true
}

func (s *Server) register(c *conn) {
	s.mu.Lock()
	s.conns[c] = struct{}{}
	s.mu.Unlock()
}

func (s *Server) unregister(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	if n := s.perIP[c.ip] - 1; n > 0 {
		s.perIP[c.ip] = n
	} else {
		delete(s.perIP, c.ip)
	}
	if c.session != 0 && s.bySession[c.session] == c {
		delete(s.bySession, c.session)
	}
	s.mu.Unlock()
}

// bind attaches a session to c, closing any other connection that held it.
func (s *Server) bind(id int64, c *conn) {
	s.mu.Lock()
	old := s.bySession[id]
	s.bySession[id] = c
	s.mu.Unlock()
	if old != nil && old != c {
		old.close()
	}
}

// noteNotified records that c got an event in the transaction being applied.
func (s *Server) noteNotified(c *conn) {
	if !c.kickPending {
		c.kickPending = true
		s.notified = append(s.notified, c)
	}
}

// kickNotified wakes the writers of every connection that got events, once
// the transaction's events are all queued. Called by the apply goroutine.
func (s *Server) kickNotified() {
	for i, c := range s.notified {
		c.kickPending = false
		c.out.kick()
		s.notified[i] = nil
	}
	s.notified = s.notified[:0]
}

// closeSessionConn closes the connection that holds session id, if any.
func (s *Server) closeSessionConn(id int64) {
	s.mu.Lock()
	c := s.bySession[id]
	s.mu.Unlock()
	if c != nil {
		c.close()
	}
}

// sessionClosed runs after a closeSession is applied: the session's
// connection, if any, is closed unless it is the one that asked to close.
func (s *Server) sessionClosed(id int64) {
	s.tracker.remove(id)
	s.mu.Lock()
	c := s.bySession[id]
	delete(s.bySession, id)
	s.mu.Unlock()
	if c != nil && !c.closingSession.Load() {
		c.close()
	}
}

// Close stops accepting, closes every connection and waits for every
// goroutine the server started.
func (s *Server) Close() error {
	s.once.Do(func() {
		close(s.quit)
		s.mu.Lock()
		for _, l := range s.listeners {
			l.Close()
		}
		conns := make([]*conn, 0, len(s.conns))
		for c := range s.conns {
			conns = append(conns, c)
		}
		s.mu.Unlock()
		for _, c := range conns {
			c.close()
		}
	})
	s.wg.Wait()
	return nil
}

// expiryLoop expires sessions whose clients went quiet: it proposes a
// closeSession for each, which deletes their ephemerals.
func (s *Server) expiryLoop() {
	defer s.wg.Done()
	t := time.NewTicker(s.opts.TickTime / 2)
	defer t.Stop()
	leading := false
	for {
		select {
		case <-s.quit:
			return
		case now := <-t.C:
			if !s.prop.IsLeader() {
				leading = false
				continue
			}
			if !leading {
				// A new leader cannot know when other servers last heard
				// from their clients: everyone gets a full timeout.
				leading = true
				s.tracker.resetAll(now)
				continue
			}
			for _, id := range s.tracker.expired(now) {
				s.log.Info("session expired", "session", sessionHex(id))
				s.proposeInternal(id, protocol.OpCloseSession, nil)
			}
		}
	}
}

// reapLoop deletes empty containers and expired TTL nodes.
func (s *Server) reapLoop() {
	defer s.wg.Done()
	t := time.NewTicker(s.opts.ContainerCheckInterval)
	defer t.Stop()
	for {
		select {
		case <-s.quit:
			return
		case now := <-t.C:
			if !s.prop.IsLeader() {
				continue
			}
			s.sm.mu.RLock()
			paths := s.sm.t.ReapCandidates(now.UnixMilli(), s.opts.ContainerMaxNeverUsed.Milliseconds(), s.opts.ContainerMaxPerMinute)
			s.sm.mu.RUnlock()
			for _, p := range paths {
				s.proposeInternal(0, protocol.OpDeleteContainer, &jute.DeleteTxn{Path: p})
			}
		}
	}
}

// proposeInternal proposes a server-made transaction and waits for it.
func (s *Server) proposeInternal(session int64, op protocol.Op, body jute.Record) {
	e := entry{hdr: jute.TxnHeader{ClientID: session, Time: time.Now().UnixMilli(), Type: int32(op)}, body: body}
	if _, _, err := s.prop.Propose(e.encode()).Wait(); err != nil {
		s.log.Warn("internal proposal failed", "op", op, "session", sessionHex(session), "err", err)
	}
}

// StateMachine returns the server's state machine for quorum: Apply, Snapshot
// and Restore.
func (s *Server) StateMachine() *StateMachine { return &StateMachine{sm: s.sm} }

// Mode is the server's role as srvr and mntr show it.
func (s *Server) Mode() string {
	switch {
	case s.state.Load() == stateReadOnly:
		return "read-only"
	case !s.opts.Ensemble:
		return "standalone"
	case s.opts.Observer:
		return "observer"
	case s.prop != nil && s.prop.IsLeader():
		return "leader"
	}
	return "follower"
}

// LastZxid returns the zxid of the last applied transaction.
func (s *Server) LastZxid() int64 { return s.sm.last.Load() }
