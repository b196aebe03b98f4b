package server

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
	"github.com/raftzk/raftzk/quorum"
)

// Server-to-server requests travel on the election port (ZooKeeper's
// electionPort; Raft itself uses the quorum port). A follower keeps one
// connection to the current leader and sends it, in order:
//
//	forward: a log entry for the leader to propose (the follower's writes)
//	sync:    a request for the leader's applied zxid after a barrier
//	touch:   the sessions the follower heard from since its last report
//	hello:   first on a connection, the follower's server id (for mntr)
//
// Each frame is a 4-byte length, a type byte and the body. The leader
// answers forward and sync with reply{id, zxid, status}. Forwards from one
// connection are proposed in arrival order, so a session's writes keep
// their order through forwarding. The leader also sends every connected
// follower committed{zxid} when it has applied an entry that no later entry
// follows (ZooKeeper's COMMIT): raft would tell the followers only a commit
// timeout later, delaying their watches and reads.
const (
	msgForward   byte = 1
	msgSync      byte = 2
	msgTouch     byte = 3
	msgReply     byte = 4
	msgReconfig  byte = 5 // a reconfig request for the leader to carry out
	msgCommitted byte = 6 // leader to follower: this zxid is committed
	msgHello     byte = 7 // follower to leader, first on a connection: its server id (in the id field)
)

const (
	statusOK        byte = 0
	statusNotLeader byte = 1
	statusFailed    byte = 2
)

// ErrNoLeader is returned for a forwarded request while no leader is known.
var ErrNoLeader = errors.New("server: no leader")

// errForward is returned when the leader refused or lost a forwarded request.
var errForward = errors.New("server: forwarded request failed")

// maxPeerFrame bounds one server-to-server frame.
const maxPeerFrame = 64 << 20

// EnsembleProposer replicates through a quorum node that is part of an
// ensemble. On the leader it proposes directly; on a follower it forwards
// writes and syncs to the leader and reports session activity to it.
type EnsembleProposer struct {
	s     *Server
	n     *quorum.Node
	addrs map[uint64]string // server id → server-to-server (election) address
	log   *slog.Logger

	mu   sync.Mutex // guards link and addrs
	link *leaderLink

	reconfigBusy atomic.Bool // a reconfig is under way on this leader

	// On a follower: the newest zxid the leader said is committed (by a
	// commit announcement or its answer to a forward or sync), and a wake-up
	// for learnLoop, which hands it to the node. Reports that arrive while
	// learnLoop is busy coalesce into one.
	learnZxid atomic.Int64
	learnWake chan struct{}

	// On the leader: the follower connections, to tell them commits.
	peersMu sync.Mutex
	peers   map[*peerConn]struct{}

	quit chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

// NewEnsembleProposer returns the proposer for an ensemble member; peerAddrs
// maps every server id to its election address. Close stops it.
func NewEnsembleProposer(s *Server, n *quorum.Node, peerAddrs map[uint64]string) *EnsembleProposer {
	p := &EnsembleProposer{s: s, n: n, addrs: peerAddrs, log: s.log, quit: make(chan struct{}),
		learnWake: make(chan struct{}, 1), peers: make(map[*peerConn]struct{})}
	s.sm.configChanged = p.configApplied
	p.wg.Add(3)
	go p.touchLoop()
	go p.learnLoop()
	go p.commitLoop()
	return p
}

// learn records that the leader said zxid is committed, for learnLoop. It
// never blocks (the leader link's reader and forwarded writes call it).
func (p *EnsembleProposer) learn(zxid int64) {
	for {
		old := p.learnZxid.Load()
		if zxid <= old || p.learnZxid.CompareAndSwap(old, zxid) {
			break
		}
	}
	select {
	case p.learnWake <- struct{}{}:
	default:
	}
}

// learnLoop hands the commits the leader announces to the node.
func (p *EnsembleProposer) learnLoop() {
	defer p.wg.Done()
	for {
		select {
		case <-p.learnWake:
			p.n.LearnCommitted(p.learnZxid.Load())
		case <-p.quit:
			return
		}
	}
}

// peerConn is the leader's side of a follower's connection.
type peerConn struct {
	nc  net.Conn
	id  atomic.Uint64 // the follower's server id, once it said hello
	wmu sync.Mutex
}

// peerWriteTimeout bounds a write to a follower: one that stops reading (a
// paused process) loses its connection and redials, rather than stalling
// the leader's commit announcements to the others.
const peerWriteTimeout = 2 * time.Second

func (c *peerConn) write(b []byte) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.nc.SetWriteDeadline(time.Now().Add(peerWriteTimeout))
	if _, err := c.nc.Write(b); err != nil {
		c.nc.Close()
	}
}

