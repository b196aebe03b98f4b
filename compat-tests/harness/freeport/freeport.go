// Package freeport chooses loopback TCP ports for test servers that must be
// told their ports before they bind them (a server process, or the members of
// an ensemble, which name each other's ports in their configs).
//
// A port taken with Listen("127.0.0.1:0") and closed again comes from the
// kernel's ephemeral range, where every outgoing connection of every test
// running in parallel also takes its local port: one of them can take the
// port before the server binds it. So Ports chooses random ports below that
// range, which only another test choosing the same way could want, and checks
// each is free.
package freeport

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
)

// lowest is the lowest port Ports hands out.
const lowest = 10000

var (
	mu     sync.Mutex
	handed = map[int]bool{} // ports this process handed out already
)

// Ports returns n distinct ports that were free on 127.0.0.1 and 0.0.0.0 when
// it returned. It never returns a port twice in one process.
func Ports(n int) ([]int, error) {
	mu.Lock()
	defer mu.Unlock()
	limit := ephemeralLow()
	var ports []int
	var held []net.Listener
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	for tries := 0; len(ports) < n; tries++ {
		if tries > 1000 {
			return nil, fmt.Errorf("freeport: no free port in %d..%d after %d tries", lowest, limit-1, tries)
		}
		var p int
		if limit-lowest < 1000 {
			// No room below the ephemeral range: let the kernel choose.
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return nil, err
			}
			held = append(held, l)
			p = l.Addr().(*net.TCPAddr).Port
		} else {
			p = lowest + rand.IntN(limit-lowest)
			if handed[p] {
				continue
			}
			// Servers bind the wildcard address or loopback: both must be free.
			l, err := net.Listen("tcp", ":"+strconv.Itoa(p))
			if err != nil {
				continue
			}
			held = append(held, l)
		}
		handed[p] = true
		ports = append(ports, p)
	}
	return ports, nil
}

// ephemeralLow is the first port of the kernel's ephemeral range (32768 when
// it cannot be read).
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 32768
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 32768
	}
	v, err := strconv.Atoi(f[0])
	if err != nil || v <= lowest {
		return 32768
	}
	return v
}
