package harness

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/raftzk/raftzk/compat-tests/harness/freeport"
)

// Target names.
const (
	TargetZooKeeper = "zookeeper"
	TargetRaftzk    = "raftzk"
	TargetExternal  = "external" // a server the harness did not start
)

// Options configure a server started by StartZooKeeper or StartRaftzk. The
// same Options give both targets the same zoo.cfg and system properties.
type Options struct {
	// TickTime is zoo.cfg's tickTime in milliseconds; 0 means 2000.
	TickTime int
	// Config holds extra zoo.cfg lines ("key=value"), appended after the
	// generated tickTime, dataDir, clientPort, clientPortAddress and
	// admin.enableServer=false lines.
	Config []string
	// Properties are Java system properties: -Dkey=value JVM flags for
	// Apache ZooKeeper, -Dkey=value arguments after "serve" for raftzk.
	Properties map[string]string
	// StartTimeout bounds the wait for the server to answer a ZooKeeper
	// handshake; 0 means 60s.
	StartTimeout time.Duration
	// JVMFlags, when set, replace the JVM flags Apache ZooKeeper starts
	// with (by default a small heap and the C1 compiler only, for quick
	// start-up; benchmarks want ZooKeeper's own defaults).
	JVMFlags []string
}

// Server is one running (or stopped) server process.
type Server struct {
	Target  string // TargetZooKeeper or TargetRaftzk
	Addr    string // "127.0.0.1:port"
	DataDir string // zoo.cfg dataDir, private to this server
	Config  string // path of the zoo.cfg
	LogPath string // the process's stdout and stderr, appended across restarts

	t       testing.TB
	argv    []string
	timeout time.Duration

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has been reaped
}

// Target is one server implementation the suites run against.
type Target struct {
	Name  string
	Start func(t testing.TB, opts Options) *Server
}

// Targets returns Apache ZooKeeper and raftzk, in that order, restricted by
// the RAFTZK_COMPAT_TARGETS environment variable when it is set. When
// RAFTZK_COMPAT_ADDR is set (host:port), it returns one target named
// "external" for the server already running there instead.
func Targets() []Target {
	if addr := os.Getenv("RAFTZK_COMPAT_ADDR"); addr != "" {
		return []Target{{TargetExternal, func(t testing.TB, _ Options) *Server { return External(t, addr) }}}
	}
	all := []Target{
		{TargetZooKeeper, StartZooKeeper},
		{TargetRaftzk, StartRaftzk},
	}
	env := os.Getenv("RAFTZK_COMPAT_TARGETS")
	if env == "" {
		return all
	}
	var out []Target
	for _, tg := range all {
		for _, name := range strings.Split(env, ",") {
			if strings.TrimSpace(name) == tg.Name {
				out = append(out, tg)
			}
		}
	}
	return out
}

// Start starts the target with the given name.
func Start(t testing.TB, target string, opts Options) *Server {
	t.Helper()
	switch target {
	case TargetZooKeeper:
		return StartZooKeeper(t, opts)
	case TargetRaftzk:
		return StartRaftzk(t, opts)
	}
	t.Fatalf("harness: unknown target %q", target)
	return nil
}

// External returns a Server for a server already listening on addr, which
// the harness did not start and will not stop: Kill, Stop and Restart skip
// the test. Options do not apply to it. It fails the test if addr does not
// complete a handshake.
func External(t testing.TB, addr string) *Server {
	t.Helper()
	if err := Probe(addr, 5*time.Second); err != nil {
		t.Fatalf("harness: external server %s: %v", addr, err)
	}
	return &Server{Target: TargetExternal, Addr: addr, t: t}
}

// Apache ZooKeeper from the Debian package. zookeeper.jar's manifest names
// its dependencies (slf4j-api, jute, netty, commons-cli, ...) in Class-Path,
// so only a logging binding has to be added.
const (
	zkJar       = "/usr/share/java/zookeeper.jar"
	slf4jSimple = "/usr/share/java/slf4j-simple.jar"
	zkMain      = "org.apache.zookeeper.server.quorum.QuorumPeerMain"
)

// StartZooKeeper starts a standalone Apache ZooKeeper and waits until it
// completes a client handshake. Without java or the ZooKeeper jar
// (scripts/install-deps.sh installs them) it reports a MissingDep.
func StartZooKeeper(t testing.TB, opts Options) *Server {
	t.Helper()
	java, err := exec.LookPath("java")
	if err != nil {
		MissingDep(t, "harness: java not installed (scripts/install-deps.sh): %v", err)
	}
	for _, f := range []string{zkJar, slf4jSimple} {
		if _, err := os.Stat(f); err != nil {
			MissingDep(t, "harness: Apache ZooKeeper not installed (scripts/install-deps.sh): %v", err)
		}
	}
	s := newServer(t, TargetZooKeeper, opts)
	s.argv = []string{java}
	if opts.JVMFlags != nil {
		s.argv = append(s.argv, opts.JVMFlags...)
	} else {
		// Small heap and C1 only: a test server lives seconds, start-up dominates.
		s.argv = append(s.argv, "-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
	}
	s.argv = append(s.argv, "-Dzookeeper.jmx.log4j.disable=true")
	s.argv = append(s.argv, propertyFlags(opts.Properties)...)
	s.argv = append(s.argv, "-cp", zkJar+":"+slf4jSimple, zkMain, s.Config)
	s.start()
	return s
}

// StartRaftzk builds ./cmd/raftzk (once per test process) and starts
// "raftzk serve --config zoo.cfg -Dkey=value...", then waits until it
// completes a client handshake. A build failure fails the test.
func StartRaftzk(t testing.TB, opts Options) *Server {
	t.Helper()
	bin, err := raftzkBinary()
	if err != nil {
		t.Fatalf("harness: cannot build raftzk: %v", err)
	}
	s := newServer(t, TargetRaftzk, opts)
	s.argv = []string{bin, "serve", "--config", s.Config}
	s.argv = append(s.argv, propertyFlags(opts.Properties)...)
	s.start()
	return s
}

func propertyFlags(props map[string]string) []string {
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, "-D"+k+"="+props[k])
	}
	return out
}

