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
		harness.MissingDep(t, "javac not installed (scripts/install-deps.sh): %v", err)
	}
	for _, jar := range []string{"zookeeper.jar", "curator-recipes.jar", "curator-framework.jar", "curator-client.jar"} {
		if _, err := os.Stat("/usr/share/java/" + jar); err != nil {
			harness.MissingDep(t, "Java client jars not installed (scripts/install-deps.sh): %v", err)
		}
	}
	for _, tg := range harness.Targets() {
		t.Run(tg.Name, func(t *testing.T) {
			srv := tg.Start(t, serverOptions())
			runChecks(t, srv.Addr)
		})
	}
}

// runChecks runs run.sh and turns each of its per-check lines into a subtest of the same
// name ("PASS name" passes, "FAIL name: reason" fails with the reason), so the test run
// records every Java client and Curator check. It also requires exit status 0 and the summary
// line with at least one check passed and none failed.
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
	for _, c := range parseChecks(out) {
		t.Run(c.name, func(t *testing.T) {
			if !c.passed {
				t.Errorf("FAIL %s: %s", c.name, c.reason)
			}
		})
	}
	m := summaryRe.FindStringSubmatch(out)
	if err != nil || m == nil || m[2] != "0" || m[1] == "0" {
		t.Errorf("run.sh %s: %v\nstdout:\n%s\nstderr (tail):\n%s", addr, err, out, tail(stderr.String(), 60))
		return
	}
	t.Logf("%s", m[0])
}

// check is one per-check line of run.sh's output.
type check struct {
	name, reason string
	passed       bool
}

// parseChecks returns the "PASS name" and "FAIL name: reason" lines of out, in order.
func parseChecks(out string) []check {
	var cs []check
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimRight(line, "\r")
		if name, ok := strings.CutPrefix(line, "PASS "); ok {
			cs = append(cs, check{name: strings.TrimSpace(name), passed: true})
		} else if rest, ok := strings.CutPrefix(line, "FAIL "); ok {
			name, reason, _ := strings.Cut(rest, ": ")
			cs = append(cs, check{name: strings.TrimSpace(name), reason: reason})
		}
	}
	return cs
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func TestParseChecks(t *testing.T) {
	out := "PASS zk.connect\nFAIL zk.create.ttl: KeeperException: x: y [ZkApiChecks.java:10]\n1 passed, 1 failed\n"
	got := parseChecks(out)
	want := []check{
		{name: "zk.connect", passed: true},
		{name: "zk.create.ttl", reason: "KeeperException: x: y [ZkApiChecks.java:10]"},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("parseChecks = %+v, want %+v", got, want)
	}
}
