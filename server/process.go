package server

import (
	"context"
	"strings"
	"time"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
	"github.com/raftzk/raftzk/server/acl"
	"github.com/raftzk/raftzk/server/tree"
)

// processLoop handles requests in the order they arrived. Reads are answered
// from the local tree once every earlier write of the session is applied;
// writes become log entries proposed in session order.
func (c *conn) processLoop() {
	defer close(c.pending)
	for r := range c.in {
		c.lastOp.Store(opAbbrev(r.op))
		if r.xid > 0 {
			c.lastCxid.Store(int64(r.xid))
		}
		if !c.process(r) {
			// Close once the replies already queued are written (a reply
			// queued with closeAfter has done so already). Then drain, so
			// readLoop is never stuck.
			c.push(&pending{closeAfter: true})
			for range c.in {
			}
			return
		}
	}
}

// push queues a reply slot; it reports false once the connection is gone.
func (c *conn) push(p *pending) bool {
	select {
	case c.pending <- p:
		return true
	case <-c.done:
		return false
	}
}

func (c *conn) ready(r *request, code protocol.Code, body jute.Record) bool {
	z := c.srv.LastZxid()
	c.lastZxid.Store(z)
	return c.push(&pending{req: r, frame: reply(r.xid, z, code, body), monotonic: true})
}

// waitWrites blocks until the session's last proposed write is applied, so a
// read never overtakes a write sent before it.
func (c *conn) waitWrites() bool {
	if c.lastWrite == nil {
		return true
	}
	_, _, err := c.lastWrite.Wait()
	c.lastWrite = nil
	return err == nil
}

// process handles one request; false closes the connection.
func (c *conn) process(r *request) bool {
	s := c.srv
	if r.op == protocol.OpNotification || (r.badBody && r.body == nil) {
		// Unknown opcode: Unimplemented with zxid -1, then close.
		c.push(&pending{req: r, frame: reply(r.xid, -1, protocol.CodeUnimplemented, nil), closeAfter: true})
		return false
	}
	if c.readOnly.Load() {
		switch {
		case r.op == protocol.OpCloseSession:
			c.push(&pending{req: r, frame: reply(r.xid, s.LastZxid(), protocol.CodeOK, nil), closeAfter: true})
			return false
		case r.op.IsWrite() || r.op == protocol.OpSync:
			return c.ready(r, protocol.CodeNotReadOnly, nil)
		}
	} else if !s.tracker.touch(c.session, time.Now()) {
		c.push(&pending{req: r, frame: reply(r.xid, s.LastZxid(), protocol.CodeSessionExpired, nil), closeAfter: true})
		return false
	}
	if r.badBody {
		if r.op.IsWrite() {
			return c.proposeError(r, protocol.CodeMarshallingError)
		}
		return c.ready(r, protocol.CodeMarshallingError, nil)
	}
	switch r.op {
	case protocol.OpPing:
		return c.push(&pending{req: r, frame: reply(protocol.XidPing, s.LastZxid(), protocol.CodeOK, nil), monotonic: true})
	case protocol.OpAuth:
		return c.auth(r, r.body.(*jute.AuthPacket))
	case protocol.OpCheck:
		// ZooKeeper 3.8.5+/3.9.3+ refuse a top-level check (ZOOKEEPER-2623).
		c.push(&pending{req: r, frame: reply(r.xid, -1, protocol.CodeUnimplemented, nil), closeAfter: true})
		return false
	case protocol.OpSasl:
		// No SASL provider is configured: ZooKeeper answers with an empty
		// (null) token, zxid 0, and the client carries on.
		return c.push(&pending{req: r, frame: reply(r.xid, 0, protocol.CodeOK, &jute.SetSASLResponse{})})
	case protocol.OpDeleteContainer:
		// Only the container reaper may delete containers.
		return c.proposeError(r, protocol.CodeBadArguments)
	case protocol.OpReconfig:
		if !s.opts.ReconfigEnabled {
			// Refused in ZooKeeper's prep stage: an error txn, a zxid.
			return c.proposeError(r, protocol.CodeReconfigDisabled)
		}
		fut := s.prop.Reconfig(c.session, r.xid, c.ids, r.body.(*jute.ReconfigRequest))
		return c.pushWrite(r, fut, false)
	case protocol.OpCloseSession:
		c.closingSession.Store(true)
		return c.propose(r, nil, true)
	case protocol.OpSync:
		return c.sync(r, r.body.(*jute.SyncRequest))
	case protocol.OpMulti:
		return c.multi(r, r.body.(*protocol.MultiRequest))
	case protocol.OpMultiRead:
		for _, o := range r.body.(*protocol.MultiRequest).Ops {
			if !isReadOp(o.Op) {
				return c.ready(r, protocol.CodeMarshallingError, nil)
			}
		}
	case protocol.OpCreate, protocol.OpCreate2, protocol.OpCreateContainer,
		protocol.OpCreateTTL, protocol.OpDelete, protocol.OpSetData,
		protocol.OpSetACL:
		return c.propose(r, r.body, false)
	}
	if !c.waitWrites() {
		return false
	}
	return c.read(r)
}

