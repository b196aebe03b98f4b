package kazoo

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/raftzk/raftzk/compat-tests/harness"
)

// Python is the system interpreter, which sees the python3-kazoo package
// (a pyenv python3 earlier on PATH does not).
const python = "/usr/bin/python3"

func TestMain(m *testing.M) { os.Exit(harness.Main(m)) }

var summaryRe = regexp.MustCompile(`(?m)^([0-9]+) passed, ([0-9]+) failed$`)

func TestKazoo(t *testing.T) {
	if err := exec.Command(python, "-c", "import kazoo").Run(); err != nil {
		harness.MissingDep(t, "%s cannot import kazoo (scripts/install-deps.sh): %v", python, err)
	}
	scripts, err := filepath.Glob(filepath.Join("scripts", "*.py"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range scripts {
		if filepath.Base(s) != "compat.py" {
			names = append(names, filepath.Base(s))
		}
	}
	if len(names) < 6 {
		t.Fatalf("found only %v in scripts/", names)
	}
	for _, tg := range harness.Targets() {
		t.Run(tg.Name, func(t *testing.T) {
			// One server for all scripts: each works under its own root.
			srv := tg.Start(t, harness.Options{})
			t.Run("scripts", func(t *testing.T) {
				for _, name := range names {
					t.Run(strings.TrimSuffix(name, ".py"), func(t *testing.T) {
						t.Parallel()
						runScript(t, srv.Addr, name)
					})
				}
			})
		})
	}
}

// runScript runs one script, turns each of its per-check lines into a subtest
// named after the check ("ok   name" passes, "FAIL name detail" fails with the
// detail and any traceback printed after it), and requires exit status 0 and
// a summary line with at least one check passed and none failed.
func runScript(t *testing.T, addr, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, name, addr)
	cmd.Dir = "scripts"
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	src, rerr := os.ReadFile(filepath.Join("scripts", name))
	if rerr != nil {
		t.Error(rerr)
	}
	for _, c := range parseChecks(out.String(), checkNames(string(src))) {
		t.Run(c.name, func(t *testing.T) {
			if !c.passed {
				t.Errorf("FAIL %s: %s", c.name, c.detail)
			}
		})
	}
	m := summaryRe.FindStringSubmatch(out.String())
	if err != nil || m == nil || m[2] != "0" || m[1] == "0" {
		t.Errorf("%s %s: %v\n%s", name, addr, err, failures(out.String()))
	}
}

// check is one per-check result printed by a script.
type check struct {
	name, detail string
	passed       bool
}

// checkNameRe matches the literal name passed to check, check_eq or
// check_raises (compat.py) in a script's source.
var checkNameRe = regexp.MustCompile(`(?:^|[^.\w])check(?:_eq|_raises)?\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')`)

// checkNames returns the literal check names in a script's source. compat.py
// prints a failure as "FAIL name detail", so these are what tell where the
// name ends.
func checkNames(src string) []string {
	var names []string
	for _, m := range checkNameRe.FindAllStringSubmatch(src, -1) {
		lit := m[1]
		if lit[0] == '\'' {
			lit = `"` + strings.ReplaceAll(lit[1:len(lit)-1], `"`, `\"`) + `"`
		}
		if s, err := strconv.Unquote(lit); err == nil && s != "" {
			names = append(names, s)
		}
	}
	return names
}

// parseChecks returns the per-check lines of a script's output in order.
// "FAIL name detail" is split at the longest known name; "FAIL test_fn
// raised:" (a test function that raised) takes the lines after it, the
// traceback, as its detail.
func parseChecks(out string, names []string) []check {
	var cs []check
	inFailure := false
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimRight(line, "\r")
		if rest, ok := strings.CutPrefix(line, "ok "); ok {
			cs = append(cs, check{name: strings.TrimSpace(rest), passed: true})
			inFailure = false
			continue
		}
		if rest, ok := strings.CutPrefix(line, "FAIL "); ok {
			name, detail := splitFailure(rest, names)
			cs = append(cs, check{name: name, detail: detail})
			inFailure = true
			continue
		}
		if summaryRe.MatchString(line) {
			inFailure = false
			continue
		}
		if inFailure && line != "" {
			c := &cs[len(cs)-1]
			c.detail = strings.TrimLeft(c.detail+"\n"+line, "\n")
		}
	}
	return cs
}

// splitFailure splits the text after "FAIL " into the check's name and the
// detail.
func splitFailure(rest string, names []string) (name, detail string) {
	if fn, ok := strings.CutSuffix(rest, " raised:"); ok && !strings.Contains(fn, " ") {
		return fn, ""
	}
	best := ""
	for _, n := range names {
		if len(n) > len(best) && (rest == n || strings.HasPrefix(rest, n+" ")) {
			best = n
		}
	}
	if best != "" {
		return best, strings.TrimSpace(rest[len(best):])
	}
	// A name built at run time: compat.py's own details start like these.
	for _, sep := range []string{" got ", " raised ", " no exception, "} {
		if i := strings.Index(rest, sep); i > 0 {
			return rest[:i], strings.TrimSpace(rest[i:])
		}
	}
	return strings.TrimSpace(rest), ""
}

// failures keeps the lines worth reading: failed checks, tracebacks and the
// summary, or everything when there is no summary.
func failures(out string) string {
	if !summaryRe.MatchString(out) {
		return out
	}
	var b strings.Builder
	for _, l := range strings.Split(out, "\n") {
		if !strings.HasPrefix(l, "ok ") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func TestParseChecks(t *testing.T) {
	src := `
    check_eq("rolled back: no set", zk.get(R + "/f")[0], b"f")
    check("rolled back", x)
    t.check(R + "/old", 1)
    check_raises('it\'s gone', NoNodeError, zk.get, R)
`
	names := checkNames(src)
	if want := []string{"rolled back: no set", "rolled back"}; strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("checkNames = %q, want %q", names, want)
	}
	out := "ok   rolled back\n" +
		"FAIL rolled back: no set got b'x', want b'f'\n" +
		"FAIL test_multi raised:\n" +
		"Traceback (most recent call last):\n" +
		"  File \"txn.py\", line 3\n" +
		"FAIL made up at run time got 1, want 2\n" +
		"2 passed, 3 failed\n"
	got := parseChecks(out, names)
	want := []check{
		{name: "rolled back", passed: true},
		{name: "rolled back: no set", detail: "got b'x', want b'f'"},
		{name: "test_multi", detail: "Traceback (most recent call last):\n  File \"txn.py\", line 3"},
		{name: "made up at run time", detail: "got 1, want 2"},
	}
	if len(got) != len(want) {
		t.Fatalf("parseChecks = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("check %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
