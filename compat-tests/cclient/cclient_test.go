package cclient

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
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

// cliMt is the C client's command-line shell (multi-threaded build) from
// the Debian zookeeper-bin package.
const cliMt = "/usr/lib/zookeeper/bin/cli_mt"

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the Apache ZooKeeper target")

func TestMain(m *testing.M) { os.Exit(harness.Main(m)) }

var scenarios = []struct {
	name string
	opts harness.Options
}{
	// basic: create modes (+e +s +es +c +t=ttl), create2, get, set, ls,
	// ls2, delete, exists, wexists and its event, sync, config, addauth,
	// error codes; session 2 sees session 1's ephemerals gone.
	{"basic", harness.Options{Properties: map[string]string{"zookeeper.extendedTypesEnabled": "true"}}},
}

func TestCClient(t *testing.T) {
	if _, err := os.Stat(cliMt); err != nil {
		harness.MissingDep(t, "cli_mt not installed (scripts/install-deps.sh): %v", err)
	}
	for _, tg := range harness.Targets() {
		t.Run(tg.Name, func(t *testing.T) {
			for _, sc := range scenarios {
				srv := tg.Start(t, sc.opts)
				t.Run(sc.name, func(t *testing.T) {
					got := play(t, srv.Addr, sc.name)
					harness.CheckGolden(t, filepath.Join("testdata", sc.name+".golden"), got, tg.Name, "cli_mt", *update)
				})
			}
		})
	}
}

func play(t *testing.T, addr, name string) string {
	t.Helper()
	sessions, err := filepath.Glob(filepath.Join("testdata", name+".session*.cli"))
	if err != nil || len(sessions) == 0 {
		t.Fatalf("no sessions for %s: %v", name, err)
	}
	sort.Strings(sessions)
	var b [6]byte
	_, _ = rand.Read(b[:])
	root := "/cclient-" + name + "-" + hex.EncodeToString(b[:])
	n := &normaliser{root: root, zxids: map[string]string{"0": "0"}}
	var out strings.Builder
	for i, file := range sessions {
		script, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		cmds := strings.Split(strings.TrimSpace(strings.ReplaceAll(string(script), "$ROOT", root)), "\n")
		fmt.Fprintf(&out, "## session %d\n", i+1)
		for _, blk := range runSession(t, addr, cmds) {
			out.WriteString(n.block(blk))
		}
	}
	return out.String()
}

// cli_mt sends every command asynchronously and prints results (on stderr)
// from its completion thread; a quit would cancel what is in flight. So
// each command is followed by an asynchronous marker, "delete
// /zz-marker-N", whose completion ("/zz-marker-N: rc = -101") comes after
// every earlier completion and watch event of the session, and the next
// command is sent only once the marker is seen.
const markerPrefix = "/zz-cclient-marker-"

