package acl

import (
	"net"
	"reflect"
	"testing"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
)

const (
	userDigest  = "user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY="
	superDigest = "super:lK75jTNcA+U9vtVEw5vB51mj/w4="
)

func id(scheme, v string) jute.Id { return jute.Id{Scheme: scheme, ID: v} }

func entry(perms int32, scheme, v string) jute.ACL {
	return jute.ACL{Perms: perms, ID: id(scheme, v)}
}

func mustNew(t testing.TB, cfg Config) *Policy {
	t.Helper()
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDigestID(t *testing.T) {
	tests := []struct{ user, password, want string }{
		{"user", "password", userDigest},
		{"super", "secret", superDigest},
		// The user part ends at the first ':' of "user:password".
		{"a:b", "c", "a:" + DigestID("a", "b:c")[2:]},
	}
	for _, tt := range tests {
		t.Run(tt.user+":"+tt.password, func(t *testing.T) {
			if got := DigestID(tt.user, tt.password); got != tt.want {
				t.Errorf("DigestID = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestConfig_Validate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"default", DefaultConfig(), true},
		{"zero", Config{}, true},
		{"sha-256 lower case", Config{DigestAlg: "sha-256"}, true},
		{"sha3", Config{DigestAlg: "SHA3-512"}, true},
		{"unknown alg", Config{DigestAlg: "MD4"}, false},
		{"bad super", Config{SuperDigest: "nocolon"}, false},
		{"nil provider", Config{Providers: []Provider{nil}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if (err == nil) != tt.ok {
				t.Fatalf("Validate = %v, want ok %v", err, tt.ok)
			}
			if _, err := New(tt.cfg); (err == nil) != tt.ok {
				t.Fatalf("New = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

func TestPolicy_Authenticate(t *testing.T) {
	v4 := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}
	v6 := &net.TCPAddr{IP: net.IPv6loopback, Port: 4000}
	withSuper := DefaultConfig()
	withSuper.SuperDigest = superDigest
	sha256Cfg := DefaultConfig()
	sha256Cfg.DigestAlg = "SHA-256"
	tests := []struct {
		name   string
		cfg    Config
		scheme string
		auth   string
		remote net.Addr
		want   []jute.Id
		code   protocol.Code
	}{
		{"digest", DefaultConfig(), "digest", "user:password", v4, []jute.Id{id("digest", userDigest)}, protocol.CodeOK},
		{"digest without colon", DefaultConfig(), "digest", "nocolon", v4,
			[]jute.Id{id("digest", "nocolon:Ra+cHr2ZoHvBjtNArFGNGlVie4g=")}, protocol.CodeOK},
		{"digest super not configured", DefaultConfig(), "digest", "super:secret", v4, []jute.Id{id("digest", superDigest)}, protocol.CodeOK},
		{"digest super", withSuper, "digest", "super:secret", v4, []jute.Id{id("super", ""), id("digest", superDigest)}, protocol.CodeOK},
		{"digest super wrong password", withSuper, "digest", "super:guess", nil, []jute.Id{id("digest", DigestID("super", "guess"))}, protocol.CodeOK},
		{"digest sha-256", sha256Cfg, "digest", "user:password", v4, []jute.Id{id("digest", "user:yRsdas04PETE7CDJcj51jDEYKh9PAjHWPZElmi6hS50=")}, protocol.CodeOK},
		{"digest disabled", Config{}, "digest", "user:password", v4, nil, protocol.CodeAuthFailed},
		{"ip any bytes", DefaultConfig(), "ip", "whatever", v4, []jute.Id{id("ip", "127.0.0.1")}, protocol.CodeOK},
		{"ip v6", DefaultConfig(), "ip", "", v6, []jute.Id{id("ip", "0:0:0:0:0:0:0:1")}, protocol.CodeOK},
		{"ip no address", DefaultConfig(), "ip", "", nil, nil, protocol.CodeAuthFailed},
		{"world", DefaultConfig(), "world", "anyone", v4, nil, protocol.CodeAuthFailed},
		{"auth", DefaultConfig(), "auth", "", v4, nil, protocol.CodeAuthFailed},
		{"super", DefaultConfig(), "super", "secret", v4, nil, protocol.CodeAuthFailed},
		{"sasl without provider", DefaultConfig(), "sasl", "x", v4, nil, protocol.CodeAuthFailed},
		{"scheme is case sensitive", DefaultConfig(), "Digest", "user:password", v4, nil, protocol.CodeAuthFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, code := mustNew(t, tt.cfg).Authenticate(tt.scheme, []byte(tt.auth), tt.remote)
			if code != tt.code || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Authenticate = %v, %v; want %v, %v", got, code, tt.want, tt.code)
			}
		})
	}
}

func TestPolicy_Check(t *testing.T) {
	digestUser := id("digest", userDigest)
	local := id("ip", "127.0.0.1")
	local6 := id("ip", "0:0:0:0:0:0:0:1")
	tests := []struct {
		name string
		cfg  Config
		acl  []jute.ACL
		perm int32
		ids  []jute.Id
		want bool
	}{
		{"nil list", DefaultConfig(), nil, protocol.PermRead, nil, true},
		{"empty list", DefaultConfig(), []jute.ACL{}, protocol.PermAdmin, nil, true},
		{"open", DefaultConfig(), OpenACLUnsafe, protocol.PermWrite, nil, true},
		{"read only wants write", DefaultConfig(), ReadACLUnsafe, protocol.PermWrite, nil, false},
		{"read only wants read", DefaultConfig(), ReadACLUnsafe, protocol.PermRead, nil, true},
		{"perm shares one bit", DefaultConfig(), []jute.ACL{entry(protocol.PermRead|protocol.PermWrite, "world", "anyone")},
			protocol.PermRead | protocol.PermAdmin, nil, true},
		{"perm zero never matches", DefaultConfig(), OpenACLUnsafe, 0, nil, false},
		{"world other id", DefaultConfig(), []jute.ACL{entry(31, "world", "someone")}, 1, []jute.Id{id("world", "someone")}, false},
		{"skipACL", Config{SkipACL: true}, []jute.ACL{entry(31, "digest", "x:y")}, 1, nil, true},
		{"super", DefaultConfig(), []jute.ACL{entry(31, "digest", "x:y")}, 1, []jute.Id{local, id("super", "")}, true},
		{"super beats perm zero", DefaultConfig(), []jute.ACL{entry(0, "digest", "x:y")}, 16, []jute.Id{id("super", "")}, true},
		{"digest match", DefaultConfig(), []jute.ACL{entry(31, "digest", userDigest)}, 1, []jute.Id{local, digestUser}, true},
		{"digest other", DefaultConfig(), []jute.ACL{entry(31, "digest", "user:x")}, 1, []jute.Id{digestUser}, false},
		{"digest disabled", Config{}, []jute.ACL{entry(31, "digest", userDigest)}, 1, []jute.Id{digestUser}, false},
		{"digest entry lacks perm", DefaultConfig(), []jute.ACL{entry(protocol.PermRead, "digest", userDigest)}, protocol.PermWrite, []jute.Id{digestUser}, false},
		{"scheme must match", DefaultConfig(), []jute.ACL{entry(31, "ip", "127.0.0.1")}, 1, []jute.Id{id("digest", "127.0.0.1")}, false},
		{"ip exact", DefaultConfig(), []jute.ACL{entry(31, "ip", "127.0.0.1")}, 1, []jute.Id{local}, true},
		{"ip cidr", DefaultConfig(), []jute.ACL{entry(31, "ip", "127.0.0.0/8")}, 1, []jute.Id{local}, true},
		{"ip cidr miss", DefaultConfig(), []jute.ACL{entry(31, "ip", "10.0.0.0/8")}, 1, []jute.Id{local}, false},
		{"ip v6 exact", DefaultConfig(), []jute.ACL{entry(31, "ip", "::1")}, 1, []jute.Id{local6}, true},
		{"ip v6 prefix", DefaultConfig(), []jute.ACL{entry(31, "ip", "::/64")}, 1, []jute.Id{local6}, true},
		{"ip v4 acl v6 client", DefaultConfig(), []jute.ACL{entry(31, "ip", "0.0.0.0/0")}, 1, []jute.Id{local6}, false},
		{"ip v6 acl v4 client", DefaultConfig(), []jute.ACL{entry(31, "ip", "::/0")}, 1, []jute.Id{local}, false},
		{"unknown scheme", DefaultConfig(), []jute.ACL{entry(31, "sasl", "bob")}, 1, []jute.Id{id("sasl", "bob")}, false},
		{"second entry matches", DefaultConfig(), []jute.ACL{entry(31, "ip", "10.0.0.1"), entry(1, "digest", userDigest)}, 1, []jute.Id{local, digestUser}, true},
		{"no ids", DefaultConfig(), []jute.ACL{entry(31, "ip", "127.0.0.1")}, 1, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustNew(t, tt.cfg).Check(tt.acl, tt.perm, tt.ids); got != tt.want {
				t.Errorf("Check = %v, want %v", got, tt.want)
			}
		})
	}
}

// saslProvider is a stand-in for a configured provider whose ids are
// authenticated.
type saslProvider struct{}

func (saslProvider) Scheme() string                                  { return "sasl" }
func (saslProvider) Authenticate([]byte, net.Addr) ([]jute.Id, bool) { return nil, false }
func (saslProvider) Authenticated() bool                             { return true }
func (saslProvider) Valid(id string) bool                            { return id != "" }
func (saslProvider) Matches(id, aclExpr string) bool                 { return id == aclExpr }
func (saslProvider) UserName(id string) string                       { return id }

func TestPolicy_FixupACL(t *testing.T) {
	digestUser := id("digest", userDigest)
	local := id("ip", "127.0.0.1")
	withSASL := DefaultConfig()
	withSASL.Providers = []Provider{saslProvider{}}
	tests := []struct {
		name string
		cfg  Config
		acl  []jute.ACL
		ids  []jute.Id
		want []jute.ACL
		code protocol.Code
	}{
		{"nil", DefaultConfig(), nil, nil, nil, protocol.CodeInvalidACL},
		{"empty", DefaultConfig(), []jute.ACL{}, nil, nil, protocol.CodeInvalidACL},
		{"open", DefaultConfig(), OpenACLUnsafe, nil, OpenACLUnsafe, protocol.CodeOK},
		{"duplicates removed", DefaultConfig(),
			[]jute.ACL{entry(31, "world", "anyone"), entry(1, "world", "anyone"), entry(31, "world", "anyone")}, nil,
			[]jute.ACL{entry(31, "world", "anyone"), entry(1, "world", "anyone")}, protocol.CodeOK},
		{"perms not validated", DefaultConfig(), []jute.ACL{entry(0, "world", "anyone"), entry(-1, "ip", "1.2.3.4"), entry(1<<20, "ip", "::")}, nil,
			[]jute.ACL{entry(0, "world", "anyone"), entry(-1, "ip", "1.2.3.4"), entry(1<<20, "ip", "::")}, protocol.CodeOK},
		{"world other", DefaultConfig(), []jute.ACL{entry(31, "world", "everyone")}, nil, nil, protocol.CodeInvalidACL},
		{"world empty", DefaultConfig(), []jute.ACL{entry(31, "world", "")}, nil, nil, protocol.CodeInvalidACL},
		{"empty scheme", DefaultConfig(), []jute.ACL{entry(31, "", "anyone")}, nil, nil, protocol.CodeInvalidACL},
		{"auth without ids", DefaultConfig(), CreatorAllACL, nil, nil, protocol.CodeInvalidACL},
		{"auth with ip only", DefaultConfig(), CreatorAllACL, []jute.Id{local}, nil, protocol.CodeInvalidACL},
		{"auth with super only", DefaultConfig(), CreatorAllACL, []jute.Id{local, id("super", "")}, nil, protocol.CodeInvalidACL},
		{"auth expands digest", DefaultConfig(), CreatorAllACL, []jute.Id{digestUser, local},
			[]jute.ACL{{Perms: 31, ID: digestUser}}, protocol.CodeOK},
		{"auth id ignored", DefaultConfig(), []jute.ACL{entry(5, "auth", "whatever")}, []jute.Id{digestUser},
			[]jute.ACL{{Perms: 5, ID: digestUser}}, protocol.CodeOK},
		{"auth keeps position and id order", withSASL,
			[]jute.ACL{entry(1, "world", "anyone"), entry(3, "auth", ""), entry(31, "ip", "10.0.0.0/8")},
			[]jute.Id{id("sasl", "bob"), id("super", ""), digestUser, local},
			[]jute.ACL{entry(1, "world", "anyone"), {Perms: 3, ID: id("sasl", "bob")}, {Perms: 3, ID: digestUser}, entry(31, "ip", "10.0.0.0/8")},
			protocol.CodeOK},
		{"auth expansion may duplicate", DefaultConfig(),
			[]jute.ACL{{Perms: 31, ID: digestUser}, entry(31, "auth", "")}, []jute.Id{digestUser},
			[]jute.ACL{{Perms: 31, ID: digestUser}, {Perms: 31, ID: digestUser}}, protocol.CodeOK},
		{"sasl id without provider skipped", DefaultConfig(), CreatorAllACL, []jute.Id{id("sasl", "bob")}, nil, protocol.CodeInvalidACL},
		{"digest disabled", Config{}, CreatorAllACL, []jute.Id{digestUser}, nil, protocol.CodeInvalidACL},
		{"digest entry disabled", Config{}, []jute.ACL{{Perms: 31, ID: digestUser}}, nil, nil, protocol.CodeInvalidACL},
		{"digest valid", DefaultConfig(), []jute.ACL{entry(31, "digest", "u:h")}, nil, []jute.ACL{entry(31, "digest", "u:h")}, protocol.CodeOK},
		{"digest empty user", DefaultConfig(), []jute.ACL{entry(31, "digest", ":h")}, nil, []jute.ACL{entry(31, "digest", ":h")}, protocol.CodeOK},
		{"digest trailing colon", DefaultConfig(), []jute.ACL{entry(31, "digest", "u:h:")}, nil, []jute.ACL{entry(31, "digest", "u:h:")}, protocol.CodeOK},
		{"digest empty hash", DefaultConfig(), []jute.ACL{entry(31, "digest", "u:")}, nil, nil, protocol.CodeInvalidACL},
		{"digest two colons", DefaultConfig(), []jute.ACL{entry(31, "digest", "a:b:c")}, nil, nil, protocol.CodeInvalidACL},
		{"digest no colon", DefaultConfig(), []jute.ACL{entry(31, "digest", "bad")}, nil, nil, protocol.CodeInvalidACL},
		{"ip v4", DefaultConfig(), []jute.ACL{entry(31, "ip", "10.0.0.0/8")}, nil, []jute.ACL{entry(31, "ip", "10.0.0.0/8")}, protocol.CodeOK},
		{"ip bits too large", DefaultConfig(), []jute.ACL{entry(31, "ip", "10.0.0.0/33")}, nil, nil, protocol.CodeInvalidACL},
		{"ip v6 bits", DefaultConfig(), []jute.ACL{entry(31, "ip", "fe80::/128")}, nil, []jute.ACL{entry(31, "ip", "fe80::/128")}, protocol.CodeOK},
		{"ip v6 bits too large", DefaultConfig(), []jute.ACL{entry(31, "ip", "fe80::/129")}, nil, nil, protocol.CodeInvalidACL},
		{"ip hostname", DefaultConfig(), []jute.ACL{entry(31, "ip", "localhost")}, nil, nil, protocol.CodeInvalidACL},
		{"super scheme", DefaultConfig(), []jute.ACL{entry(31, "super", "")}, []jute.Id{id("super", "")}, nil, protocol.CodeInvalidACL},
		{"unknown scheme", DefaultConfig(), []jute.ACL{entry(31, "x509", "CN=a")}, nil, nil, protocol.CodeInvalidACL},
		{"one bad entry fails all", DefaultConfig(), []jute.ACL{entry(31, "world", "anyone"), entry(31, "ip", "nope")}, nil, nil, protocol.CodeInvalidACL},
		{"skipACL still validates", Config{SkipACL: true}, []jute.ACL{entry(31, "world", "x")}, nil, nil, protocol.CodeInvalidACL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustNew(t, tt.cfg)
			got, code := p.FixupACL(tt.acl, tt.ids)
			if code != tt.code || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("FixupACL = %v, %v; want %v, %v", got, code, tt.want, tt.code)
			}
			got2, code2 := p.Fixup(tt.acl, tt.ids)
			if code2 != code || !reflect.DeepEqual(got2, got) {
				t.Errorf("Fixup differs from FixupACL: %v, %v", got2, code2)
			}
		})
	}
}

func TestFixupACL_DoesNotModifyInput(t *testing.T) {
	in := []jute.ACL{entry(31, "auth", ""), entry(31, "auth", "")}
	orig := append([]jute.ACL(nil), in...)
	got, code := mustNew(t, DefaultConfig()).FixupACL(in, []jute.Id{id("digest", userDigest)})
	if code != protocol.CodeOK || len(got) != 1 {
		t.Fatalf("FixupACL = %v, %v", got, code)
	}
	if !reflect.DeepEqual(in, orig) {
		t.Errorf("input modified: %v", in)
	}
}

func TestRedactForGetACL(t *testing.T) {
	acl := []jute.ACL{
		entry(31, "digest", userDigest),
		entry(1, "world", "anyone"),
		entry(1, "ip", "1.2.3.4"),
		entry(3, "digest", "nocolon"),
		entry(3, "digest", "a:b:c"),
		entry(3, "sasl", "bob:x:y"),
	}
	tests := []struct {
		name     string
		canAdmin bool
		want     []jute.ACL
	}{
		{"admin sees all", true, acl},
		{"no admin", false, []jute.ACL{
			entry(31, "digest", "user:x"),
			entry(1, "world", "anyone"),
			entry(1, "ip", "1.2.3.4"),
			entry(3, "digest", "nocolon"),
			entry(3, "digest", "a:x"),
			entry(3, "sasl", "bob:x:y"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RedactForGetACL(acl, tt.canAdmin); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("RedactForGetACL = %v, want %v", got, tt.want)
			}
		})
	}
	if acl[0].ID.ID != userDigest {
		t.Error("input modified")
	}
}

func TestPolicy_WhoAmI(t *testing.T) {
	withSASL := DefaultConfig()
	withSASL.Providers = []Provider{saslProvider{}}
	tests := []struct {
		name string
		cfg  Config
		ids  []jute.Id
		want []jute.ClientInfo
	}{
		{"none", DefaultConfig(), nil, []jute.ClientInfo{}},
		{"digest and ip", DefaultConfig(), []jute.Id{id("digest", userDigest), id("ip", "127.0.0.1")},
			[]jute.ClientInfo{{AuthScheme: "digest", User: "user"}, {AuthScheme: "ip", User: "127.0.0.1"}}},
		{"super", DefaultConfig(), []jute.Id{id("super", ""), id("digest", superDigest)},
			[]jute.ClientInfo{{AuthScheme: "super", User: ""}, {AuthScheme: "digest", User: "super"}}},
		{"digest disabled", Config{}, []jute.Id{id("digest", userDigest)}, []jute.ClientInfo{{AuthScheme: "digest", User: ""}}},
		{"sasl", withSASL, []jute.Id{id("sasl", "bob@EXAMPLE")}, []jute.ClientInfo{{AuthScheme: "sasl", User: "bob@EXAMPLE"}}},
		{"ip v6", DefaultConfig(), []jute.Id{id("ip", "0:0:0:0:0:0:0:1")}, []jute.ClientInfo{{AuthScheme: "ip", User: "0:0:0:0:0:0:0:1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustNew(t, tt.cfg).WhoAmI(tt.ids); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("WhoAmI = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAddAuthInfo(t *testing.T) {
	ip := id("ip", "127.0.0.1")
	dg := id("digest", userDigest)
	tests := []struct {
		name string
		add  []jute.Id
		want []jute.Id
	}{
		// Observed on ZooKeeper 3.8.0 via whoAmI: digest before ip.
		{"ip then digest", []jute.Id{ip, dg}, []jute.Id{dg, ip}},
		{"digest then ip", []jute.Id{dg, ip}, []jute.Id{dg, ip}},
		{"duplicate ignored", []jute.Id{ip, dg, ip, dg}, []jute.Id{dg, ip}},
		{"super", []jute.Id{id("ip", "0:0:0:0:0:0:0:1"), id("super", ""), id("digest", superDigest)},
			[]jute.Id{id("super", ""), id("digest", superDigest), id("ip", "0:0:0:0:0:0:0:1")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []jute.Id
			for _, x := range tt.add {
				prev := append([]jute.Id(nil), got...)
				got = AddAuthInfo(got, x)
				if len(prev) > 0 && !reflect.DeepEqual(prev, got[:len(prev)]) && len(got) == len(prev) {
					t.Errorf("duplicate changed the order")
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("AddAuthInfo order = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestWellKnownLists(t *testing.T) {
	tests := []struct {
		name string
		got  []jute.ACL
		want []jute.ACL
	}{
		{"OpenACLUnsafe", OpenACLUnsafe, []jute.ACL{entry(31, "world", "anyone")}},
		{"CreatorAllACL", CreatorAllACL, []jute.ACL{entry(31, "auth", "")}},
		{"ReadACLUnsafe", ReadACLUnsafe, []jute.ACL{entry(1, "world", "anyone")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
			}
		})
	}
}
