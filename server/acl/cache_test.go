package acl

import (
	"reflect"
	"testing"

	"github.com/raftzk/raftzk/jute"
)

func TestCache(t *testing.T) {
	a := []jute.ACL{entry(31, "world", "anyone")}
	b := []jute.ACL{entry(1, "digest", userDigest), entry(31, "ip", "10.0.0.0/8")}
	bReordered := []jute.ACL{b[1], b[0]}

	t.Run("intern shares equal lists", func(t *testing.T) {
		c := NewCache()
		i1, s1 := c.Intern(a)
		i2, s2 := c.Intern(append([]jute.ACL(nil), a...))
		if i1 != 1 || i2 != 1 || &s1[0] != &s2[0] {
			t.Fatalf("indexes %d %d, shared %v", i1, i2, &s1[0] == &s2[0])
		}
		if &s1[0] == &a[0] {
			t.Error("Intern kept the caller's slice")
		}
		if c.Refs(1) != 2 || c.Len() != 1 {
			t.Errorf("refs %d len %d", c.Refs(1), c.Len())
		}
	})
	t.Run("order matters", func(t *testing.T) {
		c := NewCache()
		i1, _ := c.Intern(b)
		i2, _ := c.Intern(bReordered)
		if i1 == i2 {
			t.Error("reordered list shares an index")
		}
	})
	t.Run("nil is open unsafe", func(t *testing.T) {
		c := NewCache()
		i, s := c.Intern(nil)
		if i != OpenACLUnsafeIndex || !reflect.DeepEqual(s, OpenACLUnsafe) || c.Len() != 0 {
			t.Errorf("Intern(nil) = %d, %v", i, s)
		}
		if got, ok := c.ACL(OpenACLUnsafeIndex); !ok || !reflect.DeepEqual(got, OpenACLUnsafe) {
			t.Errorf("ACL(-1) = %v, %v", got, ok)
		}
		c.RemoveUsage(OpenACLUnsafeIndex)
		c.AddUsage(OpenACLUnsafeIndex)
	})
	t.Run("empty list is interned", func(t *testing.T) {
		c := NewCache()
		i, s := c.Intern([]jute.ACL{})
		if i != 1 || s == nil || len(s) != 0 {
			t.Errorf("Intern(empty) = %d, %v", i, s)
		}
	})
	t.Run("indexes are not reused", func(t *testing.T) {
		c := NewCache()
		i1, _ := c.Intern(a)
		c.RemoveUsage(i1)
		if _, ok := c.ACL(i1); ok || c.Len() != 0 {
			t.Fatal("list kept after last use")
		}
		i2, _ := c.Intern(a)
		if i2 != 2 {
			t.Errorf("re-intern index %d, want 2", i2)
		}
	})
	t.Run("remove keeps list while used", func(t *testing.T) {
		c := NewCache()
		i, _ := c.Intern(a)
		c.Intern(a)
		c.RemoveUsage(i)
		if got, ok := c.ACL(i); !ok || !reflect.DeepEqual(got, a) {
			t.Errorf("ACL = %v, %v", got, ok)
		}
		c.RemoveUsage(i)
		c.RemoveUsage(i) // unknown now: ignored
		if c.Len() != 0 {
			t.Error("not forgotten")
		}
	})
	t.Run("unknown index", func(t *testing.T) {
		c := NewCache()
		if _, ok := c.ACL(7); ok {
			t.Error("ACL(7) found")
		}
		c.AddUsage(7)
		if c.Len() != 0 || c.Refs(7) != 0 {
			t.Error("AddUsage created an entry")
		}
	})
	t.Run("load then purge", func(t *testing.T) {
		c := NewCache()
		c.Load(5, a)
		c.Load(3, b)
		c.Load(9, nil)
		c.AddUsage(5)
		c.PurgeUnused()
		if got := c.Indexes(); !reflect.DeepEqual(got, []int64{5}) {
			t.Fatalf("Indexes = %v", got)
		}
		if i, _ := c.Intern(a); i != 5 {
			t.Errorf("Intern after load = %d, want 5", i)
		}
		if i, _ := c.Intern(b); i != 10 {
			t.Errorf("new index after load = %d, want 10", i)
		}
		if c.Refs(5) != 2 {
			t.Errorf("refs = %d", c.Refs(5))
		}
	})
	t.Run("load duplicate lists", func(t *testing.T) {
		c := NewCache()
		c.Load(1, a)
		c.Load(2, a) // the later index wins the key, as in Java's HashMap
		c.AddUsage(1)
		c.AddUsage(2)
		c.RemoveUsage(1)
		if i, _ := c.Intern(a); i != 2 {
			t.Errorf("Intern = %d, want 2", i)
		}
	})
	t.Run("indexes sorted", func(t *testing.T) {
		c := NewCache()
		for i := range 20 {
			c.Intern([]jute.ACL{{Perms: int32(i), ID: AnyoneIDUnsafe}})
		}
		got := c.Indexes()
		for i := range got {
			if got[i] != int64(i+1) {
				t.Fatalf("Indexes = %v", got)
			}
		}
	})
}

func TestCacheKeyInjective(t *testing.T) {
	x := []jute.ACL{entry(1, "ab", "c")}
	y := []jute.ACL{entry(1, "a", "bc")}
	if cacheKey(x) == cacheKey(y) {
		t.Error("keys collide")
	}
}
