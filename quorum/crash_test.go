package quorum

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// crashDirEnv tells the test binary to run as the crash helper process.
const crashDirEnv = "QUORUM_CRASH_HELPER_DIR"

// crashConfig snapshots often, so kills also land around snapshots and
// compactions.
func crashConfig(t testing.TB, dir string) Config {
	cfg := testConfig(t, dir)
	cfg.SnapshotThreshold = 64
	cfg.SnapshotInterval = 10 * time.Millisecond
	cfg.TrailingLogs = 16
	return cfg
}

// TestCrashHelper is not a test: TestNode_CrashKeepsAcknowledged runs the
// test binary again with crashDirEnv set, and this function then proposes
// entries forever, printing "ack <zxid> <data>" after each acknowledgement,
// until it is killed.
func TestCrashHelper(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("helper process for TestNode_CrashKeepsAcknowledged")
	}
	cfg := crashConfig(t, dir)
	cfg.Logger = slog.New(slog.DiscardHandler)
	n, err := Open(cfg, &recordSM{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				data := fmt.Sprintf("p%d-g%d-%d", os.Getpid(), g, i)
				zxid, _, err := n.Propose(ctx, []byte(data))
				if err != nil {
					fmt.Fprintf(os.Stderr, "propose %s: %v\n", data, err)
					return
				}
				mu.Lock()
				fmt.Fprintf(os.Stdout, "ack %d %s\n", zxid, data)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	t.Fatal("helper was not killed within 60s")
}

func TestNode_CrashKeepsAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a helper process")
	}
	dir := t.TempDir()
	total := 0
	for round := range 3 {
		acked := runCrashHelper(t, dir, 200+100*round)

		sm := &recordSM{}
		n := openNode(t, crashConfig(t, dir), sm)
		applied := make(map[string]int64)
		for _, e := range sm.snapshotEntries() {
			applied[e.data] = e.zxid
		}
		for data, zxid := range acked {
			got, ok := applied[data]
			if !ok {
				t.Fatalf("round %d: acknowledged entry %q (zxid %#x) lost after kill -9", round, data, zxid)
			}
			if got != zxid {
				t.Fatalf("round %d: entry %q acknowledged at zxid %#x, recovered at %#x", round, data, zxid, got)
			}
		}
		total += len(acked)
		if len(applied) < total {
			t.Fatalf("round %d: %d entries recovered, fewer than the %d acknowledged so far", round, len(applied), total)
		}
		t.Logf("round %d: %d acknowledged, %d recovered in total, restores %d", round, len(acked), len(applied), sm.restoreCount())
		if err := n.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// runCrashHelper starts the helper on dir, kills it with SIGKILL after it
// has acknowledged at least n entries, and returns every acknowledgement it
// printed.
func runCrashHelper(t *testing.T, dir string, n int) map[string]int64 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killTimer := time.AfterFunc(30*time.Second, func() { _ = cmd.Process.Kill() })
	defer killTimer.Stop()

	acked := make(map[string]int64)
	killed := false
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		var zxid int64
		var data string
		if _, err := fmt.Sscanf(sc.Text(), "ack %d %s", &zxid, &data); err != nil {
			continue // test framework output
		}
		acked[data] = zxid
		if !killed && len(acked) >= n {
			// Lines already written stay readable in the pipe after the kill.
			_ = cmd.Process.Kill()
			killed = true
		}
	}
	_ = cmd.Wait()
	if !killed {
		t.Fatalf("helper exited after %d acknowledgements, want %d; stderr:\n%s", len(acked), n, stderr.String())
	}
	if s := stderr.String(); strings.Contains(s, "panic") || strings.Contains(s, "DATA RACE") {
		t.Fatalf("helper failed:\n%s", s)
	}
	return acked
}
