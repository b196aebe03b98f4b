package ensemble

import (
	"fmt"
	"strconv"
	"testing"
	"time"
)

// TestReplication writes through every member of 3- and 5-server ensembles
// and checks that a write is visible at once to its own session (read your
// writes), to every other member after sync (sync+read sees the latest
// write), and eventually to plain local reads everywhere, and that all
// members end at the same zxid.
func TestReplication(t *testing.T) {
	for _, n := range []int{3, 5} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			c := Start(t, Options{Servers: n})
			var clients []*client
			for _, m := range c.Members {
				// Only the home server: a client must not wander off it.
				clients = append(clients, dial(t, fmt.Sprintf("c%d", m.ID), []string{m.Addr}, sessionTimeout))
			}
			mustCreate(t, clients[0], "/repl", nil)
			mustCreate(t, clients[0], "/repl/shared", nil)
			for round := 0; round < 3; round++ {
				for i, w := range clients {
					v := fmt.Sprintf("r%d-from-%d", round, i+1)
					if _, err := w.Set("/repl/shared", []byte(v), -1); err != nil {
						t.Fatalf("%s: set: %v", w.name, err)
					}
					own := fmt.Sprintf("/repl/own%d", i+1)
					if round == 0 {
						if _, err := w.Create(own, []byte(v), 0, acl); err != nil {
							t.Fatalf("%s: create %s: %v", w.name, own, err)
						}
					} else if _, err := w.Set(own, []byte(v), int32(round-1)); err != nil {
						t.Fatalf("%s: set %s: %v", w.name, own, err)
					}
					// Read your writes, without sync.
					if b, _, err := w.Get("/repl/shared"); err != nil || string(b) != v {
						t.Fatalf("%s: own write not visible: %q, %v; want %q", w.name, b, err, v)
					}
					// Everyone else after sync.
					for _, r := range clients {
						b, st, err := syncGet(r, "/repl/shared")
						if err != nil || string(b) != v {
							t.Fatalf("%s (%s): sync+get = %q, %v; want %q (written through %s)", r.name, r.Server(), b, err, v, w.name)
						}
						if st.Version != int32(round*len(clients)+i+1) {
							t.Fatalf("%s: version %d after %d sets", r.name, st.Version, round*len(clients)+i+1)
						}
					}
				}
			}
			// Plain local reads converge on every member.
			for _, r := range clients {
				waitData(t, r, "/repl/shared", fmt.Sprintf("r2-from-%d", len(clients)), 10*time.Second)
				for i := range clients {
					waitData(t, r, fmt.Sprintf("/repl/own%d", i+1), fmt.Sprintf("r2-from-%d", i+1), 10*time.Second)
				}
				kids, _, err := r.Children("/repl")
				if err != nil || len(kids) != n+1 {
					t.Fatalf("%s: children of /repl = %v, %v", r.name, kids, err)
				}
			}
			c.WaitZxidsEqual(10 * time.Second)
		})
	}
}