// propose turns a write into a log entry and queues its reply slot.
func (c *conn) propose(r *request, body jute.Record, closeAfter bool) bool {
	op := r.op
	e := entry{
		hdr:  jute.TxnHeader{ClientID: c.session, Cxid: r.xid, Time: time.Now().UnixMilli(), Type: int32(op)},
		ids:  c.ids,
		body: body,
	}
	return c.pushWrite(r, c.srv.prop.Propose(e.encode()), closeAfter)
}

// pushWrite queues the reply slot of a write in flight.
func (c *conn) pushWrite(r *request, fut Future, closeAfter bool) bool {
	c.lastWrite = fut
	xid := r.xid
	return c.push(&pending{req: r, fut: fut, closeAfter: closeAfter, finish: func(zxid int64, res any, err error) []byte {
		if err != nil {
			return nil
		}
		c.lastZxid.Store(zxid)
		ar, _ := res.(*applyResult)
		if ar == nil {
			return reply(xid, zxid, protocol.CodeOK, nil)
		}
		return reply(xid, zxid, ar.code, ar.resp)
	}})
}

// proposeError logs a write that failed before it became a transaction as an
// error transaction: as in ZooKeeper (an ErrorTxn), it consumes a zxid and
// the reply carries it.
func (c *conn) proposeError(r *request, code protocol.Code) bool {
	e := entry{
		hdr:  jute.TxnHeader{ClientID: c.session, Cxid: r.xid, Time: time.Now().UnixMilli(), Type: int32(protocol.OpError)},
		body: &jute.ErrorTxn{Err: int32(code)},
	}
	fut := c.srv.prop.Propose(e.encode())
	c.lastWrite = fut
	xid := r.xid
	return c.push(&pending{req: r, fut: fut, finish: func(zxid int64, res any, err error) []byte {
		return reply(xid, zxid, code, nil)
	}})
}

func isReadOp(op protocol.Op) bool { return op == protocol.OpGetData || op == protocol.OpGetChildren }

func isWriteOp(op protocol.Op) bool {
	switch op {
	case protocol.OpCreate, protocol.OpCreate2, protocol.OpCreateContainer, protocol.OpCreateTTL,
		protocol.OpDelete, protocol.OpSetData, protocol.OpCheck:
		return true
	}
	return false
}

// multi validates the kinds of sub-ops and runs a multi (a write) or a
// multiRead (answered locally).
func (c *conn) multi(r *request, m *protocol.MultiRequest) bool {
	for _, o := range m.Ops {
		ok := isWriteOp(o.Op)
		if r.op == protocol.OpMultiRead {
			ok = isReadOp(o.Op)
		}
		if !ok {
			return c.proposeError(r, protocol.CodeMarshallingError)
		}
		// ZooKeeper cannot build a plain create sub-op with a TTL mode
		// (there is no ttl field): the whole request fails to decode.
		if cr, isCreate := o.Req.(*jute.CreateRequest); isCreate && protocol.CreateMode(cr.Flags).TTL() {
			return c.proposeError(r, protocol.CodeMarshallingError)
		}
	}
	return c.propose(r, m, false)
}