// commitLoop, on the leader, tells every connected follower each applied
// zxid that no later entry follows: raft would tell them only a commit
// timeout later.
func (p *EnsembleProposer) commitLoop() {
	defer p.wg.Done()
	var told int64
	for {
		ch := p.n.AppliedChanged()
		if z := p.n.AppliedZxid(); z != told && p.n.CommitUntold(z) {
			told = z
			b := make([]byte, 4, 4+9)
			b = append(b, msgCommitted)
			b = binary.BigEndian.AppendUint64(b, uint64(z))
			binary.BigEndian.PutUint32(b, uint32(len(b)-4))
			p.peersMu.Lock()
			peers := make([]*peerConn, 0, len(p.peers))
			for c := range p.peers {
				peers = append(peers, c)
			}
			p.peersMu.Unlock()
			for _, c := range peers {
				c.write(b)
			}
		}
		select {
		case <-ch:
		case <-p.quit:
			return
		}
	}
}

// IsLeader reports whether the local node leads.
func (p *EnsembleProposer) IsLeader() bool { return p.n.IsLeader() }

// HasLeader reports whether a leader is known.
func (p *EnsembleProposer) HasLeader() bool {
	_, _, ok := p.n.Leader()
	return ok
}

// Propose proposes data on the leader or forwards it to the leader. With no
// leader to reach, it waits up to a tick for one (an election after a leader
// died takes milliseconds); nothing has been sent, so the wait is safe, and
// the session's later requests wait behind it, keeping their order.
func (p *EnsembleProposer) Propose(data []byte) Future {
	var fut Future
	err := p.awaitLeader(context.Background(), func() error {
		if p.n.IsLeader() {
			fut = p.n.ProposeAsync(data)
			return nil
		}
		link, err := p.leader()
		if err != nil {
			return err
		}
		key, err := entryKey(data)
		if err != nil {
			return err
		}
		ch := p.s.sm.waiters.register(key)
		call, err := link.call(msgForward, data)
		if err != nil {
			p.s.sm.waiters.cancel(key)
			return err
		}
		fut = &forwardFuture{p: p, key: key, call: call, result: ch}
		return nil
	})
	if err != nil {
		return doneFuture{err: err}
	}
	return fut
}

// Reconfig carries out a reconfig: on the leader directly, from a follower
// by forwarding the request. A refused request is logged as an error
// transaction, as in ZooKeeper, and its code is the result.
func (p *EnsembleProposer) Reconfig(session int64, cxid int32, ids []jute.Id, req *jute.ReconfigRequest) Future {
	if p.n.IsLeader() {
		f := &asyncFuture{done: make(chan struct{})}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer close(f.done)
			f.zxid, f.res, f.err = p.reconfigOrError(session, cxid, ids, req).Wait()
		}()
		return f
	}
	key := waitKey{session, cxid}
	ch := p.s.sm.waiters.register(key)
	link, err := p.leader()
	if err != nil {
		p.s.sm.waiters.cancel(key)
		return doneFuture{err: err}
	}
	e := entry{hdr: jute.TxnHeader{ClientID: session, Cxid: cxid, Type: int32(protocol.OpReconfig)}, ids: ids, body: req}
	call, err := link.call(msgReconfig, e.encode())
	if err != nil {
		p.s.sm.waiters.cancel(key)
		return doneFuture{err: err}
	}
	return &forwardFuture{p: p, key: key, call: call, result: ch}
}

func (p *EnsembleProposer) reconfigOrError(session int64, cxid int32, ids []jute.Id, req *jute.ReconfigRequest) Future {
	fut, code := p.reconfigLeader(session, cxid, ids, req)
	if code == protocol.CodeOK {
		return fut
	}
	e := entry{hdr: jute.TxnHeader{ClientID: session, Cxid: cxid, Time: time.Now().UnixMilli(), Type: int32(protocol.OpError)},
		body: &jute.ErrorTxn{Err: int32(code)}}
	return p.n.ProposeAsync(e.encode())
}

