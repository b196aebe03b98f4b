package acl

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"unicode/utf8"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
)

// DefaultDigestAlg is the default of zookeeper.DigestAuthenticationProvider.digestAlg.
const DefaultDigestAlg = "SHA1"

// Config is the ACL and authentication configuration. Every replica must use
// the same Config: it decides the results of writes.
type Config struct {
	// SuperDigest is zookeeper.DigestAuthenticationProvider.superDigest,
	// "super:<base64>" (any "user:<base64>" works); a digest auth whose id
	// equals it also gets the super id. Empty disables the super user.
	SuperDigest string
	// DigestEnabled is zookeeper.DigestAuthenticationProvider.enabled
	// (default true). When false the digest scheme has no provider: auth
	// fails, digest ACL entries are InvalidACL and never match.
	DigestEnabled bool
	// DigestAlg is zookeeper.DigestAuthenticationProvider.digestAlg, a Java
	// MessageDigest name (case-insensitive); empty means SHA1.
	DigestAlg string
	// SkipACL is zookeeper.skipACL=yes: Check always passes. FixupACL still
	// validates, as in ZooKeeper 3.5+.
	SkipACL bool
	// Providers are further providers (zookeeper.authProvider.N). A provider
	// for "ip" or "digest" replaces the built-in one, as ProviderRegistry
	// lets a configured class do.
	Providers []Provider
}

// DefaultConfig returns ZooKeeper's defaults: digest enabled with SHA1, no
// super user, ACLs checked.
func DefaultConfig() Config {
	return Config{DigestEnabled: true, DigestAlg: DefaultDigestAlg}
}

// Validate reports a digest algorithm Go cannot compute (ZooKeeper refuses
// to start then too) and providers without a scheme.
func (c Config) Validate() error {
	if lookupDigest(c.DigestAlg) == nil {
		return fmt.Errorf("acl: unsupported digest algorithm %q", c.DigestAlg)
	}
	for i, p := range c.Providers {
		if p == nil || p.Scheme() == "" {
			return fmt.Errorf("acl: provider %d has no scheme", i)
		}
	}
	if c.SuperDigest != "" && !strings.Contains(c.SuperDigest, ":") {
		return errors.New("acl: superDigest must be user:base64")
	}
	return nil
}

// Policy applies a Config: authentication, checks and fix-up. It is immutable
// and safe for concurrent use. It satisfies the data tree's Policy interface
// (Check and Fixup).
type Policy struct {
	skipACL   bool
	providers map[string]Provider
}

// New builds the Policy for cfg after validating it.
func New(cfg Config) (*Policy, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p := &Policy{skipACL: cfg.SkipACL, providers: map[string]Provider{"ip": ipProvider{}}}
	if cfg.DigestEnabled {
		p.providers["digest"] = &digestProvider{newHash: lookupDigest(cfg.DigestAlg), superDigest: cfg.SuperDigest}
	}
	for _, pr := range cfg.Providers {
		p.providers[pr.Scheme()] = pr
	}
	return p, nil
}

// Authenticate handles an auth packet (opcode 100) from a connection whose
// peer is remote. It returns the ids to add to the connection (with
// AddAuthInfo) or CodeAuthFailed, after which the server replies and closes
// the connection. As in ZooKeeperServer.processPacket, a scheme without a
// provider fails: world, auth and super never have one. The ip scheme does
// (IPAuthenticationProvider accepts any bytes and returns the connection's
// own ip id), and digest always succeeds while enabled.
func (p *Policy) Authenticate(scheme string, auth []byte, remote net.Addr) ([]jute.Id, protocol.Code) {
	pr := p.providers[scheme]
	if pr == nil {
		return nil, protocol.CodeAuthFailed
	}
	ids, ok := pr.Authenticate(auth, remote)
	if !ok {
		return nil, protocol.CodeAuthFailed
	}
	return ids, protocol.CodeOK
}

// Check reports whether a connection with ids may do an operation needing
// perm on a node whose ACL is acls (ZooKeeperServer.checkACL): always with
// SkipACL, with an empty list, or with a super id; otherwise some entry must
// share a bit with perm and be world:anyone or match one of ids of its scheme
// by that scheme's provider.
func (p *Policy) Check(acls []jute.ACL, perm int32, ids []jute.Id) bool {
	if p.skipACL || len(acls) == 0 {
		return true
	}
	for _, id := range ids {
		if id.Scheme == "super" {
			return true
		}
	}
	for _, a := range acls {
		if a.Perms&perm == 0 {
			continue
		}
		if a.ID.Scheme == "world" && a.ID.ID == "anyone" {
			return true
		}
		pr := p.providers[a.ID.Scheme]
		if pr == nil {
			continue
		}
		for _, id := range ids {
			if id.Scheme == a.ID.Scheme && pr.Matches(id.ID, a.ID.ID) {
				return true
			}
		}
	}
	return false
}