// newServer writes the zoo.cfg; the caller fills argv and calls start.
func newServer(t testing.TB, target string, opts Options) *Server {
	t.Helper()
	dir := t.TempDir()
	s := &Server{
		Target:  target,
		DataDir: filepath.Join(dir, "data"),
		Config:  filepath.Join(dir, "zoo.cfg"),
		LogPath: filepath.Join(dir, target+".log"),
		t:       t,
		timeout: opts.StartTimeout,
	}
	if s.timeout == 0 {
		s.timeout = 60 * time.Second
	}
	if err := os.MkdirAll(s.DataDir, 0o755); err != nil {
		t.Fatalf("harness: %v", err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatalf("harness: free port: %v", err)
	}
	s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	tick := opts.TickTime
	if tick == 0 {
		tick = 2000
	}
	cfg := []string{
		"tickTime=" + strconv.Itoa(tick),
		"dataDir=" + s.DataDir,
		"clientPort=" + strconv.Itoa(port),
		"clientPortAddress=127.0.0.1",
		"admin.enableServer=false",
	}
	cfg = append(cfg, opts.Config...)
	if err := os.WriteFile(s.Config, []byte(strings.Join(cfg, "\n")+"\n"), 0o644); err != nil {
		t.Fatalf("harness: %v", err)
	}
	t.Cleanup(func() {
		s.Kill()
		if t.Failed() {
			t.Logf("harness: last lines of %s log (%s):\n%s", s.Target, s.LogPath, s.LogTail(60))
		}
	})
	return s
}

func freePort() (int, error) {
	ps, err := freeport.Ports(1)
	if err != nil {
		return 0, err
	}
	return ps[0], nil
}

// start runs argv and waits until the server answers; it fails the test if
// the process exits first or the deadline passes.
func (s *Server) start() {
	s.t.Helper()
	logf, err := os.OpenFile(s.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		s.t.Fatalf("harness: %v", err)
	}
	fmt.Fprintf(logf, "=== harness: %s\n", strings.Join(s.argv, " "))
	cmd := exec.Command(s.argv[0], s.argv[1:]...)
	cmd.Dir = filepath.Dir(s.Config)
	cmd.Stdout = logf
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		s.t.Fatalf("harness: start %s: %v", s.Target, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait() // reaps the process; the exit status is in cmd.ProcessState
		logf.Close()
		close(done)
	}()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()

	deadline := time.Now().Add(s.timeout)
	var lastErr error
	for {
		select {
		case <-done:
			s.t.Fatalf("harness: %s exited before serving (%v); log tail:\n%s",
				s.Target, cmd.ProcessState, s.LogTail(40))
		default:
		}
		if lastErr = Probe(s.Addr, time.Second); lastErr == nil {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("harness: %s did not answer on %s within %v: %v; log tail:\n%s",
				s.Target, s.Addr, s.timeout, lastErr, s.LogTail(40))
		}
		select {
		case <-done:
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Pid returns the pid of the running process, or 0 when stopped.
func (s *Server) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Kill sends SIGKILL to the process and waits until it is reaped. It does
// nothing when the server is not running.
func (s *Server) Kill() {
	s.signalAndWait(syscall.SIGKILL, 0)
}

// Stop sends SIGTERM and waits until the process exits; after 15s it
// sends SIGKILL and fails the test.
func (s *Server) Stop() {
	s.t.Helper()
	if !s.signalAndWait(syscall.SIGTERM, 15*time.Second) {
		s.t.Errorf("harness: %s did not exit within 15s of SIGTERM; killed", s.Target)
	}
}

// Restart stops the server (SIGTERM) and starts it again with the same
// zoo.cfg, data directory and port, then waits until it answers.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.start()
}

// signalAndWait signals the process and waits up to grace for it to exit
// (0: forever), then kills it. It reports whether it exited within grace.
func (s *Server) signalAndWait(sig syscall.Signal, grace time.Duration) bool {
	if s.Target == TargetExternal {
		s.t.Skip("harness: cannot stop an external server")
	}
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd, s.done = nil, nil
	s.mu.Unlock()
	if cmd == nil {
		return true
	}
	// The process may already have exited; it is not reaped until done is
	// closed, so the pid cannot have been reused.
	_ = cmd.Process.Signal(sig)
	if grace == 0 {
		<-done
		return true
	}
	select {
	case <-done:
		return true
	case <-time.After(grace):
		_ = cmd.Process.Kill()
		<-done
		return false
	}
}

// Exited reports whether the process has exited (and been reaped) on its
// own; it is false for a server stopped through Kill or Stop.
func (s *Server) Exited() bool {
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	if done == nil {
		return false
	}
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// LogTail returns the last n lines of the process log.
func (s *Server) LogTail(n int) string {
	if s.LogPath == "" {
		return "(no log: external server)"
	}
	return FileTail(s.LogPath, n)
}

// FileTail returns the last n lines of the file at path, or a note saying
// why it cannot.
func FileTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "(no log)"
		}
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
