package ensemble

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/raftzk/raftzk/compat-tests/harness"
	"github.com/raftzk/raftzk/compat-tests/harness/freeport"
)

// Options configure an ensemble started by Start.
type Options struct {
	// Servers is the number of voting members; 0 means 3.
	Servers int
	// Target is harness.TargetRaftzk (the default) or harness.TargetZooKeeper.
	Target string
	// TickTime is zoo.cfg's tickTime in milliseconds; 0 means DefaultTick.
	TickTime int
	// InitLimit and SyncLimit are in ticks; 0 means 10 and 5.
	InitLimit, SyncLimit int
	// Config holds extra zoo.cfg lines for every member.
	Config []string
	// LeaderTimeout bounds the wait for the first leader; 0 means 60s.
	LeaderTimeout time.Duration
	// JVMFlags, when set, replace Apache ZooKeeper's JVM flags (by default a
	// small heap and the serial collector, for many members on a small
	// machine).
	JVMFlags []string
}

// DefaultTick is the tickTime of test ensembles: Raft's heartbeat and
// election timeouts are half a tick, so a failover takes about a second,
// while a 2-core machine running 5 servers and a -race test binary keeps
// its heartbeats comfortably inside 250 ms.
const DefaultTick = 500

// Cluster is an ensemble of server processes on 127.0.0.1, each with a
// private directory, zoo.cfg and myid. Its methods must be called from the
// test's goroutine unless they say otherwise.
type Cluster struct {
	Target  string
	Tick    time.Duration
	Members []*Member // Members[i].ID == i+1

	t testing.TB
}

// Member is one server of a Cluster.
type Member struct {
	ID           int
	Addr         string // client address, 127.0.0.1:port
	QuorumAddr   string
	ElectionAddr string
	Dir          string // private directory holding zoo.cfg, data and the log
	Config       string
	LogPath      string

	c    *Cluster
	argv []string

	mu     sync.Mutex
	cmd    *exec.Cmd
	done   chan struct{} // closed when cmd has been reaped
	paused bool
}

// Start writes the configs of an ensemble, starts every member and waits
// until one of them reports "Mode: leader". Members are killed (by pid) in
// t.Cleanup; when the test failed, the tail of every member's log is logged.
func Start(t testing.TB, opts Options) *Cluster {
	t.Helper()
	n := opts.Servers
	if n == 0 {
		n = 3
	}
	target := opts.Target
	if target == "" {
		target = harness.TargetRaftzk
	}
	tick := opts.TickTime
	if tick == 0 {
		tick = DefaultTick
	}
	initLimit, syncLimit := opts.InitLimit, opts.SyncLimit
	if initLimit == 0 {
		initLimit = 10
	}
	if syncLimit == 0 {
		syncLimit = 5
	}
	c := &Cluster{Target: target, Tick: time.Duration(tick) * time.Millisecond, t: t}

	var base []string
	switch target {
	case harness.TargetRaftzk:
		bin := os.Getenv("RAFTZK_BIN")
		if bin == "" {
			var err error
			if bin, err = harness.RaftzkBinary(); err != nil {
				t.Fatalf("ensemble: build raftzk: %v", err)
			}
		}
		base = []string{bin, "serve", "--config"}
	case harness.TargetZooKeeper:
		base = zooKeeperArgv(t, opts.JVMFlags)
	default:
		t.Fatalf("ensemble: unknown target %q", target)
	}

	ports, err := freeport.Ports(3 * n)
	if err != nil {
		t.Fatalf("ensemble: free ports: %v", err)
	}
	root := t.TempDir()
	var servers []string
	for i := 0; i < n; i++ {
		m := &Member{
			ID:           i + 1,
			Addr:         "127.0.0.1:" + strconv.Itoa(ports[3*i]),
			QuorumAddr:   "127.0.0.1:" + strconv.Itoa(ports[3*i+1]),
			ElectionAddr: "127.0.0.1:" + strconv.Itoa(ports[3*i+2]),
			Dir:          filepath.Join(root, "s"+strconv.Itoa(i+1)),
			c:            c,
		}
		m.Config = filepath.Join(m.Dir, "zoo.cfg")
		m.LogPath = filepath.Join(m.Dir, target+".log")
		c.Members = append(c.Members, m)
		servers = append(servers, fmt.Sprintf("server.%d=%s:%d;%s", m.ID, m.QuorumAddr, ports[3*i+2], m.Addr))
	}
	for _, m := range c.Members {
		data := filepath.Join(m.Dir, "data")
		if err := os.MkdirAll(data, 0o755); err != nil {
			t.Fatalf("ensemble: %v", err)
		}
		if err := os.WriteFile(filepath.Join(data, "myid"), []byte(strconv.Itoa(m.ID)+"\n"), 0o644); err != nil {
			t.Fatalf("ensemble: %v", err)
		}
		cfg := []string{
			"tickTime=" + strconv.Itoa(tick),
			"initLimit=" + strconv.Itoa(initLimit),
			"syncLimit=" + strconv.Itoa(syncLimit),
			"dataDir=" + data,
			"admin.enableServer=false",
			"4lw.commands.whitelist=*",
		}
		cfg = append(cfg, servers...)
		cfg = append(cfg, opts.Config...)
		if err := os.WriteFile(m.Config, []byte(strings.Join(cfg, "\n")+"\n"), 0o644); err != nil {
			t.Fatalf("ensemble: %v", err)
		}
		m.argv = append(append([]string(nil), base...), m.Config)
	}
	t.Cleanup(func() {
		for _, m := range c.Members {
			m.kill()
		}
		if t.Failed() {
			c.DumpLogs(80)
		}
	})
	for _, m := range c.Members {
		m.spawn()
	}
	timeout := opts.LeaderTimeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	c.WaitLeader(timeout)
	return c
}

