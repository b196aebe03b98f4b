package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The two columns of the matrix.
const (
	colZooKeeper = iota
	colRaftzk
)

// cell is what the tests of one row did against one server.
type cell struct {
	passed, failed, skipped int
	ran                     bool
	note                    string
}

type row struct {
	client, what string
	cells        [2]*cell // nil: does not apply to that server
	suite        bool     // the suite itself (server start, exit status): shown only when it failed
}

type section struct {
	title, intro string
	rows         []*row
	index        map[string]*row
}

func (s *section) row(key, client, what string, suite bool, applies []int) *row {
	r := s.index[key]
	if r == nil {
		r = &row{client: client, what: what, suite: suite}
		s.index[key] = r
		s.rows = append(s.rows, r)
	}
	for _, c := range applies {
		if r.cells[c] == nil {
			r.cells[c] = &cell{}
		}
	}
	return r
}

// matrixDoc is the detailed matrix (every check) and the summary (checks grouped).
type matrixDoc struct {
	header          string
	detail, summary []*section
	detailByTitle   map[string]*section
	summaryByTitle  map[string]*section
	kazooNames      map[string]string // Go subtest name -> check name as printed
	javaGroupSize   map[string]int    // javaGroup -> number of checks
	diffScenarios   int
}

// Section titles, in the order shown.
var sectionOrder = []struct{ title, intro string }{
	{"zkCli.sh", "the Java client's shell from the Debian zookeeper package, fed scripted sessions; the normalised transcript must equal the golden one captured from Apache ZooKeeper"},
	{"C client (cli_mt)", "the C client's shell from zookeeper-bin, one command at a time; transcript compared like zkCli's"},
	{"kazoo (Python)", "scripts in `compat-tests/kazoo/scripts`, system python3-kazoo"},
	{"Java client 3.8 (zookeeper.jar)", "programs in `compat-tests/java/src` against the Debian jars"},
	{"Curator 5.4 recipes", "Apache Curator recipes (`CuratorChecks.java`), each checked for its guarantee"},
	{"Go client (go-zookeeper)", "`github.com/go-zookeeper/zk` against both servers (`compat-tests/goclient`); and Go tests with it (and raw frames) against raftzk only: in-process in `server/`, the built binary in `cmd/raftzk`"},
	{"raftzk ensembles", "3- and 5-member raftzk ensembles as processes (`compat-tests/ensemble`), go-zookeeper clients, members killed, paused and restarted"},
	{"Differential (raw protocol)", "the same request scripts against two servers, transcripts compared byte for byte after normalisation"},
}

var scenarioWhat = map[string]string{
	"zkcli basic":   "`basic`: every create mode, reads, writes, errors, ACLs and auth, watches, sync, config; a second session sees NoAuth and the first one's ephemerals gone",
	"zkcli noext":   "`noext`: TTL nodes refused without `zookeeper.extendedTypesEnabled`",
	"cclient basic": "`basic`: create modes (+e +s +es +c +t), create2, get, set, ls, ls2, delete, exists, wexists and its event, sync, config, addauth, error codes; a second session sees the ephemerals gone",
}

var kazooWhat = map[string]string{
	"acl.py":     "digest ACLs, the auth scheme, add_auth after connect, per-permission NoAuth, get_acls/set_acls with versions, a bad ACL",
	"crud.py":    "create modes, get/set/delete with versions, errors, children, exists, ensure_path, Stat fields",
	"recipes.py": "Lock, Election, Barrier, Counter, Queue and LockingQueue, each with two clients",
	"session.py": "wrong password on reattach, expiry by a second connection (LOST, ephemerals gone, new session), expiry of a SIGSTOPped client",
	"txn.py":     "committed and failing transactions with per-op results (RolledBack, the op's error, RuntimeInconsistency)",
	"watches.py": "one-shot data, exists and child watches; DataWatch and ChildrenWatch, fired by another client",
}

