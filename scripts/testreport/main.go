// Command testreport reads `go test -json` output on stdin, writes the human-readable test
// output to stdout (like go test without -v: the output of failed tests and packages, the
// reasons of skipped tests, the ok/FAIL line of every package), then per-package counts and
// finally one line exactly of the form
//
//	N passed, M failed, K skipped
//
// counting leaf tests (a test with subtests counts through its subtests; a test or package
// that fails on its own, with no failed subtest, counts as one failure).
//
// With -matrix FILE it writes a Markdown compatibility matrix (every client check against
// Apache ZooKeeper and against raftzk) to FILE; with -readme FILE it replaces the text between
// the markers <!-- compat-matrix:start --> and <!-- compat-matrix:end --> in FILE with a
// summary of that matrix. It exits 1 if any test failed, 0 otherwise.
//
// Usage:
//
//	go test -json ./... 2>&1 | go run ./scripts/testreport [-v] [-matrix compat-tests/MATRIX.md] [-readme README.md]
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

const modulePrefix = "github.com/raftzk/raftzk/"

// event is one line of `go test -json` (cmd/test2json) output.
type event struct {
	Time        time.Time
	Action      string
	Package     string
	Test        string
	Output      string
	Elapsed     float64
	ImportPath  string
	FailedBuild string
}

// test is one test or subtest.
type test struct {
	pkg, name string
	result    string // pass, fail, skip, or "" while running
	output    []string
	children  int
	elapsed   float64
}

// pkgState is one package.
type pkgState struct {
	name    string
	result  string // pass, fail, skip (no test files), or ""
	elapsed float64
	tests   []*test
}

type report struct {
	verbose bool
	out     io.Writer
	pkgs    map[string]*pkgState
	order   []string
	tests   map[string]*test // key pkg + " " + name
	started time.Time
	ended   time.Time
	// failures holds, for each failed test in the order they ended, its name and the first
	// lines of its output, repeated at the end: CI logs keep only their tail.
	failures []string
	// knownDifferences counts the differences each top-level test (TestDifferential) logged as
	// known.
	knownDifferences map[string]int
}

func main() {
	verbose := flag.Bool("v", false, "write all test output, like go test -v")
	matrix := flag.String("matrix", "", "write the Markdown compatibility matrix to this `file`")
	readme := flag.String("readme", "", "replace the compatibility matrix section of this Markdown `file`")
	root := flag.String("root", ".", "the repository `dir` (for git and the differential scenarios)")
	flag.Parse()

	r := &report{verbose: *verbose, out: os.Stdout, pkgs: map[string]*pkgState{}, tests: map[string]*test{}, knownDifferences: map[string]int{}}
	if err := r.read(os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "testreport:", err)
		os.Exit(2)
	}
	r.finish()
	c := r.counts("")

	status := 0
	if *matrix != "" || *readme != "" {
		m := r.matrix(*root)
		if *matrix != "" {
			if err := os.WriteFile(*matrix, []byte(m.markdown(true)), 0o644); err != nil {
				fmt.Fprintln(os.Stderr, "testreport:", err)
				status = 2
			}
		}
		if *readme != "" {
			if err := replaceSection(*readme, m.markdown(false)); err != nil {
				fmt.Fprintln(os.Stderr, "testreport:", err)
				status = 2
			}
		}
	}
	r.printFailures()
	r.printCounts()
	fmt.Printf("%d passed, %d failed, %d skipped\n", c.passed, c.failed, c.skipped)
	if c.failed > 0 {
		status = 1
	}
	os.Exit(status)
}

func (r *report) pkg(name string) *pkgState {
	p := r.pkgs[name]
	if p == nil {
		p = &pkgState{name: name}
		r.pkgs[name] = p
		r.order = append(r.order, name)
	}
	return p
}

func (r *report) test(pkg, name string) *test {
	k := pkg + " " + name
	t := r.tests[k]
	if t == nil {
		t = &test{pkg: pkg, name: name}
		r.tests[k] = t
		p := r.pkg(pkg)
		p.tests = append(p.tests, t)
	}
	return t
}