// FixupACL validates the ACL list of a create or setACL request from a
// connection with ids and returns the list to store
// (PrepRequestProcessor.fixupACL). Exact duplicates are dropped (first
// occurrence kept); an empty list is InvalidACL. In order, world:anyone is
// kept; an auth entry (whatever its id) is replaced by one entry per id of the
// connection whose provider is Authenticated (digest, sasl, x509; not ip, not
// super), with the entry's perms, in the order of ids, and is InvalidACL when
// there is none; any other entry needs a provider that finds its id Valid,
// else InvalidACL. Perms are not checked. The result is a new slice; it may
// hold duplicates produced by the auth expansion, as ZooKeeper's does.
func (p *Policy) FixupACL(acls []jute.ACL, ids []jute.Id) ([]jute.ACL, protocol.Code) {
	uniq := removeDuplicates(acls)
	if len(uniq) == 0 {
		return nil, protocol.CodeInvalidACL
	}
	out := make([]jute.ACL, 0, len(uniq))
	for _, a := range uniq {
		switch {
		case a.ID.Scheme == "world" && a.ID.ID == "anyone":
			out = append(out, a)
		case a.ID.Scheme == "auth":
			found := false
			for _, id := range ids {
				if pr := p.providers[id.Scheme]; pr != nil && pr.Authenticated() {
					found = true
					out = append(out, jute.ACL{Perms: a.Perms, ID: id})
				}
			}
			if !found {
				return nil, protocol.CodeInvalidACL
			}
		default:
			pr := p.providers[a.ID.Scheme]
			if pr == nil || !pr.Valid(a.ID.ID) {
				return nil, protocol.CodeInvalidACL
			}
			out = append(out, a)
		}
	}
	return out, protocol.CodeOK
}

// Fixup is FixupACL under the name the data tree's Policy interface uses.
func (p *Policy) Fixup(acls []jute.ACL, ids []jute.Id) ([]jute.ACL, protocol.Code) {
	return p.FixupACL(acls, ids)
}

func removeDuplicates(acls []jute.ACL) []jute.ACL {
	out := make([]jute.ACL, 0, len(acls))
	for _, a := range acls {
		dup := false
		for _, b := range out {
			if a == b {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, a)
		}
	}
	return out
}

// WhoAmI maps a connection's ids to the whoAmI (opcode 107) response, one
// ClientInfo per id in the same order (AuthUtil.getClientInfos): the user is
// the provider's UserName (digest: the part before ':'; ip: the address), or
// "" for a scheme without a provider (super).
func (p *Policy) WhoAmI(ids []jute.Id) []jute.ClientInfo {
	out := make([]jute.ClientInfo, len(ids))
	for i, id := range ids {
		out[i].AuthScheme = id.Scheme
		if pr := p.providers[id.Scheme]; pr != nil {
			out[i].User = pr.UserName(id.ID)
		}
	}
	return out
}

// RedactForGetACL returns the ACL list a getACL reply carries. A caller that
// passed the READ-or-ADMIN check but lacks ADMIN (canAdmin is
// Check(acls, PermAdmin, ids)) sees every digest entry's id with its hash
// hidden: Java's id.replaceAll(":.*", ":x"), so "user:hash" becomes "user:x"
// (an id without ':' is unchanged). With canAdmin, acls is returned as is.
func RedactForGetACL(acls []jute.ACL, canAdmin bool) []jute.ACL {
	if canAdmin {
		return acls
	}
	out := make([]jute.ACL, len(acls))
	for i, a := range acls {
		if a.ID.Scheme == "digest" {
			a.ID.ID = redactDigest(a.ID.ID)
		}
		out[i] = a
	}
	return out
}

// redactDigest is s.replaceAll(":.*", ":x"). In Java's regex '.' stops at a
// line terminator (\n, \r, U+0085, U+2028, U+2029), so every line's text from
// its first ':' on is replaced.
func redactDigest(s string) string {
	if !strings.Contains(s, ":") {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); {
		if s[i] != ':' {
			sb.WriteByte(s[i])
			i++
			continue
		}
		sb.WriteString(":x")
		i++
		for i < len(s) {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == '\n' || r == '\r' || r == 0x85 || r == 0x2028 || r == 0x2029 {
				break
			}
			i += n
		}
	}
	return sb.String()
}