// zooKeeperArgv is the command line of an Apache ZooKeeper member, without
// the zoo.cfg argument; it skips the test when ZooKeeper is not installed.
func zooKeeperArgv(t testing.TB, jvm []string) []string {
	java, err := exec.LookPath("java")
	if err != nil {
		harness.MissingDep(t, "ensemble: java not installed (scripts/install-deps.sh): %v", err)
	}
	const zkJar, slf4j = "/usr/share/java/zookeeper.jar", "/usr/share/java/slf4j-simple.jar"
	for _, f := range []string{zkJar, slf4j} {
		if _, err := os.Stat(f); err != nil {
			harness.MissingDep(t, "ensemble: Apache ZooKeeper not installed (scripts/install-deps.sh): %v", err)
		}
	}
	if jvm == nil {
		jvm = []string{"-Xms32m", "-Xmx256m", "-XX:+UseSerialGC"}
	}
	argv := append([]string{java}, jvm...)
	return append(argv, "-Dzookeeper.jmx.log4j.disable=true", "-Dzookeeper.admin.enableServer=false",
		"-cp", zkJar+":"+slf4j, "org.apache.zookeeper.server.quorum.QuorumPeerMain")
}

// Addrs returns the client addresses of the members, in id order.
func (c *Cluster) Addrs() []string {
	var out []string
	for _, m := range c.Members {
		out = append(out, m.Addr)
	}
	return out
}

// Member returns the member with the given id.
func (c *Cluster) Member(id int) *Member { return c.Members[id-1] }

// Others returns every member except the given ones.
func (c *Cluster) Others(not ...*Member) []*Member {
	var out []*Member
next:
	for _, m := range c.Members {
		for _, x := range not {
			if m == x {
				continue next
			}
		}
		out = append(out, m)
	}
	return out
}

