package acl

import (
	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
)

// Well-known ids and ACL lists (ZooDefs.Ids). They are shared: never modify
// them or the slices' elements.
var (
	// AnyoneIDUnsafe is world:anyone.
	AnyoneIDUnsafe = jute.Id{Scheme: "world", ID: "anyone"}
	// AuthIDs is auth:"", expanded by FixupACL to the caller's ids.
	AuthIDs = jute.Id{Scheme: "auth", ID: ""}

	// OpenACLUnsafe is OPEN_ACL_UNSAFE: ALL for world:anyone.
	OpenACLUnsafe = []jute.ACL{{Perms: protocol.PermAll, ID: AnyoneIDUnsafe}}
	// CreatorAllACL is CREATOR_ALL_ACL: ALL for the creator's authenticated ids.
	CreatorAllACL = []jute.ACL{{Perms: protocol.PermAll, ID: AuthIDs}}
	// ReadACLUnsafe is READ_ACL_UNSAFE: READ for world:anyone.
	ReadACLUnsafe = []jute.ACL{{Perms: protocol.PermRead, ID: AnyoneIDUnsafe}}
)