func (c *conn) sync(r *request, req *jute.SyncRequest) bool {
	if !c.waitWrites() {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(c.timeout)*time.Millisecond)
	defer cancel()
	if err := c.srv.prop.Sync(ctx); err != nil {
		c.srv.log.Warn("closing connection: sync failed", "remote", c.remote, "err", err)
		return false
	}
	return c.ready(r, protocol.CodeOK, &jute.SyncResponse{Path: req.Path})
}

func (c *conn) auth(r *request, a *jute.AuthPacket) bool {
	ids, code := c.srv.policy.Authenticate(a.Scheme, a.Auth, c.nc.RemoteAddr())
	if code != protocol.CodeOK {
		c.srv.log.Info("authentication failed", "remote", c.remote, "session", sessionHex(c.session), "scheme", a.Scheme)
		c.push(&pending{req: r, frame: reply(r.xid, 0, protocol.CodeAuthFailed, nil), closeAfter: true})
		return false
	}
	for _, id := range ids {
		c.ids = acl.AddAuthInfo(c.ids, id)
	}
	c.publishIDs()
	return c.push(&pending{req: r, frame: reply(r.xid, 0, protocol.CodeOK, nil)})
}

// read answers a request that does not change the tree.
func (c *conn) read(r *request) bool {
	s := c.srv
	sm := s.sm
	switch req := r.body.(type) {
	case *jute.ExistsRequest:
		if strings.IndexByte(req.Path, 0) >= 0 {
			return c.ready(r, protocol.CodeBadArguments, nil)
		}
		sm.mu.RLock()
		n := sm.t.Get(req.Path)
		var code protocol.Code
		var st jute.Stat
		switch {
		case n == nil:
			code = protocol.CodeNoNode
		case !s.policy.Check(n.ACL, protocol.PermRead, c.ids):
			code = protocol.CodeNoAuth
		default:
			n.CopyStat(&st)
		}
		if req.Watch && code != protocol.CodeNoAuth {
			s.watches.AddData(req.Path, c)
		}
		sm.mu.RUnlock()
		return c.ready(r, code, &jute.ExistsResponse{Stat: st})
	case *jute.GetDataRequest:
		sm.mu.RLock()
		n := sm.t.Get(req.Path)
		if code := c.readable(n); code != protocol.CodeOK {
			sm.mu.RUnlock()
			return c.ready(r, code, nil)
		}
		resp := &jute.GetDataResponse{Data: n.Data}
		n.CopyStat(&resp.Stat)
		if req.Watch {
			s.watches.AddData(req.Path, c)
		}
		sm.mu.RUnlock()
		return c.ready(r, protocol.CodeOK, resp)
	case *jute.GetChildrenRequest:
		return c.children(r, req.Path, req.Watch, false)
	case *jute.GetChildren2Request:
		return c.children(r, req.Path, req.Watch, true)
	case *jute.GetACLRequest:
		sm.mu.RLock()
		n := sm.t.Get(req.Path)
		if n == nil {
			sm.mu.RUnlock()
			return c.ready(r, protocol.CodeNoNode, nil)
		}
		canAdmin := s.policy.Check(n.ACL, protocol.PermAdmin, c.ids)
		if !canAdmin && !s.policy.Check(n.ACL, protocol.PermRead, c.ids) {
			sm.mu.RUnlock()
			return c.ready(r, protocol.CodeNoAuth, nil)
		}
		resp := &jute.GetACLResponse{ACL: acl.RedactForGetACL(n.ACL, canAdmin)}
		n.CopyStat(&resp.Stat)
		sm.mu.RUnlock()
		return c.ready(r, protocol.CodeOK, resp)
	case *jute.GetAllChildrenNumberRequest:
		sm.mu.RLock()
		n := sm.t.Get(req.Path)
		if code := c.readable(n); code != protocol.CodeOK {
			sm.mu.RUnlock()
			return c.ready(r, code, nil)
		}
		total := sm.t.AllChildrenNumber(req.Path)
		sm.mu.RUnlock()
		return c.ready(r, protocol.CodeOK, &jute.GetAllChildrenNumberResponse{TotalNumber: int32(total)})
	case *jute.GetEphemeralsRequest:
		sm.mu.RLock()
		eph := sm.t.Ephemerals(c.session, req.PrefixPath)
		sm.mu.RUnlock()
		return c.ready(r, protocol.CodeOK, &jute.GetEphemeralsResponse{Ephemerals: eph})
	case *protocol.MultiRequest: // multiRead; kinds checked by process
		return c.multiRead(r, req)
	case *jute.SetWatches:
		c.setWatches(req.RelativeZxid, req.DataWatches, req.ExistWatches, req.ChildWatches, nil, nil)
		return c.ready(r, protocol.CodeOK, nil)
	case *jute.SetWatches2:
		c.setWatches(req.RelativeZxid, req.DataWatches, req.ExistWatches, req.ChildWatches,
			req.PersistentWatches, req.PersistentRecursiveWatches)
		return c.ready(r, protocol.CodeOK, nil)
	case *jute.AddWatchRequest:
		switch protocol.AddWatchMode(req.Mode) {
		case protocol.AddWatchPersistent:
			s.watches.AddPersistent(req.Path, c)
		case protocol.AddWatchPersistentRecursive:
			s.watches.AddRecursive(req.Path, c)
		default:
			return c.ready(r, protocol.CodeMarshallingError, nil)
		}
		return c.ready(r, protocol.CodeOK, &jute.ErrorResponse{Err: 0})
	case *jute.CheckWatchesRequest:
		return c.removeWatches(r, req.Path, req.Type, true)
	case *jute.RemoveWatchesRequest:
		return c.removeWatches(r, req.Path, req.Type, false)
	case nil:
		if r.op == protocol.OpWhoAmI {
			return c.ready(r, protocol.CodeOK, &jute.WhoAmIResponse{ClientInfo: s.policy.WhoAmI(c.ids)})
		}
	}
	return c.ready(r, protocol.CodeUnimplemented, nil)
}

