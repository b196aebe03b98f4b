package acl

import (
	"bufio"
	"crypto/sha1"
	"encoding/hex"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/raftzk/raftzk/jute"
)

// TestJavaVectors replays testdata/java_vectors.tsv, produced by
// testdata/JavaVectors.java from ZooKeeper 3.8.0's own classes on JDK 17.
func TestJavaVectors(t *testing.T) {
	f, err := os.Open("testdata/java_vectors.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	unhex := func(s string) string {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatalf("bad hex %q: %v", s, err)
		}
		return string(b)
	}
	ids := func(s string) []jute.Id {
		var out []jute.Id
		for _, p := range strings.Split(strings.TrimSuffix(s, ";"), ";") {
			sch, id, _ := strings.Cut(p, ",")
			out = append(out, jute.Id{Scheme: unhex(sch), ID: unhex(id)})
		}
		return out
	}
	counts := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		fld := strings.Split(sc.Text(), "\t")
		op := fld[0]
		counts[op]++
		fail := func(got, want any) {
			t.Helper()
			t.Errorf("line %d %s %q: got %q, want %q", line, op, fld[1:], got, want)
		}
		switch op {
		case "string":
			if got, want := javaString([]byte(unhex(fld[1]))), unhex(fld[2]); got != want {
				fail(got, want)
			}
		case "digest":
			if got, want := generateDigest(sha1.New, javaString([]byte(unhex(fld[1])))), unhex(fld[2]); got != want {
				fail(got, want)
			}
		case "dvalid":
			if got, want := (&digestProvider{}).Valid(unhex(fld[1])), fld[2] == "true"; got != want {
				fail(got, want)
			}
		case "duser":
			if fld[2] == "EXC" {
				continue
			}
			if got, want := (&digestProvider{}).UserName(unhex(fld[1])), unhex(fld[2]); got != want {
				fail(got, want)
			}
		case "parseint":
			radix, _ := strconv.Atoi(fld[2])
			v, ok := javaParseInt(unhex(fld[1]), radix)
			got := "NFE"
			if ok {
				got = strconv.FormatInt(v, 10)
			}
			if got != fld[3] {
				fail(got, fld[3])
			}
		case "ipvalid":
			if got, want := (ipProvider{}).Valid(unhex(fld[1])), fld[2] == "true"; got != want {
				fail(got, want)
			}
		case "ipmatch":
			if got, want := ipMatches(unhex(fld[1]), unhex(fld[2])), fld[3] == "true"; got != want {
				fail(got, want)
			}
		case "redact":
			if got, want := redactDigest(unhex(fld[1])), unhex(fld[2]); got != want {
				fail(got, want)
			}
		case "hostaddr":
			a, _ := netip.AddrFromSlice([]byte(unhex(fld[1])))
			if got, want := HostAddress(a), unhex(fld[2]); got != want {
				fail(got, want)
			}
		case "order":
			var got []jute.Id
			for _, id := range ids(fld[1]) {
				got = AddAuthInfo(got, id)
			}
			if want := ids(fld[2]); !equalIDs(got, want) {
				fail(got, want)
			}
		default:
			t.Fatalf("line %d: unknown op %q", line, op)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, op := range []string{"string", "digest", "dvalid", "duser", "parseint", "ipvalid", "ipmatch", "redact", "hostaddr", "order"} {
		if counts[op] == 0 {
			t.Errorf("no %s vectors", op)
		}
	}
}

func equalIDs(a, b []jute.Id) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestJavaString_Exhaustive decodes every sequence of up to three bytes drawn
// from the bytes that matter to UTF-8, to prove termination and validity.
func TestJavaString_Exhaustive(t *testing.T) {
	pool := []byte{0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf,
		0xe0, 0xe1, 0xed, 0xef, 0xf0, 0xf1, 0xf4, 0xf5, 0xf7, 0xf8, 0xff}
	var buf []byte
	var rec func(depth int)
	rec = func(depth int) {
		s := javaString(buf)
		if !utf8.ValidString(s) || utf8.RuneCountInString(s) > len(buf) {
			t.Fatalf("javaString(%x) = %q", buf, s)
		}
		if depth == 4 {
			return
		}
		for _, b := range pool {
			buf = append(buf, b)
			rec(depth + 1)
			buf = buf[:len(buf)-1]
		}
	}
	rec(0)
}
