package zkraw

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
)

// ErrClosed is returned when the connection ended (closed by the server, by
// Close, or by a read error) before the awaited reply arrived.
var ErrClosed = errors.New("zkraw: connection closed")

// ErrSessionInvalid is returned by Dial when the server answered the handshake
// with session id 0 / timeout 0: an expired, unknown or bad-password resume.
// The Conn is still returned so the response can be inspected.
var ErrSessionInvalid = errors.New("zkraw: session expired or invalid")

// ErrNoHandshake is returned by Dial when the server closed the connection
// without answering the ConnectRequest (e.g. lastZxidSeen ahead of it).
var ErrNoHandshake = errors.New("zkraw: server closed connection during handshake")

// DefaultMaxReply bounds the size of a reply frame the reader accepts. Replies
// are not limited by jute.maxbuffer on the server side.
const DefaultMaxReply = 256 << 20

// Options configure Dial.
type Options struct {
	// Timeout is the requested session timeout (default 10s).
	Timeout time.Duration
	// SessionID and Passwd resume an existing session; zero means new.
	SessionID int64
	Passwd    []byte
	// LastZxidSeen is sent in the ConnectRequest.
	LastZxidSeen int64
	// ReadOnly is the readOnly byte of the ConnectRequest.
	ReadOnly bool
	// OmitReadOnly sends the 44-byte ConnectRequest without the readOnly byte,
	// as go-zookeeper does.
	OmitReadOnly bool
	// PingInterval, if positive, makes the Conn send a ping (xid -2) whenever
	// that much time passed since the last request it sent. A negative value
	// means a third of the negotiated timeout, as go-zookeeper does.
	PingInterval time.Duration
	// DialTimeout bounds the TCP connect and the handshake (default 10s).
	DialTimeout time.Duration
	// MaxReply bounds reply frames (default DefaultMaxReply).
	MaxReply int
	// DiscardLog keeps no arrival log: Packets and WaitPacket see nothing,
	// Do and Wait still work.
	DiscardLog bool
}

// Packet is one frame the server sent after the handshake.
type Packet struct {
	Seq    int              // position in the arrival log, from 0
	At     time.Time        // when the reader decoded it
	Header jute.ReplyHeader // xid, zxid, err
	// Op is the opcode of the request this reply answers (by xid, first
	// outstanding request with that xid), OpNotification for xid -1, OpPing
	// for xid -2, or -1000 (OpUnknown) when no request had that xid.
	Op   protocol.Op
	Body []byte // the bytes after the ReplyHeader
	// Resp is the decoded body for err == 0 when the opcode has a response
	// record (nil otherwise); Event is set for notifications.
	Resp      jute.Record
	Event     *jute.WatcherEvent
	DecodeErr error // set when Body did not decode as Resp or Event
}

// OpUnknown marks a reply whose xid matched no outstanding request.
const OpUnknown protocol.Op = -1000

// IsEvent reports whether p is a watch notification.
func (p *Packet) IsEvent() bool { return p.Header.Xid == protocol.XidNotification }

// Code returns the reply's error code.
func (p *Packet) Code() protocol.Code { return protocol.Code(p.Header.Err) }

// Conn is one client connection. See the package comment for its goroutines.
type Conn struct {
	nc   net.Conn
	opt  Options
	resp jute.ConnectResponse

	wmu      sync.Mutex // serialises socket writes and lastSend
	lastSend time.Time

	mu       sync.Mutex // guards the fields below
	xid      int32
	pending  map[int32][]protocol.Op  // ops of outstanding requests by xid
	waiters  map[int32][]chan *Packet // Do/Wait callers by xid
	log      []*Packet                // arrival log
	notify   chan struct{}            // closed and replaced on each arrival
	done     chan struct{}            // closed when the reader stops
	err      error                    // why the reader stopped
	lastZxid int64                    // highest zxid > 0 in a normal reply
	closed   bool                     // Close was called
	stopPing chan struct{}
}