var curatorWhat = map[string]string{
	"curator.basics":                       "CuratorFramework create/get/set/delete, creatingParentsIfNeeded, background callbacks",
	"curator.mutex.two_processes":          "InterProcessMutex across two JVMs: 160 acquisitions, a holder node and a version-checked counter detect any overlap",
	"curator.mutex.timeout_and_reentrancy": "InterProcessMutex: acquire timeout, reentrancy, release on session death",
	"curator.semaphore":                    "InterProcessSemaphoreV2: the lease limit holds",
	"curator.leader_latch":                 "LeaderLatch: exactly one leader, a new one on close and on session kill",
	"curator.leader_selector":              "LeaderSelector: never two leaders, everyone leads in turn",
	"curator.barrier":                      "DistributedBarrier",
	"curator.double_barrier":               "DistributedDoubleBarrier",
	"curator.shared_count":                 "SharedCount under concurrent increments: exact total",
	"curator.atomic_long":                  "DistributedAtomicLong under concurrent increments: exact total",
	"curator.persistent_node":              "PersistentNode: re-created after delete and after session loss",
	"curator.cache":                        "CuratorCache: create/change/delete events in a subtree (persistent recursive watch)",
}

func targetCols(target string) ([]int, bool) {
	switch target {
	case "zookeeper":
		return []int{colZooKeeper}, true
	case "raftzk":
		return []int{colRaftzk}, true
	}
	return nil, false // external: not a known server
}

// place says which row of which section a test belongs to, in the detailed matrix and in the
// summary; ok is false for tests that are not client checks (unit tests, the harness).
type placement struct {
	title                 string
	detailKey, summaryKey string // "" is the suite itself
	detailSuite           bool   // the detail row is a script or suite itself
	client, what          string // of the detail row
	sumClient, sumWhat    string // of the summary row
	cols                  []int  // the columns this test counts in
	applies               []int  // the columns its row has at all (others are n/a)
}

