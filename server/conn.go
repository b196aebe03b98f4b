package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
	"github.com/raftzk/raftzk/server/acl"
)

// conn is one client connection. serve (the read loop) owns the socket's read
// side, processLoop owns session state and the tree reads, respondLoop
// releases replies in request order, writeLoop owns the socket's write side.
type conn struct {
	srv    *Server
	nc     net.Conn
	ip     string
	remote string
	out    *outQueue

	in      chan *request // readLoop → processLoop
	pending chan *pending // processLoop → respondLoop

	session        int64 // set once by the handshake, before the loops start
	timeout        int32
	closingSession atomic.Bool // a closeSession of this connection is under way
	readOnly       atomic.Bool // a local session on a read-only server

	// Owned by readLoop: one decoder reused for every frame (a local one
	// would move to the heap once per frame through the Record interface).
	dec jute.Decoder

	// authIDs is a copy of ids for the apply goroutine, which filters
	// watch events by them.
	authIDs atomic.Pointer[[]jute.Id]

	// kickPending is owned by the apply goroutine: c is listed in
	// Server.notified for the transaction being applied.
	kickPending bool

	// Owned by processLoop.
	ids       []jute.Id
	lastWrite Future

	// Stats for cons/stat.
	established time.Time
	received    atomic.Int64
	sent        atomic.Int64
	lastOp      atomic.Value // string
	lastCxid    atomic.Int64
	lastZxid    atomic.Int64
	lastResp    atomic.Int64

	closeOnce sync.Once
	done      chan struct{}
}

type request struct {
	xid      int32
	op       protocol.Op
	body     jute.Record
	badBody  bool // body did not decode
	received time.Time
}

// pending is one reply slot, released in request order.
type pending struct {
	req        *request
	frame      []byte // ready reply, or nil while fut is in flight
	fut        Future
	closeAfter bool
	// monotonic marks a reply whose zxid is "the last applied": it is
	// raised, if needed, to the highest zxid already sent on this
	// connection, so a ping answered behind pipelined writes never shows
	// a zxid older than their replies.
	monotonic bool
	// finish turns a resolved future into the reply frame.
	finish func(zxid int64, res any, err error) []byte
}

func newConn(s *Server, nc net.Conn) *conn {
	return &conn{
		srv:         s,
		nc:          nc,
		ip:          remoteIP(nc),
		remote:      nc.RemoteAddr().String(),
		out:         newOutQueue(),
		in:          make(chan *request, 512),
		pending:     make(chan *pending, 512),
		done:        make(chan struct{}),
		established: time.Now(),
	}
}

func (c *conn) close() {
	c.closeOnce.Do(func() {
		close(c.done)
		c.out.close()
		c.nc.Close()
		c.srv.watches.RemoveWatcher(c)
	})
}

func sessionHex(id int64) string { return fmt.Sprintf("0x%x", uint64(id)) }

// serve runs the connection: four-letter word or handshake, then the loops.
func (c *conn) serve() {
	s := c.srv
	s.register(c)
	defer s.unregister(c)
	defer c.close()

	fr := protocol.NewFrameReader(c.nc, s.opts.MaxBuffer)
	c.nc.SetReadDeadline(time.Now().Add(10 * time.Second)) // sessionlessCnxnTimeout
	n, err := fr.ReadLength()
	if err != nil {
		return
	}
	if w, ok := protocol.FourLetterWords[n]; ok {
		c.fourLetterWord(w)
		return
	}
	if n == protocol.TelnetInterrupt {
		return
	}
	frame, err := fr.ReadPayload(n)
	if err != nil {
		s.log.Warn("closing connection: bad first frame", "remote", c.remote, "err", err)
		return
	}
	c.nc.SetReadDeadline(time.Time{})
	if !c.handshake(frame) {
		return
	}

	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); c.writeLoop() }()
	go func() { defer wg.Done(); c.processLoop() }()
	go func() { defer wg.Done(); c.respondLoop() }()
	if !c.readLoop(fr) {
		c.close()
	}
	close(c.in)
	wg.Wait()
}

