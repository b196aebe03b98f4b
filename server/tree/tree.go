package tree

import (
	"fmt"
	"sort"
	"strings"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
)

// Policy is how the tree checks and fixes up ACLs; the server provides it from
// its auth configuration (skipACL, providers). It must be deterministic.
type Policy interface {
	// Check reports whether ids grant perm on a node with acl.
	Check(acl []jute.ACL, perm int32, ids []jute.Id) bool
	// Fixup validates an ACL list from a create or setACL request and expands
	// the auth scheme with ids; it returns CodeInvalidACL when it cannot.
	Fixup(acl []jute.ACL, ids []jute.Id) ([]jute.ACL, protocol.Code)
}

// Options are the deterministic settings every replica must share.
type Options struct {
	Policy        Policy
	ExtendedTypes bool // zookeeper.extendedTypesEnabled: TTL nodes
}

// Event is a watch trigger produced by a write: the server turns it into
// notifications for the watches it matches. ACL is that of the node the
// event is about (the parent for NodeChildrenChanged): since ZooKeeper
// 3.8.4/3.9.2 (CVE-2024-23944) a connection that may not READ it does not
// get the event.
type Event struct {
	Type protocol.EventType
	Path string
	ACL  []jute.ACL
}

// Txn carries what one transaction applies with: its zxid and time (from the
// log entry), the session and the identities of the connection that sent it.
// Writes append the events they trigger to Events.
type Txn struct {
	Zxid    int64
	Time    int64
	Session int64
	Ids     []jute.Id
	Events  []Event

	undo []func() // set while a multi runs, to roll back on failure
}

func (tx *Txn) onUndo(f func()) {
	if tx.undo != nil {
		tx.undo = append(tx.undo, f)
	}
}

// Tree is the data tree plus the session table.
type Tree struct {
	opts       Options
	nodes      map[string]*Node
	sessions   map[int64]int32               // session id → timeout (ms)
	ephemerals map[int64]map[string]struct{} // session id → its ephemeral paths
	special    map[string]bool               // paths that cannot be deleted
	acls       map[string][]jute.ACL         // interned ACL lists
	reapable   map[string]struct{}           // containers and TTL nodes
	lastZxid   int64
	dataSize   int64
}

// Well-known paths.
const (
	ZooKeeperPath = "/zookeeper"
	QuotaPath     = "/zookeeper/quota"
	ConfigPath    = "/zookeeper/config"
)

// OpenACL is world:anyone with every permission (OPEN_ACL_UNSAFE).
var OpenACL = []jute.ACL{{Perms: protocol.PermAll, ID: jute.Id{Scheme: "world", ID: "anyone"}}}

// ReadACL is world:anyone READ (READ_ACL_UNSAFE).
var ReadACL = []jute.ACL{{Perms: protocol.PermRead, ID: jute.Id{Scheme: "world", ID: "anyone"}}}

// empty returns a tree with no nodes, for New and ReadSnapshot to fill.
func empty(opts Options) *Tree {
	return &Tree{
		opts:       opts,
		nodes:      make(map[string]*Node),
		sessions:   make(map[int64]int32),
		ephemerals: make(map[int64]map[string]struct{}),
		acls:       make(map[string][]jute.ACL),
		reapable:   make(map[string]struct{}),
		special:    map[string]bool{"/": true, ZooKeeperPath: true, QuotaPath: true, ConfigPath: true},
	}
}

// New returns the tree of a fresh server: /, /zookeeper, /zookeeper/quota and
// /zookeeper/config, wired in without transactions as ZooKeeper does.
func New(opts Options) *Tree {
	t := empty(opts)
	open := t.intern(OpenACL)
	t.nodes["/"] = &Node{Data: []byte{}, ACL: open}
	t.link(ZooKeeperPath, &Node{Data: []byte{}, ACL: open})
	t.link(QuotaPath, &Node{Data: []byte{}, ACL: open})
	t.link(ConfigPath, &Node{Data: []byte{}, ACL: t.intern(ReadACL), Stat: jute.StatPersisted{Aversion: -1}})
	return t
}

// link inserts n at path without touching the parent's Stat.
func (t *Tree) link(path string, n *Node) {
	parent, name := parentOf(path)
	t.nodes[path] = n
	t.nodes[parent].addChild(name)
	t.dataSize += int64(len(path) + len(n.Data))
	if k := KindOf(n.Stat.EphemeralOwner); k == KindContainer || k == KindTTL {
		t.reapable[path] = struct{}{}
	}
}

func aclKey(acl []jute.ACL) string {
	var b strings.Builder
	for _, a := range acl {
		fmt.Fprintf(&b, "%d\x00%s\x00%s\x00", a.Perms, a.ID.Scheme, a.ID.ID)
	}
	return b.String()
}

// intern returns a shared copy of acl, so equal lists cost memory once.
func (t *Tree) intern(acl []jute.ACL) []jute.ACL {
	k := aclKey(acl)
	if s, ok := t.acls[k]; ok {
		return s
	}
	s := append([]jute.ACL(nil), acl...)
	t.acls[k] = s
	return s
}

