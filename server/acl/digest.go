package acl

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"encoding/base64"
	"hash"
	"net"
	"strings"

	"github.com/raftzk/raftzk/jute"
)

// digestHashes maps the MessageDigest names Java accepts for
// zookeeper.DigestAuthenticationProvider.digestAlg (case-insensitively) to
// their Go implementations.
var digestHashes = map[string]func() hash.Hash{
	"SHA1":        sha1.New,
	"SHA-1":       sha1.New,
	"SHA":         sha1.New,
	"SHA-224":     sha256.New224,
	"SHA-256":     sha256.New,
	"SHA-384":     sha512.New384,
	"SHA-512":     sha512.New,
	"SHA-512/224": sha512.New512_224,
	"SHA-512/256": sha512.New512_256,
	"SHA3-224":    func() hash.Hash { return sha3.New224() },
	"SHA3-256":    func() hash.Hash { return sha3.New256() },
	"SHA3-384":    func() hash.Hash { return sha3.New384() },
	"SHA3-512":    func() hash.Hash { return sha3.New512() },
	"MD5":         md5.New,
}

func lookupDigest(alg string) func() hash.Hash {
	if alg == "" {
		alg = DefaultDigestAlg
	}
	return digestHashes[strings.ToUpper(alg)]
}

// generateDigest is DigestAuthenticationProvider.generateDigest: the user part
// (everything before the first ':', or the whole string) and the standard
// padded Base64 of the hash of the whole "user:password" string.
func generateDigest(newHash func() hash.Hash, idPassword string) string {
	user, _, _ := strings.Cut(idPassword, ":")
	h := newHash()
	h.Write([]byte(idPassword))
	return user + ":" + base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// DigestID returns the id a digest ACL entry uses for user and password with
// the default algorithm (SHA1): "user:BASE64(SHA1(user:password))". It is
// what `addauth digest user:password` gives the connection.
func DigestID(user, password string) string {
	return generateDigest(sha1.New, user+":"+password)
}

// digestProvider is DigestAuthenticationProvider.
type digestProvider struct {
	newHash     func() hash.Hash
	superDigest string // "" when unset
}

func (p *digestProvider) Scheme() string { return "digest" }

// Authenticate decodes auth as Java's new String(byte[]) would and always
// succeeds; the super id comes first when the digest equals superDigest.
func (p *digestProvider) Authenticate(auth []byte, _ net.Addr) ([]jute.Id, bool) {
	d := generateDigest(p.newHash, javaString(auth))
	if p.superDigest != "" && d == p.superDigest {
		return []jute.Id{{Scheme: "super", ID: ""}, {Scheme: "digest", ID: d}}, true
	}
	return []jute.Id{{Scheme: "digest", ID: d}}, true
}

func (p *digestProvider) Authenticated() bool { return true }

// Valid is id.split(":").length == 2: so "u:" and "a:b:c" are invalid while
// ":h" and "u:h:" are valid.
func (p *digestProvider) Valid(id string) bool { return len(javaSplit(id, ":")) == 2 }

func (p *digestProvider) Matches(id, aclExpr string) bool { return id == aclExpr }

// UserName is id.split(":")[0].
func (p *digestProvider) UserName(id string) string {
	parts := javaSplit(id, ":")
	if len(parts) == 0 {
		return "" // Java would throw; whoAmI then fails. Never for real ids.
	}
	return parts[0]
}
