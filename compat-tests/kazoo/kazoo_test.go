package kazoo

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
		t.Skipf("%s cannot import kazoo (scripts/install-deps.sh): %v", python, err)
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

// runScript runs one script and requires exit status 0 and a summary line
// with at least one check passed and none failed.
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
	m := summaryRe.FindStringSubmatch(out.String())
	if err != nil || m == nil || m[2] != "0" || m[1] == "0" {
		t.Errorf("%s %s: %v\n%s", name, addr, err, failures(out.String()))
	}
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
