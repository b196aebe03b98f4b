package freeport

import (
	"net"
	"strconv"
	"testing"
)

func TestPorts(t *testing.T) {
	seen := map[int]bool{}
	for range 20 {
		ps, err := Ports(3)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 3 {
			t.Fatalf("got %d ports, want 3", len(ps))
		}
		for _, p := range ps {
			if seen[p] {
				t.Fatalf("port %d handed out twice", p)
			}
			seen[p] = true
			if p < lowest || p >= ephemeralLow() {
				t.Errorf("port %d outside %d..%d", p, lowest, ephemeralLow()-1)
			}
			l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
			if err != nil {
				t.Fatalf("port %d is not free: %v", p, err)
			}
			l.Close()
		}
	}
}
