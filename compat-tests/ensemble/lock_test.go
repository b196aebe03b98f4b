package ensemble

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/raftzk/raftzk/compat-tests/harness"
)

const python = "/usr/bin/python3" // has the python3-kazoo package

// TestLock runs three kazoo Lock contenders, each in its own process and
// homed on a different member, through a leader kill and restart. While a
// contender holds the lock it creates a marker file exclusively (a second
// holder at the same time would find it) and increments a counter znode
// with a version-checked setData (a write by anyone else in between fails
// it). No overlap and no failed check may occur, and the counter must equal
// the acknowledged increments (plus at most the ones whose connection was
// lost).
func TestLock(t *testing.T) {
	if _, err := os.Stat(python); err != nil {
		harness.MissingDep(t, "no %s: %v", python, err)
	}
	if err := exec.Command(python, "-c", "import kazoo").Run(); err != nil {
		harness.MissingDep(t, "kazoo not installed for %s (scripts/install-deps.sh): %v", python, err)
	}
	c := Start(t, Options{Servers: 3})
	setup := dial(t, "setup", c.Addrs(), sessionTimeout)
	mustCreate(t, setup, "/lockcounter", []byte("0"))
	dir := t.TempDir()
	marker, stop := filepath.Join(dir, "held"), filepath.Join(dir, "stop")

	type contender struct {
		cmd    *exec.Cmd
		done   chan struct{}
		mu     sync.Mutex
		counts map[string]int
		lines  []string
	}
	var all []*contender
	var total sync.WaitGroup
	acqs := func() int {
		n := 0
		for _, ct := range all {
			ct.mu.Lock()
			n += ct.counts["ACQ"]
			ct.mu.Unlock()
		}
		return n
	}
	for _, m := range c.Members {
		hosts := strings.Join(homeFirst(c, m), ",")
		name := fmt.Sprintf("contender%d", m.ID)
		cmd := exec.Command(python, "testdata/lock.py", hosts, "/locktest", "/lockcounter", marker, stop, name)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = cmd.Stdout
		if err := cmd.Start(); err != nil {
			t.Fatalf("start %s: %v", name, err)
		}
		ct := &contender{cmd: cmd, done: make(chan struct{}), counts: map[string]int{}}
		all = append(all, ct)
		total.Add(1)
		go func() {
			defer total.Done()
			defer close(ct.done)
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				line := sc.Text()
				ct.mu.Lock()
				ct.lines = append(ct.lines, line)
				ct.counts[strings.Fields(line + " ?")[0]]++
				ct.mu.Unlock()
			}
			_ = cmd.Wait()
		}()
		t.Cleanup(func() {
			_ = cmd.Process.Kill() // by pid; a no-op once it exited
			<-ct.done
		})
	}
	progress := func(n int, what string) {
		t.Helper()
		target := acqs() + n
		if !waitFor(60*time.Second, func() bool { return acqs() >= target }) {
			t.Fatalf("%s: %d of %d acquisitions within 60s", what, acqs(), target)
		}
	}
	progress(30, "start")
	leader := c.Leader()
	t.Logf("kill -9 leader %d after %d acquisitions", leader.ID, acqs())
	leader.Kill()
	progress(30, "after the kill")
	leader.Start()
	progress(20, "after the restart")
	if err := os.WriteFile(stop, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { total.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(60 * time.Second):
		t.Fatal("contenders did not stop within 60s")
	}

	inc, unknown := 0, 0
	for i, ct := range all {
		ct.mu.Lock()
		inc += ct.counts["INC"]
		unknown += ct.counts["UNKNOWN"]
		for _, bad := range []string{"OVERLAP", "VIOLATION", "Traceback"} {
			if ct.counts[bad] > 0 {
				t.Errorf("contender %d: %d %s; output:\n%s", i+1, ct.counts[bad], bad, strings.Join(ct.lines, "\n"))
			}
		}
		if !ct.cmd.ProcessState.Success() {
			t.Errorf("contender %d: %v; output tail:\n%s", i+1, ct.cmd.ProcessState, strings.Join(ct.lines[max(0, len(ct.lines)-20):], "\n"))
		}
		t.Logf("contender %d: %v", i+1, ct.counts)
		ct.mu.Unlock()
	}
	b, _, err := syncGetRetry(setup, "/lockcounter")
	if err != nil {
		t.Fatalf("read counter: %v", err)
	}
	got, _ := strconv.Atoi(string(b))
	if got < inc || got > inc+unknown {
		t.Errorf("counter = %d; %d acknowledged increments, %d in doubt", got, inc, unknown)
	}
}