func (m *matrixDoc) place(pkg, name string) (p placement, ok bool) {
	pkg = strings.TrimPrefix(pkg, modulePrefix)
	parts := strings.Split(name, "/")
	// harness suites: Test/<target>/rest...
	harnessSuite := func(top string) ([]string, bool) {
		if parts[0] != top {
			return nil, false
		}
		p.cols = []int{colZooKeeper, colRaftzk}
		if len(parts) == 1 {
			return nil, true
		}
		cols, ok := targetCols(parts[1])
		p.cols = cols
		return parts[2:], ok
	}
	switch pkg {
	case "compat-tests/zkcli", "compat-tests/cclient":
		top, title, short := "TestZkCli", "zkCli.sh", "zkcli"
		if pkg == "compat-tests/cclient" {
			top, title, short = "TestCClient", "C client (cli_mt)", "cclient"
		}
		rest, ok := harnessSuite(top)
		if !ok {
			return p, false
		}
		p.title = title
		p.client, p.sumClient = title, title
		if len(rest) > 0 {
			p.detailKey = rest[0]
			p.what = scenarioWhat[short+" "+rest[0]]
			if p.what == "" {
				p.what = "`" + rest[0] + "`"
			}
		}
		p.summaryKey, p.sumWhat = p.detailKey, p.what
		return p, true
	case "compat-tests/kazoo":
		rest, ok := harnessSuite("TestKazoo")
		if !ok {
			return p, false
		}
		p.title = "kazoo (Python)"
		p.client, p.sumClient = "kazoo", "kazoo"
		if len(rest) >= 2 && rest[0] == "scripts" {
			script := rest[1] + ".py"
			p.summaryKey = script
			p.sumClient = "kazoo `" + script + "`"
			p.sumWhat = kazooWhat[script]
			p.detailKey, p.client, p.what, p.detailSuite = script, p.sumClient, "the script itself: exit status, summary line", true
			if len(rest) >= 3 {
				check := strings.Join(rest[2:], "/")
				p.detailKey = script + " " + check
				p.what = m.kazooCheckName(check)
			}
		}
		return p, true
	case "compat-tests/java":
		rest, ok := harnessSuite("TestJavaClientAndCurator")
		if !ok {
			return p, false
		}
		p.title = "Java client 3.8 (zookeeper.jar)"
		p.client, p.sumClient = "Java client", "Java client"
		if len(rest) == 0 {
			return p, true
		}
		check := rest[0]
		p.detailKey, p.what = check, "`"+check+"`"
		if strings.HasPrefix(check, "curator.") {
			p.title = "Curator 5.4 recipes"
			p.client = "Curator `" + strings.TrimPrefix(check, "curator.") + "`"
			if w := curatorWhat[check]; w != "" {
				p.what = w
			}
			p.summaryKey, p.sumClient, p.sumWhat = p.detailKey, p.client, p.what
			return p, true
		}
		// zk.create.ttl and zk.create2.stat are summarised as zk.create*; groups of one check
		// together as "other calls".
		p.summaryKey = javaGroup(check)
		p.sumClient = "Java client `" + p.summaryKey + "*`"
		if m.javaGroupSize[p.summaryKey] < 2 {
			p.summaryKey, p.sumClient = "zk.other", "Java client, other calls"
		}
		return p, true
	case "compat-tests/goclient":
		rest, ok := harnessSuite("TestGoClient")
		if !ok {
			return p, false
		}
		p.title = "Go client (go-zookeeper)"
		p.client, p.sumClient = "go-zookeeper", "go-zookeeper"
		p.summaryKey, p.sumWhat = "goclient", "`compat-tests/goclient`: every API, create modes with container and TTL reaping, watches, ACLs, multi, reconnect through a cut proxy"
		if len(rest) > 0 {
			p.detailKey, p.what = "goclient "+rest[0], "`"+rest[0]+"`"
		}
		return p, true
	case "server", "cmd/raftzk":
		p.title = "Go client (go-zookeeper)"
		p.cols, p.applies = []int{colRaftzk}, []int{colRaftzk}
		p.client = "Go `" + pkg + "`"
		p.detailKey, p.what = pkg+" "+parts[0], parts[0]
		p.summaryKey, p.sumClient = pkg, p.client
		return p, true
	case "compat-tests/ensemble":
		if !strings.HasPrefix(parts[0], "Test") {
			return p, false
		}
		p.title = "raftzk ensembles"
		p.cols, p.applies = []int{colRaftzk}, []int{colRaftzk}
		p.client, p.sumClient = "go-zookeeper ensemble", "go-zookeeper ensemble"
		p.detailKey, p.what = parts[0], parts[0]
		p.summaryKey, p.sumWhat = p.detailKey, p.what
		return p, true
	case "compat-tests/diff":
		p.title = "Differential (raw protocol)"
		p.detailKey, p.summaryKey = "scenarios", "scenarios"
		p.client, p.sumClient = "zkraw (Go, raw frames)", "zkraw (Go, raw frames)"
		switch parts[0] {
		case "TestSelfCheck":
			p.cols = []int{colZooKeeper}
		case "TestDifferential":
			p.cols = []int{colRaftzk}
		case "TestDifferentialEnsemble":
			p.cols, p.applies = []int{colRaftzk}, []int{colRaftzk}
			p.detailKey, p.summaryKey = "ensemble", "ensemble"
			p.what = "the same scenarios against Apache ZooKeeper and a 3-server raftzk ensemble, sessions spread over the servers (TestDifferentialEnsemble)"
			p.sumWhat = p.what
			return p, true
		default:
			return p, false
		}
		p.what = "scripted scenarios (`compat-tests/diff/scenarios`) and seeded random request sequences; Apache ZooKeeper column: two Apache ZooKeeper servers agree (TestSelfCheck), raftzk column: raftzk agrees with Apache ZooKeeper (TestDifferential)"
		if m.diffScenarios > 0 {
			p.what = strconv.Itoa(m.diffScenarios) + " " + p.what
		}
		p.sumWhat = p.what
		return p, true
	}
	return p, false
}

// kazooCheckName undoes go test's rewriting of spaces in subtest names, from the scripts'
// literal check names when it can.
func (m *matrixDoc) kazooCheckName(sub string) string {
	base, suffix := sub, ""
	if i := strings.LastIndex(sub, "#"); i > 0 {
		if _, err := strconv.Atoi(sub[i+1:]); err == nil {
			base, suffix = sub[:i], " ("+sub[i:]+")"
		}
	}
	if n, ok := m.kazooNames[base]; ok {
		return n + suffix
	}
	return strings.ReplaceAll(base, "_", " ") + suffix
}

