package zkcli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/raftzk/raftzk/compat-tests/harness"
)

// ZkCli is the Java command-line client from the Debian zookeeper package.
const zkCli = "/usr/share/zookeeper/bin/zkCli.sh"

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the Apache ZooKeeper target")

func TestMain(m *testing.M) { os.Exit(harness.Main(m)) }

// scenario is a list of zkCli sessions played one after the other; each
// session is testdata/<name>.sessionN.zk, and the normalised transcript of
// all of them must equal testdata/<name>.golden.
type scenario struct {
	name string
	opts harness.Options
	// needsOpts: the scenario depends on opts, so it cannot run against an
	// external server, whose configuration is unknown.
	needsOpts bool
}

var extended = harness.Options{Properties: map[string]string{"zookeeper.extendedTypesEnabled": "true"}}

var scenarios = []scenario{
	// basic: every create mode, reads, writes, errors, ACLs and auth,
	// watches, sync, config; session 2 checks NoAuth from a fresh session
	// and that session 1's ephemerals are gone.
	{"basic", extended, false},
	// noext: TTL nodes are refused without zookeeper.extendedTypesEnabled.
	{"noext", harness.Options{}, true},
}

func TestZkCli(t *testing.T) {
	if _, err := os.Stat(zkCli); err != nil {
		harness.MissingDep(t, "zkCli.sh not installed (scripts/install-deps.sh): %v", err)
	}
	for _, tg := range harness.Targets() {
		t.Run(tg.Name, func(t *testing.T) {
			// One server per option set, owned by this test; scenarios
			// use distinct roots.
			servers := map[string]*harness.Server{}
			start := func(opts harness.Options) *harness.Server {
				key := fmt.Sprint(opts)
				if servers[key] == nil {
					servers[key] = tg.Start(t, opts)
				}
				return servers[key]
			}
			for _, sc := range scenarios {
				if sc.needsOpts && tg.Name == harness.TargetExternal {
					t.Run(sc.name, func(t *testing.T) { t.Skip("depends on server options") })
					continue
				}
				srv := start(sc.opts)
				t.Run(sc.name, func(t *testing.T) {
					got := play(t, srv.Addr, sc.name)
					harness.CheckGolden(t, filepath.Join("testdata", sc.name+".golden"), got, tg.Name, "zkCli", *update)
				})
			}
		})
	}
}

// play runs each session of the scenario with a fresh root path and
// returns the normalised transcript.
func play(t *testing.T, addr, name string) string {
	t.Helper()
	sessions, err := filepath.Glob(filepath.Join("testdata", name+".session*.zk"))
	if err != nil || len(sessions) == 0 {
		t.Fatalf("no sessions for %s: %v", name, err)
	}
	sort.Strings(sessions)
	root := "/zkcli-" + name + "-" + randHex()
	n := newNormaliser(root)
	var out strings.Builder
	for i, file := range sessions {
		script, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		raw := run(t, addr, strings.ReplaceAll(string(script), "$ROOT", root))
		fmt.Fprintf(&out, "## session %d\n", i+1)
		out.WriteString(n.normalise(raw))
	}
	return out.String()
}

func randHex() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// run feeds script to zkCli.sh on stdin (without a terminal zkCli reads
// commands line by line and runs each to completion) and returns stdout and
// stderr merged into one stream, in the order written.
func run(t *testing.T, addr, script string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, zkCli, "-server", addr)
	cmd.Stdin = strings.NewReader(script)
	cmd.Dir = t.TempDir()
	var buf bytes.Buffer
	cmd.Stdout = &buf
	cmd.Stderr = &buf // same writer: one pipe, order preserved
	// zkCli exits with the status of the last command, which the
	// transcript records.
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && (!errors.As(err, &exitErr) || ctx.Err() != nil) {
		t.Fatalf("zkCli.sh -server %s: %v\n%s", addr, err, buf.String())
	}
	return buf.String() + fmt.Sprintf("exit status %d\n", cmd.ProcessState.ExitCode())
}

