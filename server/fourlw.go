package server

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/raftzk/raftzk/server/watch"
)

// Version is what srvr, stat, envi and mntr report as the ZooKeeper version.
// Tools parse the leading digits (kazoo's server_version), so it names the
// ZooKeeper release whose protocol raftzk speaks.
var Version = "3.9.3-raftzk, built on 2026-11-21 00:00 UTC"

// fourLetterWord answers a four-letter word and the caller closes.
func (c *conn) fourLetterWord(w string) {
	s := c.srv
	if !s.opts.FourLetterWords[w] && !s.opts.FourLetterWords["*"] && w != "srvr" {
		fmt.Fprintf(c.nc, "%s is not executed because it is not in the whitelist.\n", w)
		return
	}
	var b strings.Builder
	state := s.state.Load()
	if state == stateNotServing && w != "ruok" && w != "isro" && w != "conf" && w != "envi" {
		c.nc.Write([]byte("This ZooKeeper instance is not currently serving requests\n"))
		return
	}
	switch w {
	case "ruok":
		b.WriteString("imok")
	case "isro":
		switch state {
		case stateServing:
			b.WriteString("rw")
		case stateReadOnly:
			b.WriteString("ro")
		default:
			b.WriteString("null")
		}
	case "srvr":
		s.writeServerStats(&b)
	case "stat":
		fmt.Fprintf(&b, "Zookeeper version: %s\nClients:\n", Version)
		for _, cc := range s.connections() {
			fmt.Fprintf(&b, " /%s[1](queued=0,recved=%d,sent=%d)\n", cc.remote, cc.received.Load(), cc.sent.Load())
		}
		b.WriteString("\n")
		s.writeServerStats(&b)
		// stat repeats srvr without its version line.
		out := b.String()
		i := strings.Index(out, "\n\nZookeeper version:")
		if i >= 0 {
			j := strings.Index(out[i+2:], "\n")
			out = out[:i+2] + out[i+2+j+1:]
		}
		c.nc.Write([]byte(out))
		return
	case "cons":
		for _, cc := range s.connections() {
			cc.writeCons(&b)
		}
		b.WriteString("\n")
	case "crst":
		b.WriteString("Connection stats reset.\n")
	case "srst":
		s.stats.reset()
		b.WriteString("Server stats reset.\n")
	case "conf":
		fmt.Fprintf(&b, "clientPort=%d\nsecureClientPort=-1\ndataDir=%s/version-2\ndataDirSize=0\ndataLogDir=%s/version-2\ndataLogSize=0\ntickTime=%d\nmaxClientCnxns=%d\nminSessionTimeout=%d\nmaxSessionTimeout=%d\nclientPortListenBacklog=-1\nserverId=0\n",
			s.opts.ClientPort, s.opts.DataDir, s.opts.DataLogDir, s.opts.TickTime.Milliseconds(), s.opts.MaxClientCnxns,
			s.opts.MinSessionTimeout.Milliseconds(), s.opts.MaxSessionTimeout.Milliseconds())
	case "envi":
		host, _ := os.Hostname()
		wd, _ := os.Getwd()
		fmt.Fprintf(&b, "Environment:\nzookeeper.version=%s\nhost.name=%s\njava.version=%s\njava.vendor=raftzk\njava.home=\njava.class.path=\njava.library.path=\njava.io.tmpdir=%s\njava.compiler=<NA>\nos.name=%s\nos.arch=%s\nos.version=\nuser.name=%s\nuser.home=%s\nuser.dir=%s\n",
			Version, host, runtime.Version(), os.TempDir(), runtime.GOOS, runtime.GOARCH, os.Getenv("USER"), os.Getenv("HOME"), wd)
	case "mntr":
		s.writeMntr(&b)
	case "wchs":
		st := s.watches.Snapshot()
		fmt.Fprintf(&b, "%d connections watching %d paths\nTotal watches:%d\n", st.Connections, st.Paths, st.DataTotal)
	case "wchp":
		st := s.watches.Snapshot()
		for _, p := range st.SortedPaths() {
			fmt.Fprintf(&b, "%s\n", p)
			for _, w := range st.ByPath[p] {
				fmt.Fprintf(&b, "\t%s\n", watcherSession(w))
			}
		}
		b.WriteString("\n")
	case "wchc":
		st := s.watches.Snapshot()
		bySess := map[string][]string{}
		for _, p := range st.SortedPaths() {
			for _, w := range st.ByPath[p] {
				k := watcherSession(w)
				bySess[k] = append(bySess[k], p)
			}
		}
		keys := make([]string, 0, len(bySess))
		for k := range bySess {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s\n", k)
			for _, p := range bySess[k] {
				fmt.Fprintf(&b, "\t%s\n", p)
			}
		}
		b.WriteString("\n")
	case "dirs":
		b.WriteString("datadir_size: 0\nlogdir_size: 0\n")
	case "gtmk":
		b.WriteString("0")
	case "hash":
	case "dump":
		s.writeDump(&b)
	default:
		return
	}
	c.nc.Write([]byte(b.String()))
}

func watcherSession(w watch.Watcher) string {
	if c, ok := w.(*conn); ok {
		return sessionHex(c.session)
	}
	return "0x0"
}

func (s *Server) connections() []*conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].established.Before(out[j].established) })
	return out
}