// asyncFuture is resolved by a goroutine.
type asyncFuture struct {
	done chan struct{}
	zxid int64
	res  any
	err  error
}

func (f *asyncFuture) Wait() (int64, any, error) {
	<-f.done
	return f.zxid, f.res, f.err
}

// Sync catches the local server up with the leader's applied state. Like
// Propose, it waits up to a tick for a leader to reach.
func (p *EnsembleProposer) Sync(ctx context.Context) error {
	var call chan linkReply
	err := p.awaitLeader(ctx, func() error {
		if p.n.IsLeader() {
			return nil
		}
		link, err := p.leader()
		if err != nil {
			return err
		}
		call, err = link.call(msgSync, nil)
		return err
	})
	if err != nil {
		return err
	}
	if call == nil {
		_, err := p.n.Sync(ctx)
		return err
	}
	select {
	case r := <-call:
		if r.status != statusOK {
			return errForward
		}
		p.learn(r.zxid) // applied on the leader, so committed
		return p.n.WaitApplied(ctx, r.zxid)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// awaitLeader calls try until it succeeds or fails with other than
// ErrNoLeader, for up to a tick (or until ctx ends or the proposer closes),
// and returns its last error.
func (p *EnsembleProposer) awaitLeader(ctx context.Context, try func() error) error {
	err := try()
	if err == nil || !errors.Is(err, ErrNoLeader) {
		return err
	}
	deadline := time.NewTimer(p.s.opts.TickTime)
	defer deadline.Stop()
	retry := time.NewTicker(leaderRetry)
	defer retry.Stop()
	for {
		select {
		case <-retry.C:
		case <-deadline.C:
			return err
		case <-ctx.Done():
			return err
		case <-p.quit:
			return quorum.ErrClosed
		}
		if err = try(); err == nil || !errors.Is(err, ErrNoLeader) {
			return err
		}
	}
}

// leaderRetry is how often a request waiting for a leader looks for one.
const leaderRetry = 10 * time.Millisecond

// Close stops the proposer's goroutines and its leader connection.
func (p *EnsembleProposer) Close() {
	p.once.Do(func() {
		close(p.quit)
		p.mu.Lock()
		if p.link != nil {
			p.link.close(ErrNoLeader)
		}
		p.mu.Unlock()
	})
	p.wg.Wait()
}

type doneFuture struct {
	zxid int64
	res  any
	err  error
}

func (f doneFuture) Wait() (int64, any, error) { return f.zxid, f.res, f.err }

// forwardFuture waits for the leader's acknowledgement, then for the local
// apply of the entry, whose result the state machine hands over by key.
type forwardFuture struct {
	p      *EnsembleProposer
	key    waitKey
	call   chan linkReply
	result chan waitResult

	once sync.Once
	zxid int64
	res  any
	err  error
}

// forwardApplyTimeout bounds the wait for the local apply of an entry the
// leader has committed.
const forwardApplyTimeout = 30 * time.Second

func (f *forwardFuture) Wait() (int64, any, error) {
	f.once.Do(func() {
		r := <-f.call
		if r.status != statusOK {
			f.p.s.sm.waiters.cancel(f.key)
			f.err = errForward
			if r.status == statusNotLeader {
				f.err = quorum.ErrNotLeader
			}
			return
		}
		// Committed on the leader: apply it here now rather than when the
		// leader's next AppendEntries says so.
		f.p.learn(r.zxid)
		t := time.NewTimer(forwardApplyTimeout)
		defer t.Stop()
		select {
		case w := <-f.result:
			f.zxid, f.res = w.zxid, w.res
		case <-t.C:
			f.p.s.sm.waiters.cancel(f.key)
			f.err = fmt.Errorf("server: committed entry 0x%x not applied locally in %v", r.zxid, forwardApplyTimeout)
		case <-f.p.quit:
			f.err = quorum.ErrClosed
		}
	})
	return f.zxid, f.res, f.err
}

// entryKey reads the (session, cxid) of a log entry's header.
func entryKey(data []byte) (waitKey, error) {
	if len(data) < 12 {
		return waitKey{}, errBadEntry
	}
	return waitKey{session: int64(binary.BigEndian.Uint64(data)), cxid: int32(binary.BigEndian.Uint32(data[8:]))}, nil
}

// leader returns the connection to the current leader, dialing it if needed.
func (p *EnsembleProposer) leader() (*leaderLink, error) {
	id, _, ok := p.n.Leader()
	if !ok {
		return nil, ErrNoLeader
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.quit:
		return nil, quorum.ErrClosed
	default:
	}
	if p.link != nil && p.link.leader == id && !p.link.isDead() {
		return p.link, nil
	}
	if p.link != nil {
		p.link.close(ErrNoLeader)
		p.link = nil
	}
	addr, ok := p.addrs[id]
	if !ok {
		return nil, fmt.Errorf("%w: leader %d has no address", ErrNoLeader, id)
	}
	nc, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return nil, fmt.Errorf("%w: dial leader %d at %s: %v", ErrNoLeader, id, addr, err)
	}
	l := &leaderLink{leader: id, nc: nc, committed: p.learn, calls: make(map[uint64]chan linkReply), dead: make(chan struct{})}
	p.link = l
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		l.readLoop()
		p.linkLost(l, addr)
	}()
	l.send(msgHello, uint64(p.s.opts.ServerID), nil)
	return l, nil
}

