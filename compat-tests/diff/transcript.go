package diff

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
)

// Transcript is what one server answered to one scenario, normalised.
type Transcript struct {
	Scenario string
	Addr     string
	Lines    []Line
	// Problems lists plausibility failures found while normalising (times
	// outside the run's window, a zxid with two times, decreasing reply
	// zxids on one connection, ...). A transcript with problems never
	// matches.
	Problems []string
}

// Line is one normalised transcript line and the scenario line that caused it
// (0 for the runner's final flush).
type Line struct {
	Step int
	Text string
}

// String renders the transcript, one line per entry.
func (t *Transcript) String() string {
	var b strings.Builder
	for _, l := range t.Lines {
		fmt.Fprintf(&b, "%4d  %s\n", l.Step, l.Text)
	}
	for _, p := range t.Problems {
		fmt.Fprintf(&b, "PROBLEM: %s\n", p)
	}
	return b.String()
}

// entry is one raw transcript entry; render is called twice: once to collect
// zxids and check times, once to produce the text.
type entry struct {
	line   int
	render func(n *norm) string
}

// norm normalises the values of one transcript.
type norm struct {
	collect   bool
	zxids     map[int64]bool
	rank      map[int64]int
	timeOf    map[int64]int64 // zxid -> the time seen with it
	lastReply map[string]int64
	problems  []string
	root      string
	sessNames map[int64]string
	lo, hi    int64 // plausible time window, ms since epoch
}

func newNorm(root string, sess map[int64]string, start, end time.Time) *norm {
	return &norm{
		collect: true, zxids: map[int64]bool{}, timeOf: map[int64]int64{},
		lastReply: map[string]int64{}, root: root, sessNames: sess,
		lo: start.Add(-10 * time.Second).UnixMilli(), hi: end.Add(10 * time.Second).UnixMilli(),
	}
}

func (n *norm) problem(format string, args ...any) {
	if n.collect {
		n.problems = append(n.problems, fmt.Sprintf(format, args...))
	}
}

// finish ranks the collected zxids and switches to rendering.
func (n *norm) finish() {
	zs := make([]int64, 0, len(n.zxids))
	for z := range n.zxids {
		zs = append(zs, z)
	}
	sort.Slice(zs, func(i, j int) bool { return zs[i] < zs[j] })
	n.rank = map[int64]int{}
	for i, z := range zs {
		n.rank[z] = i + 1
	}
	// Times must not decrease as zxids increase.
	var prevZ, prevT int64
	for _, z := range zs {
		t, ok := n.timeOf[z]
		if !ok {
			continue
		}
		if prevT != 0 && t < prevT {
			n.problem("time goes backwards: zxid %#x has time %d, earlier zxid %#x has %d", z, t, prevZ, prevT)
		}
		prevZ, prevT = z, t
	}
	n.collect = false
}

// z renders a zxid: 0 and negative values literally, others as Z<rank>.
func (n *norm) z(v int64) string {
	if v <= 0 {
		return strconv.FormatInt(v, 10)
	}
	if n.collect {
		n.zxids[v] = true
		return ""
	}
	return "Z" + strconv.Itoa(n.rank[v])
}

// replyZxid renders a reply header zxid and checks it does not decrease on
// one connection.
func (n *norm) replyZxid(conn string, v int64) string {
	if n.collect && v > 0 {
		if last := n.lastReply[conn]; v < last {
			n.problem("%s: reply zxid %#x after %#x", conn, v, last)
		}
		n.lastReply[conn] = v
	}
	return n.z(v)
}

// time checks a ctime/mtime belonging to zxid and renders it as "T" (or 0
// for the built-in nodes, which have time 0).
func (n *norm) time(t, zxid int64, what string) string {
	if t == 0 && zxid == 0 {
		return "0"
	}
	if n.collect {
		if t < n.lo || t > n.hi {
			n.problem("%s %d outside the run's window [%d, %d]", what, t, n.lo, n.hi)
		}
		if prev, ok := n.timeOf[zxid]; ok && prev != t && zxid > 0 {
			n.problem("zxid %#x seen with times %d and %d", zxid, prev, t)
		}
		if zxid > 0 {
			n.timeOf[zxid] = t
		}
	}
	return "T"
}