// WaitLeader waits until exactly one running, unpaused member reports
// "Mode: leader" and every other running, unpaused member answers srvr, and
// returns the leader. It fails the test after timeout.
func (c *Cluster) WaitLeader(timeout time.Duration) *Member {
	c.t.Helper()
	var last string
	ok := waitFor(timeout, func() bool {
		var leaders []*Member
		var modes []string
		for _, m := range c.Members {
			if !m.Running() || m.Paused() {
				continue
			}
			st, err := m.Srvr()
			if err != nil {
				modes = append(modes, fmt.Sprintf("%d:%v", m.ID, err))
				last = strings.Join(modes, " ")
				return false
			}
			modes = append(modes, fmt.Sprintf("%d:%s", m.ID, st["Mode"]))
			if st["Mode"] == "leader" {
				leaders = append(leaders, m)
			}
		}
		last = strings.Join(modes, " ")
		return len(leaders) == 1
	})
	if !ok {
		c.t.Fatalf("ensemble: no single leader within %v (last modes: %s)", timeout, last)
	}
	return c.Leader()
}

// Leader returns the running, unpaused member that reports "Mode: leader",
// or nil if none does (or more than one does).
func (c *Cluster) Leader() *Member {
	var leader *Member
	for _, m := range c.Members {
		if !m.Running() || m.Paused() {
			continue
		}
		if st, err := m.Srvr(); err == nil && st["Mode"] == "leader" {
			if leader != nil {
				return nil
			}
			leader = m
		}
	}
	return leader
}

// Followers returns the running, unpaused members other than the leader.
func (c *Cluster) Followers() []*Member {
	l := c.Leader()
	var out []*Member
	for _, m := range c.Members {
		if m != l && m.Running() && !m.Paused() {
			out = append(out, m)
		}
	}
	return out
}

// WaitZxidsEqual waits until every running, unpaused member reports the
// same last applied zxid (srvr "Zxid") twice in a row, and returns it.
func (c *Cluster) WaitZxidsEqual(timeout time.Duration) int64 {
	c.t.Helper()
	var last string
	var prev int64 = -1
	var zxid int64
	ok := waitFor(timeout, func() bool {
		var zs []string
		var first int64 = -1
		same := true
		for _, m := range c.Members {
			if !m.Running() || m.Paused() {
				continue
			}
			z, err := m.Zxid()
			if err != nil {
				last = fmt.Sprintf("%d: %v", m.ID, err)
				return false
			}
			zs = append(zs, fmt.Sprintf("%d:0x%x", m.ID, z))
			if first == -1 {
				first = z
			} else if z != first {
				same = false
			}
		}
		last = strings.Join(zs, " ")
		if !same {
			prev = -1
			return false
		}
		if first == prev {
			zxid = first
			return true
		}
		prev = first
		return false
	})
	if !ok {
		c.t.Fatalf("ensemble: members' zxids did not converge within %v: %s", timeout, last)
	}
	return zxid
}

// DumpLogs logs the last n lines of every member's log.
func (c *Cluster) DumpLogs(n int) {
	for _, m := range c.Members {
		c.t.Logf("ensemble: last lines of server %d (%s, %s):\n%s", m.ID, m.Addr, m.LogPath, m.LogTail(n))
	}
}

// spawn starts the process without waiting for it to serve.
func (m *Member) spawn() {
	t := m.c.t
	t.Helper()
	logf, err := os.OpenFile(m.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatalf("ensemble: %v", err)
	}
	fmt.Fprintf(logf, "=== ensemble %s: %s\n", time.Now().Format(time.RFC3339Nano), strings.Join(m.argv, " "))
	cmd := exec.Command(m.argv[0], m.argv[1:]...)
	cmd.Dir = m.Dir
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("ensemble: start server %d: %v", m.ID, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logf.Close()
		close(done)
	}()
	m.mu.Lock()
	m.cmd, m.done, m.paused = cmd, done, false
	m.mu.Unlock()
}

// Start starts a stopped member again with the same config and data and
// waits until it answers srvr (it need not have found a leader yet).
func (m *Member) Start() {
	t := m.c.t
	t.Helper()
	if m.Running() {
		t.Fatalf("ensemble: server %d is already running", m.ID)
	}
	m.spawn()
	var lastErr error
	if !waitFor(30*time.Second, func() bool {
		if !m.Running() {
			return true
		}
		_, lastErr = m.Srvr()
		return lastErr == nil
	}) || !m.Running() {
		t.Fatalf("ensemble: server %d did not start (running=%v, last srvr error %v); log:\n%s", m.ID, m.Running(), lastErr, m.LogTail(40))
	}
}