var pyCheckRe = regexp.MustCompile(`(?:^|[^.\w])check(?:_eq|_raises)?\(\s*"((?:[^"\\]|\\.)*)"`)

func (r *report) matrix(root string) *matrixDoc {
	m := &matrixDoc{
		detailByTitle:  map[string]*section{},
		summaryByTitle: map[string]*section{},
		kazooNames:     map[string]string{},
		javaGroupSize:  map[string]int{},
	}
	seen := map[string]bool{}
	for _, t := range r.pkgs[modulePrefix+"compat-tests/java"].tests {
		if parts := strings.Split(t.name, "/"); len(parts) == 3 && strings.HasPrefix(parts[2], "zk.") && !seen[parts[2]] {
			seen[parts[2]] = true
			m.javaGroupSize[javaGroup(parts[2])]++
		}
	}
	files, _ := filepath.Glob(filepath.Join(root, "compat-tests/diff/scenarios/*.zks"))
	m.diffScenarios = len(files)
	scripts, _ := filepath.Glob(filepath.Join(root, "compat-tests/kazoo/scripts/*.py"))
	for _, s := range scripts {
		b, err := os.ReadFile(s)
		if err != nil {
			continue
		}
		for _, mm := range pyCheckRe.FindAllStringSubmatch(string(b), -1) {
			if n, err := strconv.Unquote(`"` + mm[1] + `"`); err == nil {
				m.kazooNames[strings.ReplaceAll(n, " ", "_")] = n
			}
		}
	}
	for _, s := range sectionOrder {
		d := &section{title: s.title, intro: s.intro, index: map[string]*row{}}
		u := &section{title: s.title, intro: s.intro, index: map[string]*row{}}
		m.detail = append(m.detail, d)
		m.summary = append(m.summary, u)
		m.detailByTitle[s.title] = d
		m.summaryByTitle[s.title] = u
	}
	for _, name := range r.order {
		for _, t := range r.pkgs[name].tests {
			p, ok := m.place(t.pkg, t.name)
			if !ok {
				continue
			}
			if p.applies == nil {
				p.applies = []int{colZooKeeper, colRaftzk}
			}
			d := m.detailByTitle[p.title].row(p.detailKey, p.client, p.what, p.detailKey == "" || p.detailSuite, p.applies)
			u := m.summaryByTitle[p.title].row(p.summaryKey, p.sumClient, p.sumWhat, p.summaryKey == "", p.applies)
			for _, c := range p.cols {
				r.add(d.cells[c], t)
				r.add(u.cells[c], t)
			}
		}
	}
	for test, key := range map[string]string{"TestDifferential": "scenarios", "TestDifferentialEnsemble": "ensemble"} {
		n := r.knownDifferences[test]
		if n == 0 {
			continue
		}
		for _, secs := range []map[string]*section{m.detailByTitle, m.summaryByTitle} {
			if rw := secs["Differential (raw protocol)"].index[key]; rw != nil && rw.cells[colRaftzk] != nil {
				rw.cells[colRaftzk].note = fmt.Sprintf("%d known differences from 3.8.0, logged", n)
			}
		}
	}
	// Java summary rows list the checks they group.
	for _, rw := range m.summaryByTitle["Java client 3.8 (zookeeper.jar)"].rows {
		if rw.suite {
			continue
		}
		var names []string
		for _, dr := range m.detailByTitle["Java client 3.8 (zookeeper.jar)"].rows {
			name := strings.Trim(dr.what, "`")
			group := "zk.other"
			if m.javaGroupSize[javaGroup(name)] >= 2 {
				group = javaGroup(name)
			}
			if !dr.suite && ("Java client `"+group+"*`" == rw.client || group == "zk.other" && rw.client == "Java client, other calls") {
				names = append(names, strings.TrimPrefix(name, "zk."))
			}
		}
		rw.what = strings.Join(names, ", ")
	}
	for _, rw := range m.summaryByTitle["Go client (go-zookeeper)"].rows {
		switch rw.client {
		case "Go `server`":
			rw.what = "tests against an in-process raftzk: sessions, watches, ACLs, multi, four-letter words, read-only mode, bad input, fuzz seeds"
		case "Go `cmd/raftzk`":
			rw.what = "tests against the built binary: kill -9 under writes, SIGTERM and restart, default config, ensemble reconfig"
		}
	}
	when := r.ended
	if when.IsZero() {
		when = time.Now()
	}
	m.header = fmt.Sprintf("Generated by `scripts/test.sh` (`scripts/testreport`) from the test run of %s UTC at %s.",
		when.UTC().Format("2006-01-02 15:04"), gitDescribe(root, "README.md", "compat-tests/MATRIX.md"))
	return m
}