func (n *norm) path(p string) string {
	if n.root != "" {
		p = strings.ReplaceAll(p, n.root, "$R")
	}
	return p
}

func (n *norm) sid(v int64) string {
	if v == 0 {
		return "0"
	}
	if s, ok := n.sessNames[v]; ok {
		return s
	}
	return "S?"
}

// owner renders an ephemeralOwner.
func (n *norm) owner(v int64) string {
	if v == 0 {
		return "0"
	}
	if s, ok := n.sessNames[v]; ok {
		return s
	}
	return fmt.Sprintf("%#x", uint64(v))
}

func (n *norm) stat(s *jute.Stat) string {
	// Two txns may share a millisecond, so only relations implied by the
	// zxids are rendered; the times themselves are checked.
	mt := "mt=ct"
	switch {
	case s.Mzxid == s.Czxid && s.Mtime != s.Ctime:
		mt = "mt!=ct"
	case s.Mzxid != s.Czxid && s.Mtime >= s.Ctime:
		mt = "mt>=ct"
	case s.Mtime < s.Ctime:
		mt = "mt<ct"
	}
	n.time(s.Ctime, s.Czxid, "ctime")
	n.time(s.Mtime, s.Mzxid, "mtime")
	ct := "T"
	if s.Ctime == 0 {
		ct = "0"
		if s.Mtime == 0 {
			mt = "mt=0"
		}
	}
	return fmt.Sprintf("{cz=%s mz=%s pz=%s ct=%s %s v=%d cv=%d av=%d eo=%s dl=%d nc=%d}",
		n.z(s.Czxid), n.z(s.Mzxid), n.z(s.Pzxid), ct, mt, s.Version, s.Cversion,
		s.Aversion, n.owner(s.EphemeralOwner), s.DataLength, s.NumChildren)
}

func (n *norm) data(b []byte) string {
	if b == nil {
		return "null"
	}
	s := n.path(string(b))
	if len(b) <= 80 && utf8.Valid(b) {
		return strconv.Quote(s)
	}
	h := sha256.Sum256([]byte(s))
	return fmt.Sprintf("<%d bytes sha256:%s>", len(b), hex.EncodeToString(h[:6]))
}

func (n *norm) strings(v []string, sorted bool) string {
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = n.path(s)
	}
	if sorted {
		sort.Strings(out)
	}
	if v == nil {
		return "[]"
	}
	return "[" + strings.Join(out, " ") + "]"
}