// Dial connects to addr and performs the handshake. On ErrSessionInvalid the
// Conn is returned too (already closed) so its Handshake can be inspected.
func Dial(ctx context.Context, addr string, opt Options) (*Conn, error) {
	if opt.Timeout == 0 {
		opt.Timeout = 10 * time.Second
	}
	if opt.DialTimeout == 0 {
		opt.DialTimeout = 10 * time.Second
	}
	if opt.MaxReply == 0 {
		opt.MaxReply = DefaultMaxReply
	}
	d := net.Dialer{Timeout: opt.DialTimeout}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	passwd := opt.Passwd
	if passwd == nil {
		passwd = make([]byte, protocol.PasswordLen)
	}
	req := jute.ConnectRequest{
		LastZxidSeen: opt.LastZxidSeen,
		TimeOut:      int32(opt.Timeout / time.Millisecond),
		SessionID:    opt.SessionID,
		Passwd:       passwd,
		ReadOnly:     opt.ReadOnly,
		HasReadOnly:  !opt.OmitReadOnly,
	}
	b, off := protocol.BeginFrame(nil)
	e := jute.Encoder{B: b}
	req.Encode(&e)
	protocol.EndFrame(e.B, off)
	deadline := time.Now().Add(opt.DialTimeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = nc.SetDeadline(deadline)
	if _, err := nc.Write(e.B); err != nil {
		nc.Close()
		return nil, err
	}
	fr := protocol.NewFrameReader(nc, opt.MaxReply)
	frame, err := fr.ReadFrame()
	if err != nil {
		nc.Close()
		if isEOF(err) {
			return nil, ErrNoHandshake
		}
		return nil, fmt.Errorf("zkraw: handshake: %w", err)
	}
	c := &Conn{
		nc:       nc,
		opt:      opt,
		xid:      0,
		pending:  map[int32][]protocol.Op{},
		waiters:  map[int32][]chan *Packet{},
		notify:   make(chan struct{}),
		done:     make(chan struct{}),
		stopPing: make(chan struct{}),
	}
	if err := jute.Unmarshal(frame, &c.resp); err != nil {
		nc.Close()
		return nil, fmt.Errorf("zkraw: handshake: %w", err)
	}
	_ = nc.SetDeadline(time.Time{})
	if c.resp.SessionID == 0 || c.resp.TimeOut <= 0 {
		nc.Close()
		c.closed = true
		close(c.done)
		c.err = ErrSessionInvalid
		return c, ErrSessionInvalid
	}
	go c.readLoop(fr)
	if c.opt.PingInterval < 0 {
		c.opt.PingInterval = c.NegotiatedTimeout() / 3
	}
	if c.opt.PingInterval > 0 {
		go c.pingLoop()
	}
	return c, nil
}

func isEOF(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// Handshake returns the server's ConnectResponse.
func (c *Conn) Handshake() jute.ConnectResponse { return c.resp }

// SessionID returns the session id the server assigned or confirmed.
func (c *Conn) SessionID() int64 { return c.resp.SessionID }

// Passwd returns the session password.
func (c *Conn) Passwd() []byte { return c.resp.Passwd }

// NegotiatedTimeout returns the session timeout the server granted.
func (c *Conn) NegotiatedTimeout() time.Duration {
	return time.Duration(c.resp.TimeOut) * time.Millisecond
}

// LocalAddr returns the local address of the socket.
func (c *Conn) LocalAddr() net.Addr { return c.nc.LocalAddr() }

// LastZxid returns the highest zxid seen in a normal (xid >= 0) reply, what a
// real client sends as lastZxidSeen and setWatches' relativeZxid.
func (c *Conn) LastZxid() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastZxid
}

// NextXid returns a fresh positive xid (1, 2, ...), as the Java client numbers
// its requests.
func (c *Conn) NextXid() int32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.xid++
	if c.xid <= 0 {
		c.xid = 1
	}
	return c.xid
}

// Send writes RequestHeader{xid, op} followed by req (nil for no body). The
// reply to xid will be decoded as op's response.
func (c *Conn) Send(xid int32, op protocol.Op, req jute.Record) error {
	b, off := protocol.BeginFrame(nil)
	e := jute.Encoder{B: b}
	h := jute.RequestHeader{Xid: xid, Type: int32(op)}
	h.Encode(&e)
	if req != nil {
		req.Encode(&e)
	}
	protocol.EndFrame(e.B, off)
	return c.send(xid, op, e.B)
}