func (r *report) read(in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			// Not from test2json (a go command error, for instance): pass it on.
			fmt.Fprintf(r.out, "%s\n", line)
			continue
		}
		r.handle(&e)
	}
	return sc.Err()
}

func (r *report) handle(e *event) {
	if !e.Time.IsZero() {
		if r.started.IsZero() {
			r.started = e.Time
		}
		r.ended = e.Time
	}
	switch e.Action {
	case "build-output":
		fmt.Fprint(r.out, e.Output)
		return
	case "build-fail", "start":
		return
	}
	if e.Package == "" {
		return
	}
	p := r.pkg(e.Package)
	if e.Test == "" {
		switch e.Action {
		case "output":
			if r.verbose || strings.TrimSpace(e.Output) != "PASS" {
				fmt.Fprint(r.out, e.Output)
			}
		case "pass", "fail", "skip":
			p.result, p.elapsed = e.Action, e.Elapsed
			if e.Action == "fail" {
				// Tests that never ended (a panic or a timeout) failed with their package.
				for _, t := range p.tests {
					if t.result == "" {
						t.result = "fail"
						r.printTest(t)
					}
				}
			}
		}
		return
	}
	t := r.test(e.Package, e.Test)
	switch e.Action {
	case "output":
		if strings.Contains(e.Output, "known difference (") {
			r.knownDifferences[strings.SplitN(e.Test, "/", 2)[0]]++
		}
		if r.verbose {
			fmt.Fprint(r.out, e.Output)
		} else {
			t.output = append(t.output, e.Output)
		}
	case "pass", "fail", "skip":
		t.result, t.elapsed = e.Action, e.Elapsed
		if !r.verbose && e.Action != "pass" {
			r.printTest(t)
		}
		t.output = nil
	}
}

// printTest writes the output of a failed or skipped test, without the === lines.
func (r *report) printTest(t *test) {
	if r.verbose {
		return
	}
	var lines []string
	for _, o := range t.output {
		if strings.HasPrefix(o, "=== ") {
			continue
		}
		fmt.Fprint(r.out, o)
		lines = append(lines, o)
	}
	t.output = nil
	if r.failedAlone(t) { // a parent of failed subtests is summarised by them
		name := strings.TrimPrefix(t.pkg, modulePrefix) + " " + t.name
		r.failures = append(r.failures, name+"\n"+strings.Join(failureHead(lines), ""))
	}
}

// testLine matches a line a test itself wrote (t.Error, t.Log: "x_test.go:12: ...")
// or a panic, as opposed to logs a test relays from the code under test.
var testLine = regexp.MustCompile(`^\s*(\S+_test\.go:\d+: |panic: )`)

// relayedLog matches a log line of the code under test that a test file's
// writer passed to t.Log (log/slog's text format).
var relayedLog = regexp.MustCompile(`^\s*\S+_test\.go:\d+: time=`)

// failureHead picks up to failureLines lines of a failed test's output: the
// lines its test files wrote, each with its indented continuation lines, or,
// if there are none, the first lines.
func failureHead(lines []string) []string {
	var head []string
	indent := -1 // indentation of the last test line while in its continuation
	for _, l := range lines {
		if len(head) == failureLines {
			break
		}
		lead := len(l) - len(strings.TrimLeft(l, " \t"))
		switch {
		case testLine.MatchString(l) && !relayedLog.MatchString(l):
			head = append(head, l)
			indent = lead
		case indent >= 0 && lead > indent:
			head = append(head, l)
		default:
			indent = -1
		}
	}
	if len(head) == 0 {
		head = lines[:min(len(lines), failureLines)]
	}
	return head
}

// failureLines is how many lines of each failed test's output the closing summary repeats.
const failureLines = 15

// printFailures repeats the start of each failed test's output (where its first error is,
// before any log dump) right above the counts.
func (r *report) printFailures() {
	if len(r.failures) == 0 {
		return
	}
	fmt.Fprintln(r.out)
	fmt.Fprintf(r.out, "== failed tests (the first %d lines of each; the full output is above)\n", failureLines)
	for _, f := range r.failures {
		fmt.Fprint(r.out, "--- ", f)
		if !strings.HasSuffix(f, "\n") {
			fmt.Fprintln(r.out)
		}
	}
}