// add counts t into c: leaf results, and a failure that is t's own.
func (r *report) add(c *cell, t *test) {
	c.ran = true
	switch {
	case r.failedAlone(t):
		c.failed++
	case t.children > 0:
	case t.result == "pass":
		c.passed++
	case t.result == "skip":
		c.skipped++
	}
}

func (c *cell) String() string {
	if c == nil {
		return "n/a"
	}
	if !c.ran {
		return "not run"
	}
	var s string
	n := c.passed + c.failed
	switch {
	case c.failed > 0 && n == 1:
		s = "❌ FAIL"
	case c.failed > 0:
		s = fmt.Sprintf("❌ %d of %d FAIL", c.failed, n)
	case c.passed == 1:
		s = "✅ pass"
	case c.passed > 1:
		s = fmt.Sprintf("✅ %d pass", c.passed)
	case c.skipped > 0:
		return "skipped"
	default:
		return "—"
	}
	if c.skipped > 0 {
		s += fmt.Sprintf(", %d skipped", c.skipped)
	}
	if c.note != "" {
		s += " (" + c.note + ")"
	}
	return s
}

func (c *cell) counted() bool { return c != nil && c.passed+c.failed+c.skipped > 0 }

// markdown renders the detailed matrix (MATRIX.md) or the summary (the README section).
func (m *matrixDoc) markdown(detail bool) string {
	var b strings.Builder
	secs := m.summary
	if detail {
		secs = m.detail
		b.WriteString("# Compatibility matrix\n\n")
	}
	b.WriteString(m.header + "\n")
	if detail {
		b.WriteString("Every row is one client check (a Go subtest); a suite's own failure (server start, exit status) has its own row.\n")
	} else {
		b.WriteString("One row per client and recipe; every single check is in [compat-tests/MATRIX.md](compat-tests/MATRIX.md).\n")
	}
	b.WriteString("\n")
	if !detail {
		b.WriteString("| client | what was run | Apache ZooKeeper 3.8 (Debian) | raftzk |\n|---|---|---|---|\n")
	}
	for _, s := range secs {
		rows := slices.DeleteFunc(slices.Clone(s.rows), func(r *row) bool {
			return r.suite && !r.cells[colZooKeeper].counted() && !r.cells[colRaftzk].counted()
		})
		if len(rows) == 0 {
			continue
		}
		if detail {
			fmt.Fprintf(&b, "## %s\n\n%s.\n\n", s.title, upperFirst(s.intro))
			b.WriteString("| client | what was run | Apache ZooKeeper 3.8 (Debian) | raftzk |\n|---|---|---|---|\n")
		}
		for _, r := range rows {
			what := r.what
			if r.suite && what == "" {
				what = "the suite itself: server start, exit status, summary line"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", esc(r.client), esc(what), r.cells[colZooKeeper], r.cells[colRaftzk])
		}
		if detail {
			b.WriteString("\n")
		}
	}
	if !detail {
		b.WriteString("\n")
	}
	return b.String()
}

func esc(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// javaGroup is the group of a Java check in the summary: zk.create.ttl and zk.create2.stat are
// both zk.create.
func javaGroup(check string) string {
	f := strings.SplitN(check, ".", 3)
	if len(f) < 3 {
		return check
	}
	return f[0] + "." + strings.TrimRight(f[1], "0123456789")
}
