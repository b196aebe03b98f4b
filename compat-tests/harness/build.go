package harness

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var build struct {
	once sync.Once
	dir  string // temporary directory holding the binary
	bin  string
	err  error
}

// raftzkBinary builds ./cmd/raftzk into a temporary directory the first
// time it is called in this process and returns the binary's path.
func raftzkBinary() (string, error) {
	build.once.Do(func() {
		root, err := ModuleRoot()
		if err != nil {
			build.err = err
			return
		}
		if _, err := os.Stat(filepath.Join(root, "cmd", "raftzk")); err != nil {
			build.err = fmt.Errorf("no ./cmd/raftzk: %w", err)
			return
		}
		build.dir, build.err = os.MkdirTemp("", "raftzk-compat-")
		if build.err != nil {
			return
		}
		bin := filepath.Join(build.dir, "raftzk")
		cmd := exec.Command("go", "build", "-o", bin, "./cmd/raftzk")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			build.err = fmt.Errorf("go build ./cmd/raftzk: %v: %s", err, strings.TrimSpace(string(out)))
			return
		}
		build.bin = bin
	})
	return build.bin, build.err
}

// RaftzkBinary builds ./cmd/raftzk once per test process, as StartRaftzk
// does, and returns the binary's path. Main removes it after the tests;
// suites that start raftzk themselves (compat-tests/ensemble) use it.
func RaftzkBinary() (string, error) { return raftzkBinary() }

// ModuleRoot returns the directory holding go.mod, found by walking up from
// the working directory (a test's package directory).
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("harness: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Main runs the tests and then removes the raftzk binary built for them.
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(harness.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
	return code
}

// MissingDep reports a missing external dependency (java, the ZooKeeper
// jars, kazoo, cli_mt...): it skips the test, so that a developer without
// the packages can still run the rest, or fails it when RAFTZK_REQUIRE_DEPS
// is set, as scripts/test.sh (and so CI) sets it after installing them.
func MissingDep(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("RAFTZK_REQUIRE_DEPS") != "" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}
