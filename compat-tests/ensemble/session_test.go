package ensemble

import (
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
)

// TestSessionReadsViaFollower keeps a session that only reads, through a
// follower, alive for three session timeouts: the follower must report its
// activity to the leader, which owns expiry. Its ephemeral must survive
// and no watcher on the leader may see it go.
func TestSessionReadsViaFollower(t *testing.T) {
	c := Start(t, Options{Servers: 3})
	f := c.Followers()[0]
	const timeout = 2 * time.Second
	cl := dial(t, "reader", []string{f.Addr}, timeout)
	if _, err := cl.Create("/keepalive", []byte("x"), zk.FlagEphemeral, acl); err != nil {
		t.Fatalf("create ephemeral: %v", err)
	}
	watcher := dial(t, "watcher", []string{c.Leader().Addr}, sessionTimeout)
	ok, _, ev, err := watcher.ExistsW("/keepalive")
	if err != nil || !ok {
		t.Fatalf("exists on the leader: %v, %v", ok, err)
	}
	until := time.Now().Add(3 * timeout)
	reads := 0
	for time.Now().Before(until) {
		if _, _, err := cl.Get("/keepalive"); err != nil {
			t.Fatalf("read %d through follower %d: %v", reads, f.ID, err)
		}
		reads++
		select {
		case e := <-ev:
			t.Fatalf("watcher on the leader saw %v on /keepalive after %d reads", e.Type, reads)
		case <-time.After(100 * time.Millisecond): // pacing of the reads
		}
	}
	if cl.expired.Load() || cl.sessions.Load() != 1 {
		t.Fatalf("reader: expired=%v, %d sessions", cl.expired.Load(), cl.sessions.Load())
	}
	_, st, err := syncGet(watcher, "/keepalive")
	if err != nil || st.EphemeralOwner != cl.SessionID() {
		t.Fatalf("ephemeral after %v of reads: %v, owner %v (session 0x%x)", 3*timeout, err, st, cl.SessionID())
	}
}

// TestSessionMoves kills -9 the server a client is connected to (a follower,
// then the leader): go-zookeeper reconnects to another member with the same
// session id and password, and its ephemeral survives well past the session
// timeout.
func TestSessionMoves(t *testing.T) {
	for _, role := range []string{"follower", "leader"} {
		t.Run(role, func(t *testing.T) {
			c := Start(t, Options{Servers: 3})
			home := c.Leader()
			if role == "follower" {
				home = c.Followers()[0]
			}
			const timeout = 4 * time.Second
			cl := dial(t, "mover", homeFirst(c, home), timeout)
			if cl.Server() != home.Addr {
				t.Fatalf("connected to %s, want %s", cl.Server(), home.Addr)
			}
			sid := cl.SessionID()
			if _, err := cl.Create("/mover", []byte("x"), zk.FlagEphemeral, acl); err != nil {
				t.Fatalf("create ephemeral: %v", err)
			}
			home.Kill()
			if !waitFor(20*time.Second, func() bool { return cl.sessions.Load() >= 2 }) {
				t.Fatalf("no new connection within 20s (state %v)", cl.State())
			}
			if cl.SessionID() != sid || cl.expired.Load() {
				t.Fatalf("session 0x%x -> 0x%x, expired=%v", sid, cl.SessionID(), cl.expired.Load())
			}
			t.Logf("session 0x%x moved from %s to %s", sid, home.Addr, cl.Server())
			// The moved session writes and owns its ephemeral.
			if err := retry(10*time.Second, func() error {
				_, err := cl.Create("/mover2", nil, zk.FlagEphemeral, acl)
				return err
			}); err != nil {
				t.Fatalf("write after the move: %v", err)
			}
			// Restart the dead server now; it catches up while the session
			// lives on elsewhere.
			restarted := time.Now()
			home.Start()
			var obs *client
			for _, m := range c.Others(home) {
				if m.Addr != cl.Server() {
					obs = dial(t, "observer", []string{m.Addr}, sessionTimeout)
				}
			}
			until := time.Now().Add(3 * timeout)
			for time.Now().Before(until) {
				_, st, err := syncGet(obs, "/mover")
				if err != nil || st.EphemeralOwner != sid {
					t.Fatalf("ephemeral /mover: %v (stat %+v), want owner 0x%x", err, st, sid)
				}
				time.Sleep(200 * time.Millisecond) // pacing of the checks
			}
			if cl.expired.Load() {
				t.Fatal("session expired")
			}
			// The restarted server knows the session too.
			back := dial(t, "back", []string{home.Addr}, sessionTimeout)
			_, st, err := syncGetRetry(back, "/mover")
			if err != nil || st.EphemeralOwner != sid {
				t.Fatalf("restarted server %d: /mover %v, %+v", home.ID, err, st)
			}
			t.Logf("restarted server %d served the session's ephemeral %v after its restart", home.ID, time.Since(restarted).Round(time.Millisecond))
		})
	}
}

func syncGetRetry(c *client, path string) (b []byte, st *zk.Stat, err error) {
	err = retry(20*time.Second, func() error {
		b, st, err = syncGet(c, path)
		return err
	})
	return b, st, err
}
