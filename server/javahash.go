package server

import (
	"sort"
	"unicode/utf16"

	"github.com/raftzk/raftzk/jute"
)

// javaStringHash is java.lang.String.hashCode over UTF-16 code units.
func javaStringHash(s string) int32 {
	var h int32
	for _, u := range utf16.Encode([]rune(s)) {
		h = 31*h + int32(u)
	}
	return h
}

// javaIDHash is the hashCode jute generates for the Id record.
func javaIDHash(id jute.Id) int32 {
	r := int32(17)
	r = 37*r + javaStringHash(id.Scheme)
	r = 37*r + javaStringHash(id.ID)
	return r
}

// javaSetOrder orders ids as iterating ZooKeeper's per-connection auth set
// does: a ConcurrentHashMap-backed set with 16 buckets (it resizes only past
// 12 ids), buckets in index order, insertion order within a bucket. whoAmI
// answers in this order, and zkCli prints it as is.
func javaSetOrder(ids []jute.Id) []jute.Id {
	n := uint32(16)
	for uint32(len(ids)) > n*3/4 {
		n *= 2
	}
	bucket := func(id jute.Id) uint32 {
		h := uint32(javaIDHash(id))
		return ((h ^ (h >> 16)) & 0x7fffffff) & (n - 1)
	}
	out := append([]jute.Id(nil), ids...)
	sort.SliceStable(out, func(i, j int) bool { return bucket(out[i]) < bucket(out[j]) })
	return out
}
