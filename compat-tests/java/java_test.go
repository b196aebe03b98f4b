// Package javacompat runs the Java client and Apache Curator checks (run.sh) against every
// harness target: Apache ZooKeeper first, then raftzk.
package javacompat

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/raftzk/raftzk/compat-tests/harness"
)

func TestMain(m *testing.M) { os.Exit(harness.Main(m)) }

var summaryRe = regexp.MustCompile(`(?m)^([0-9]+) passed, ([0-9]+) failed$`)

// serverOptions are what the checks need from any server: TTL nodes (extended types) and a
// container/TTL reaper that runs every second instead of every minute.
func serverOptions() harness.Options {
	return harness.Options{
		Properties: map[string]string{
			"zookeeper.extendedTypesEnabled":  "true",
			"znode.container.checkIntervalMs": "1000",
		},
	}
}

func TestJavaClientAndCurator(t *testing.T) {
	if _, err := exec.LookPath("javac"); err != nil {
		t.Skipf("javac not installed (scripts/install-deps.sh): %v", err)
	}
	for _, jar := range []string{"zookeeper.jar", "curator-recipes.jar", "curator-framework.jar", "curator-client.jar"} {
		if _, err := os.Stat("/usr/share/java/" + jar); err != nil {
			t.Skipf("Java client jars not installed (scripts/install-deps.sh): %v", err)
		}
	}
	for _, tg := range harness.Targets() {
		t.Run(tg.Name, func(t *testing.T) {
			srv := tg.Start(t, serverOptions())
			runChecks(t, srv.Addr)
		})
	}
}

// runChecks runs run.sh, reports every FAIL line as a test error and requires the summary
// line with no failures.
func runChecks(t *testing.T, addr string) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "./run.sh", addr)
	cmd.Env = append(os.Environ(), "OUT="+t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	out := stdout.String()
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "FAIL ") {
			t.Errorf("%s", line)
		}
	}
	m := summaryRe.FindStringSubmatch(out)
	if err != nil || m == nil || m[2] != "0" || m[1] == "0" {
		t.Errorf("run.sh %s: %v\nstdout:\n%s\nstderr (tail):\n%s", addr, err, out, tail(stderr.String(), 60))
		return
	}
	t.Logf("%s", m[0])
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
