package acl

import "github.com/raftzk/raftzk/jute"

// AddAuthInfo returns ids with id added unless already present
// (ServerCnxn.addAuthInfo), in the order ZooKeeper 3.6+ iterates a
// connection's ids. That order is observable: whoAmI lists ids in it, and the
// auth pseudo-scheme expands in it, so it fixes the order of stored ACLs.
//
// ZooKeeper keeps the ids in a set backed by a ConcurrentHashMap, so they
// iterate by hash bucket (Id.hashCode spread over the table), then by
// insertion within a bucket; the table starts at 16 buckets and doubles when
// it reaches three quarters full, splitting each bucket as
// ConcurrentHashMap.transfer does. ids must have been built by AddAuthInfo
// alone (starting from nil, usually with the connection's IPID). The
// conversion of a bucket of eight or more ids into a tree is not modelled; a
// connection never has that many.
//
// ids is not modified; the result is a new slice unless id was present.
func AddAuthInfo(ids []jute.Id, id jute.Id) []jute.Id {
	for _, x := range ids {
		if x == id {
			return ids
		}
	}
	n := tableSize(len(ids))
	h := spreadHash(id)
	// Append id at the tail of its bucket: after every id whose bucket is
	// not greater.
	pos := len(ids)
	for i, x := range ids {
		if int(spreadHash(x))&(n-1) > int(h)&(n-1) {
			pos = i
			break
		}
	}
	out := make([]jute.Id, 0, len(ids)+1)
	out = append(out, ids[:pos]...)
	out = append(out, id)
	out = append(out, ids[pos:]...)
	if m := tableSize(len(out)); m != n {
		out = transfer(out, n)
	}
	return out
}

// tableSize is the table length of a ConcurrentHashMap built with the
// default constructor after count insertions: 16, doubled whenever the count
// reaches sizeCtl (three quarters of the length).
func tableSize(count int) int {
	n := 16
	for count >= n-n/4 {
		n <<= 1
	}
	return n
}

// transfer doubles a table of length n whose iteration order is ids, as
// ConcurrentHashMap.transfer does, and returns the new iteration order.
// Bucket i splits into i and i+n. The longest tail of the bucket whose
// entries all go the same way keeps its order; the entries before it are
// prepended to their new bucket one by one, which reverses them.
func transfer(ids []jute.Id, n int) []jute.Id {
	lo := make([][]jute.Id, n)
	hi := make([][]jute.Id, n)
	for start := 0; start < len(ids); {
		b := int(spreadHash(ids[start])) & (n - 1)
		end := start
		for end < len(ids) && int(spreadHash(ids[end]))&(n-1) == b {
			end++
		}
		bin := ids[start:end]
		// lastRun: the start of the longest suffix with one split bit.
		last := len(bin) - 1
		bit := int(spreadHash(bin[last])) & n
		for last > 0 && int(spreadHash(bin[last-1]))&n == bit {
			last--
		}
		var l, h []jute.Id
		if bit == 0 {
			l = append(l, bin[last:]...)
		} else {
			h = append(h, bin[last:]...)
		}
		for _, x := range bin[:last] {
			if int(spreadHash(x))&n == 0 {
				l = append([]jute.Id{x}, l...)
			} else {
				h = append([]jute.Id{x}, h...)
			}
		}
		lo[b], hi[b] = l, h
		start = end
	}
	out := make([]jute.Id, 0, len(ids))
	for _, l := range lo {
		out = append(out, l...)
	}
	for _, h := range hi {
		out = append(out, h...)
	}
	return out
}

// spreadHash is ConcurrentHashMap.spread(Id.hashCode()). The jute-generated
// Id.hashCode is 37*(37*17 + scheme.hashCode()) + id.hashCode().
func spreadHash(id jute.Id) uint32 {
	h := int32(37*17) + javaHash(id.Scheme)
	h = 37*h + javaHash(id.ID)
	u := uint32(h)
	return (u ^ u>>16) & 0x7fffffff
}
