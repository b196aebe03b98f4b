package diff

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/raftzk/raftzk/compat-tests/zkraw"
	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
)

// Config tunes a Runner.
type Config struct {
	// StepTimeout bounds every wait: a reply, an event, a condition
	// (default 15s).
	StepTimeout time.Duration
	// RunID makes scenario roots unique across runs against the same
	// server (default random).
	RunID string
	// SuperPassword is the password of the super digest user the runner
	// authenticates as for cleanup (default "secret").
	SuperPassword string
}

// Runner plays scenarios against one server, one at a time. It keeps a
// probe session (for wait-gone/wait-exists and cleanup) open between
// scenarios. A Runner is not safe for concurrent use.
type Runner struct {
	Addr  string
	addrs []string // ensemble members; sessions are spread over them
	cfg   Config
	probe *zkraw.Conn
}

// NewEnsembleRunner plays scenarios against an ensemble: session n of a
// scenario connects to addrs[n % len(addrs)], and before each step a
// session's server is brought up to date with every zxid the scenario has
// seen so far (by pings, which are not rendered), as a client moving between
// servers would be. The probe session uses addrs[0].
func NewEnsembleRunner(ctx context.Context, addrs []string, cfg Config) (*Runner, error) {
	r, err := NewRunner(ctx, addrs[0], cfg)
	if err != nil {
		return nil, err
	}
	r.addrs = addrs
	return r, nil
}

// addrFor returns the server the n-th session of a scenario connects to.
func (r *Runner) addrFor(n int) string {
	if len(r.addrs) == 0 {
		return r.Addr
	}
	return r.addrs[n%len(r.addrs)]
}

