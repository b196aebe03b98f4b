// Package acl is ZooKeeper's access control: the authentication providers
// (digest and ip, as DigestAuthenticationProvider and IPAuthenticationProvider),
// the permission check (ZooKeeperServer.checkACL), the ACL fix-up of create and
// setACL (PrepRequestProcessor.fixupACL), the getACL redaction and whoAmI
// mapping (FinalRequestProcessor, AuthUtil), the order in which a connection
// holds its ids (ServerCnxn.authInfo), and the shared ACL table of the data tree
// (ReferenceCountedACLCache).
//
// Everything here is pure and deterministic: no goroutines, no clock, no I/O,
// no logging. A *Policy is immutable after New and safe for concurrent use; it
// must be built from the same Config on every replica, because Check and
// FixupACL run at apply time. A Cache is not safe for concurrent use: its
// owner (the data tree) guards it.
//
// Strings are treated as Java treats them where ZooKeeper's behaviour depends
// on it: auth bytes are decoded like new String(byte[]) with UTF-8, numbers in
// ip ids are parsed like Integer.parseInt (a sign and any Unicode decimal
// digit are accepted), ids are split like String.split.
package acl