// SendBody writes RequestHeader{xid, op} followed by raw body bytes, for
// malformed or hand-built requests.
func (c *Conn) SendBody(xid int32, op protocol.Op, body []byte) error {
	b, off := protocol.BeginFrame(nil)
	e := jute.Encoder{B: b}
	h := jute.RequestHeader{Xid: xid, Type: int32(op)}
	h.Encode(&e)
	e.B = append(e.B, body...)
	protocol.EndFrame(e.B, off)
	return c.send(xid, op, e.B)
}

// SendRaw writes b to the socket exactly as given (no framing). A reply, if
// any, is matched to no request unless expectXid/expectOp are registered with
// Expect first.
func (c *Conn) SendRaw(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err := c.nc.Write(b)
	c.lastSend = time.Now()
	return err
}

// Expect registers that a reply with xid answers op, for requests written
// with SendRaw.
func (c *Conn) Expect(xid int32, op protocol.Op) {
	c.mu.Lock()
	c.pending[xid] = append(c.pending[xid], op)
	c.mu.Unlock()
}

func (c *Conn) send(xid int32, op protocol.Op, frame []byte) error {
	c.Expect(xid, op)
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err := c.nc.Write(frame)
	c.lastSend = time.Now()
	return err
}

// wait registers a waiter for the next reply carrying xid.
func (c *Conn) wait(xid int32) chan *Packet {
	ch := make(chan *Packet, 1)
	c.mu.Lock()
	c.waiters[xid] = append(c.waiters[xid], ch)
	c.mu.Unlock()
	return ch
}

func (c *Conn) unwait(xid int32, ch chan *Packet) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ws := c.waiters[xid]
	for i, w := range ws {
		if w == ch {
			c.waiters[xid] = append(ws[:i:i], ws[i+1:]...)
			break
		}
	}
	if len(c.waiters[xid]) == 0 {
		delete(c.waiters, xid)
	}
}

// Call sends op with an explicit xid and waits for the reply with that xid.
// It returns ErrClosed if the connection ends first, or ctx's error.
func (c *Conn) Call(ctx context.Context, xid int32, op protocol.Op, req jute.Record) (*Packet, error) {
	ch := c.wait(xid)
	if err := c.Send(xid, op, req); err != nil {
		c.unwait(xid, ch)
		select {
		case <-c.done:
			return nil, ErrClosed
		default:
		}
		return nil, err
	}
	return c.await(ctx, xid, ch)
}

// Do sends op with a fresh xid and waits for its reply.
func (c *Conn) Do(ctx context.Context, op protocol.Op, req jute.Record) (*Packet, error) {
	return c.Call(ctx, c.NextXid(), op, req)
}

// Await waits for the next reply carrying xid, registering interest now.
func (c *Conn) Await(ctx context.Context, xid int32) (*Packet, error) {
	return c.await(ctx, xid, c.wait(xid))
}

func (c *Conn) await(ctx context.Context, xid int32, ch chan *Packet) (*Packet, error) {
	select {
	case p := <-ch:
		return p, nil
	case <-c.done:
		select {
		case p := <-ch:
			return p, nil
		default:
		}
		c.unwait(xid, ch)
		return nil, ErrClosed
	case <-ctx.Done():
		c.unwait(xid, ch)
		return nil, ctx.Err()
	}
}

// Ping sends a ping (xid -2) and waits for its reply. Since the server
// answers in order, every event queued before the ping has arrived when Ping
// returns: it is a barrier.
func (c *Conn) Ping(ctx context.Context) error {
	_, err := c.Call(ctx, protocol.XidPing, protocol.OpPing, nil)
	return err
}

// Packets returns a copy of the arrival log.
func (c *Conn) Packets() []*Packet {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*Packet(nil), c.log...)
}