// handshake answers the ConnectRequest; it reports whether the session is
// established.
func (c *conn) handshake(frame []byte) bool {
	s := c.srv
	req, err := protocol.DecodeConnect(frame)
	if err != nil {
		s.log.Warn("closing connection: malformed connect request", "remote", c.remote, "err", err)
		return false
	}
	if req.LastZxidSeen > s.LastZxid() {
		s.log.Info("refusing client that has seen a later zxid", "remote", c.remote,
			"client_zxid", fmt.Sprintf("0x%x", req.LastZxidSeen), "server_zxid", fmt.Sprintf("0x%x", s.LastZxid()))
		return false
	}
	switch s.state.Load() {
	case stateNotServing:
		return false
	case stateReadOnly:
		// A read-only server only takes new read-only clients, on local
		// sessions that are never replicated (ReadOnlyZooKeeperServer).
		if !req.ReadOnly || req.SessionID != 0 {
			return false
		}
		return c.readOnlyHandshake(&req)
	}
	to := req.TimeOut
	if min := int32(s.opts.MinSessionTimeout.Milliseconds()); to < min {
		to = min
	}
	if max := int32(s.opts.MaxSessionTimeout.Milliseconds()); to > max {
		to = max
	}
	resp := jute.ConnectResponse{TimeOut: to, HasReadOnly: req.HasReadOnly}
	if req.SessionID == 0 {
		id := s.ids.allocate(func(id int64) bool {
			s.sm.mu.RLock()
			defer s.sm.mu.RUnlock()
			_, ok := s.sm.t.SessionTimeout(id)
			return ok
		})
		e := entry{hdr: jute.TxnHeader{ClientID: id, Time: time.Now().UnixMilli(), Type: int32(protocol.OpCreateSession)},
			body: &jute.CreateSessionTxn{TimeOut: to}}
		if _, _, err := s.prop.Propose(e.encode()).Wait(); err != nil {
			s.log.Warn("closing connection: cannot create session", "remote", c.remote, "err", err)
			return false
		}
		resp.SessionID, resp.Passwd = id, Password(id)
	} else {
		id := req.SessionID
		// Like ZooKeeper, a resume attempt first closes the connection the
		// session has now, whether or not the attempt then succeeds.
		s.closeSessionConn(id)
		if s.opts.Ensemble && bytes.Equal(req.Passwd, Password(id)) {
			// A member's view of sessions may lag the leader's (which
			// expires them): catch up first, as ZooKeeper revalidates a
			// resumed session with the leader.
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(to)*time.Millisecond)
			err := s.prop.Sync(ctx)
			cancel()
			if err != nil {
				s.log.Info("cannot revalidate a resumed session; closing", "remote", c.remote, "session", sessionHex(id), "err", err)
				return false
			}
		}
		if !bytes.Equal(req.Passwd, Password(id)) || !s.tracker.isLive(id) {
			resp = jute.ConnectResponse{Passwd: make([]byte, protocol.PasswordLen), HasReadOnly: req.HasReadOnly}
			c.nc.Write(protocol.AppendConnectResponse(nil, &resp))
			s.log.Debug("refusing resume of an invalid session", "remote", c.remote, "session", sessionHex(id))
			return false
		}
		s.tracker.setTimeout(id, to, time.Now())
		resp.SessionID, resp.Passwd = id, Password(id)
	}
	c.session, c.timeout = resp.SessionID, to
	c.ids = nil
	if id, ok := acl.IPID(c.nc.RemoteAddr()); ok {
		c.ids = acl.AddAuthInfo(nil, id)
	}
	c.publishIDs()
	s.bind(c.session, c)
	if _, err := c.nc.Write(protocol.AppendConnectResponse(nil, &resp)); err != nil {
		return false
	}
	return true
}

// readOnlyHandshake establishes a local session on a read-only server.
func (c *conn) readOnlyHandshake(req *jute.ConnectRequest) bool {
	s := c.srv
	to := min(max(req.TimeOut, int32(s.opts.MinSessionTimeout.Milliseconds())), int32(s.opts.MaxSessionTimeout.Milliseconds()))
	id := s.ids.allocate(func(id int64) bool { return s.tracker.isLive(id) })
	c.readOnly.Store(true)
	c.session, c.timeout = id, to
	if ip, ok := acl.IPID(c.nc.RemoteAddr()); ok {
		c.ids = acl.AddAuthInfo(nil, ip)
	}
	c.publishIDs()
	resp := jute.ConnectResponse{TimeOut: to, SessionID: id, Passwd: Password(id), ReadOnly: true, HasReadOnly: req.HasReadOnly}
	_, err := c.nc.Write(protocol.AppendConnectResponse(nil, &resp))
	return err == nil
}

// publishIDs makes the connection's current identities visible to the
// apply goroutine for filtering watch events.
func (c *conn) publishIDs() {
	ids := append([]jute.Id(nil), c.ids...)
	c.authIDs.Store(&ids)
}