// finish counts subtests and marks what never ended: tests of packages that ended without a
// result.
func (r *report) finish() {
	for _, name := range r.order {
		p := r.pkgs[name]
		for _, t := range p.tests {
			// The parent is the nearest test that ran: t.Run("a/b") makes T/a/b with no T/a.
			for n := t.name; ; {
				i := strings.LastIndexByte(n, '/')
				if i < 0 {
					break
				}
				n = n[:i]
				if parent := r.tests[t.pkg+" "+n]; parent != nil {
					parent.children++
					break
				}
			}
		}
		for _, t := range p.tests {
			if t.result == "" {
				t.result = "fail"
				r.printTest(t)
				if p.result == "" {
					p.result = "fail"
				}
			}
		}
	}
}

type counts struct{ passed, failed, skipped int }

// failedAlone reports whether t failed with no failed subtest: the failure is its own.
func (r *report) failedAlone(t *test) bool {
	if t.result != "fail" {
		return false
	}
	for _, u := range r.pkgs[t.pkg].tests {
		if u.result == "fail" && strings.HasPrefix(u.name, t.name+"/") {
			return false
		}
	}
	return true
}

// counts counts the leaf tests of one package, or of all when pkg is "".
func (r *report) counts(pkg string) counts {
	var c counts
	for _, name := range r.order {
		if pkg != "" && name != pkg {
			continue
		}
		p := r.pkgs[name]
		pkgFailures := 0
		for _, t := range p.tests {
			switch {
			case r.failedAlone(t):
				c.failed++
				pkgFailures++
			case t.children > 0:
			case t.result == "pass":
				c.passed++
			case t.result == "skip":
				c.skipped++
			}
		}
		if p.result == "fail" && pkgFailures == 0 {
			c.failed++ // a build failure, or a failure outside any test
		}
	}
	return c
}

func (r *report) printCounts() {
	fmt.Println()
	fmt.Println("== test counts per package")
	w := tabwriter.NewWriter(os.Stdout, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "package\tresult\tpassed\tfailed\tskipped\ttime\t")
	for _, name := range r.order {
		p := r.pkgs[name]
		if len(p.tests) == 0 && p.result != "fail" {
			continue // no test files
		}
		c := r.counts(name)
		res := map[string]string{"pass": "ok", "fail": "FAIL", "skip": "skip"}[p.result]
		fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%d\t%.1fs\t\n", strings.TrimPrefix(name, modulePrefix), res, c.passed, c.failed, c.skipped, p.elapsed)
	}
	w.Flush()
	if !r.started.IsZero() {
		fmt.Printf("wall time %s\n", r.ended.Sub(r.started).Round(time.Second))
	}
}

// replaceSection replaces the text between the compat-matrix markers in file with body.
func replaceSection(file, body string) error {
	const start, end = "<!-- compat-matrix:start -->", "<!-- compat-matrix:end -->"
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	i := bytes.Index(b, []byte(start))
	j := bytes.Index(b, []byte(end))
	if i < 0 || j < i {
		return fmt.Errorf("%s: no %s ... %s section", file, start, end)
	}
	var nb bytes.Buffer
	nb.Write(b[:i+len(start)])
	nb.WriteString("\n" + body)
	nb.Write(b[j:])
	return os.WriteFile(file, nb.Bytes(), 0o644)
}

// gitDescribe names the commit of root: the abbreviated hash, and whether files other than the
// generated ones had uncommitted changes.
func gitDescribe(root string, generated ...string) string {
	out, err := exec.Command("git", "-C", root, "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown commit"
	}
	desc := "commit " + strings.TrimSpace(string(out))
	st, err := exec.Command("git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output()
	if err == nil {
		for _, l := range strings.Split(strings.TrimSpace(string(st)), "\n") {
			if len(l) > 3 && !slices.Contains(generated, filepath.ToSlash(strings.TrimSpace(l[3:]))) {
				return desc + " with uncommitted changes"
			}
		}
	}
	return desc
}