// WaitPacket waits until a packet with Seq >= from satisfies match and
// returns it. It returns ErrClosed if the connection ended without one.
func (c *Conn) WaitPacket(ctx context.Context, from int, match func(*Packet) bool) (*Packet, error) {
	for {
		c.mu.Lock()
		for i := from; i < len(c.log); i++ {
			if match(c.log[i]) {
				p := c.log[i]
				c.mu.Unlock()
				return p, nil
			}
		}
		from = max(from, len(c.log))
		n, done := c.notify, c.done
		c.mu.Unlock()
		select {
		case <-n:
		case <-done:
			c.mu.Lock()
			l := len(c.log)
			c.mu.Unlock()
			if from >= l {
				return nil, ErrClosed
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Done is closed when the reader goroutine stopped: the server closed the
// connection, Close was called, or a frame could not be read.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err returns why the reader stopped (nil while it runs). A server-side close
// is io.EOF (or a reset error); Close makes it ErrClosed.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// ClosedByUs reports whether Close was called.
func (c *Conn) ClosedByUs() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// Close closes the socket without closeSession: the session lives on until it
// expires or is resumed. It waits for the reader goroutine to stop.
func (c *Conn) Close() error {
	c.mu.Lock()
	already := c.closed
	c.closed = true
	c.mu.Unlock()
	if already {
		<-c.done
		return nil
	}
	close(c.stopPing)
	err := c.nc.Close()
	<-c.done
	return err
}

// CloseSession sends closeSession, waits for its reply and for the server to
// close the connection, then closes the socket.
func (c *Conn) CloseSession(ctx context.Context) (*Packet, error) {
	p, err := c.Do(ctx, protocol.OpCloseSession, nil)
	if err == nil {
		select {
		case <-c.done:
		case <-ctx.Done():
		}
	}
	c.Close()
	return p, err
}

func (c *Conn) pingLoop() {
	t := time.NewTicker(c.opt.PingInterval / 4)
	defer t.Stop()
	for {
		select {
		case <-c.stopPing:
			return
		case <-c.done:
			return
		case <-t.C:
			c.wmu.Lock()
			idle := time.Since(c.lastSend) >= c.opt.PingInterval
			c.wmu.Unlock()
			if idle {
				_ = c.Send(protocol.XidPing, protocol.OpPing, nil)
			}
		}
	}
}

func (c *Conn) readLoop(fr *protocol.FrameReader) {
	var err error
	for {
		var frame []byte
		frame, err = fr.ReadFrame()
		if err != nil {
			break
		}
		c.deliver(c.decode(frame))
	}
	c.mu.Lock()
	if c.closed {
		err = ErrClosed
	}
	c.err = err
	close(c.done)
	c.mu.Unlock()
	c.nc.Close()
}

func (c *Conn) decode(frame []byte) *Packet {
	p := &Packet{At: time.Now()}
	d := jute.NewDecoder(frame)
	p.Header.Decode(&d)
	if d.Err() != nil {
		p.DecodeErr = d.Err()
		p.Op = OpUnknown
		return p
	}
	p.Body = append([]byte(nil), frame[d.Offset():]...)
	c.mu.Lock()
	switch p.Header.Xid {
	case protocol.XidNotification:
		p.Op = protocol.OpNotification
	default:
		if ops := c.pending[p.Header.Xid]; len(ops) > 0 {
			p.Op = ops[0]
			if len(ops) == 1 {
				delete(c.pending, p.Header.Xid)
			} else {
				c.pending[p.Header.Xid] = ops[1:]
			}
		} else if p.Header.Xid == protocol.XidPing {
			p.Op = protocol.OpPing
		} else {
			p.Op = OpUnknown
		}
	}
	if p.Header.Xid >= 0 && p.Header.Zxid > c.lastZxid {
		c.lastZxid = p.Header.Zxid
	}
	c.mu.Unlock()
	switch {
	case p.Header.Xid == protocol.XidNotification:
		ev := &jute.WatcherEvent{}
		p.DecodeErr = jute.Unmarshal(p.Body, ev)
		p.Event = ev
	case p.Header.Err == 0 && p.Op != OpUnknown:
		if r := protocol.NewResponse(p.Op); r != nil {
			p.DecodeErr = jute.Unmarshal(p.Body, r)
			p.Resp = r
		}
	}
	return p
}

func (c *Conn) deliver(p *Packet) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.opt.DiscardLog {
		p.Seq = len(c.log)
		c.log = append(c.log, p)
		close(c.notify)
		c.notify = make(chan struct{})
	}
	if ws := c.waiters[p.Header.Xid]; len(ws) > 0 {
		ws[0] <- p
		if len(ws) == 1 {
			delete(c.waiters, p.Header.Xid)
		} else {
			c.waiters[p.Header.Xid] = ws[1:]
		}
	}
}