func (c *conn) writeCons(b *strings.Builder) {
	fmt.Fprintf(b, " /%s[1](queued=0,recved=%d,sent=%d", c.remote, c.received.Load(), c.sent.Load())
	if c.session != 0 {
		op, _ := c.lastOp.Load().(string)
		if op == "" {
			op = "NA"
		}
		fmt.Fprintf(b, ",sid=%s,lop=%s,est=%d,to=%d", sessionHex(c.session), op, c.established.UnixMilli(), c.timeout)
		if lc := c.lastCxid.Load(); lc >= 0 {
			fmt.Fprintf(b, ",lcxid=0x%x", lc)
		}
		fmt.Fprintf(b, ",lzxid=0x%x,lresp=%d,llat=0,minlat=0,avglat=0,maxlat=0", c.lastZxid.Load(), c.lastResp.Load())
	}
	b.WriteString(")\n")
}

func (s *Server) latency() (min int64, avg float64, max int64) {
	n := s.stats.count.Load()
	min, max = s.stats.minLat.Load(), s.stats.maxLat.Load()
	if n == 0 || min < 0 {
		return 0, 0, 0
	}
	return min, float64(s.stats.sum.Load()) / float64(n), max
}

func (s *Server) nodeCount() int {
	s.sm.mu.RLock()
	defer s.sm.mu.RUnlock()
	// ZooKeeper's map holds the root twice ("" and "/").
	return s.sm.t.NodeCount() + 1
}

func formatDouble(f float64) string {
	v := fmt.Sprintf("%.4f", f)
	v = strings.TrimRight(v, "0")
	if strings.HasSuffix(v, ".") {
		v += "0"
	}
	return v
}

func (s *Server) writeServerStats(b *strings.Builder) {
	min, avg, max := s.latency()
	fmt.Fprintf(b, "Zookeeper version: %s\n", Version)
	if s.state.Load() == stateReadOnly {
		b.WriteString("READ-ONLY mode; serving only read-only clients\n")
	}
	fmt.Fprintf(b, "Latency min/avg/max: %d/%s/%d\n", min, formatDouble(avg), max)
	fmt.Fprintf(b, "Received: %d\nSent: %d\nConnections: %d\nOutstanding: 0\nZxid: 0x%x\nMode: %s\nNode count: %d\n",
		s.stats.received.Load(), s.stats.sent.Load(), len(s.connections()), s.LastZxid(), s.Mode(), s.nodeCount())
}

func (s *Server) writeMntr(b *strings.Builder) {
	min, avg, max := s.latency()
	s.sm.mu.RLock()
	eph := s.sm.t.EphemeralCount()
	size := s.sm.t.ApproximateDataSize()
	sessions := len(s.sm.t.Sessions())
	s.sm.mu.RUnlock()
	ws := s.watches.Snapshot()
	kv := []struct {
		k string
		v any
	}{
		{"zk_version", Version},
		{"zk_server_state", s.Mode()},
		{"zk_avg_latency", formatDouble(avg)},
		{"zk_max_latency", max},
		{"zk_min_latency", min},
		{"zk_packets_received", s.stats.received.Load()},
		{"zk_packets_sent", s.stats.sent.Load()},
		{"zk_num_alive_connections", len(s.connections())},
		{"zk_outstanding_requests", 0},
		{"zk_znode_count", s.nodeCount()},
		{"zk_watch_count", ws.Total},
		{"zk_ephemerals_count", eph},
		{"zk_approximate_data_size", size},
		{"zk_open_file_descriptor_count", openFDs()},
		{"zk_max_file_descriptor_count", maxFDs()},
		{"zk_uptime", time.Since(s.started).Milliseconds()},
		{"zk_global_sessions", sessions},
		{"zk_local_sessions", 0},
		{"zk_connection_drop_probability", "0.0"},
		{"zk_auth_failed_count", 0},
	}
	if ls, ok := s.prop.(interface{ Learners() (int, int) }); ok && s.prop.IsLeader() {
		followers, observers := ls.Learners()
		kv = append(kv, []struct {
			k string
			v any
		}{
			{"zk_learners", followers + observers},
			{"zk_synced_followers", followers},
			{"zk_synced_non_voting_followers", 0},
			{"zk_synced_observers", observers},
			{"zk_pending_syncs", 0},
		}...)
	}
	for _, e := range kv {
		fmt.Fprintf(b, "%s\t%v\n", e.k, e.v)
	}
}

func (s *Server) writeDump(b *strings.Builder) {
	s.sm.mu.RLock()
	sessions := s.sm.t.Sessions()
	ids := make([]int64, 0, len(sessions))
	for id := range sessions {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	fmt.Fprintf(b, "SessionTracker dump:\nSession Sets (%d)/(%d):\n", len(ids), len(ids))
	for _, id := range ids {
		fmt.Fprintf(b, "\t%s\n", sessionHex(id))
	}
	b.WriteString("ephemeral nodes dump:\n")
	var withEph []int64
	for _, id := range ids {
		if len(s.sm.t.Ephemerals(id, "")) > 0 {
			withEph = append(withEph, id)
		}
	}
	fmt.Fprintf(b, "Sessions with Ephemerals (%d):\n", len(withEph))
	for _, id := range withEph {
		fmt.Fprintf(b, "%s:\n", sessionHex(id))
		for _, p := range s.sm.t.Ephemerals(id, "") {
			fmt.Fprintf(b, "\t%s\n", p)
		}
	}
	s.sm.mu.RUnlock()
	conns := s.connections()
	fmt.Fprintf(b, "Connections dump:\nConnections Sets (1)/(%d):\n", len(conns))
	for _, c := range conns {
		fmt.Fprintf(b, "\tip: /%s sessionId: %s\n", c.remote, sessionHex(c.session))
	}
}

func openFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0
	}
	return len(ents)
}

func maxFDs() int {
	b, err := os.ReadFile("/proc/self/limits")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "Max open files") {
			var soft int
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "Max open files")), "%d", &soft)
			return soft
		}
	}
	return 0
}
