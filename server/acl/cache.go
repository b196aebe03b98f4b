package acl

import (
	"encoding/binary"
	"slices"

	"github.com/raftzk/raftzk/jute"
)

// OpenACLUnsafeIndex is the index the cache gives a nil ACL list; it stands
// for OpenACLUnsafe and is never counted (ReferenceCountedACLCache.OPEN_UNSAFE_ACL_ID).
const OpenACLUnsafeIndex int64 = -1

// Cache interns ACL lists so that nodes with equal lists share one slice and
// one index, and counts the nodes using each (ReferenceCountedACLCache). The
// indexes are what ZooKeeper snapshots store per node, followed by the table
// of lists; they are assigned 1, 2, 3... in order of first use and never
// reused, so replicas that apply the same writes assign the same indexes.
//
// A Cache is not safe for concurrent use; the data tree owns it. Slices it
// returns are shared and must not be modified.
type Cache struct {
	byIndex map[int64]*cacheEntry
	byKey   map[string]int64
	last    int64 // aclIndex: the highest index ever assigned or loaded
}

type cacheEntry struct {
	acl  []jute.ACL
	refs int64
}

// NewCache returns an empty cache.
func NewCache() *Cache {
	return &Cache{byIndex: map[int64]*cacheEntry{}, byKey: map[string]int64{}}
}

// cacheKey encodes acl injectively: perms, then length-prefixed scheme and id.
func cacheKey(acl []jute.ACL) string {
	n := 0
	for _, a := range acl {
		n += 12 + len(a.ID.Scheme) + len(a.ID.ID)
	}
	b := make([]byte, 0, n)
	for _, a := range acl {
		b = binary.BigEndian.AppendUint32(b, uint32(a.Perms))
		b = binary.BigEndian.AppendUint32(b, uint32(len(a.ID.Scheme)))
		b = append(b, a.ID.Scheme...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(a.ID.ID)))
		b = append(b, a.ID.ID...)
	}
	return string(b)
}

// Intern returns the index and the shared copy of acl, adding one use
// (convertAcls). An equal list (same entries in the same order) already in the
// cache is reused; otherwise acl is copied under the next index. A nil acl
// gives OpenACLUnsafeIndex and OpenACLUnsafe; an empty non-nil list is
// interned like any other.
func (c *Cache) Intern(acl []jute.ACL) (int64, []jute.ACL) {
	if acl == nil {
		return OpenACLUnsafeIndex, OpenACLUnsafe
	}
	k := cacheKey(acl)
	idx, ok := c.byKey[k]
	if !ok {
		c.last++
		idx = c.last
		c.byKey[k] = idx
		c.byIndex[idx] = &cacheEntry{acl: slices.Clone(acl)}
	}
	e := c.byIndex[idx]
	e.refs++
	return idx, e.acl
}

// ACL returns the list stored under index (convertLong): OpenACLUnsafe for
// OpenACLUnsafeIndex, ok false for an unknown index (ZooKeeper throws).
func (c *Cache) ACL(index int64) (acl []jute.ACL, ok bool) {
	if index == OpenACLUnsafeIndex {
		return OpenACLUnsafe, true
	}
	e := c.byIndex[index]
	if e == nil {
		return nil, false
	}
	return e.acl, true
}

// AddUsage adds a use of index, as loading a node from a snapshot does.
// Unknown indexes and OpenACLUnsafeIndex are ignored.
func (c *Cache) AddUsage(index int64) {
	if e := c.byIndex[index]; e != nil {
		e.refs++
	}
}

// RemoveUsage drops a use of index, as deleting a node or replacing its ACL
// does; the list is forgotten when no use remains. Unknown indexes and
// OpenACLUnsafeIndex are ignored.
func (c *Cache) RemoveUsage(index int64) {
	e := c.byIndex[index]
	if e == nil {
		return
	}
	e.refs--
	if e.refs <= 0 {
		c.forget(index, e)
	}
}

// forget removes index, and its key unless the key now names another index
// (possible after Load of a snapshot with two equal lists).
func (c *Cache) forget(index int64, e *cacheEntry) {
	delete(c.byIndex, index)
	k := cacheKey(e.acl)
	if c.byKey[k] == index {
		delete(c.byKey, k)
	}
}

// Load stores acl under index with no uses, as reading a snapshot's ACL
// table does (deserialize), and raises the next index past it. Nodes loaded
// afterwards call AddUsage; PurgeUnused then drops lists no node uses.
func (c *Cache) Load(index int64, acl []jute.ACL) {
	if old := c.byIndex[index]; old != nil {
		c.forget(index, old)
	}
	if acl == nil {
		acl = []jute.ACL{}
	}
	acl = slices.Clone(acl)
	c.byIndex[index] = &cacheEntry{acl: acl}
	c.byKey[cacheKey(acl)] = index
	c.last = max(c.last, index)
}

// PurgeUnused forgets every list without uses (purgeUnused).
func (c *Cache) PurgeUnused() {
	for idx, e := range c.byIndex {
		if e.refs <= 0 {
			c.forget(idx, e)
		}
	}
}

// Refs returns the number of uses of index (0 if unknown).
func (c *Cache) Refs(index int64) int64 {
	if e := c.byIndex[index]; e != nil {
		return e.refs
	}
	return 0
}

// Len returns the number of lists in the cache.
func (c *Cache) Len() int { return len(c.byIndex) }

// Indexes returns the indexes in the cache in increasing order, for writing
// a snapshot deterministically.
func (c *Cache) Indexes() []int64 {
	out := make([]int64, 0, len(c.byIndex))
	for idx := range c.byIndex {
		out = append(out, idx)
	}
	slices.Sort(out)
	return out
}
