package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// propertyCases are java.util.Properties corner cases; want is the map Java
// ends up with (last value wins). TestReadProperties_MatchesJava replays
// them against a real JVM when one is installed.
var propertyCases = []struct {
	name string
	in   string
	want map[string]string
	err  bool
}{
	{name: "equals", in: "a=b", want: map[string]string{"a": "b"}},
	{name: "colon", in: "a:b", want: map[string]string{"a": "b"}},
	{name: "space separator", in: "a b", want: map[string]string{"a": "b"}},
	{name: "tab separator", in: "a\tb", want: map[string]string{"a": "b"}},
	{name: "spaces around equals", in: "a = b", want: map[string]string{"a": "b"}},
	{name: "trailing whitespace kept", in: "a  =  b  ", want: map[string]string{"a": "b  "}},
	{name: "leading whitespace skipped", in: "   \t a=b", want: map[string]string{"a": "b"}},
	{name: "form feed is whitespace", in: "\fa=b", want: map[string]string{"a": "b"}},
	{name: "hash and bang comments", in: "# one\n! two\n  # three\na=1", want: map[string]string{"a": "1"}},
	{name: "comment does not continue", in: "# comment \\\na=1", want: map[string]string{"a": "1"}},
	{name: "continuation", in: "a=b\\\n   c", want: map[string]string{"a": "bc"}},
	{name: "continuation in key", in: "ke\\\n  y=v", want: map[string]string{"key": "v"}},
	{name: "even backslashes do not continue", in: "a=b\\\\\nc=d", want: map[string]string{"a": `b\`, "c": "d"}},
	{name: "continuation with CRLF", in: "a=1\\\r\n  2\r\nb=3\r\n", want: map[string]string{"a": "12", "b": "3"}},
	{name: "CR line endings", in: "a=1\rb=2\r", want: map[string]string{"a": "1", "b": "2"}},
	{name: "continuation then blank line", in: "a=b\\\n\nc=d", want: map[string]string{"a": "b", "c": "d"}},
	{name: "continuation then whitespace line", in: "a=b\\\n   \nc=d", want: map[string]string{"a": "b", "c": "d"}},
	{name: "continued line starting with hash is data", in: "a=b\\\n#c", want: map[string]string{"a": "b#c"}},
	{name: "trailing backslash at EOF dropped", in: "a=b\\", want: map[string]string{"a": "b"}},
	{name: "trailing backslash newline EOF", in: "a=b\\\n", want: map[string]string{"a": "b"}},
	{name: "escapes", in: `a=\u0041\t\n\r\f\x`, want: map[string]string{"a": "A\t\n\r\fx"}},
	{name: "escaped backslash before u", in: `a=\\u0041`, want: map[string]string{"a": `\u0041`}},
	{name: "surrogate pair", in: `a=\uD83D\uDE00`, want: map[string]string{"a": "\U0001F600"}},
	{name: "escaped spaces in key", in: `key\ with\ spaces=v`, want: map[string]string{"key with spaces": "v"}},
	{name: "escaped separator in key", in: `a\=b\:c=d`, want: map[string]string{"a=b:c": "d"}},
	{name: "escaped hash starts key", in: `\#x=1`, want: map[string]string{"#x": "1"}},
	{name: "second equals is value", in: "a==b", want: map[string]string{"a": "=b"}},
	{name: "colon after equals is value", in: "a=:b", want: map[string]string{"a": ":b"}},
	{name: "space then separator", in: "a : = b", want: map[string]string{"a": "= b"}},
	{name: "key only", in: "a", want: map[string]string{"a": ""}},
	{name: "empty value", in: "a=", want: map[string]string{"a": ""}},
	{name: "empty key", in: "=v", want: map[string]string{"": "v"}},
	{name: "duplicate last wins", in: "a=1\na=2", want: map[string]string{"a": "2"}},
	{name: "blank lines", in: "\n\n  \n\t\na=1\n\n", want: map[string]string{"a": "1"}},
	{name: "empty input", in: "", want: map[string]string{}},
	{name: "only comment no newline", in: "# x", want: map[string]string{}},
	{name: "utf8 passes through", in: "dataDir=/var/lib/zк", want: map[string]string{"dataDir": "/var/lib/zк"}},
	{name: "malformed u short", in: `a=\u00`, err: true},
	{name: "malformed u hex", in: `a=\uXYZW`, err: true},
	{name: "malformed u in key", in: `\u12=v`, err: true},
}

func entriesMap(es []Entry) map[string]string {
	m := map[string]string{}
	for _, e := range es {
		m[e.Key] = e.Value
	}
	return m
}

func TestReadProperties(t *testing.T) {
	for _, tc := range propertyCases {
		t.Run(tc.name, func(t *testing.T) {
			es, err := ReadProperties(strings.NewReader(tc.in))
			if tc.err {
				if !errors.Is(err, ErrMalformedEscape) {
					t.Fatalf("err = %v, want ErrMalformedEscape", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := entriesMap(es); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestReadProperties_LineNumbers(t *testing.T) {
	in := "\n\n# c\na=1\\\n 2\r\nb=3\r\r\n  c : 4\\\n\\\n 5\nd"
	es, err := ReadProperties(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{{"a", "12", 4}, {"b", "3", 6}, {"c", "45", 8}, {"d", "", 11}}
	if !reflect.DeepEqual(es, want) {
		t.Errorf("got %+v\nwant %+v", es, want)
	}
}

func TestJavaDecode(t *testing.T) {
	tests := []struct {
		in   string
		bits int
		want int64
		err  bool
	}{
		{"0", 32, 0, false},
		{"10", 32, 10, false},
		{"+10", 32, 10, false},
		{"-10", 32, -10, false},
		{"0x10", 32, 16, false},
		{"0XfF", 32, 255, false},
		{"#10", 32, 16, false},
		{"010", 32, 8, false},
		{"-0x10", 32, -16, false},
		{"2147483647", 32, 2147483647, false},
		{"-2147483648", 32, -2147483648, false},
		{"2147483648", 32, 0, true},
		{"9223372036854775807", 64, 9223372036854775807, false},
		{"08", 32, 0, true},
		{"", 32, 0, true},
		{"-", 32, 0, true},
		{"0x", 32, 0, true},
		{"--1", 32, 0, true},
		{"0x-1", 32, 0, true},
		{"1 ", 32, 0, true},
		{"1_000", 32, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := javaDecode(tc.in, tc.bits)
			if (err != nil) != tc.err || got != tc.want {
				t.Errorf("javaDecode(%q) = %d, %v; want %d, err %v", tc.in, got, err, tc.want, tc.err)
			}
		})
	}
}

func TestParseJVMFlags(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Properties
	}{
		{"empty", "", Properties{}},
		{"typical", "-Xmx1g -Djute.maxbuffer=4194304 -XX:+UseG1GC -Dzookeeper.skipACL=yes",
			Properties{"jute.maxbuffer": "4194304", "zookeeper.skipACL": "yes"}},
		{"no value", "-Dreadonlymode.enabled", Properties{"readonlymode.enabled": ""}},
		{"value with equals", "-Dzookeeper.DigestAuthenticationProvider.superDigest=super:abc=",
			Properties{"zookeeper.DigestAuthenticationProvider.superDigest": "super:abc="}},
		{"double quotes", `-Dzookeeper.4lw.commands.whitelist="srvr, ruok"`,
			Properties{"zookeeper.4lw.commands.whitelist": "srvr, ruok"}},
		{"single quotes", `'-Dfoo=a b' -Dbar='c "d"'`, Properties{"foo": "a b", "bar": `c "d"`}},
		{"escaped space", `-Dfoo=a\ b`, Properties{"foo": "a b"}},
		{"escapes in double quotes", `-Dfoo="a\"b\\c\$d\x"`, Properties{"foo": `a"b\c$d\x`}},
		{"later wins", "-Da=1 -Da=2", Properties{"a": "2"}},
		{"newlines and tabs", "-Da=1\n\t-Db=2", Properties{"a": "1", "b": "2"}},
		{"empty key ignored", "-D=1 -D", Properties{}},
		{"not a D flag", "-cp foo.jar -Dx=1 Dy=2 --Dz=3", Properties{"x": "1"}},
		{"unterminated quote", `-Da="b c`, Properties{"a": "b c"}},
		{"unterminated single quote", `-Da='b c`, Properties{"a": "b c"}},
		{"trailing backslash", `-Da=b\`, Properties{"a": "b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ParseJVMFlags(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ParseJVMFlags(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestJVMFlagsFromEnv(t *testing.T) {
	env := map[string]string{
		"SERVER_JVMFLAGS": "-Xmx1000m -Da=server -Db=server",
		"JVMFLAGS":        "-Da=jvm",
		"PATH":            "-Dc=ignored",
	}
	got := JVMFlagsFromEnv(func(k string) string { return env[k] })
	want := Properties{"a": "jvm", "b": "server"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestMerge(t *testing.T) {
	got := Merge(Properties{"a": "1", "b": "1"}, nil, Properties{"b": "2", "c": "2"}, Properties{"c": "3"})
	want := Properties{"a": "1", "b": "2", "c": "3"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestProperties_Accessors(t *testing.T) {
	p := Properties{
		"jute.maxbuffer":                                 "0x400000",
		"readonlymode.enabled":                           "TRUE",
		"zookeeper.skipACL":                              "Yes", // only exact "yes" counts
		"zookeeper.enforceQuota":                         "true",
		"zookeeper.maxCnxns":                             "oops",
		"znode.container.checkIntervalMs":                "1000",
		"znode.container.maxNeverUsedIntervalMs":         "5000",
		"zookeeper.DigestAuthenticationProvider.enabled": "yes", // parseBoolean: false
	}
	if v, ok := p.JuteMaxBuffer(); v != 0x400000 || !ok {
		t.Errorf("JuteMaxBuffer = %d, %v", v, ok)
	}
	if !p.ReadOnlyModeEnabled() {
		t.Error("ReadOnlyModeEnabled = false")
	}
	if p.SkipACL() {
		t.Error("SkipACL = true for \"Yes\"")
	}
	if !p.EnforceQuota() {
		t.Error("EnforceQuota = false")
	}
	if v, ok := p.MaxCnxns(); v != 0 || ok {
		t.Errorf("MaxCnxns = %d, %v; want default and not ok", v, ok)
	}
	if v, _ := p.ContainerCheckInterval(); v.Milliseconds() != 1000 {
		t.Errorf("ContainerCheckInterval = %v", v)
	}
	if v, _ := p.ContainerMaxNeverUsedInterval(); v.Milliseconds() != 5000 {
		t.Errorf("ContainerMaxNeverUsedInterval = %v", v)
	}
	if p.DigestAuthEnabled() {
		t.Error("DigestAuthEnabled = true for \"yes\"")
	}
	if !(Properties{}).DigestAuthEnabled() {
		t.Error("DigestAuthEnabled default = false")
	}
	// readonlymode.enabled=TRUE enables read-only mode (Boolean.getBoolean)
	// but not isro, which FourLetterCommands compares with "true" exactly.
	if p.FourLetterWords().Enabled("isro") {
		t.Error("isro enabled by readonlymode.enabled=TRUE")
	}
}