// Learners reports, on the leader, how many followers (voters) and
// observers (non-voters) have a connection to it: mntr's zk_synced_followers
// and zk_synced_observers.
func (p *EnsembleProposer) Learners() (followers, observers int) {
	if !p.n.IsLeader() {
		return 0, 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	members, err := p.n.Members(ctx)
	if err != nil {
		return 0, 0
	}
	voter := map[uint64]bool{}
	for _, m := range members {
		voter[m.ID] = m.Voter
	}
	p.peersMu.Lock()
	defer p.peersMu.Unlock()
	for c := range p.peers {
		id := c.id.Load()
		v, member := voter[id]
		switch {
		case !member:
		case v:
			followers++
		default:
			observers++
		}
	}
	return followers, observers
}

// linkLost runs when the connection to the leader has ended. If the leader
// closed it (or it broke) and a redial fails, the leader's process is likely
// gone, as when it was killed: the node is told so and elects at once, as a
// ZooKeeper follower does when its leader's socket closes, instead of
// waiting out the heartbeat timeout.
func (p *EnsembleProposer) linkLost(l *leaderLink, addr string) {
	l.mu.Lock()
	err := l.err
	l.mu.Unlock()
	if errors.Is(err, ErrNoLeader) {
		return // closed by this server: the leader changed, or Close
	}
	select {
	case <-p.quit:
		return
	default:
	}
	nc, derr := net.DialTimeout("tcp", addr, leaderProbe)
	if derr == nil {
		// A dying process closes its sockets one by one: its listening
		// socket may still complete a connection that is reset a moment
		// later. A leader that lives just leaves the connection silent.
		nc.SetReadDeadline(time.Now().Add(leaderProbe))
		_, derr = nc.Read(make([]byte, 1))
		nc.Close()
		if ne, ok := derr.(net.Error); ok && ne.Timeout() {
			return
		}
	}
	p.log.Info("lost the connection to the leader", "leader", l.leader, "err", err, "redial", derr)
	p.n.SuspectLeader(l.leader)
}

// touchLoop reports the sessions this server heard from to the leader, twice
// a tick, so the leader does not expire clients of followers. Between reports
// it keeps a connection to the leader open, dialling a new leader within
// linkCheck of its election: that link closing is how this server notices
// the leader's death (linkLost).
func (p *EnsembleProposer) touchLoop() {
	defer p.wg.Done()
	touch := time.NewTicker(p.s.opts.TickTime / 2)
	defer touch.Stop()
	check := time.NewTicker(min(linkCheck, p.s.opts.TickTime/2))
	defer check.Stop()
	for {
		select {
		case <-p.quit:
			return
		case <-check.C:
			if !p.n.IsLeader() {
				_, _ = p.leader()
			}
			continue
		case <-touch.C:
		}
		ids := p.s.tracker.drainTouched()
		if len(ids) == 0 || p.n.IsLeader() {
			continue
		}
		link, err := p.leader()
		if err != nil {
			continue
		}
		body := make([]byte, 0, 8*len(ids))
		for _, id := range ids {
			body = binary.BigEndian.AppendUint64(body, uint64(id))
		}
		link.send(msgTouch, 0, body)
	}
}

// leaderProbe bounds the redial of a leader whose link closed, and how long
// the new connection must stay open for the leader to count as alive.
const leaderProbe = 100 * time.Millisecond

// linkCheck is how often a follower makes sure it has a connection to the
// current leader.
const linkCheck = 50 * time.Millisecond

type linkReply struct {
	zxid   int64
	status byte
}

// leaderLink is a follower's connection to the leader. Writers serialise on
// wmu; readLoop owns the read side and completes calls.
type leaderLink struct {
	leader    uint64
	nc        net.Conn
	committed func(zxid int64) // the leader says zxid is committed
	wmu       sync.Mutex
	nextID    atomic.Uint64

	mu    sync.Mutex
	calls map[uint64]chan linkReply
	dead  chan struct{}
	err   error
}

func (l *leaderLink) isDead() bool {
	select {
	case <-l.dead:
		return true
	default:
		return false
	}
}

func (l *leaderLink) close(err error) {
	l.mu.Lock()
	if l.err == nil {
		l.err = err
		close(l.dead)
		for id, ch := range l.calls {
			ch <- linkReply{status: statusFailed}
			delete(l.calls, id)
		}
	}
	l.mu.Unlock()
	l.nc.Close()
}

// call sends a request and returns the channel its reply arrives on. An
// error means the request was not sent (the link had died, or the write
// failed), so it wraps ErrNoLeader: the caller may try again.
func (l *leaderLink) call(typ byte, body []byte) (chan linkReply, error) {
	id := l.nextID.Add(1)
	ch := make(chan linkReply, 1)
	l.mu.Lock()
	if l.err != nil {
		l.mu.Unlock()
		return nil, fmt.Errorf("%w: link to leader %d closed: %v", ErrNoLeader, l.leader, l.err)
	}
	l.calls[id] = ch
	l.mu.Unlock()
	if err := l.send(typ, id, body); err != nil {
		l.mu.Lock()
		delete(l.calls, id)
		l.mu.Unlock()
		return nil, fmt.Errorf("%w: send to leader %d: %v", ErrNoLeader, l.leader, err)
	}
	return ch, nil
}

func (l *leaderLink) send(typ byte, id uint64, body []byte) error {
	frame := make([]byte, 4, 4+1+8+len(body))
	frame = append(frame, typ)
	if typ != msgTouch {
		frame = binary.BigEndian.AppendUint64(frame, id)
	}
	frame = append(frame, body...)
	binary.BigEndian.PutUint32(frame, uint32(len(frame)-4))
	l.wmu.Lock()
	_, err := l.nc.Write(frame)
	l.wmu.Unlock()
	if err != nil {
		l.close(err)
	}
	return err
}

func (l *leaderLink) readLoop() {
	fr := protocol.NewFrameReader(l.nc, maxPeerFrame)
	for {
		frame, err := fr.ReadFrame()
		if err != nil {
			l.close(err)
			return
		}
		if len(frame) == 1+8 && frame[0] == msgCommitted {
			l.committed(int64(binary.BigEndian.Uint64(frame[1:])))
			continue
		}
		if len(frame) != 1+8+8+1 || frame[0] != msgReply {
			l.close(fmt.Errorf("server: bad reply from leader"))
			return
		}
		id := binary.BigEndian.Uint64(frame[1:])
		r := linkReply{zxid: int64(binary.BigEndian.Uint64(frame[9:])), status: frame[17]}
		l.mu.Lock()
		ch := l.calls[id]
		delete(l.calls, id)
		l.mu.Unlock()
		if ch != nil {
			ch <- r
		}
	}
}

// ServePeers answers other servers' forwarded requests on l (the election
// port) until l closes.
func (p *EnsembleProposer) ServePeers(l net.Listener) error {
	go func() {
		<-p.quit
		l.Close()
	}()
	for {
		nc, err := l.Accept()
		if err != nil {
			select {
			case <-p.quit:
				return nil
			default:
				return err
			}
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.servePeer(nc)
		}()
	}
}

type peerPending struct {
	id   uint64
	prop *quorum.Proposal
}

// servePeer handles one follower's connection: forwards are proposed in
// arrival order and answered in that order by a responder goroutine.
func (p *EnsembleProposer) servePeer(nc net.Conn) {
	defer nc.Close()
	pc := &peerConn{nc: nc}
	p.peersMu.Lock()
	p.peers[pc] = struct{}{}
	p.peersMu.Unlock()
	defer func() {
		p.peersMu.Lock()
		delete(p.peers, pc)
		p.peersMu.Unlock()
	}()
	reply := func(id uint64, zxid int64, status byte) {
		b := make([]byte, 4, 4+18)
		b = append(b, msgReply)
		b = binary.BigEndian.AppendUint64(b, id)
		b = binary.BigEndian.AppendUint64(b, uint64(zxid))
		b = append(b, status)
		binary.BigEndian.PutUint32(b, uint32(len(b)-4))
		pc.write(b)
	}
	status := func(err error) byte {
		switch {
		case err == nil:
			return statusOK
		case errors.Is(err, quorum.ErrNotLeader):
			return statusNotLeader
		}
		return statusFailed
	}
	pending := make(chan peerPending, 1024)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for pp := range pending {
			zxid, _, err := pp.prop.Wait()
			reply(pp.id, zxid, status(err))
		}
	}()
	defer func() {
		close(pending)
		<-done
	}()
	connDone := make(chan struct{})
	defer close(connDone)
	go func() {
		select {
		case <-p.quit:
			nc.Close()
		case <-connDone:
		}
	}()
	fr := protocol.NewFrameReader(nc, maxPeerFrame)
	for {
		frame, err := fr.ReadFrame()
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				p.log.Debug("peer connection failed", "remote", nc.RemoteAddr().String(), "err", err)
			}
			return
		}
		m, err := parsePeerMsg(frame)
		if err != nil {
			p.log.Warn("closing peer connection: bad message", "remote", nc.RemoteAddr().String(), "err", err)
			return
		}
		switch m.typ {
		case msgForward:
			pending <- peerPending{id: m.id, prop: p.n.ProposeAsync(m.data)}
		case msgSync:
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				zxid, err := p.n.Sync(ctx)
				reply(m.id, zxid, status(err))
			}()
		case msgReconfig:
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				zxid, _, err := p.reconfigOrError(m.hdr.ClientID, m.hdr.Cxid, m.ids, m.reconfig).Wait()
				reply(m.id, zxid, status(err))
			}()
		case msgTouch:
			now := time.Now()
			for _, id := range m.sessions {
				p.s.tracker.touch(id, now)
			}
		case msgHello:
			pc.id.Store(m.id)
		}
	}
}

