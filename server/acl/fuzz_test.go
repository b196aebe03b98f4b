package acl

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
)

// FuzzIPMatch checks the ip parser and matcher against each other and, for
// canonical inputs, against net/netip.
func FuzzIPMatch(f *testing.F) {
	for _, s := range [][2]string{
		{"127.0.0.1", "127.0.0.0/8"}, {"0:0:0:0:0:0:0:1", "::1/128"}, {"1.2.3.4", "::/0"},
		{"10.0.0.1", "10.0.0.0/33"}, {"fe80:0:0:0:0:0:0:1", "fe80::/10"}, {"1.2.3.4", "+1.2.3.4/-0"},
		{"::", ":::"}, {"١.2.3.4", "1.2.3.4/٨"}, {"a:b:c:d:e:f:0:1", "-1::/1"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, id, expr string) {
		valid := (ipProvider{}).Valid(expr)
		m := ipMatches(id, expr)
		if m && !valid {
			t.Fatalf("matches(%q, %q) with an invalid expr", id, expr)
		}
		if m && ipBytes(id) == nil {
			t.Fatalf("matches(%q, %q) with an unparsable id", id, expr)
		}
		addr, bits, ok := parseIPExpr(expr)
		if ok != valid {
			t.Fatalf("parseIPExpr(%q) ok %v, Valid %v", expr, ok, valid)
		}
		if ok {
			if len(addr) != 4 && len(addr) != 16 || bits < 0 || bits > 8*len(addr) {
				t.Fatalf("parseIPExpr(%q) = %v/%d", expr, addr, bits)
			}
			// The address part matches itself, and with a prefix any
			// address matches the expression iff it matches the
			// network-masked expression.
			a, _, _ := strings.Cut(expr, "/")
			if !ipMatches(a, expr) {
				t.Fatalf("matches(%q, %q) is false", a, expr)
			}
		}
		// Against net/netip where both agree on the syntax: canonical
		// dotted IPv4 or IPv6 without zone or embedded IPv4.
		na, err := netip.ParseAddr(id)
		if err != nil || na.Zone() != "" || strings.Contains(id, ".") && strings.Contains(id, ":") {
			return
		}
		pfx, err := netip.ParsePrefix(expr)
		if err != nil || pfx.Addr().Zone() != "" || strings.Contains(expr, ".") && strings.Contains(expr, ":") {
			return
		}
		want := na.Is4() == pfx.Addr().Is4() && pfx.Masked().Contains(na)
		if got := ipMatches(id, expr); got != want {
			t.Fatalf("matches(%q, %q) = %v, netip says %v", id, expr, got, want)
		}
	})
}

// FuzzFixupACL checks FixupACL's invariants on arbitrary lists.
func FuzzFixupACL(f *testing.F) {
	f.Add([]byte("31 world anyone\n1 auth \n5 digest u:h\n31 ip 10.0.0.0/8"), "digest user:x\nip 127.0.0.1")
	f.Add([]byte("31 auth x\n31 auth x"), "super \nip ::1")
	f.Add([]byte(""), "")
	f.Add([]byte("0 digest a:b:c\n-1 ip ::/129"), "sasl bob")
	p := mustNew(f, DefaultConfig())
	f.Fuzz(func(t *testing.T, aclText []byte, idText string) {
		acls := parseACLText(string(aclText))
		ids := parseIDText(idText)
		out, code := p.FixupACL(acls, ids)
		if code != protocol.CodeOK {
			if code != protocol.CodeInvalidACL || out != nil {
				t.Fatalf("FixupACL = %v, %v", out, code)
			}
			return
		}
		if len(out) == 0 {
			t.Fatal("ok with an empty result")
		}
		fromAuth := func(a jute.ACL) bool {
			if pr := p.providers[a.ID.Scheme]; pr == nil || !pr.Authenticated() {
				return false
			}
			for _, id := range ids {
				if id == a.ID {
					return true
				}
			}
			return false
		}
		allValid := true
		for _, a := range out {
			if fromAuth(a) {
				// auth expands to the connection's ids unchecked, as in
				// ZooKeeper; real digest ids are always valid.
				allValid = allValid && p.providers[a.ID.Scheme].Valid(a.ID.ID)
				continue
			}
			switch a.ID.Scheme {
			case "world":
				if a.ID.ID != "anyone" {
					t.Fatalf("kept %v", a)
				}
			case "auth", "super", "":
				t.Fatalf("kept %v", a)
			default:
				if pr := p.providers[a.ID.Scheme]; pr == nil || !pr.Valid(a.ID.ID) {
					t.Fatalf("kept invalid %v", a)
				}
			}
		}
		// A fixed-up list is a fixed point, up to duplicates from auth.
		if again, code := p.FixupACL(out, nil); allValid && (code != protocol.CodeOK || !reflect.DeepEqual(again, removeDuplicates(out))) {
			t.Fatalf("refix of %v = %v, %v", out, again, code)
		}
		// Whoever the result names, super passes and the check does not panic.
		p.Check(out, protocol.PermAll, ids)
		if !p.Check(out, protocol.PermRead, []jute.Id{{Scheme: "super"}}) {
			t.Fatal("super denied")
		}
	})
}

// FuzzJavaString checks the Java-style UTF-8 decoder.
func FuzzJavaString(f *testing.F) {
	for _, s := range []string{"user:password", "\xff", "\xe2\x82", "\xed\xa0\x80", "\xf0\x90\x80A", "\xf4\x90\x80\x80"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := javaString(b)
		if !utf8.ValidString(s) {
			t.Fatalf("javaString(%x) = %q is not valid UTF-8", b, s)
		}
		if utf8.Valid(b) && s != string(b) {
			t.Fatalf("javaString changed valid %q", b)
		}
		if n := utf8.RuneCountInString(s); n > len(b) {
			t.Fatalf("javaString(%x) has %d runes", b, n)
		}
	})
}

// parseACLText reads "perms scheme id" lines.
func parseACLText(s string) []jute.ACL {
	var out []jute.ACL
	for _, line := range strings.Split(s, "\n") {
		f := strings.SplitN(line, " ", 3)
		if len(f) != 3 {
			continue
		}
		v, _ := javaParseInt(f[0], 10)
		out = append(out, jute.ACL{Perms: int32(v), ID: jute.Id{Scheme: f[1], ID: f[2]}})
	}
	return out
}

// parseIDText reads "scheme id" lines.
func parseIDText(s string) []jute.Id {
	var out []jute.Id
	for _, line := range strings.Split(s, "\n") {
		sch, v, ok := strings.Cut(line, " ")
		if ok {
			out = AddAuthInfo(out, jute.Id{Scheme: sch, ID: v})
		}
	}
	return out
}
