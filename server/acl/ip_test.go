package acl

import (
	"net"
	"net/netip"
	"testing"
	"unicode"

	"github.com/raftzk/raftzk/jute"
)

func TestIP_Valid(t *testing.T) {
	tests := []struct {
		expr string
		want bool
	}{
		{"1.2.3.4", true},
		{"1.2.3.4/0", true},
		{"1.2.3.4/32", true},
		{"1.2.3.4/33", false},
		{"1.2.3.4/-1", false},
		{"1.2.3.4/", false},
		{"1.2.3.4/8/8", false},
		{"/8", false},
		{"1.2.3", false},
		{"1.2.3.256", false},
		{"+1.2.3.-0", true}, // Integer.parseInt accepts signs
		{"١.2.3.4", true},   // and any Unicode decimal digit
		{"localhost", false},
		{"", false},
		// IPv6, as parsed since ZOOKEEPER-4240.
		{"::", true},
		{"::1", true},
		{"::/0", true},
		{"::1/128", true},
		{"::1/129", false},
		{"1::", true},
		{"fe80::1:2", true},
		{"0:0:0:0:0:0:0:1", true},
		{"0:0:0:0:0:0:0:1/64", true},
		{"FFFF:ffff:0:0:0:0:0:0", true},
		{"0:0:0:0:0:0:0", false},     // seven groups without ::
		{"0:0:0:0:0:0:0:0:0", false}, // nine groups
		{"1:2:3:4::5:6:7:8", false},  // :: must stand for at least one group
		{"1:2:3:4::5:6:7", true},
		{"1::2::3", false},
		{":::1", false},
		{"1:::", false},
		{":1::", false},
		{"12345::", false},
		{"g::", false},
		{"-1::", true},            // parseInt("-1", 16) keeps its low 16 bits: ffff
		{"::ffff:1.2.3.4", false}, // no embedded IPv4
		{"fe80::1%eth0", false},   // no zone
		{"[::1]", false},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			if got := (ipProvider{}).Valid(tt.expr); got != tt.want {
				t.Errorf("Valid(%q) = %v, want %v", tt.expr, got, tt.want)
			}
		})
	}
}

func TestIP_Matches(t *testing.T) {
	tests := []struct {
		id, expr string
		want     bool
	}{
		{"127.0.0.1", "127.0.0.1", true},
		{"127.0.0.1", "127.0.0.2", false},
		{"127.0.0.1", "127.0.0.0/8", true},
		{"127.0.0.1", "127.255.255.255/8", true},
		{"128.0.0.1", "127.0.0.0/8", false},
		{"10.1.2.3", "10.1.2.0/23", true},
		{"10.1.3.3", "10.1.2.0/23", true},
		{"10.1.4.3", "10.1.2.0/23", false},
		{"1.2.3.4", "0.0.0.0/0", true},
		{"1.2.3.4", "1.2.3.4/33", false},
		{"1.2.3.4", "nope", false},
		{"nope", "0.0.0.0/0", false},
		{"0:0:0:0:0:0:0:1", "::1", true},
		{"0:0:0:0:0:0:0:1", "::2", false},
		{"0:0:0:0:0:0:0:1", "::/127", true},
		{"fe80:0:0:0:0:0:0:1", "fe80::/10", true},
		{"fe80:0:0:0:0:0:0:1", "fec0::/10", false},
		{"febf:0:0:0:0:0:0:1", "fe80::/10", true},
		{"2001:db8:0:0:0:0:0:1", "2001:DB8::/32", true},
		{"0:0:0:0:0:0:0:1", "0.0.0.0/0", false}, // families differ
		{"1.2.3.4", "::/0", false},
		{"0:0:0:0:0:0:0:0", "0.0.0.0", false},
		{"fe80:0:0:0:0:0:0:1%eth0", "fe80::/10", false}, // a zoned id never parses
	}
	for _, tt := range tests {
		t.Run(tt.id+"~"+tt.expr, func(t *testing.T) {
			if got := ipMatches(tt.id, tt.expr); got != tt.want {
				t.Errorf("matches(%q, %q) = %v, want %v", tt.id, tt.expr, got, tt.want)
			}
		})
	}
}

