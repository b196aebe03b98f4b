package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/raftzk/raftzk/compat-tests/harness/freeport"
)

// These tests run the real binary the way a user does and drive it with a
// real client.

var binOnce struct {
	sync.Once
	path string
	err  error
}

func buildBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "raftzk-e2e-")
		if err != nil {
			binOnce.err = err
			return
		}
		binOnce.path = filepath.Join(dir, "raftzk")
		out, err := exec.Command("go", "build", "-o", binOnce.path, ".").CombinedOutput()
		if err != nil {
			binOnce.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binOnce.err != nil {
		t.Fatal(binOnce.err)
	}
	return binOnce.path
}

func freePort(t *testing.T) int { return freePorts(t, 1)[0] }

// freePorts returns n distinct free ports (see compat-tests/harness/freeport).
func freePorts(t *testing.T, n int) []int {
	ports, err := freeport.Ports(n)
	if err != nil {
		t.Fatal(err)
	}
	return ports
}

type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	addr string
	log  string
}

// startBinary runs `raftzk serve --config zoo.cfg` and waits until it answers.
func startBinary(t *testing.T, cfgPath, addr string, args ...string) *proc {
	t.Helper()
	p := startBinaryNoWait(t, cfgPath, args...)
	p.addr = addr
	deadline := time.Now().Add(20 * time.Second)
	for {
		if fourLetter(addr, "ruok") == "imok" {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatal("server did not start answering within 20s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startBinaryNoWait runs `raftzk serve --config zoo.cfg` without waiting.
func startBinaryNoWait(t *testing.T, cfgPath string, args ...string) *proc {
	t.Helper()
	return startBinaryEnv(t, cfgPath, nil, args...)
}

// startBinaryEnv is startBinaryNoWait with extra environment variables.
func startBinaryEnv(t *testing.T, cfgPath string, env []string, args ...string) *proc {
	t.Helper()
	logPath := cfgPath + ".log"
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(buildBinary(t), append([]string{"serve", "--config", cfgPath}, args...)...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	p := &proc{t: t, cmd: cmd, log: logPath}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("server log %s:\n%s", logPath, b)
		}
	})
	return p
}

func writeConfig(t *testing.T, dir string, port int) string {
	cfg := fmt.Sprintf("tickTime=2000\ndataDir=%s\nclientPort=%d\nclientPortAddress=127.0.0.1\n4lw.commands.whitelist=*\n",
		filepath.Join(dir, "data"), port)
	p := filepath.Join(dir, "zoo.cfg")
	if err := os.WriteFile(p, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

type quiet struct{}

func (quiet) Printf(string, ...any) {}

func dial(t *testing.T, addr string) *zk.Conn {
	c, ev, err := zk.Connect([]string{addr}, 10*time.Second, zk.WithLogger(quiet{}))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.After(10 * time.Second)
	for {
		select {
		case e := <-ev:
			if e.State == zk.StateHasSession {
				go func() {
					for range ev {
					}
				}()
				return c
			}
		case <-deadline:
			t.Fatal("no session")
		}
	}
}

// TestKill9LosesNoAcknowledgedWrite streams writes from several clients,
// kills the server with SIGKILL mid-stream, restarts it on the same data
// dir and checks that every write a client saw acknowledged is there.
func TestKill9LosesNoAcknowledgedWrite(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cfg := writeConfig(t, dir, port)
	p := startBinary(t, cfg, addr)

	setup := dial(t, addr)
	if _, err := setup.Create("/acked", nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	setup.Close()

	var mu sync.Mutex
	acked := map[string][]byte{}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < 4; w++ {
		c := dial(t, addr)
		wg.Add(1)
		go func(w int, c *zk.Conn) {
			defer wg.Done()
			defer c.Close()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				path := fmt.Sprintf("/acked/w%d-%06d", w, i)
				data := []byte(fmt.Sprintf("%d:%d", w, i))
				if _, err := c.Create(path, data, 0, zk.WorldACL(zk.PermAll)); err != nil {
					return // the server died; this write was never acknowledged
				}
				mu.Lock()
				acked[path] = data
				mu.Unlock()
			}
		}(w, c)
	}
	waitUntil(t, "200 acknowledged writes", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(acked) >= 200
	})
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.cmd.Wait()
	close(stop)
	wg.Wait()

	startBinary(t, cfg, addr)
	c := dial(t, addr)
	defer c.Close()
	kids, _, err := c.Children("/acked")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, k := range kids {
		have["/acked/"+k] = true
	}
	mu.Lock()
	defer mu.Unlock()
	for path, want := range acked {
		if !have[path] {
			t.Fatalf("acknowledged write %s lost (%d acknowledged, %d present)", path, len(acked), len(kids))
		}
		got, _, err := c.Get(path)
		if err != nil || string(got) != string(want) {
			t.Fatalf("%s = %q, %v; want %q", path, got, err, want)
		}
	}
	t.Logf("%d acknowledged writes, %d present after kill -9", len(acked), len(kids))
}

// TestSIGTERMStopsCleanlyAndRestartRecovers checks the clean shutdown path
// and that sessions, ephemerals and data survive a restart.
func TestSIGTERMStopsCleanlyAndRestartRecovers(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cfg := writeConfig(t, dir, port)
	p := startBinary(t, cfg, addr)
	c := dial(t, addr)
	if _, err := c.Create("/keep", []byte("v"), 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("server did not stop within 15s of SIGTERM")
	}
	b, _ := os.ReadFile(p.log)
	if !strings.Contains(string(b), "shutting down") {
		t.Fatalf("no shutdown message in log:\n%s", b)
	}
	startBinary(t, cfg, addr)
	c = dial(t, addr)
	defer c.Close()
	if data, _, err := c.Get("/keep"); err != nil || string(data) != "v" {
		t.Fatalf("after restart: %q %v", data, err)
	}
}

// TestDefaultServeRunsOnZooKeeperPortWithDefaults runs `raftzk serve` with no
// config, as the README's first command does, when port 2181 is free.
func TestDefaultServeRunsOnZooKeeperPortWithDefaults(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:2181")
	if err != nil {
		t.Skip("port 2181 is in use on this machine")
	}
	l.Close()
	dir := t.TempDir()
	cmd := exec.Command(buildBinary(t), "serve")
	cmd.Dir = dir
	out, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "msg=serving") {
			if !strings.Contains(sc.Text(), ":2181") || !strings.Contains(sc.Text(), filepath.Join(dir, "data")) {
				t.Fatalf("serving line %q", sc.Text())
			}
			break
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	c := dial(t, "127.0.0.1:2181")
	defer c.Close()
	if _, err := c.Create("/hello", nil, 0, zk.WorldACL(zk.PermAll)); err != nil && !errors.Is(err, zk.ErrNodeExists) {
		t.Fatal(err)
	}
	// Only srvr is whitelisted by default, as in ZooKeeper.
	for word, want := range map[string]string{"srvr": "Mode: standalone\n", "stat": "stat is not executed because it is not in the whitelist.\n"} {
		got := fourLetter("127.0.0.1:2181", word)
		if !strings.Contains(string(got), want) {
			t.Fatalf("%s answered %q, want it to contain %q", word, got, want)
		}
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSystemPropertiesFromJVMFlagsAndFlags: ZooKeeper's JVM system
// properties work where users put them: JVMFLAGS, SERVER_JVMFLAGS and -D.
func TestSystemPropertiesFromJVMFlagsAndFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		ttl  bool
	}{
		{"none", nil, nil, false},
		{"JVMFLAGS", []string{"JVMFLAGS=-Xmx1g -Dzookeeper.extendedTypesEnabled=true"}, nil, true},
		{"SERVER_JVMFLAGS", []string{"SERVER_JVMFLAGS=-Dzookeeper.extendedTypesEnabled=true"}, nil, true},
		{"-D flag", nil, []string{"-Dzookeeper.extendedTypesEnabled=true"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			port := freePort(t)
			addr := fmt.Sprintf("127.0.0.1:%d", port)
			cfg := writeConfig(t, dir, port)
			startBinaryEnv(t, cfg, tc.env, tc.args...)
			waitUntil(t, "the server to answer", func() bool { return fourLetter(addr, "ruok") == "imok" })
			c := dial(t, addr)
			defer c.Close()
			_, err := c.CreateTTL("/ttl", nil, zk.FlagTTL, zk.WorldACL(zk.PermAll), time.Minute)
			if tc.ttl && err != nil {
				t.Fatalf("createTTL with extended types: %v", err)
			}
			// go-zookeeper has no name for Unimplemented (-6).
			if !tc.ttl && (err == nil || !strings.Contains(err.Error(), "unknown error: -6")) {
				t.Fatalf("createTTL without extended types: %v, want Unimplemented", err)
			}
		})
	}
}
