package diff

import (
	"bufio"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Scenario is one parsed scenario file.
type Scenario struct {
	Name  string
	Steps []*Step
	// AllowDiffer, when set (directive "@allow-differ REASON"), says the
	// scenario exercises behaviour in which Apache ZooKeeper 3.8 is known to
	// differ from later releases; a mismatch is reported but not failed.
	AllowDiffer string
	// UnorderedEvents (directive "@unordered-events") sorts each run of
	// consecutive events of one connection before comparing: for txns whose
	// events ZooKeeper emits in no defined order (a closeSession deleting
	// several ephemerals).
	UnorderedEvents bool
	// Source is the scenario text.
	Source string
}

// Token is one word of a step line.
type Token struct {
	S      string
	Quoted bool // written as a "..." Go string literal
}

// Step is one line of a scenario (a multi or multiRead block is one step whose
// Sub holds the sub-operations).
type Step struct {
	Line    int    // 1-based line number in the file
	Text    string // the line as written, trimmed
	Session string // "" for steps not bound to a session (connect names it in Args)
	Verb    string
	Args    []Token
	Opts    map[string]string
	Sub     []*Step
}

// Opt returns option key's value and whether it was given.
func (s *Step) Opt(key string) (string, bool) {
	v, ok := s.Opts[key]
	return v, ok
}

// bareFlags are words that are options wherever they appear on a line.
var bareFlags = map[string]bool{
	"watch": true, "nowait": true, "noreply": true, "keys": true,
	"noro": true, "ro": true, "badpass": true,
}

// Flag reports whether a bare word option (like "watch") was given.
func (s *Step) Flag(word string) bool {
	_, ok := s.Opts[word]
	return ok
}

// global verbs are steps not prefixed by a session name.
var globalVerbs = map[string]bool{
	"connect": true, "wait-gone": true, "wait-exists": true, "4lw": true,
}

// sessionVerbs are the verbs allowed after a session name.
var sessionVerbs = map[string]bool{
	"create": true, "create2": true, "createContainer": true, "createTTL": true,
	"delete": true, "exists": true, "getData": true, "setData": true,
	"getACL": true, "setACL": true, "getChildren": true, "getChildren2": true,
	"sync": true, "check": true, "multi": true, "multiRead": true,
	"reconfig": true, "checkWatches": true, "removeWatches": true,
	"addWatch": true, "getEphemerals": true, "getAllChildrenNumber": true,
	"whoAmI": true, "auth": true, "setWatches": true, "setWatches2": true,
	"ping": true, "closeSession": true, "raw": true, "rawbytes": true,
	"frame": true, "kill": true, "expect-event": true, "expect-closed": true,
	"deleteContainer": true,
}

// subVerbs are allowed inside multi/multiRead blocks.
var subVerbs = map[string]bool{
	"create": true, "create2": true, "createContainer": true, "createTTL": true,
	"delete": true, "setData": true, "check": true, "getData": true,
	"getChildren": true, "rawop": true,
}

// ParseScenario parses scenario text. name is used in reports.
func ParseScenario(name, src string) (*Scenario, error) {
	sc := &Scenario{Name: name, Source: src}
	var block *Step
	sn := bufio.NewScanner(strings.NewReader(src))
	sn.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sn.Scan() {
		line++
		text := strings.TrimSpace(sn.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if text == "@unordered-events" {
			sc.UnorderedEvents = true
			continue
		}
		if strings.HasPrefix(text, "@allow-differ") {
			sc.AllowDiffer = strings.TrimSpace(strings.TrimPrefix(text, "@allow-differ"))
			if sc.AllowDiffer == "" {
				sc.AllowDiffer = "unspecified"
			}
			continue
		}
		toks, err := tokenize(text)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		st := &Step{Line: line, Text: text, Opts: map[string]string{}}
		for _, t := range toks {
			if !t.Quoted && bareFlags[t.S] {
				st.Opts[t.S] = ""
				continue
			}
			if k, v, ok := optionToken(t); ok {
				st.Opts[k] = v
				continue
			}
			st.Args = append(st.Args, t)
		}
		if len(st.Args) == 0 {
			return nil, fmt.Errorf("%s:%d: no verb", name, line)
		}
		if block != nil {
			if st.Args[0].S == "end" && len(st.Args) == 1 {
				block = nil
				continue
			}
			st.Verb = st.Args[0].S
			st.Args = st.Args[1:]
			if !subVerbs[st.Verb] {
				return nil, fmt.Errorf("%s:%d: %q not allowed in %s", name, line, st.Verb, block.Verb)
			}
			block.Sub = append(block.Sub, st)
			continue
		}
		first := st.Args[0].S
		switch {
		case (first == "expect-event" || first == "expect-closed") && len(st.Args) >= 2:
			// "expect-event s1" is "s1 expect-event".
			st.Verb = first
			st.Session = st.Args[1].S
			st.Args = st.Args[2:]
		case globalVerbs[first]:
			st.Verb = first
			st.Args = st.Args[1:]
		case len(st.Args) >= 2 && sessionVerbs[st.Args[1].S]:
			st.Session = first
			st.Verb = st.Args[1].S
			st.Args = st.Args[2:]
		default:
			return nil, fmt.Errorf("%s:%d: unknown step %q", name, line, text)
		}
		if err := checkArity(st); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		sc.Steps = append(sc.Steps, st)
		if st.Verb == "multi" || st.Verb == "multiRead" {
			block = st
		}
	}
	if block != nil {
		return nil, fmt.Errorf("%s:%d: %s block without end", name, block.Line, block.Verb)
	}
	return sc, sn.Err()
}

var minArgs = map[string]int{
	"connect": 1, "wait-gone": 1, "wait-exists": 1, "4lw": 1,
	"create": 2, "create2": 2, "createContainer": 2, "createTTL": 4,
	"delete": 1, "exists": 1, "getData": 1, "setData": 2, "getACL": 1,
	"setACL": 2, "getChildren": 1, "getChildren2": 1, "sync": 1, "check": 2,
	"reconfig": 4, "checkWatches": 2, "removeWatches": 2, "addWatch": 2,
	"getEphemerals": 1, "getAllChildrenNumber": 1, "auth": 2, "raw": 1,
	"rawbytes": 1, "frame": 1, "deleteContainer": 1,
}

func checkArity(st *Step) error {
	if n := minArgs[st.Verb]; len(st.Args) < n {
		return fmt.Errorf("%s needs %d arguments", st.Verb, n)
	}
	return nil
}

func optionToken(t Token) (string, string, bool) {
	if t.Quoted {
		return "", "", false
	}
	i := strings.IndexByte(t.S, '=')
	if i <= 0 {
		return "", "", false
	}
	for _, r := range t.S[:i] {
		if r < 'a' || r > 'z' {
			return "", "", false
		}
	}
	return t.S[:i], t.S[i+1:], true
}

// tokenize splits a line into words; "..." words are Go string literals.
// A # outside quotes starts a comment.
func tokenize(s string) ([]Token, error) {
	var out []Token
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ' || c == '\t':
			i++
		case c == '#':
			return out, nil
		case c == '"':
			j := i + 1
			for ; j < len(s); j++ {
				if s[j] == '\\' {
					j++
					continue
				}
				if s[j] == '"' {
					break
				}
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unterminated string")
			}
			v, err := strconv.Unquote(s[i : j+1])
			if err != nil {
				return nil, fmt.Errorf("bad string %s: %v", s[i:j+1], err)
			}
			out = append(out, Token{S: v, Quoted: true})
			i = j + 1
		default:
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '\t' {
				j++
			}
			out = append(out, Token{S: s[i:j]})
			i = j
		}
	}
	return out, nil
}

// LoadScenarios parses every *.zks file in dir of fsys, sorted by name.
func LoadScenarios(fsys fs.FS, dir string) ([]*Scenario, error) {
	ents, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []*Scenario
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".zks") {
			continue
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		sc, err := ParseScenario(strings.TrimSuffix(e.Name(), ".zks"), string(b))
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