// readLoop decodes frames into requests until the connection fails. It
// returns true when it stopped on purpose and processLoop will close the
// connection after answering (unknown opcode), false when the connection
// is broken and must close now.
func (c *conn) readLoop(fr *protocol.FrameReader) bool {
	s := c.srv
	for {
		frame, err := fr.ReadFrame()
		if err != nil {
			if errors.Is(err, protocol.ErrFrameTooLarge) {
				s.log.Warn("closing connection: frame too large", "remote", c.remote, "session", sessionHex(c.session), "err", err)
			} else if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				s.log.Debug("connection read failed", "remote", c.remote, "err", err)
			}
			return false
		}
		s.stats.received.Add(1)
		c.received.Add(1)
		c.dec = jute.NewDecoder(frame)
		d := &c.dec
		var h jute.RequestHeader
		h.Decode(d)
		if d.Err() != nil {
			s.log.Warn("closing connection: short request header", "remote", c.remote, "session", sessionHex(c.session))
			return false
		}
		r := &request{xid: h.Xid, op: protocol.Op(h.Type), received: time.Now()}
		if r.op == protocol.OpCreateSession {
			// ZooKeeper answers a client-sent createSession with
			// MarshallingError and keeps the connection.
			r.badBody = true
			r.body = &jute.ErrorResponse{}
		} else if body, ok := protocol.NewRequest(r.op); !ok || r.op == protocol.OpNotification {
			// processLoop answers Unimplemented and closes; read no more.
			r.badBody = true
			select {
			case c.in <- r:
			case <-c.done:
			}
			return true
		} else if body != nil {
			body.Decode(d)
			r.body = body
			r.badBody = d.Err() != nil
		}
		select {
		case c.in <- r:
		case <-c.done:
			return false
		}
	}
}

// writeLoop is the only writer of the socket: it drains the queue and writes
// each batch with one system call.
func (c *conn) writeLoop() {
	var batch [][]byte
	for {
		select {
		case <-c.out.signal:
		case <-c.done:
			return
		}
		var closeAfter bool
		batch, closeAfter = c.out.take(batch)
		if len(batch) > 0 {
			bufs := net.Buffers(batch)
			if _, err := bufs.WriteTo(c.nc); err != nil {
				c.close()
				return
			}
			c.srv.stats.sent.Add(int64(len(batch)))
			c.sent.Add(int64(len(batch)))
			for i := range batch {
				batch[i] = nil
			}
		}
		if closeAfter {
			c.close()
			return
		}
	}
}

// Notify queues a watch notification (watch.Watcher); it is called by the
// apply goroutine, which wakes the writer once the transaction's events are
// all queued (Server.kickNotified). It never blocks. An event about a node
// this connection may not READ is dropped.
func (c *conn) Notify(typ protocol.EventType, path string, zxid int64, nodeACL []jute.ACL) {
	if nodeACL != nil {
		if ids := c.authIDs.Load(); ids == nil || !c.srv.policy.Check(nodeACL, protocol.PermRead, *ids) {
			return
		}
	}
	c.out.pushQuiet(eventFrame(typ, path, zxid))
	c.srv.noteNotified(c)
}

// notifyNow queues an event outside the apply goroutine (SetWatches) and
// wakes the writer.
func (c *conn) notifyNow(typ protocol.EventType, path string) {
	c.out.push(eventFrame(typ, path, -1), false)
}

func eventFrame(typ protocol.EventType, path string, zxid int64) []byte {
	var e jute.Encoder
	var off int
	e.B, off = protocol.BeginFrame(make([]byte, 0, 32+len(path)))
	h := jute.ReplyHeader{Xid: protocol.XidNotification, Zxid: zxid}
	h.Encode(&e)
	ev := jute.WatcherEvent{Type: int32(typ), State: int32(protocol.StateSyncConnected), Path: path}
	ev.Encode(&e)
	protocol.EndFrame(e.B, off)
	return e.B
}

// reply builds a framed reply: the header, and the body only on success.
func reply(xid int32, zxid int64, code protocol.Code, body jute.Record) []byte {
	var e jute.Encoder
	var off int
	e.B, off = protocol.BeginFrame(make([]byte, 0, 128))
	h := jute.ReplyHeader{Xid: xid, Zxid: zxid, Err: int32(code)}
	h.Encode(&e)
	if code == protocol.CodeOK && body != nil {
		body.Encode(&e)
	}
	protocol.EndFrame(e.B, off)
	return e.B
}

// respondLoop releases replies strictly in request order.
func (c *conn) respondLoop() {
	var sentZxid int64
	for p := range c.pending {
		frame := p.frame
		if p.fut != nil {
			zxid, res, err := p.fut.Wait()
			frame = p.finish(zxid, res, err)
			if err != nil {
				// An earlier request is in doubt: never answer a later
				// one. The client sees ConnectionLoss and reconnects.
				c.srv.log.Warn("closing connection: proposal failed", "remote", c.remote, "session", sessionHex(c.session), "err", err)
				c.close()
				continue
			}
		}
		if frame == nil {
			if p.closeAfter {
				c.out.push(nil, true) // close after what is queued
			}
			continue
		}
		if len(frame) >= 16 {
			z := int64(binary.BigEndian.Uint64(frame[8:16]))
			if p.monotonic && z < sentZxid {
				binary.BigEndian.PutUint64(frame[8:16], uint64(sentZxid))
			} else if z > sentZxid {
				sentZxid = z
			}
		}
		if p.req != nil {
			c.srv.stats.observe(time.Since(p.req.received))
			c.lastResp.Store(time.Now().UnixMilli())
		}
		c.out.push(frame, p.closeAfter)
	}
}