// runSession returns one block per command: the command line followed by
// its raw output lines.
func runSession(t *testing.T, addr string, cmds []string) [][]string {
	t.Helper()
	cmd := exec.Command(cliMt, addr)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	// An os.Pipe rather than StderrPipe: Wait would close the latter
	// while the reader may still be draining it.
	stderr, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	cmd.Stderr = w
	cmd.Stdout = io.Discard
	err = cmd.Start()
	w.Close()
	if err != nil {
		t.Fatalf("start cli_mt: %v", err)
	}
	exited := make(chan struct{})
	lines := make(chan string, 1024)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	defer func() {
		select {
		case <-exited:
		default:
			_ = cmd.Process.Kill()
			<-exited
		}
	}()
	go func() {
		_ = cmd.Wait() // reaps the process
		close(exited)
	}()

	var seen []string
	// next returns the next stderr line, failing the test after a deadline.
	next := func(what string) (string, bool) {
		select {
		case l, ok := <-lines:
			if ok {
				seen = append(seen, l)
			}
			return l, ok
		case <-time.After(20 * time.Second):
			t.Fatalf("cli_mt %s: no %s within 20s; output so far:\n%s", addr, what, strings.Join(seen, "\n"))
			return "", false
		}
	}
	// The session must be up before the first command, or the connect
	// events would land in its output.
	var connect []string
	for {
		l, ok := next("session")
		if !ok {
			t.Fatalf("cli_mt %s exited before connecting:\n%s", addr, strings.Join(seen, "\n"))
		}
		connect = append(connect, l)
		if strings.HasPrefix(l, "Got a new session id: ") {
			break
		}
	}
	blocks := [][]string{append([]string{"(connect)"}, connect...)}
	for i, c := range cmds {
		marker := fmt.Sprintf("%s%d", markerPrefix, i)
		if _, err := io.WriteString(stdin, c+"\ndelete "+marker+"\n"); err != nil {
			t.Fatalf("cli_mt %s: write %q: %v\n%s", addr, c, err, strings.Join(seen, "\n"))
		}
		blk := []string{"> " + c}
		for {
			l, ok := next("reply to " + c)
			if !ok {
				t.Fatalf("cli_mt %s exited during %q:\n%s", addr, c, strings.Join(seen, "\n"))
			}
			if l == marker+": rc = -101" {
				break
			}
			blk = append(blk, l)
		}
		blocks = append(blocks, blk)
	}
	if _, err := io.WriteString(stdin, "quit\n"); err != nil {
		t.Fatalf("cli_mt %s: write quit: %v", addr, err)
	}
	stdin.Close()
	blk := []string{"> quit"}
	for {
		l, ok := next("exit after quit")
		if !ok {
			break
		}
		blk = append(blk, l)
	}
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		t.Fatalf("cli_mt %s did not exit after quit", addr)
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("cli_mt exit status %d", code)
	}
	return append(blocks, blk)
}

var (
	timeMsRe  = regexp.MustCompile(`^time = -?[0-9]+ msec$`)
	statTime  = regexp.MustCompile(`^\t([cm]time) ?= ?(.*)$`)
	statZxid  = regexp.MustCompile(`^\t([cm]zxid)=([0-9a-f]+)$`)
	ownerRe   = regexp.MustCompile(`^\tephemeralOwner = ([0-9a-f]+)$`)
	sessionRe = regexp.MustCompile(`^Got a new session id: 0x[0-9a-f]+$`)
	childRe   = regexp.MustCompile(`^\t[^\t=]+$`)
	epochC    = "Thu Jan  1 00:00:00 1970"
)

// normaliser rewrites what legitimately differs between runs and servers:
// elapsed "time = N msec" lines are dropped; zxids become Z1, Z2, ... in
// order of first appearance (so equal zxids stay equal); times other than
// the epoch become <time>; session ids <session>; the random root $ROOT;
// and runs of child names (ls, ls2) are sorted, since the server returns
// children in no particular order (Apache ZooKeeper: hash order).
type normaliser struct {
	root  string
	zxids map[string]string
}

func (n *normaliser) block(raw []string) string {
	var out []string
	for _, l := range raw {
		l = strings.ReplaceAll(l, n.root, "$ROOT")
		switch {
		case timeMsRe.MatchString(l):
			continue
		case sessionRe.MatchString(l):
			l = "Got a new session id: <session>"
		}
		if m := statTime.FindStringSubmatch(l); m != nil && m[2] != epochC {
			l = "\t" + m[1] + " = <time>"
		}
		if m := statZxid.FindStringSubmatch(l); m != nil {
			z, ok := n.zxids[m[2]]
			if !ok {
				z = fmt.Sprintf("Z%d", len(n.zxids))
				n.zxids[m[2]] = z
			}
			l = "\t" + m[1] + "=" + z
		}
		if m := ownerRe.FindStringSubmatch(l); m != nil && m[1] != "0" {
			l = "\tephemeralOwner = <session>"
		}
		out = append(out, l)
	}
	// Sort each run of child-name lines.
	for i := 0; i < len(out); i++ {
		j := i
		for j < len(out) && childRe.MatchString(out[j]) {
			j++
		}
		sort.Strings(out[i:j])
		i = j
	}
	return strings.Join(out, "\n") + "\n"
}

// lineDiff shows the first differing lines with some context.