var (
	zxidRe    = regexp.MustCompile(`^([cmp]Zxid) = (0x[0-9a-f]+)$`)
	timeRe    = regexp.MustCompile(`^([cm]time) = (.*)$`)
	ownerRe   = regexp.MustCompile(`^ephemeralOwner = 0x[0-9a-f]*[1-9a-f][0-9a-f]*$`)
	addrRe    = regexp.MustCompile(`127\.0\.0\.1:[0-9]+`)
	epochTime = "Thu Jan 01 00:00:00 UTC 1970"
)

// normaliser rewrites what legitimately differs between runs and servers:
// zxids become Z1, Z2, ... in order of first appearance across the whole
// scenario (so equal zxids stay equal), times other than the epoch become
// <time>, non-zero session ids <session>, the random root $ROOT. Bracketed
// lists are sorted: getEphemerals prints server (hash) order, and ls sorts
// anyway. Watcher output is printed by the client's event thread and races
// with command output, so it is moved, in its own order, to an "## events"
// section per session.
type normaliser struct {
	root  string
	zxids map[string]string
}

func newNormaliser(root string) *normaliser {
	return &normaliser{root: root, zxids: map[string]string{"0x0": "0x0"}}
}

func (n *normaliser) normalise(raw string) string {
	var lines, events []string
	for _, l := range strings.Split(strings.TrimRight(raw, "\n"), "\n") {
		switch {
		case strings.HasPrefix(l, "SLF4J:"), strings.HasPrefix(l, "Connecting to "),
			l == "Welcome to ZooKeeper!", l == "JLine support is disabled":
			continue
		case l == "WATCHER::" || strings.HasPrefix(l, "WatchedEvent "):
			// printed as println("\n" + msg): drop the blank line too.
			if len(lines) > 0 && lines[len(lines)-1] == "" {
				lines = lines[:len(lines)-1]
			}
			if l != "WATCHER::" {
				events = append(events, n.line(l))
			}
			continue
		}
		lines = append(lines, n.line(l))
	}
	sortWhoAmI(lines)
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	b.WriteString("## events\n")
	for _, l := range events {
		b.WriteString(l + "\n")
	}
	return b.String()
}

var authLineRe = regexp.MustCompile(`^[a-z0-9]+: `)

// sortWhoAmI sorts the "scheme: user" lines that follow each "Auth scheme:
// User" header. Apache ZooKeeper keeps a connection's identities in a set
// (ServerCnxn.authInfo, a ConcurrentHashMap key set) and whoami lists them
// in hash order, which is no contract.
func sortWhoAmI(lines []string) {
	for i := 0; i < len(lines); i++ {
		if lines[i] != "Auth scheme: User" {
			continue
		}
		j := i + 1
		for j < len(lines) && authLineRe.MatchString(lines[j]) {
			j++
		}
		sort.Strings(lines[i+1 : j])
		i = j - 1
	}
}

func (n *normaliser) line(l string) string {
	l = strings.ReplaceAll(l, n.root, "$ROOT")
	l = addrRe.ReplaceAllString(l, "<addr>")
	if m := zxidRe.FindStringSubmatch(l); m != nil {
		z, ok := n.zxids[m[2]]
		if !ok {
			z = fmt.Sprintf("Z%d", len(n.zxids))
			n.zxids[m[2]] = z
		}
		return m[1] + " = " + z
	}
	if m := timeRe.FindStringSubmatch(l); m != nil && m[2] != epochTime {
		return m[1] + " = <time>"
	}
	if ownerRe.MatchString(l) {
		return "ephemeralOwner = <session>"
	}
	if strings.HasPrefix(l, "[") && strings.HasSuffix(l, "]") {
		items := strings.Split(l[1:len(l)-1], ", ")
		sort.Strings(items)
		return "[" + strings.Join(items, ", ") + "]"
	}
	return l
}

// lineDiff shows the first differing lines with some context.