// readable checks that n exists and c may read it. Caller holds the lock.
func (c *conn) readable(n *tree.Node) protocol.Code {
	if n == nil {
		return protocol.CodeNoNode
	}
	if !c.srv.policy.Check(n.ACL, protocol.PermRead, c.ids) {
		return protocol.CodeNoAuth
	}
	return protocol.CodeOK
}

func (c *conn) children(r *request, path string, watch, withStat bool) bool {
	sm := c.srv.sm
	sm.mu.RLock()
	n := sm.t.Get(path)
	if code := c.readable(n); code != protocol.CodeOK {
		sm.mu.RUnlock()
		return c.ready(r, code, nil)
	}
	kids := tree.SortedChildren(n)
	var st jute.Stat
	n.CopyStat(&st)
	if watch {
		c.srv.watches.AddChild(path, c)
	}
	sm.mu.RUnlock()
	if withStat {
		return c.ready(r, protocol.CodeOK, &jute.GetChildren2Response{Children: kids, Stat: st})
	}
	return c.ready(r, protocol.CodeOK, &jute.GetChildrenResponse{Children: kids})
}

func (c *conn) multiRead(r *request, m *protocol.MultiRequest) bool {
	sm := c.srv.sm
	resp := &protocol.MultiResponse{Results: make([]protocol.MultiResult, 0, len(m.Ops))}
	sm.mu.RLock()
	for _, o := range m.Ops {
		var path string
		switch q := o.Req.(type) {
		case *jute.GetDataRequest:
			path = q.Path
		case *jute.GetChildrenRequest:
			path = q.Path
		}
		n := sm.t.Get(path)
		if code := c.readable(n); code != protocol.CodeOK {
			resp.Results = append(resp.Results, protocol.MultiResult{Op: protocol.OpError, Err: code})
			continue
		}
		if o.Op == protocol.OpGetData {
			d := &jute.GetDataResponse{Data: n.Data}
			n.CopyStat(&d.Stat)
			resp.Results = append(resp.Results, protocol.MultiResult{Op: protocol.OpGetData, Resp: d})
		} else {
			resp.Results = append(resp.Results, protocol.MultiResult{Op: protocol.OpGetChildren,
				Resp: &jute.GetChildrenResponse{Children: tree.SortedChildren(n)}})
		}
	}
	sm.mu.RUnlock()
	return c.ready(r, protocol.CodeOK, resp)
}

