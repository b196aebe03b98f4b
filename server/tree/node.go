package tree

import (
	"sort"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
)

// Node is one znode. Stat holds the persisted fields; the stored Cversion
// counts child creations (visible cversion is derived, see CopyStat).
type Node struct {
	Data     []byte
	ACL      []jute.ACL // shared between nodes with equal lists; never mutated in place
	Stat     jute.StatPersisted
	children []string // names, sorted
}

// Children returns the node's child names in sorted order. The slice is the
// tree's own: callers must copy it before releasing the tree's lock.
func (n *Node) Children() []string { return n.children }

// NumChildren returns the number of children.
func (n *Node) NumChildren() int { return len(n.children) }

func (n *Node) addChild(name string) {
	i := sort.SearchStrings(n.children, name)
	if i < len(n.children) && n.children[i] == name {
		return
	}
	n.children = append(n.children, "")
	copy(n.children[i+1:], n.children[i:])
	n.children[i] = name
}

func (n *Node) removeChild(name string) {
	i := sort.SearchStrings(n.children, name)
	if i < len(n.children) && n.children[i] == name {
		n.children = append(n.children[:i], n.children[i+1:]...)
	}
}

// CopyStat fills s with the Stat a client sees: the visible cversion is
// 2*stored - numChildren (DataNode.copyStat), and containers and TTL nodes
// show ephemeralOwner 0.
func (n *Node) CopyStat(s *jute.Stat) {
	p := &n.Stat
	s.Czxid, s.Mzxid, s.Ctime, s.Mtime = p.Czxid, p.Mzxid, p.Ctime, p.Mtime
	s.Version, s.Aversion, s.Pzxid = p.Version, p.Aversion, p.Pzxid
	s.EphemeralOwner = ClientEphemeralOwner(p.EphemeralOwner)
	s.DataLength = int32(len(n.Data))
	s.NumChildren = int32(len(n.children))
	s.Cversion = p.Cversion*2 - s.NumChildren
}

// Stat returns the client-visible Stat.
func (n *Node) StatCopy() jute.Stat {
	var s jute.Stat
	n.CopyStat(&s)
	return s
}

// ClientEphemeralOwner maps a stored ephemeralOwner to what clients see.
func ClientEphemeralOwner(owner int64) int64 {
	if owner == protocol.ContainerEphemeralOwner {
		return 0
	}
	if _, ok := protocol.OwnerTTL(owner); ok {
		return 0
	}
	return owner
}

// Kind of a node by its stored ephemeralOwner.
type Kind int

// Node kinds.
const (
	KindPersistent Kind = iota
	KindEphemeral
	KindContainer
	KindTTL
)

// KindOf classifies a stored ephemeralOwner.
func KindOf(owner int64) Kind {
	switch {
	case owner == 0:
		return KindPersistent
	case owner == protocol.ContainerEphemeralOwner:
		return KindContainer
	}
	if _, ok := protocol.OwnerTTL(owner); ok {
		return KindTTL
	}
	return KindEphemeral
}

func parentOf(path string) (parent, name string) {
	i := len(path) - 1
	for i >= 0 && path[i] != '/' {
		i--
	}
	if i <= 0 {
		return "/", path[i+1:]
	}
	return path[:i], path[i+1:]
}

func childPath(parent, name string) string {
	if parent == "/" {
		return "/" + name
	}
	return parent + "/" + name
}
