package acl

import (
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/raftzk/raftzk/jute"
)

// ipProvider is IPAuthenticationProvider with IPv6 support (ZOOKEEPER-4240,
// merged July 2025, present in the 3.9.5 sources the reference follows).
// Older servers, 3.8.0 included, parse only dotted IPv4: an IPv6 ACL is
// InvalidACL there and an IPv6 client never matches an ip entry.
type ipProvider struct{}

func (ipProvider) Scheme() string { return "ip" }

// Authenticate mirrors handleAuthentication: an auth packet with scheme ip
// succeeds whatever its bytes and gives the connection the id of its own
// remote address (which it already has). Without an address Java throws,
// which the server reports as AuthFailed.
func (ipProvider) Authenticate(_ []byte, remote net.Addr) ([]jute.Id, bool) {
	id, ok := ipID(remote)
	if !ok {
		return nil, false
	}
	return []jute.Id{id}, true
}

func (ipProvider) Authenticated() bool { return false }

func (ipProvider) Valid(id string) bool {
	_, _, ok := parseIPExpr(id)
	return ok
}

func (ipProvider) Matches(id, aclExpr string) bool { return ipMatches(id, aclExpr) }

func (ipProvider) UserName(id string) string { return id }

// parseIPExpr parses an ip ACL id, "addr" or "addr/bits", as
// IPAuthenticationProvider.isValid and matches do: the address is IPv6 when it
// contains ':', IPv4 when it contains '.', and bits must parse as an int in
// [0, 8*len(addr)]. Without "/bits" the whole address counts.
func parseIPExpr(expr string) (addr []byte, bits int, ok bool) {
	a, b, hasBits := strings.Cut(expr, "/")
	addr = ipBytes(a)
	if addr == nil {
		return nil, 0, false
	}
	bits = 8 * len(addr)
	if hasBits {
		v, ok := javaParseInt(b, 10)
		if !ok || v < 0 || v > int64(8*len(addr)) {
			return nil, 0, false
		}
		bits = int(v)
	}
	return addr, bits, true
}

// ipMatches is IPAuthenticationProvider.matches: the connection's address id
// and the ACL's address, both masked to the ACL's prefix length, are equal
// and of the same family.
func ipMatches(id, aclExpr string) bool {
	aclAddr, bits, ok := parseIPExpr(aclExpr)
	if !ok {
		return false
	}
	remote := ipBytes(id)
	if remote == nil || len(remote) != len(aclAddr) {
		return false
	}
	maskBits(aclAddr, bits)
	maskBits(remote, bits)
	return string(remote) == string(aclAddr)
}

// maskBits clears every bit of b after the first bits.
func maskBits(b []byte, bits int) {
	for i := range b {
		switch {
		case bits >= 8:
			bits -= 8
		case bits > 0:
			b[i] &= ^byte(0xff >> bits)
			bits = 0
		default:
			b[i] = 0
		}
	}
}

// ipBytes is addr2Bytes: 16 bytes for an IPv6 text, 4 for IPv4, nil when the
// text is neither.
func ipBytes(s string) []byte {
	switch {
	case strings.Contains(s, ":"):
		return v6Bytes(s)
	case strings.Contains(s, "."):
		return v4Bytes(s)
	}
	return nil
}

// v4Bytes is v4addr2Bytes: exactly four '.'-separated parts, each an int
// (Integer.parseInt) in [0, 255].
func v4Bytes(s string) []byte {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return nil
	}
	b := make([]byte, 4)
	for i, p := range parts {
		v, ok := javaParseInt(p, 10)
		if !ok || v < 0 || v > 255 {
			return nil
		}
		b[i] = byte(v)
	}
	return b
}

// v6Bytes is parseV6addr: at most one "::"; without it exactly eight
// ':'-separated segments, with it fewer than eight; each segment 1..4 UTF-16
// units parsed by Integer.parseInt(seg, 16), of which the low 16 bits count
// (so "-1" reads as ffff, as in Java). No embedded IPv4, no zone.
func v6Bytes(s string) []byte {
	parts := strings.Split(s, "::")
	var seg1, seg2 []string
	switch len(parts) {
	case 1:
		seg1 = strings.Split(parts[0], ":")
		if len(seg1) != 8 {
			return nil
		}
	case 2:
		if parts[0] != "" {
			seg1 = strings.Split(parts[0], ":")
		}
		if parts[1] != "" {
			seg2 = strings.Split(parts[1], ":")
		}
		if len(seg1)+len(seg2) >= 8 {
			return nil
		}
	default:
		return nil
	}
	b := make([]byte, 16)
	if !v6Segments(b[:2*len(seg1)], seg1) || !v6Segments(b[16-2*len(seg2):], seg2) {
		return nil
	}
	return b
}

func v6Segments(dst []byte, segs []string) bool {
	for i, s := range segs {
		if s == "" || javaLen(s) > 4 {
			return false
		}
		v, ok := javaParseInt(s, 16)
		if !ok {
			return false
		}
		dst[2*i] = byte(v >> 8)
		dst[2*i+1] = byte(v)
	}
	return true
}

// HostAddress formats a as Java's InetAddress.getHostAddress does: an IPv4 (or
// IPv4-mapped IPv6) address dotted, any other IPv6 address as eight groups of
// lower-case hex without leading zeros and without "::" compression
// ("0:0:0:0:0:0:0:1"), followed by "%zone" when a has a zone.
func HostAddress(a netip.Addr) string {
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	if !a.Is6() {
		return ""
	}
	b := a.As16()
	var sb strings.Builder
	for i := 0; i < 16; i += 2 {
		if i > 0 {
			sb.WriteByte(':')
		}
		sb.WriteString(strconv.FormatUint(uint64(b[i])<<8|uint64(b[i+1]), 16))
	}
	if z := a.Zone(); z != "" {
		sb.WriteByte('%')
		sb.WriteString(z)
	}
	return sb.String()
}

// IPID returns the id every connection gets from its peer's address,
// ip:<HostAddress>, as NIOServerCnxn and NettyServerCnxn add it on accept.
// remote is normally a *net.TCPAddr; other net.Addr values are parsed from
// their String form. ok is false when remote holds no IP address.
func IPID(remote net.Addr) (id jute.Id, ok bool) { return ipID(remote) }

func ipID(remote net.Addr) (jute.Id, bool) {
	var a netip.Addr
	switch r := remote.(type) {
	case nil:
		return jute.Id{}, false
	case *net.TCPAddr:
		if r == nil {
			return jute.Id{}, false
		}
		a = netIPAddr(r.IP, r.Zone)
	case *net.UDPAddr:
		if r == nil {
			return jute.Id{}, false
		}
		a = netIPAddr(r.IP, r.Zone)
	case *net.IPAddr:
		if r == nil {
			return jute.Id{}, false
		}
		a = netIPAddr(r.IP, r.Zone)
	default:
		s := remote.String()
		if ap, err := netip.ParseAddrPort(s); err == nil {
			a = ap.Addr()
		} else if p, err := netip.ParseAddr(s); err == nil {
			a = p
		}
	}
	if !a.IsValid() {
		return jute.Id{}, false
	}
	return jute.Id{Scheme: "ip", ID: HostAddress(a)}, true
}

func netIPAddr(ip net.IP, zone string) netip.Addr {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return netip.Addr{}
	}
	if zone != "" && a.Is6() && !a.Is4In6() {
		a = a.WithZone(zone)
	}
	return a
}
