package server

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
	"github.com/raftzk/raftzk/server/config"
	"github.com/raftzk/raftzk/server/tree"
)

// Dynamic reconfiguration (the reconfig opcode) maps onto Raft membership
// changes. The leader checks the request, changes the Raft configuration one
// server at a time, then proposes the new membership text as a setData of
// /zookeeper/config (ZooKeeper logs reconfig as a SetDataTxn); applying it
// appends version=<zxid>, and every server learns the new peer addresses.

// membership is a parsed /zookeeper/config.
type membership struct {
	servers []config.Server // sorted by id
	version int64
}

func parseMembership(text string) (membership, error) {
	var m membership
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			return m, fmt.Errorf("bad config line %q", line)
		}
		if key == "version" {
			v, err := strconv.ParseInt(val, 16, 64)
			if err != nil {
				return m, fmt.Errorf("bad version %q", val)
			}
			m.version = v
			continue
		}
		sv, err := parseServerLine(key, val)
		if err != nil {
			return m, err
		}
		m.servers = append(m.servers, sv)
	}
	sort.Slice(m.servers, func(i, j int) bool { return m.servers[i].ID < m.servers[j].ID })
	return m, nil
}

func parseServerLine(key, val string) (config.Server, error) {
	idText, ok := strings.CutPrefix(strings.TrimSpace(key), "server.")
	if !ok {
		return config.Server{}, fmt.Errorf("bad server key %q", key)
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return config.Server{}, fmt.Errorf("bad server id %q", idText)
	}
	return config.ParseServer(id, strings.TrimSpace(val))
}

// text renders the server lines, without the version line.
func (m membership) text() string {
	var b strings.Builder
	for _, sv := range m.servers {
		fmt.Fprintf(&b, "server.%d=%s\n", sv.ID, sv.String())
	}
	return b.String()
}

// apply computes the membership a reconfig request asks for.
func (m membership) apply(req *jute.ReconfigRequest) (membership, error) {
	next := membership{version: m.version}
	if strings.TrimSpace(req.NewMembers) != "" {
		for _, spec := range splitList(req.NewMembers) {
			key, val, ok := strings.Cut(spec, "=")
			if !ok {
				return next, fmt.Errorf("bad member %q", spec)
			}
			sv, err := parseServerLine(key, val)
			if err != nil {
				return next, err
			}
			next.servers = append(next.servers, sv)
		}
	} else {
		byID := map[int64]config.Server{}
		for _, sv := range m.servers {
			byID[sv.ID] = sv
		}
		for _, l := range splitList(req.LeavingServers) {
			id, err := strconv.ParseInt(l, 10, 64)
			if err != nil {
				return next, fmt.Errorf("bad leaving server %q", l)
			}
			delete(byID, id)
		}
		for _, spec := range splitList(req.JoiningServers) {
			key, val, ok := strings.Cut(spec, "=")
			if !ok {
				return next, fmt.Errorf("bad joining server %q", spec)
			}
			sv, err := parseServerLine(key, val)
			if err != nil {
				return next, err
			}
			byID[sv.ID] = sv
		}
		for _, sv := range byID {
			next.servers = append(next.servers, sv)
		}
	}
	sort.Slice(next.servers, func(i, j int) bool { return next.servers[i].ID < next.servers[j].ID })
	voters := 0
	for _, sv := range next.servers {
		if sv.Type == config.Participant {
			voters++
		}
	}
	if voters == 0 {
		return next, fmt.Errorf("no voting members left")
	}
	return next, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func quorumAddr(sv config.Server) string {
	a := sv.Addresses[0]
	return netJoin(a.Host, a.QuorumPort)
}

func electionAddr(sv config.Server) string {
	a := sv.Addresses[0]
	return netJoin(a.Host, a.ElectionPort)
}

func netJoin(host string, port int) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + strconv.Itoa(port)
	}
	return host + ":" + strconv.Itoa(port)
}

// reconfigLeader runs a reconfig on the leader: checks in ZooKeeper's order,
// the Raft membership changes, then the config entry. It returns the
// entry's future, or a result code for a refused request.
func (p *EnsembleProposer) reconfigLeader(session int64, cxid int32, ids []jute.Id, req *jute.ReconfigRequest) (Future, protocol.Code) {
	s := p.s
	s.sm.mu.RLock()
	n := s.sm.t.Get(tree.ConfigPath)
	cur, err := parseMembership(string(n.Data))
	allowed := s.policy.Check(n.ACL, protocol.PermWrite, ids)
	s.sm.mu.RUnlock()
	if err != nil {
		return nil, protocol.CodeBadArguments
	}
	if !p.reconfigBusy.CompareAndSwap(false, true) {
		return nil, protocol.CodeReconfigInProgress
	}
	defer p.reconfigBusy.Store(false)
	if req.CurConfigID != -1 && req.CurConfigID != cur.version {
		return nil, protocol.CodeBadVersion
	}
	next, err := cur.apply(req)
	if err != nil {
		p.log.Info("reconfig refused", "err", err)
		return nil, protocol.CodeBadArguments
	}
	if !allowed {
		return nil, protocol.CodeNoAuth
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	old := map[int64]config.Server{}
	for _, sv := range cur.servers {
		old[sv.ID] = sv
	}
	keep := map[int64]bool{}
	for _, sv := range next.servers {
		keep[sv.ID] = true
		if o, ok := old[sv.ID]; ok && o.String() == sv.String() {
			continue
		}
		if sv.Type == config.Participant {
			err = p.n.AddVoter(ctx, uint64(sv.ID), quorumAddr(sv))
		} else {
			err = p.n.AddNonvoter(ctx, uint64(sv.ID), quorumAddr(sv))
		}
		if err != nil {
			p.log.Warn("reconfig: adding a server failed", "server", sv.ID, "err", err)
			return nil, protocol.CodeNewConfigNoQuorum
		}
	}
	self := int64(p.s.opts.ServerID)
	for _, sv := range cur.servers {
		if !keep[sv.ID] && sv.ID != self {
			if err := p.n.RemoveServer(ctx, uint64(sv.ID)); err != nil {
				p.log.Warn("reconfig: removing a server failed", "server", sv.ID, "err", err)
				return nil, protocol.CodeNewConfigNoQuorum
			}
		}
	}
	e := entry{
		hdr:  jute.TxnHeader{ClientID: session, Cxid: cxid, Time: time.Now().UnixMilli(), Type: int32(protocol.OpReconfig)},
		body: &jute.SetDataTxn{Path: tree.ConfigPath, Data: []byte(next.text()), Version: -1},
	}
	zxid, res, err := p.n.ProposeAsync(e.encode()).Wait()
	if err == nil && !keep[self] {
		// The leader leaves last, once the new membership is committed:
		// a removed leader can no longer commit anything, and Raft elects
		// a new one among the remaining voters.
		if rerr := p.n.RemoveServer(ctx, uint64(self)); rerr != nil {
			p.log.Warn("reconfig: the leader could not remove itself", "err", rerr)
		}
	}
	return doneFuture{zxid: zxid, res: res, err: err}, protocol.CodeOK
}

// configApplied updates the peer addresses from a newly applied membership.
func (p *EnsembleProposer) configApplied(text []byte) {
	m, err := parseMembership(string(text))
	if err != nil {
		p.log.Warn("cannot parse applied membership", "err", err)
		return
	}
	addrs := make(map[uint64]string, len(m.servers))
	for _, sv := range m.servers {
		addrs[uint64(sv.ID)] = electionAddr(sv)
	}
	p.mu.Lock()
	p.addrs = addrs
	p.mu.Unlock()
}