// catchUp pings s until its server has applied every zxid any session of the
// scenario has seen in a reply, so steps on different servers see each
// other's writes in scenario order.
func (st *state) catchUp(ctx context.Context, s *sess) {
	if len(st.r.addrs) < 2 {
		return
	}
	var want int64
	for _, o := range st.order {
		if o.conn != nil {
			want = max(want, o.conn.LastZxid())
		}
	}
	if s.inFlight() {
		return // a ping would change where replies render
	}
	wctx, cancel := context.WithTimeout(ctx, st.r.cfg.StepTimeout)
	defer cancel()
	// Writes a client never sees a zxid of (createSession, closeSession)
	// count too: take the highest zxid any member has applied.
	for _, a := range st.r.addrs {
		out, err := zkraw.FourLetterWord(wctx, a, "srvr")
		if err != nil {
			continue
		}
		if i := strings.Index(out, "Zxid: 0x"); i >= 0 {
			line := out[i+len("Zxid: 0x"):]
			if j := strings.IndexByte(line, '\n'); j >= 0 {
				line = line[:j]
			}
			if z, err := strconv.ParseInt(line, 16, 64); err == nil {
				want = max(want, z)
			}
		}
	}
	for !isDone(s.conn) {
		p, err := s.conn.Call(wctx, protocol.XidPing, protocol.OpPing, nil)
		if err != nil || p.Header.Zxid >= want {
			return
		}
		select {
		case <-wctx.Done():
			return
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// NewRunner connects the probe session to addr.
func NewRunner(ctx context.Context, addr string, cfg Config) (*Runner, error) {
	if cfg.StepTimeout == 0 {
		cfg.StepTimeout = 15 * time.Second
	}
	if cfg.RunID == "" {
		var b [3]byte
		_, _ = rand.Read(b[:])
		cfg.RunID = hex.EncodeToString(b[:])
	}
	if cfg.SuperPassword == "" {
		cfg.SuperPassword = "secret"
	}
	r := &Runner{Addr: addr, cfg: cfg}
	if err := r.reconnectProbe(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Runner) reconnectProbe(ctx context.Context) error {
	if r.probe != nil {
		r.probe.Close()
	}
	p, err := zkraw.Dial(ctx, r.Addr, zkraw.Options{Timeout: 4 * time.Second, PingInterval: -1, DiscardLog: true})
	if err != nil {
		return fmt.Errorf("diff: probe session to %s: %w", r.Addr, err)
	}
	if err := p.AddAuth(ctx, "digest", []byte("super:"+r.cfg.SuperPassword)); err != nil {
		p.Close()
		return fmt.Errorf("diff: probe auth: %w", err)
	}
	r.probe = p
	return nil
}

// Close closes the probe session.
func (r *Runner) Close() {
	if r.probe != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _ = r.probe.CloseSession(ctx)
	}
}

// sess is one scenario connection, named in the scenario.
type sess struct {
	name     string
	base     string // the session name this connection resumed, or name
	conn     *zkraw.Conn
	cursor   int // next arrival-log index to render
	evCursor int // next arrival-log index expect-event may consume
	killed   bool
	shown    bool // "closed by server" rendered
	inherit  int64
	src      map[int32][]*Step
	addr     string // the server this connection went to
}

// inFlight reports whether s has sent requests whose replies have not been
// rendered yet.
func (s *sess) inFlight() bool {
	for _, steps := range s.src {
		if len(steps) > 0 {
			return true
		}
	}
	return false
}

func (s *sess) lastZxid() int64 {
	if s.conn == nil {
		return s.inherit
	}
	return max(s.inherit, s.conn.LastZxid())
}

// state is one scenario run.
type state struct {
	r        *Runner
	sc       *Scenario
	root     string
	sessions map[string]*sess
	order    []*sess
	names    map[int64]string // session id -> base name
	entries  []entry
	line     int
}

func (st *state) x(s string) string { return strings.ReplaceAll(s, "$R", st.root) }

func (st *state) add(render func(n *norm) string) {
	st.entries = append(st.entries, entry{line: st.line, render: render})
}

func (st *state) addText(s string) {
	st.add(func(n *norm) string { return n.path(s) })
}

// Run plays sc and returns its transcript. An error means the scenario could
// not be run (bad syntax, server unreachable), not that the server answered
// differently.
func (r *Runner) Run(ctx context.Context, sc *Scenario) (*Transcript, error) {
	start := time.Now()
	if r.probe == nil || isDone(r.probe) {
		if err := r.reconnectProbe(ctx); err != nil {
			return nil, err
		}
	}
	st := &state{r: r, sc: sc, root: "/diff-" + sc.Name + "-" + r.cfg.RunID,
		sessions: map[string]*sess{}, names: map[int64]string{}}
	sctx, cancel := context.WithTimeout(ctx, r.cfg.StepTimeout)
	_, err := r.probe.Create(sctx, st.root, nil, zkraw.OpenACL, protocol.ModePersistent)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("diff: create scenario root %s on %s: %w", st.root, r.Addr, err)
	}
	defer st.cleanup()
	for _, step := range sc.Steps {
		st.line = step.Line
		if err := st.exec(ctx, step); err != nil {
			return nil, fmt.Errorf("%s:%d: %s: %w", sc.Name, step.Line, step.Text, err)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	st.line = 0
	for _, s := range st.order {
		if s.conn == nil || s.killed {
			continue
		}
		if !isDone(s.conn) {
			pctx, cancel := context.WithTimeout(ctx, r.cfg.StepTimeout)
			_ = s.conn.Ping(pctx) // a barrier: every event queued before it has arrived
			cancel()
		}
		st.flush(s, true)
	}
	end := time.Now()
	n := newNorm(st.root, st.names, start, end)
	for _, e := range st.entries {
		e.render(n)
	}
	n.finish()
	t := &Transcript{Scenario: sc.Name, Addr: r.Addr, Problems: n.problems}
	for _, e := range st.entries {
		t.Lines = append(t.Lines, Line{Step: e.line, Text: e.render(n)})
	}
	if sc.UnorderedEvents {
		sortEventRuns(t.Lines)
	}
	return t, nil
}

// sortEventRuns sorts each run of consecutive event lines of one connection.
func sortEventRuns(ls []Line) {
	key := func(l Line) string {
		if i := strings.Index(l.Text, " event "); i > 0 && !strings.Contains(l.Text[:i], " ") {
			return l.Text[:i]
		}
		return ""
	}
	for i := 0; i < len(ls); {
		k := key(ls[i])
		j := i + 1
		for k != "" && j < len(ls) && key(ls[j]) == k {
			j++
		}
		run := ls[i:j]
		sort.SliceStable(run, func(a, b int) bool { return run[a].Text < run[b].Text })
		i = j
	}
}

func isDone(c *zkraw.Conn) bool {
	select {
	case <-c.Done():
		return true
	default:
		return false
	}
}

// cleanup closes every session of the scenario (resuming killed ones so they
// do not expire during a later scenario) and deletes the scenario's root.
func (st *state) cleanup() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*st.r.cfg.StepTimeout)
	defer cancel()
	closed := map[string]bool{}
	for _, s := range st.order {
		if s.conn == nil || closed[s.base] {
			continue
		}
		if !isDone(s.conn) {
			closed[s.base] = true
			_, _ = s.conn.CloseSession(ctx)
		}
	}
	for _, s := range st.order {
		if s.conn == nil || closed[s.base] {
			continue
		}
		closed[s.base] = true
		c, err := zkraw.Dial(ctx, st.r.Addr, zkraw.Options{SessionID: s.conn.SessionID(), Passwd: s.conn.Passwd(), Timeout: 4 * time.Second})
		if err == nil {
			_, _ = c.CloseSession(ctx)
		}
	}
	st.deleteTree(ctx, st.root)
}

func (st *state) deleteTree(ctx context.Context, p string) {
	if r, err := st.r.probe.GetChildren2(ctx, p, false); err == nil {
		for _, c := range r.Children {
			st.deleteTree(ctx, p+"/"+c)
		}
	}
	_ = st.r.probe.Delete(ctx, p, -1)
}

// flush renders every packet that arrived on s and was not rendered yet.
// With closing set (the caller waited and saw the connection end) it also
// renders the server closing the connection; only then is the position of
// that line deterministic.
func (st *state) flush(s *sess, closing ...bool) {
	if s.conn == nil {
		return
	}
	done := isDone(s.conn)
	pk := s.conn.Packets()
	for ; s.cursor < len(pk); s.cursor++ {
		p := pk[s.cursor]
		if p.Op == protocol.OpPing {
			continue
		}
		st.renderPacket(s, p)
	}
	if done && len(closing) > 0 && closing[0] && !s.killed && !s.shown {
		s.shown = true
		name := s.name
		st.add(func(*norm) string { return name + " connection closed by server" })
	}
}

func (st *state) renderPacket(s *sess, p *zkraw.Packet) {
	name := s.name
	if p.IsEvent() {
		ev := p.Event
		z := p.Header.Zxid
		st.add(func(n *norm) string {
			if p.DecodeErr != nil {
				return fmt.Sprintf("%s event undecodable %x", name, p.Body)
			}
			return fmt.Sprintf("%s event %s %s state=%d zxid=%s", name, eventName(ev.Type), n.path(ev.Path), ev.State, n.z(z))
		})
		return
	}
	what := fmt.Sprintf("%s reply xid=%d (no request)", name, p.Header.Xid)
	if steps := s.src[p.Header.Xid]; len(steps) > 0 {
		what = steps[0].Text
		s.src[p.Header.Xid] = steps[1:]
	}
	st.add(func(n *norm) string {
		var b strings.Builder
		fmt.Fprintf(&b, "%s -> %s zxid=%s", n.path(what), p.Code().String(), n.replyZxid(name, p.Header.Zxid))
		switch {
		case p.DecodeErr != nil:
			fmt.Fprintf(&b, " undecodable body %x (%v)", p.Body, p.DecodeErr)
		case p.Resp != nil:
			b.WriteString(" " + n.body(p.Op, p.Resp))
			if m := len(jute.Marshal(p.Resp)); m != len(p.Body) {
				fmt.Fprintf(&b, " +%d trailing bytes", len(p.Body)-m)
			}
		case len(p.Body) > 0:
			fmt.Fprintf(&b, " body=%x", p.Body)
		}
		return b.String()
	})
}

func eventName(t int32) string {
	switch protocol.EventType(t) {
	case protocol.EventNodeCreated:
		return "NodeCreated"
	case protocol.EventNodeDeleted:
		return "NodeDeleted"
	case protocol.EventNodeDataChanged:
		return "NodeDataChanged"
	case protocol.EventNodeChildrenChanged:
		return "NodeChildrenChanged"
	}
	return "type" + strconv.Itoa(int(t))
}

func (st *state) timeout(step *Step) time.Duration {
	if v, ok := step.Opt("timeout"); ok {
		if ms, err := strconv.Atoi(v); err == nil {
			return time.Duration(ms) * time.Millisecond
		}
	}
	return st.r.cfg.StepTimeout
}

func (st *state) exec(ctx context.Context, step *Step) error {
	switch step.Verb {
	case "connect":
		return st.connect(ctx, step)
	case "wait-gone", "wait-exists":
		return st.waitNode(ctx, step)
	case "4lw":
		return st.fourLW(ctx, step)
	}
	s, ok := st.sessions[step.Session]
	if !ok {
		return fmt.Errorf("unknown session %q (connect it first)", step.Session)
	}
	if s.conn == nil {
		st.addText(step.Text + " -> not connected")
		return nil
	}
	// While pipelined requests are in flight, what has arrived so far depends
	// on timing: render it at the next waiting step instead.
	if !s.inFlight() {
		st.flush(s)
	}
	switch step.Verb {
	case "kill", "expect-event", "expect-closed":
	default:
		st.catchUp(ctx, s)
	}
	switch step.Verb {
	case "kill":
		s.conn.Close()
		s.killed = true
		st.flush(s)
		return nil
	case "expect-event":
		// count=N waits for N events before rendering any: the events of one
		// txn may arrive in one read or several, and rendering after the first
		// would tie the rest to whichever step happens to come next.
		n := 1
		if v, ok := step.Opt("count"); ok {
			var err error
			if n, err = strconv.Atoi(v); err != nil || n < 1 {
				return fmt.Errorf("line %d: bad count %q", step.Line, v)
			}
		}
		wctx, cancel := context.WithTimeout(ctx, st.timeout(step))
		defer cancel()
		var err error
		for ; n > 0 && err == nil; n-- {
			var p *zkraw.Packet
			if p, err = s.conn.WaitPacket(wctx, s.evCursor, (*zkraw.Packet).IsEvent); err == nil {
				s.evCursor = p.Seq + 1
			}
		}
		if err == nil {
			st.flush(s)
			return nil
		}
		st.flush(s, errors.Is(err, zkraw.ErrClosed))
		if errors.Is(err, zkraw.ErrClosed) {
			st.addText(step.Text + " -> connection closed")
		} else {
			st.addText(step.Text + " -> no event")
		}
		return nil
	case "expect-closed":
		select {
		case <-s.conn.Done():
		case <-time.After(st.timeout(step)):
		case <-ctx.Done():
		}
		st.flush(s, true)
		if !isDone(s.conn) {
			st.addText(step.Text + " -> still open")
		}
		return nil
	case "rawbytes", "frame":
		b, err := hex.DecodeString(step.Args[0].S)
		if err != nil {
			return err
		}
		if step.Verb == "frame" {
			fb, off := protocol.BeginFrame(nil)
			fb = append(fb, b...)
			protocol.EndFrame(fb, off)
			b = fb
		}
		_ = s.conn.SendRaw(b)
		st.barrier(ctx, s, step)
		return nil
	case "multi", "multiRead":
		m := &protocol.MultiRequest{}
		for _, sub := range step.Sub {
			op, rec, err := buildRequest(sub, st.x)
			if err != nil {
				return fmt.Errorf("line %d: %w", sub.Line, err)
			}
			m.Ops = append(m.Ops, protocol.MultiOp{Op: op, Req: rec})
		}
		op := protocol.OpMulti
		if step.Verb == "multiRead" {
			op = protocol.OpMultiRead
		}
		return st.request(ctx, s, step, op, m, 0)
	case "setWatches", "setWatches2":
		rel, err := st.relZxid(s, step)
		if err != nil {
			return err
		}
		w := jute.SetWatches2{RelativeZxid: rel}
		w.DataWatches = splitPaths(step.Opts["data"], st.x)
		w.ExistWatches = splitPaths(step.Opts["exist"], st.x)
		w.ChildWatches = splitPaths(step.Opts["child"], st.x)
		if step.Verb == "setWatches" {
			return st.request(ctx, s, step, protocol.OpSetWatches, &jute.SetWatches{RelativeZxid: rel,
				DataWatches: w.DataWatches, ExistWatches: w.ExistWatches, ChildWatches: w.ChildWatches}, 0)
		}
		w.PersistentWatches = splitPaths(step.Opts["persistent"], st.x)
		w.PersistentRecursiveWatches = splitPaths(step.Opts["recursive"], st.x)
		return st.request(ctx, s, step, protocol.OpSetWatches2, &w, 0)
	}
	op, rec, err := buildRequest(step, st.x)
	if err != nil {
		return err
	}
	var xid int32
	switch op {
	case protocol.OpAuth:
		xid = protocol.XidAuth
	case protocol.OpPing:
		xid = protocol.XidPing
	}
	return st.request(ctx, s, step, op, rec, xid)
}

func (st *state) relZxid(s *sess, step *Step) (int64, error) {
	v, ok := step.Opt("rel")
	if !ok || v == "last" {
		return s.lastZxid(), nil
	}
	if name, ok := strings.CutPrefix(v, "last:"); ok {
		o, ok := st.sessions[name]
		if !ok {
			return 0, fmt.Errorf("unknown session %q", name)
		}
		return o.lastZxid(), nil
	}
	return strconv.ParseInt(v, 0, 64)
}

// request sends one request and waits for its reply (or the connection
// closing), then renders what arrived. Options: xid=N, nowait (do not wait),
// noreply (the server may not answer: wait for a ping barrier instead).
func (st *state) request(ctx context.Context, s *sess, step *Step, op protocol.Op, rec jute.Record, xid int32) error {
	if v, ok := step.Opt("xid"); ok {
		n, err := parseInt32(v)
		if err != nil {
			return err
		}
		xid = n
	} else if xid == 0 {
		xid = s.conn.NextXid()
	}
	if op == protocol.OpPing {
		// An explicit ping: its reply is rendered here, flush skips pings.
		wctx, cancel := context.WithTimeout(ctx, st.timeout(step))
		defer cancel()
		p, err := s.conn.Call(wctx, xid, op, nil)
		st.flush(s, err != nil)
		name := s.name
		if err != nil {
			st.addText(name + " ping -> " + err.Error())
			return nil
		}
		st.add(func(n *norm) string {
			return fmt.Sprintf("%s ping -> %s zxid=%s", name, p.Code().String(), n.replyZxid(name, p.Header.Zxid))
		})
		return nil
	}
	s.src[xid] = append(s.src[xid], step)
	from := len(s.conn.Packets())
	sendErr := s.conn.Send(xid, op, rec)
	if _, ok := step.Opt("nowait"); ok {
		return nil
	}
	if _, ok := step.Opt("noreply"); ok || sendErr != nil {
		st.barrier(ctx, s, step)
		if sendErr == nil && !st.gotReply(s, from, xid) && !isDone(s.conn) {
			st.addText(step.Text + " -> no reply before the next ping's reply")
		}
		return nil
	}
	wctx, cancel := context.WithTimeout(ctx, st.timeout(step))
	defer cancel()
	_, err := s.conn.WaitPacket(wctx, from, func(p *zkraw.Packet) bool { return p.Header.Xid == xid })
	st.flush(s, errors.Is(err, zkraw.ErrClosed))
	if err != nil && !errors.Is(err, zkraw.ErrClosed) {
		st.addText(step.Text + " -> no reply within timeout")
	}
	return nil
}

func (st *state) gotReply(s *sess, from int, xid int32) bool {
	for _, p := range s.conn.Packets()[from:] {
		if p.Header.Xid == xid {
			return true
		}
	}
	return false
}

// barrier sends a ping and waits for its reply or the connection closing.
// A ping that cannot even be written (the server reset the connection while
// the client was still sending, as after an oversized frame) means the
// connection is closing: wait for the reader to see it, so the close is
// rendered here on every server whatever the timing of the reset.
func (st *state) barrier(ctx context.Context, s *sess, step *Step) {
	var err error = zkraw.ErrClosed
	if !isDone(s.conn) {
		wctx, cancel := context.WithTimeout(ctx, st.timeout(step))
		err = s.conn.Ping(wctx)
		if err != nil && !errors.Is(err, zkraw.ErrClosed) && !errors.Is(err, context.DeadlineExceeded) {
			select {
			case <-s.conn.Done():
				err = zkraw.ErrClosed
			case <-wctx.Done():
			}
		}
		cancel()
	}
	st.flush(s, errors.Is(err, zkraw.ErrClosed))
}

func (st *state) connect(ctx context.Context, step *Step) error {
	name := step.Args[0].S
	if _, dup := st.sessions[name]; dup {
		return fmt.Errorf("session %q already connected", name)
	}
	s := &sess{name: name, base: name, src: map[int32][]*Step{}}
	opt := zkraw.Options{Timeout: 4 * time.Second, PingInterval: -1, DialTimeout: st.r.cfg.StepTimeout}
	if v, ok := step.Opt("timeout"); ok {
		ms, err := strconv.Atoi(v)
		if err != nil {
			return err
		}
		opt.Timeout = time.Duration(ms) * time.Millisecond
	}
	if v, ok := step.Opt("pings"); ok && v == "off" {
		opt.PingInterval = 0
	}
	opt.OmitReadOnly = step.Flag("noro")
	opt.ReadOnly = step.Flag("ro")
	if v, ok := step.Opt("resume"); ok {
		base, ok := st.sessions[v]
		if !ok || base.conn == nil {
			return fmt.Errorf("resume of unknown session %q", v)
		}
		s.base = base.base
		s.inherit = base.lastZxid()
		opt.SessionID = base.conn.SessionID()
		opt.Passwd = append([]byte(nil), base.conn.Passwd()...)
		if step.Flag("badpass") {
			opt.Passwd[0] ^= 0xff
		}
	}
	if v, ok := step.Opt("lastzxid"); ok {
		switch v {
		case "last":
			opt.LastZxidSeen = s.inherit
		case "future":
			opt.LastZxidSeen = 1<<62 - 1
		default:
			n, err := strconv.ParseInt(v, 0, 64)
			if err != nil {
				return err
			}
			opt.LastZxidSeen = n
		}
	}
	// A resumed session goes back to its base session's server: a resume
	// on another server of an ensemble cannot close the old connection at
	// once (it fails there later with SessionMoved), unlike a standalone
	// server, and the scenarios are written for one server.
	s.addr = st.r.addrFor(len(st.order))
	if v, ok := step.Opt("resume"); ok {
		s.addr = st.sessions[v].addr
	}
	st.sessions[name] = s
	st.order = append(st.order, s)
	c, err := zkraw.Dial(ctx, s.addr, opt)
	switch {
	case err == nil:
		s.conn = c
		if _, ok := st.names[c.SessionID()]; !ok {
			st.names[c.SessionID()] = s.base
		}
		h := c.Handshake()
		st.add(func(n *norm) string {
			return fmt.Sprintf("connect %s -> session=%s timeout=%d %s passwd=%dB", name, n.sid(h.SessionID), h.TimeOut, roString(h), len(h.Passwd))
		})
		// Replaying the old connection's packets is not wanted: a resumed
		// connection starts its own log.
	case errors.Is(err, zkraw.ErrSessionInvalid):
		h := c.Handshake()
		zero := true
		for _, b := range h.Passwd {
			zero = zero && b == 0
		}
		st.add(func(n *norm) string {
			return fmt.Sprintf("connect %s -> invalid session: session=%s timeout=%d %s passwd=%dB zero=%v", name, n.sid(h.SessionID), h.TimeOut, roString(h), len(h.Passwd), zero)
		})
	case errors.Is(err, zkraw.ErrNoHandshake):
		st.addText("connect " + name + " -> closed without a handshake reply")
	default:
		return err
	}
	// Settle the close that follows resuming a session: the server closes
	// the other connection bound to it. Wait for that (bounded), so its
	// rendering position is deterministic.
	if opt.SessionID != 0 && s.conn != nil {
		for _, o := range st.order {
			if o != s && o.conn != nil && !o.killed && o.conn.SessionID() == opt.SessionID {
				select {
				case <-o.conn.Done():
				case <-time.After(st.r.cfg.StepTimeout):
				}
				st.flush(o, true)
			}
		}
	}
	return nil
}

func roString(h jute.ConnectResponse) string {
	if !h.HasReadOnly {
		return "readOnly=absent"
	}
	return "readOnly=" + strconv.FormatBool(h.ReadOnly)
}

func (st *state) waitNode(ctx context.Context, step *Step) error {
	p := st.x(step.Args[0].S)
	want := step.Verb == "wait-exists"
	deadline := time.Now().Add(st.timeout(step))
	for {
		qctx, cancel := context.WithTimeout(ctx, st.r.cfg.StepTimeout)
		_, err := st.r.probe.Exists(qctx, p, false)
		cancel()
		exists := err == nil
		if err != nil && !errors.Is(err, protocol.CodeNoNode) {
			return fmt.Errorf("probe exists %s: %w", p, err)
		}
		if exists == want {
			st.addText(step.Text + " -> ok")
			return nil
		}
		if time.Now().After(deadline) {
			st.addText(step.Text + " -> timeout")
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (st *state) fourLW(ctx context.Context, step *Step) error {
	wctx, cancel := context.WithTimeout(ctx, st.timeout(step))
	defer cancel()
	out, err := zkraw.FourLetterWord(wctx, st.r.Addr, step.Args[0].S)
	if err != nil {
		st.addText(step.Text + " -> error")
		return nil
	}
	if step.Flag("keys") {
		var keys []string
		for _, l := range strings.Split(out, "\n") {
			if i := strings.IndexAny(l, ":\t="); i > 0 {
				keys = append(keys, l[:i])
			}
		}
		sort.Strings(keys)
		st.addText(step.Text + " -> keys " + strings.Join(keys, ","))
		return nil
	}
	st.addText(step.Text + " -> " + strconv.Quote(out))
	return nil
}

// Pair is two runners whose servers play each scenario concurrently.
type Pair struct {
	A, B *Runner
}

// Result is the outcome of one scenario on a pair.
type Result struct {
	Scenario *Scenario
	A, B     *Transcript
	Mismatch *Mismatch // nil if equal
}

// Run plays sc on both servers at once and compares the transcripts.
func (p *Pair) Run(ctx context.Context, sc *Scenario) (*Result, error) {
	var wg sync.WaitGroup
	var ta, tb *Transcript
	var ea, eb error
	wg.Add(2)
	go func() { defer wg.Done(); ta, ea = p.A.Run(ctx, sc) }()
	go func() { defer wg.Done(); tb, eb = p.B.Run(ctx, sc) }()
	wg.Wait()
	if err := errors.Join(ea, eb); err != nil {
		return nil, err
	}
	return &Result{Scenario: sc, A: ta, B: tb, Mismatch: CompareTranscripts(ta, tb)}, nil
}
