package acl

import (
	"net"

	"github.com/raftzk/raftzk/jute"
)

// Provider is an authentication provider, ZooKeeper's
// ServerAuthenticationProvider reduced to what the server needs. The digest
// and ip providers are built in; Config.Providers adds others (sasl, x509,
// or the classes of zookeeper.authProvider.N).
//
// Methods are called from any goroutine and must be pure: Valid, Matches and
// Authenticated run at apply time and must answer the same on every replica.
type Provider interface {
	// Scheme is the scheme the provider serves ("digest", "ip", ...).
	Scheme() string
	// Authenticate handles an auth packet for this scheme from a connection
	// whose peer is remote (nil if unknown). It returns the ids to add to
	// the connection, or ok false for AuthFailed.
	Authenticate(auth []byte, remote net.Addr) (ids []jute.Id, ok bool)
	// Authenticated reports whether the provider's ids identify a user, so
	// that the auth pseudo-scheme expands to them (isAuthenticated).
	Authenticated() bool
	// Valid reports whether id may appear in an ACL entry of this scheme.
	Valid(id string) bool
	// Matches reports whether a connection id of this scheme matches the id
	// of an ACL entry (aclExpr).
	Matches(id, aclExpr string) bool
	// UserName is the user whoAmI reports for a connection id.
	UserName(id string) string
}
