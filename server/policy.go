package server

import (
	"crypto/sha1"
	"encoding/base64"
	"net"
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

// ipMatches reports whether addr is inside the ACL's address or prefix.
func ipMatches(addr, pattern string) bool {
	ip := net.ParseIP(addr)
	host, bitsStr, hasBits := strings.Cut(pattern, "/")
	pip := net.ParseIP(host)
	if ip == nil || pip == nil {
		return false
	}
	if (ip.To4() == nil) != (pip.To4() == nil) {
		return false
	}
	if ip4 := ip.To4(); ip4 != nil {
		ip, pip = ip4, pip.To4()
	}
	bits := len(ip) * 8
	if hasBits {
		b, err := strconv.Atoi(bitsStr)
		if err != nil || b < 0 || b > bits {
			return false
		}
		bits = b
	}
	mask := net.CIDRMask(bits, len(ip)*8)
	return ip.Mask(mask).Equal(pip.Mask(mask))
}

func validIP(id string) bool {
	host, bitsStr, hasBits := strings.Cut(id, "/")
	ip := net.ParseIP(host)
	if ip == nil {
		return false
	}
	width := 128
	if ip.To4() != nil {
		width = 32
	}
	if hasBits {
		b, err := strconv.Atoi(bitsStr)
		return err == nil && b >= 0 && b <= width
	}
	return true
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
			for _, id := range ids {
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
func (p *aclPolicy) authenticate(scheme string, auth []byte) ([]jute.Id, protocol.Code) {
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