func aclString(acl []jute.ACL) string {
	parts := make([]string, len(acl))
	for i, a := range acl {
		parts[i] = fmt.Sprintf("%s:%s:%d", a.ID.Scheme, a.ID.ID, a.Perms)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// body renders a decoded response record.
func (n *norm) body(op protocol.Op, r jute.Record) string {
	switch v := r.(type) {
	case *jute.CreateResponse:
		return "path=" + n.path(v.Path)
	case *jute.Create2Response:
		return "path=" + n.path(v.Path) + " stat=" + n.stat(&v.Stat)
	case *jute.ExistsResponse:
		return "stat=" + n.stat(&v.Stat)
	case *jute.SetDataResponse:
		return "stat=" + n.stat(&v.Stat)
	case *jute.SetACLResponse:
		return "stat=" + n.stat(&v.Stat)
	case *jute.GetDataResponse:
		return "data=" + n.data(v.Data) + " stat=" + n.stat(&v.Stat)
	case *jute.GetACLResponse:
		return "acl=" + aclString(v.ACL) + " stat=" + n.stat(&v.Stat)
	case *jute.GetChildrenResponse:
		return "children=" + n.strings(v.Children, true)
	case *jute.GetChildren2Response:
		return "children=" + n.strings(v.Children, true) + " stat=" + n.stat(&v.Stat)
	case *jute.SyncResponse:
		return "path=" + n.path(v.Path)
	case *jute.GetEphemeralsResponse:
		return "ephemerals=" + n.strings(v.Ephemerals, true)
	case *jute.GetAllChildrenNumberResponse:
		return "total=" + strconv.Itoa(int(v.TotalNumber))
	case *jute.WhoAmIResponse:
		parts := make([]string, len(v.ClientInfo))
		for i, c := range v.ClientInfo {
			parts[i] = c.AuthScheme + ":" + c.User
		}
		sort.Strings(parts)
		return "clientInfo=[" + strings.Join(parts, " ") + "]"
	case *jute.ErrorResponse:
		return "err=" + protocol.Code(v.Err).String()
	case *jute.SetSASLResponse:
		return "token=" + n.data(v.Token)
	case *protocol.MultiResponse:
		parts := make([]string, len(v.Results))
		for i, res := range v.Results {
			if res.Op == protocol.OpError {
				parts[i] = "(error " + res.Err.String() + ")"
				continue
			}
			s := "(" + res.Op.String()
			if res.Resp != nil {
				s += " " + n.body(res.Op, res.Resp)
			}
			parts[i] = s + ")"
		}
		return "results=[" + strings.Join(parts, " ") + "]"
	}
	return fmt.Sprintf("%T", r)
}

// Mismatch describes how two transcripts differ.
type Mismatch struct {
	Scenario string
	A, B     *Transcript
	First    int // index of the first differing line
}

// CompareTranscripts returns nil if the transcripts are equal and neither has problems.
func CompareTranscripts(a, b *Transcript) *Mismatch {
	n := max(len(a.Lines), len(b.Lines))
	for i := 0; i < n; i++ {
		if i >= len(a.Lines) || i >= len(b.Lines) || a.Lines[i] != b.Lines[i] {
			return &Mismatch{Scenario: a.Scenario, A: a, B: b, First: i}
		}
	}
	if len(a.Problems) > 0 || len(b.Problems) > 0 {
		return &Mismatch{Scenario: a.Scenario, A: a, B: b, First: -1}
	}
	return nil
}

// Step returns the scenario line of the first difference (0 if none).
func (m *Mismatch) Step() int {
	if m.First >= 0 && m.First < len(m.A.Lines) {
		return m.A.Lines[m.First].Step
	}
	if m.First >= 0 && m.First < len(m.B.Lines) {
		return m.B.Lines[m.First].Step
	}
	return 0
}

// String renders the mismatch: a few lines of common context, then the two
// sides of every entry from the first difference on (at most 12), marked.
func (m *Mismatch) String() string {
	var b strings.Builder
	if m.First < 0 {
		fmt.Fprintf(&b, "scenario %s: transcripts equal but implausible\n", m.Scenario)
	} else {
		fmt.Fprintf(&b, "scenario %s: transcripts differ at entry %d (scenario line %d)\n", m.Scenario, m.First+1, m.Step())
	}
	fmt.Fprintf(&b, "  A = %s\n  B = %s\n", m.A.Addr, m.B.Addr)
	if m.First >= 0 {
		for i := max(0, m.First-4); i < m.First; i++ {
			fmt.Fprintf(&b, "    line %3d   %s\n", m.A.Lines[i].Step, m.A.Lines[i].Text)
		}
		shown := 0
		for i := m.First; shown < 12 && (i < len(m.A.Lines) || i < len(m.B.Lines)); i++ {
			la, lb := lineAt(m.A, i), lineAt(m.B, i)
			if la == lb {
				fmt.Fprintf(&b, "    line %3d   %s\n", la.Step, la.Text)
			} else {
				fmt.Fprintf(&b, "  A line %3d   %s\n", la.Step, la.Text)
				fmt.Fprintf(&b, "  B line %3d   %s\n", lb.Step, lb.Text)
			}
			shown++
		}
	}
	for _, p := range m.A.Problems {
		fmt.Fprintf(&b, "  A problem: %s\n", p)
	}
	for _, p := range m.B.Problems {
		fmt.Fprintf(&b, "  B problem: %s\n", p)
	}
	return b.String()
}

func lineAt(t *Transcript, i int) Line {
	if i < len(t.Lines) {
		return t.Lines[i]
	}
	return Line{Text: "<end of transcript>"}
}