// SetConfig sets the data of /zookeeper/config: the ensemble membership in
// ZooKeeper's dynamic-config text. Every server sets it from the same
// configuration at start, outside the log, as ZooKeeper does.
func (t *Tree) SetConfig(data []byte) {
	if data == nil {
		data = []byte{} // standalone: empty, not null
	}
	n := t.nodes[ConfigPath]
	t.dataSize += int64(len(data) - len(n.Data))
	n.Data = data
}

// Reconfig applies a reconfig: /zookeeper/config gets the new membership
// text followed by version=<zxid in hex>, as a setData whose version is -1
// (DataTree.processTxn for reconfig).
func (t *Tree) Reconfig(tx *Txn, servers []byte) *Node {
	n := t.nodes[ConfigPath]
	data := append(append([]byte(nil), servers...), fmt.Sprintf("version=%x", tx.Zxid)...)
	t.dataSize += int64(len(data) - len(n.Data))
	n.Data = data
	n.Stat.Mzxid, n.Stat.Mtime, n.Stat.Version = tx.Zxid, tx.Time, -1
	tx.Events = append(tx.Events, Event{protocol.EventNodeDataChanged, ConfigPath, n.ACL})
	return n
}

// Get returns the node at path, or nil. The root is also reachable as "".
func (t *Tree) Get(path string) *Node {
	if path == "" {
		path = "/"
	}
	return t.nodes[path]
}

// NodeCount returns the number of znodes.
func (t *Tree) NodeCount() int { return len(t.nodes) }

// ApproximateDataSize returns the sum of path and data lengths.
func (t *Tree) ApproximateDataSize() int64 { return t.dataSize }

// LastZxid returns the zxid of the last transaction applied.
func (t *Tree) LastZxid() int64 { return t.lastZxid }

// SetLastZxid records the zxid of a transaction the caller applied.
func (t *Tree) SetLastZxid(z int64) {
	if z > t.lastZxid {
		t.lastZxid = z
	}
}

// Sessions returns a copy of the session table.
func (t *Tree) Sessions() map[int64]int32 {
	m := make(map[int64]int32, len(t.sessions))
	for k, v := range t.sessions {
		m[k] = v
	}
	return m
}

// SessionTimeout returns the timeout of a live session.
func (t *Tree) SessionTimeout(id int64) (int32, bool) {
	to, ok := t.sessions[id]
	return to, ok
}

// Ephemerals returns the sorted ephemeral paths of a session that start with
// prefix; "" or "/" means all.
func (t *Tree) Ephemerals(session int64, prefix string) []string {
	out := []string{}
	for p := range t.ephemerals[session] {
		if prefix == "" || prefix == "/" || strings.HasPrefix(p, prefix) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// EphemeralCount returns the number of ephemeral nodes.
func (t *Tree) EphemeralCount() int {
	n := 0
	for _, s := range t.ephemerals {
		n += len(s)
	}
	return n
}

// AllChildrenNumber counts every descendant of path (ZooKeeper counts all
// nodes but the root for "/").
func (t *Tree) AllChildrenNumber(path string) int {
	if path == "/" {
		return len(t.nodes) - 1
	}
	n := 0
	var walk func(string, *Node)
	walk = func(p string, nd *Node) {
		for _, c := range nd.children {
			cp := childPath(p, c)
			n++
			walk(cp, t.nodes[cp])
		}
	}
	if nd := t.nodes[path]; nd != nil {
		walk(path, nd)
	}
	return n
}

// Walk calls f for every node in depth-first pre-order (a parent before its
// children, children in sorted order).
func (t *Tree) Walk(f func(path string, n *Node)) {
	var walk func(string, *Node)
	walk = func(p string, nd *Node) {
		f(p, nd)
		for _, c := range nd.children {
			cp := childPath(p, c)
			walk(cp, t.nodes[cp])
		}
	}
	walk("/", t.nodes["/"])
}

// ReapCandidates returns containers that are empty and have had a child (or,
// with maxNeverUsed > 0, never had one and are older than that), and TTL nodes
// that are empty and untouched for longer than their TTL, as of now (ms).
func (t *Tree) ReapCandidates(now, maxNeverUsed int64, limit int) []string {
	var out []string
	for p := range t.reapable {
		if len(out) >= limit {
			break
		}
		n := t.nodes[p]
		if len(n.children) > 0 {
			continue
		}
		switch KindOf(n.Stat.EphemeralOwner) {
		case KindContainer:
			if n.Stat.Cversion > 0 || (maxNeverUsed > 0 && now-n.Stat.Mtime > maxNeverUsed) {
				out = append(out, p)
			}
		case KindTTL:
			ttl, _ := protocol.OwnerTTL(n.Stat.EphemeralOwner)
			if now-n.Stat.Mtime > ttl {
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out
}
