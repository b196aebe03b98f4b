package server

import (
	"crypto/sha1"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
)

// aclPolicy checks and fixes up ACLs (tree.Policy) and authenticates auth
// packets, with ZooKeeper's providers: world, auth, digest, ip and the super
// digest. It is deterministic: replicas re-run Check and Fixup at apply time.
type aclPolicy struct {
	skip        bool
	superDigest string // "super:<base64>"
	digest      bool
}

func newACLPolicy(o Options) *aclPolicy {
	return &aclPolicy{skip: o.SkipACL, superDigest: o.SuperDigest, digest: !o.DigestDisabled}
}

// DigestID returns the digest scheme id for user and password:
// user:BASE64(SHA1("user:password")).
func DigestID(user, password string) string {
	sum := sha1.Sum([]byte(user + ":" + password))
	return user + ":" + base64.StdEncoding.EncodeToString(sum[:])
}

// Check reports whether ids grant any bit of perm on acl (ZooKeeperServer.checkACL).
func (p *aclPolicy) Check(acl []jute.ACL, perm int32, ids []jute.Id) bool {
	if p.skip || len(acl) == 0 {
		return true
	}
	for _, id := range ids {
		if id.Scheme == "super" {
			return true
		}
	}
	for _, a := range acl {
		if a.Perms&perm == 0 {
			continue
		}
		if a.ID.Scheme == "world" && a.ID.ID == "anyone" {
			return true
		}
		for _, id := range ids {
			if id.Scheme == a.ID.Scheme && p.matches(id, a.ID) {
				return true
			}
		}
	}
	return false
}

func (p *aclPolicy) matches(have, acl jute.Id) bool {
	switch acl.Scheme {
	case "digest":
		return p.digest && have.ID == acl.ID
	case "ip":
		return ipMatches(have.ID, acl.ID)
	}
	return false
}

// ipv4Bytes parses an address the way IPAuthenticationProvider does: four
// dot-separated Java ints in 0..255. ZooKeeper (3.8 and 3.9) has no IPv6
// support in ip ACLs, so IPv6 ids are invalid and never match.
func ipv4Bytes(addr string) []byte {
	parts := strings.Split(addr, ".")
	if len(parts) != 4 {
		return nil
	}
	b := make([]byte, 4)
	for i, p := range parts {
		v, err := strconv.ParseInt(p, 10, 32)
		if err != nil || v < 0 || v > 255 {
			return nil
		}
		b[i] = byte(v)
	}
	return b
}

// ipPattern splits an ip ACL id into its address bytes and prefix length.
func ipPattern(id string) ([]byte, int, bool) {
	host, bitsStr, hasBits := strings.Cut(id, "/")
	addr := ipv4Bytes(host)
	if addr == nil {
		return nil, 0, false
	}
	bits := len(addr) * 8
	if hasBits {
		v, err := strconv.ParseInt(bitsStr, 10, 32)
		if err != nil || v < 0 || int(v) > len(addr)*8 {
			return nil, 0, false
		}
		bits = int(v)
	}
	return addr, bits, true
}

func maskBits(b []byte, bits int) {
	for i := range b {
		switch {
		case bits >= 8:
			bits -= 8
		case bits <= 0:
			b[i] = 0
		default:
			b[i] &= ^byte(0xff >> bits)
			bits = 0
		}
	}
}

// ipMatches reports whether addr is inside the ACL's address or prefix.
func ipMatches(addr, pattern string) bool {
	acl, bits, ok := ipPattern(pattern)
	remote := ipv4Bytes(addr)
	if !ok || remote == nil {
		return false
	}
	maskBits(acl, bits)
	maskBits(remote, bits)
	return string(acl) == string(remote)
}

func validIP(id string) bool {
	_, _, ok := ipPattern(id)
	return ok
}

// Fixup validates a create/setACL ACL list and expands the auth scheme
// (PrepRequestProcessor.fixupACL).
func (p *aclPolicy) Fixup(acl []jute.ACL, ids []jute.Id) ([]jute.ACL, protocol.Code) {
	if len(acl) == 0 {
		return nil, protocol.CodeInvalidACL
	}
	var out []jute.ACL
	add := func(a jute.ACL) {
		for _, have := range out {
			if have == a {
				return
			}
		}
		out = append(out, a)
	}
	for _, a := range acl {
		switch a.ID.Scheme {
		case "world":
			if a.ID.ID != "anyone" {
				return nil, protocol.CodeInvalidACL
			}
			add(a)
		case "auth":
			found := false
			for _, id := range javaSetOrder(ids) {
				if id.Scheme == "digest" {
					add(jute.ACL{Perms: a.Perms, ID: id})
					found = true
				}
			}
			if !found {
				return nil, protocol.CodeInvalidACL
			}
		case "digest":
			parts := strings.Split(a.ID.ID, ":")
			if !p.digest || len(parts) != 2 || parts[1] == "" {
				return nil, protocol.CodeInvalidACL
			}
			add(a)
		case "ip":
			if !validIP(a.ID.ID) {
				return nil, protocol.CodeInvalidACL
			}
			add(a)
		default:
			return nil, protocol.CodeInvalidACL
		}
	}
	return out, protocol.CodeOK
}

// authenticate handles an auth packet: digest gives digest:user:hash (and
// super when it equals the super digest); anything else fails.
func (p *aclPolicy) authenticate(scheme string, auth []byte, remoteIP string) ([]jute.Id, protocol.Code) {
	if scheme == "ip" {
		// IPAuthenticationProvider ignores the data and grants the
		// connection's own address.
		return []jute.Id{{Scheme: "ip", ID: remoteIP}}, protocol.CodeOK
	}
	if scheme != "digest" || !p.digest {
		return nil, protocol.CodeAuthFailed
	}
	user, pass, _ := strings.Cut(string(auth), ":")
	id := DigestID(user, pass)
	ids := []jute.Id{{Scheme: "digest", ID: id}}
	if p.superDigest != "" && id == p.superDigest {
		ids = append(ids, jute.Id{Scheme: "super", ID: ""})
	}
	return ids, protocol.CodeOK
}

// redact hides digest hashes from a caller without ADMIN, as getACL does.
func (p *aclPolicy) redact(acl []jute.ACL, canAdmin bool) []jute.ACL {
	if canAdmin {
		return acl
	}
	out := make([]jute.ACL, len(acl))
	for i, a := range acl {
		if a.ID.Scheme == "digest" {
			user, _, _ := strings.Cut(a.ID.ID, ":")
			a.ID.ID = user + ":x"
		}
		out[i] = a
	}
	return out
}

// whoAmI lists the connection's identities as whoAmI answers them.
func (p *aclPolicy) whoAmI(ids []jute.Id) []jute.ClientInfo {
	out := make([]jute.ClientInfo, 0, len(ids))
	for _, id := range javaSetOrder(ids) {
		user := id.ID
		if id.Scheme == "digest" {
			user, _, _ = strings.Cut(id.ID, ":")
		}
		out = append(out, jute.ClientInfo{AuthScheme: id.Scheme, User: user})
	}
	return out
}