func TestHostAddress(t *testing.T) {
	tests := []struct{ in, want string }{
		{"127.0.0.1", "127.0.0.1"},
		{"::1", "0:0:0:0:0:0:0:1"},
		{"::ffff:10.0.0.1", "10.0.0.1"},
		{"2001:db8::ff00:42:8329", "2001:db8:0:0:0:ff00:42:8329"},
		{"fe80::1%eth0", "fe80:0:0:0:0:0:0:1%eth0"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := HostAddress(netip.MustParseAddr(tt.in)); got != tt.want {
				t.Errorf("HostAddress = %q, want %q", got, tt.want)
			}
		})
	}
	if got := HostAddress(netip.Addr{}); got != "" {
		t.Errorf("HostAddress(zero) = %q", got)
	}
}

type strAddr string

func (a strAddr) Network() string { return "test" }
func (a strAddr) String() string  { return string(a) }

func TestIPID(t *testing.T) {
	tests := []struct {
		name   string
		remote net.Addr
		want   string
		ok     bool
	}{
		{"tcp v4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}, "127.0.0.1", true},
		{"tcp v4 in 16 bytes", &net.TCPAddr{IP: net.ParseIP("::ffff:192.168.1.2")}, "192.168.1.2", true},
		{"tcp v6", &net.TCPAddr{IP: net.IPv6loopback}, "0:0:0:0:0:0:0:1", true},
		{"tcp v6 zone", &net.TCPAddr{IP: net.ParseIP("fe80::1"), Zone: "eth0"}, "fe80:0:0:0:0:0:0:1%eth0", true},
		{"udp", &net.UDPAddr{IP: net.IPv4(10, 0, 0, 1)}, "10.0.0.1", true},
		{"ipaddr", &net.IPAddr{IP: net.IPv4(10, 0, 0, 2)}, "10.0.0.2", true},
		{"string addr:port", strAddr("[::1]:2181"), "0:0:0:0:0:0:0:1", true},
		{"string addr", strAddr("10.0.0.3"), "10.0.0.3", true},
		{"unix", &net.UnixAddr{Name: "/tmp/s", Net: "unix"}, "", false},
		{"nil", nil, "", false},
		{"nil tcp", (*net.TCPAddr)(nil), "", false},
		{"empty tcp", &net.TCPAddr{}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := IPID(tt.remote)
			want := jute.Id{}
			if tt.ok {
				want = jute.Id{Scheme: "ip", ID: tt.want}
			}
			if ok != tt.ok || got != want {
				t.Errorf("IPID = %v, %v; want %v, %v", got, ok, want, tt.ok)
			}
		})
	}
}

func TestJavaDigit(t *testing.T) {
	tests := []struct {
		r     rune
		radix int
		want  int
	}{
		{'7', 10, 7}, {'a', 10, -1}, {'a', 16, 10}, {'F', 16, 15}, {'g', 16, -1},
		{'٣', 10, 3}, {'９', 10, 9}, {'ｆ', 16, 15}, {'Ｆ', 16, 15}, {'ｇ', 16, -1},
		{'\U0001D7CE', 10, -1}, // outside the BMP: a surrogate pair in Java
		{'²', 10, -1},          // No, not Nd
		{' ', 10, -1},
	}
	for _, tt := range tests {
		t.Run(string(tt.r), func(t *testing.T) {
			if got := javaDigit(tt.r, tt.radix); got != tt.want {
				t.Errorf("javaDigit(%q, %d) = %d, want %d", tt.r, tt.radix, got, tt.want)
			}
		})
	}
	// javaDigit derives a digit's value from its position in its run of Nd
	// code points, which holds only if every run is whole decades.
	for r := rune(0x80); r <= 0xffff; r++ {
		if !unicode.Is(unicode.Nd, r) || unicode.Is(unicode.Nd, r-1) {
			continue
		}
		n := 0
		for unicode.Is(unicode.Nd, r+rune(n)) {
			n++
		}
		if n%10 != 0 {
			t.Errorf("digit run at %U has length %d", r, n)
		}
	}
}
