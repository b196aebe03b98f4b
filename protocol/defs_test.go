package protocol_test

import (
	"testing"

	"github.com/raftzk/raftzk/protocol"
)

// TestTTLOwner checks the stored ephemeralOwner of TTL nodes against
// EphemeralType.TTL: 0xFF in the top byte, feature bits 40-55 zero (TTL), the
// TTL in ms in the low 40 bits.
func TestTTLOwner(t *testing.T) {
	for _, tc := range []struct {
		ttl   int64
		owner uint64
	}{
		{1, 0xFF00000000000001},
		{60000, 0xFF0000000000EA60},
		{1234567, 0xFF0000000012D687},
		{protocol.MaxTTL, 0xFF0000FFFFFFFFFF},
	} {
		got := protocol.TTLOwner(tc.ttl)
		if uint64(got) != tc.owner {
			t.Errorf("TTLOwner(%d) = %#x, want %#x", tc.ttl, uint64(got), tc.owner)
		}
		if ttl, ok := protocol.OwnerTTL(got); !ok || ttl != tc.ttl {
			t.Errorf("OwnerTTL(%#x) = %d, %v", uint64(got), ttl, ok)
		}
	}
	if protocol.MaxTTL != 1<<40-1 {
		t.Errorf("MaxTTL = %d", protocol.MaxTTL)
	}
	// Owners that are not TTL markers: persistent (0), a session id (the top
	// byte is the server id, <= 254 with extended types), a container.
	for _, owner := range []int64{0, 0x0100000123450000, 0x7E00000000000001, protocol.ContainerEphemeralOwner} {
		if _, ok := protocol.OwnerTTL(owner); ok {
			t.Errorf("OwnerTTL(%#x) reports a TTL node", uint64(owner))
		}
	}
	if owner := protocol.ContainerEphemeralOwner; owner != -1<<63 {
		t.Errorf("container owner %d", owner)
	}
}

func TestCreateMode(t *testing.T) {
	for _, tc := range []struct {
		m                               protocol.CreateMode
		valid, eph, seq, container, ttl bool
	}{
		{0, true, false, false, false, false},
		{1, true, true, false, false, false},
		{2, true, false, true, false, false},
		{3, true, true, true, false, false},
		{4, true, false, false, true, false},
		{5, true, false, false, false, true},
		{6, true, false, true, false, true},
		{7, false, false, false, false, false},
		{-1, false, false, false, false, false},
		{9, false, false, false, false, false},
	} {
		if tc.m.Valid() != tc.valid || tc.m.Ephemeral() != tc.eph || tc.m.Sequential() != tc.seq ||
			tc.m.Container() != tc.container || tc.m.TTL() != tc.ttl {
			t.Errorf("mode %d: valid=%v eph=%v seq=%v container=%v ttl=%v", tc.m,
				tc.m.Valid(), tc.m.Ephemeral(), tc.m.Sequential(), tc.m.Container(), tc.m.TTL())
		}
	}
}

func TestFourLetterWords(t *testing.T) {
	// "ruok" read as the length word of a frame.
	if w := protocol.FourLetterWords[0x72756f6b]; w != "ruok" {
		t.Errorf("ruok -> %q", w)
	}
	for v, w := range protocol.FourLetterWords {
		if v >= 0 && v <= protocol.DefaultMaxBuffer {
			t.Errorf("%s = %d is a valid frame length", w, v)
		}
	}
	ti := protocol.TelnetInterrupt
	if uint32(ti) != 0xfff4fffd {
		t.Errorf("telnet interrupt %#x", uint32(ti))
	}
}