// peerMsg is one decoded follower-to-leader message.
type peerMsg struct {
	typ      byte
	id       uint64
	data     []byte                // forward: the log entry
	hdr      jute.TxnHeader        // reconfig
	ids      []jute.Id             // reconfig
	reconfig *jute.ReconfigRequest // reconfig
	sessions []int64               // touch
}

var errBadPeerMsg = errors.New("server: malformed peer message")

// parsePeerMsg decodes a follower's frame (type byte and body).
func parsePeerMsg(frame []byte) (peerMsg, error) {
	var m peerMsg
	if len(frame) < 1 {
		return m, errBadPeerMsg
	}
	m.typ = frame[0]
	switch m.typ {
	case msgTouch:
		if (len(frame)-1)%8 != 0 {
			return m, errBadPeerMsg
		}
		for b := frame[1:]; len(b) >= 8; b = b[8:] {
			m.sessions = append(m.sessions, int64(binary.BigEndian.Uint64(b)))
		}
		return m, nil
	case msgForward, msgSync, msgReconfig, msgHello:
	default:
		return m, fmt.Errorf("%w: type %d", errBadPeerMsg, m.typ)
	}
	if len(frame) < 9 {
		return m, errBadPeerMsg
	}
	m.id = binary.BigEndian.Uint64(frame[1:])
	body := frame[9:]
	switch m.typ {
	case msgForward:
		if _, err := entryKey(body); err != nil {
			return m, errBadPeerMsg
		}
		m.data = append([]byte(nil), body...)
	case msgSync, msgHello:
		if len(body) != 0 {
			return m, errBadPeerMsg
		}
	case msgReconfig:
		d := jute.NewDecoder(body)
		m.hdr.Decode(&d)
		if n := d.VectorLen(8); n > 0 {
			m.ids = make([]jute.Id, n)
			for i := range m.ids {
				m.ids[i].Decode(&d)
			}
		}
		m.reconfig = &jute.ReconfigRequest{}
		m.reconfig.Decode(&d)
		if d.Err() != nil {
			return m, fmt.Errorf("%w: %v", errBadPeerMsg, d.Err())
		}
	}
	return m, nil
}