// Kill sends SIGKILL (after SIGCONT if paused) and waits until the process
// is reaped.
func (m *Member) Kill() { m.kill() }

func (m *Member) kill() {
	m.mu.Lock()
	cmd, done := m.cmd, m.done
	m.cmd, m.done, m.paused = nil, nil, false
	m.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-done
}

// Stop sends SIGTERM and waits for the process to exit; after 15s it kills
// it and fails the test.
func (m *Member) Stop() {
	m.mu.Lock()
	cmd, done := m.cmd, m.done
	m.cmd, m.done, m.paused = nil, nil, false
	m.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGCONT)
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		m.c.t.Errorf("ensemble: server %d did not exit within 15s of SIGTERM; killed", m.ID)
	}
}

// Pause stops the process with SIGSTOP.
func (m *Member) Pause() { m.signal(syscall.SIGSTOP, true) }

// Resume continues a paused process with SIGCONT.
func (m *Member) Resume() { m.signal(syscall.SIGCONT, false) }

func (m *Member) signal(sig syscall.Signal, paused bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cmd == nil {
		m.c.t.Fatalf("ensemble: server %d is not running", m.ID)
	}
	if err := m.cmd.Process.Signal(sig); err != nil {
		m.c.t.Fatalf("ensemble: signal server %d: %v", m.ID, err)
	}
	m.paused = paused
}

// Running reports whether the process was started and has not exited.
func (m *Member) Running() bool {
	m.mu.Lock()
	done := m.done
	m.mu.Unlock()
	if done == nil {
		return false
	}
	select {
	case <-done:
		return false
	default:
		return true
	}
}

// Paused reports whether the member is stopped with SIGSTOP.
func (m *Member) Paused() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.paused
}

// Pid returns the process id, or 0 when not running.
func (m *Member) Pid() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cmd == nil {
		return 0
	}
	return m.cmd.Process.Pid
}

// FourLetter sends a four-letter word to the member's client port and
// returns the whole answer. Safe for concurrent use.
func (m *Member) FourLetter(word string) (string, error) {
	nc, err := net.DialTimeout("tcp", m.Addr, time.Second)
	if err != nil {
		return "", err
	}
	defer nc.Close()
	if err := nc.SetDeadline(time.Now().Add(2 * time.Second)); err != nil {
		return "", err
	}
	if _, err := nc.Write([]byte(word)); err != nil {
		return "", err
	}
	b, err := io.ReadAll(nc)
	return string(b), err
}

// Srvr returns the "key: value" lines of the srvr four-letter word. It is
// an error if the server answers without a Mode line (ZooKeeper answers
// "not currently serving requests" while it has no quorum). Safe for
// concurrent use.
func (m *Member) Srvr() (map[string]string, error) {
	out, err := m.FourLetter("srvr")
	if err != nil {
		return nil, err
	}
	st := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ": "); ok {
			st[k] = strings.TrimSpace(v)
		}
	}
	if st["Mode"] == "" {
		return nil, fmt.Errorf("srvr: %q", strings.TrimSpace(out))
	}
	return st, nil
}

// Zxid returns the member's last applied zxid (srvr "Zxid").
func (m *Member) Zxid() (int64, error) {
	st, err := m.Srvr()
	if err != nil {
		return 0, err
	}
	z, err := strconv.ParseInt(strings.TrimPrefix(st["Zxid"], "0x"), 16, 64)
	if err != nil {
		return 0, fmt.Errorf("srvr Zxid %q: %v", st["Zxid"], err)
	}
	return z, nil
}

// LogTail returns the last n lines of the member's log.
func (m *Member) LogTail(n int) string {
	return harness.FileTail(m.LogPath, n)
}

// waitFor polls cond every 25ms until it is true or timeout passes.
func waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(25 * time.Millisecond)
	}
}