// setWatches re-registers a reconnecting client's watches, sending at once
// the events it missed (SetWatches/SetWatches2 in DataTree.setWatches).
func (c *conn) setWatches(rel int64, data, exist, child, persistent, recursive []string) {
	s := c.srv
	sm := s.sm
	sm.mu.RLock()
	defer sm.mu.RUnlock()
	for _, p := range data {
		n := sm.t.Get(p)
		switch {
		case n == nil:
			c.notifyNow(protocol.EventNodeDeleted, p)
		case n.Stat.Mzxid > rel:
			c.notifyNow(protocol.EventNodeDataChanged, p)
		default:
			s.watches.AddData(p, c)
		}
	}
	for _, p := range exist {
		if sm.t.Get(p) != nil {
			c.notifyNow(protocol.EventNodeCreated, p)
		} else {
			s.watches.AddData(p, c)
		}
	}
	for _, p := range child {
		n := sm.t.Get(p)
		switch {
		case n == nil:
			c.notifyNow(protocol.EventNodeDeleted, p)
		case n.Stat.Pzxid > rel:
			c.notifyNow(protocol.EventNodeChildrenChanged, p)
		default:
			s.watches.AddChild(p, c)
		}
	}
	for _, p := range persistent {
		s.watches.AddPersistent(p, c)
	}
	for _, p := range recursive {
		s.watches.AddRecursive(p, c)
	}
}

func (c *conn) removeWatches(r *request, path string, typ int32, dryRun bool) bool {
	wt := protocol.WatcherType(typ)
	if wt < protocol.WatcherChildren || wt > protocol.WatcherPersistentRecursive {
		return c.ready(r, protocol.CodeMarshallingError, nil)
	}
	if !c.srv.watches.Remove(path, c, wt, dryRun) {
		return c.ready(r, protocol.CodeNoWatcher, nil)
	}
	return c.ready(r, protocol.CodeOK, nil)
}

var opAbbrevs = map[protocol.Op]string{
	protocol.OpPing: "PING", protocol.OpCreate: "CREA", protocol.OpCreate2: "CREA",
	protocol.OpCreateContainer: "CREA", protocol.OpCreateTTL: "CREA", protocol.OpDelete: "DELE",
	protocol.OpSetData: "SETD", protocol.OpSetACL: "SETA", protocol.OpGetData: "GETD",
	protocol.OpGetACL: "GETA", protocol.OpGetChildren: "GETC", protocol.OpGetChildren2: "GETC",
	protocol.OpGetAllChildrenNumber: "GETACN", protocol.OpExists: "EXIS", protocol.OpSync: "SYNC",
	protocol.OpMulti: "MULT", protocol.OpMultiRead: "MLTR", protocol.OpCheck: "CHEC",
	protocol.OpReconfig: "RECO", protocol.OpCloseSession: "CLOS", protocol.OpSetWatches: "SETW",
	protocol.OpSetWatches2: "STW2", protocol.OpAddWatch: "ADDW", protocol.OpCheckWatches: "CHKW",
	protocol.OpRemoveWatches: "REMW", protocol.OpWhoAmI: "HOMI", protocol.OpGetEphemerals: "GETE",
}

func opAbbrev(op protocol.Op) string {
	if a, ok := opAbbrevs[op]; ok {
		return a
	}
	return "NA"
}
