package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/raftzk/raftzk/compat-tests/zkraw"
	"github.com/raftzk/raftzk/protocol"
)

// member is one server of a test ensemble.
type member struct {
	id                    int
	client, quorum, elect int
	dir, cfg              string
	proc                  *proc
}

func (m member) line() string {
	return fmt.Sprintf("server.%d=127.0.0.1:%d:%d;%d", m.id, m.quorum, m.elect, m.client)
}

func (m member) addr() string { return fmt.Sprintf("127.0.0.1:%d", m.client) }

func newMembers(t *testing.T, n int) []*member {
	ms := make([]*member, n)
	ports := freePorts(t, 3*n)
	for i := range ms {
		dir := t.TempDir()
		ms[i] = &member{id: i + 1, client: ports[3*i], quorum: ports[3*i+1], elect: ports[3*i+2], dir: dir}
		if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "data", "myid"), []byte(fmt.Sprintf("%d\n", i+1)), 0o644)
	}
	return ms
}

// writeMemberConfig writes m's zoo.cfg listing servers.
func writeMemberConfig(t *testing.T, m *member, servers []*member) {
	var lines []string
	for _, s := range servers {
		lines = append(lines, s.line())
	}
	cfg := fmt.Sprintf("tickTime=500\ninitLimit=10\nsyncLimit=5\nreconfigEnabled=true\n4lw.commands.whitelist=*\ndataDir=%s\n%s\n",
		filepath.Join(m.dir, "data"), strings.Join(lines, "\n"))
	m.cfg = filepath.Join(m.dir, "zoo.cfg")
	if err := os.WriteFile(m.cfg, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitSettled waits until one member reports Mode: leader and every other
// one follower or observer.
func waitSettled(t *testing.T, ms []*member) {
	t.Helper()
	waitUntil(t, "the ensemble to elect a leader", func() bool {
		leaders := 0
		for _, m := range ms {
			out := fourLetter(m.addr(), "srvr")
			switch {
			case strings.Contains(out, "Mode: leader\n"):
				leaders++
			case strings.Contains(out, "Mode: follower\n"), strings.Contains(out, "Mode: observer\n"):
			default:
				return false
			}
		}
		return leaders == 1
	})
}

const superFlag = "-Dzookeeper.DigestAuthenticationProvider.superDigest=super:lK75jTNcA+U9vtVEw5vB51mj/w4="

// TestEnsembleReconfigAddRemove forms a 3-server ensemble, joins a 4th with
// reconfig through a follower, checks it serves the data, then removes a
// server and checks /zookeeper/config and that the removed one stops serving.
func TestEnsembleReconfigAddRemove(t *testing.T) {
	ms := newMembers(t, 4)
	for _, m := range ms[:3] {
		writeMemberConfig(t, m, ms[:3])
		m.proc = startBinary(t, m.cfg, m.addr(), superFlag)
	}
	waitSettled(t, ms[:3])
	writeMemberConfig(t, ms[3], ms)
	ms[3].proc = startBinaryNoWait(t, ms[3].cfg, superFlag, "--join")

	c := dial(t, ms[1].addr())
	defer c.Close()
	if _, err := c.Create("/before", []byte("x"), 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.IncrementalReconfig([]string{ms[3].line()}, nil, -1); !errors.Is(err, zk.ErrNoAuth) {
		t.Fatalf("reconfig without super: %v", err)
	}
	if err := c.AddAuth("digest", []byte("super:secret")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.IncrementalReconfig([]string{ms[3].line()}, nil, 12345); !errors.Is(err, zk.ErrBadVersion) {
		t.Fatalf("reconfig with a stale version: %v", err)
	}
	st, err := c.IncrementalReconfig([]string{ms[3].line()}, nil, -1)
	if err != nil {
		t.Fatal(err)
	}
	data, _, err := c.Get("/zookeeper/config")
	if err != nil || !strings.Contains(string(data), fmt.Sprintf("server.4=127.0.0.1:%d:%d:participant", ms[3].quorum, ms[3].elect)) ||
		!strings.HasSuffix(string(data), fmt.Sprintf("version=%x", st.Mzxid)) {
		t.Fatalf("config after add (stat %+v): %q %v", st, data, err)
	}
	c4 := dial(t, ms[3].addr())
	defer c4.Close()
	waitUntil(t, "the joined server to serve /before", func() bool {
		d, _, err := c4.Get("/before")
		return err == nil && string(d) == "x"
	})
	if _, err := c4.Create("/via4", nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatalf("write through the joined server: %v", err)
	}

	// Remove the leader when it is not the client's own server (the
	// hardest case: it must commit the new membership, then leave), else
	// server 3.
	gone := ms[2]
	for _, m := range []*member{ms[0], ms[2], ms[3]} {
		if strings.Contains(fourLetter(m.addr(), "srvr"), "Mode: leader\n") {
			gone = m
		}
	}
	t.Logf("removing server %d (leader: %v)", gone.id, strings.Contains(fourLetter(gone.addr(), "srvr"), "Mode: leader\n"))
	if _, err := c.IncrementalReconfig(nil, []string{fmt.Sprint(gone.id)}, -1); err != nil {
		t.Fatalf("removing server %d: %v", gone.id, err)
	}
	data, _, _ = c.Get("/zookeeper/config")
	if strings.Contains(string(data), fmt.Sprintf("server.%d=", gone.id)) {
		t.Fatalf("server %d still listed: %q", gone.id, data)
	}
	waitUntil(t, "the removed server to stop serving", func() bool {
		return strings.Contains(fourLetter(gone.addr(), "srvr"), "not currently serving")
	})
	waitUntil(t, "the rest to elect a leader", func() bool {
		_, err := c.Create("/after-remove", nil, 0, zk.WorldACL(zk.PermAll))
		return err == nil || errors.Is(err, zk.ErrNodeExists)
	})
	if ok, _, err := c.Exists("/via4"); !ok || err != nil {
		t.Fatalf("write lost across reconfig: %v %v", ok, err)
	}
}

// fourLetter asks addr a four-letter word; "" if it cannot be reached.
func fourLetter(addr, w string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	out, _ := zkraw.FourLetterWord(ctx, addr, w)
	return out
}

// TestEnsembleObserver: an observer (server.N=...:observer) serves reads and
// writes, reports Mode: observer, and the voters keep working when it dies.
func TestEnsembleObserver(t *testing.T) {
	ms := newMembers(t, 4)
	lines := func(m *member) string {
		if m.id == 4 {
			return fmt.Sprintf("server.%d=127.0.0.1:%d:%d:observer;%d", m.id, m.quorum, m.elect, m.client)
		}
		return m.line()
	}
	for _, m := range ms {
		var all []string
		for _, o := range ms {
			all = append(all, lines(o))
		}
		peer := "participant"
		if m.id == 4 {
			peer = "observer"
		}
		cfg := fmt.Sprintf("tickTime=500\ninitLimit=10\nsyncLimit=5\n4lw.commands.whitelist=*\npeerType=%s\ndataDir=%s\n%s\n",
			peer, filepath.Join(m.dir, "data"), strings.Join(all, "\n"))
		m.cfg = filepath.Join(m.dir, "zoo.cfg")
		if err := os.WriteFile(m.cfg, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range ms {
		m.proc = startBinary(t, m.cfg, m.addr())
	}
	waitSettled(t, ms)
	obs := ms[3]
	waitUntil(t, "the observer to report its mode", func() bool {
		return strings.Contains(fourLetter(obs.addr(), "srvr"), "Mode: observer\n")
	})
	// The leader's mntr counts its learners, as ZooKeeper's does.
	waitUntil(t, "the leader's mntr to count 2 followers and 1 observer", func() bool {
		for _, m := range ms {
			out := fourLetter(m.addr(), "mntr")
			if strings.Contains(out, "zk_server_state\tleader\n") {
				return strings.Contains(out, "zk_learners\t3\n") && strings.Contains(out, "zk_synced_followers\t2\n") &&
					strings.Contains(out, "zk_synced_observers\t1\n") && strings.Contains(out, "zk_pending_syncs\t0\n")
			}
		}
		return false
	})
	co := dial(t, obs.addr())
	defer co.Close()
	if _, err := co.Create("/via-observer", []byte("o"), 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatalf("write through the observer: %v", err)
	}
	c1 := dial(t, ms[0].addr())
	defer c1.Close()
	if _, err := c1.Sync("/via-observer"); err != nil {
		t.Fatal(err)
	}
	if d, _, err := c1.Get("/via-observer"); err != nil || string(d) != "o" {
		t.Fatalf("read on a voter: %q %v", d, err)
	}
	// The observer dies: two of three voters remain, writes go on.
	obs.proc.cmd.Process.Kill()
	obs.proc.cmd.Wait()
	if _, err := c1.Create("/after-observer", nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatalf("write after the observer died: %v", err)
	}
}

// TestEnsembleReadOnlyMode: with readonlymode.enabled, a member cut off from
// the quorum serves read-only clients (isro answers ro, reads work, writes
// get NotReadOnly) and goes back to read-write when the quorum returns.
func TestEnsembleReadOnlyMode(t *testing.T) {
	ms := newMembers(t, 3)
	for _, m := range ms {
		writeMemberConfig(t, m, ms)
		m.proc = startBinary(t, m.cfg, m.addr(), "-Dreadonlymode.enabled=true")
	}
	waitSettled(t, ms)
	c := dial(t, ms[0].addr())
	if _, err := c.Create("/ro", []byte("v"), 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	c.Close()
	survivor := ms[0] // the writer's server: it has applied /ro
	for _, m := range ms[1:] {
		m.proc.cmd.Process.Kill()
		m.proc.cmd.Wait()
	}
	waitUntil(t, "the survivor to go read-only", func() bool { return fourLetter(survivor.addr(), "isro") == "ro" })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ro, err := zkraw.Dial(ctx, survivor.addr(), zkraw.Options{Timeout: 4 * time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if !ro.Handshake().ReadOnly {
		t.Fatal("handshake did not say read-only")
	}
	if got, err := ro.GetData(ctx, "/ro", false); err != nil || string(got.Data) != "v" {
		t.Fatalf("read-only read: %+v %v", got, err)
	}
	if _, err := ro.SetData(ctx, "/ro", []byte("x"), -1); !errors.Is(err, protocol.CodeNotReadOnly) {
		t.Fatalf("write on a read-only member: %v", err)
	}
	for _, m := range ms[1:] {
		m.proc = startBinary(t, m.cfg, m.addr(), "-Dreadonlymode.enabled=true")
	}
	waitUntil(t, "the survivor to serve read-write again", func() bool { return fourLetter(survivor.addr(), "isro") == "rw" })
}

// TestEnsembleCommitsReachFollowersAtOnce runs an ensemble whose raft commit
// timeout is an hour, so that raft alone would tell a follower the commit
// index only with the next write: the leader's commit announcements and the
// commits of forwarded writes must carry it instead. A watch on a follower
// fires for a write through the leader; a write and a sync through a
// follower complete.
func TestEnsembleCommitsReachFollowersAtOnce(t *testing.T) {
	ms := newMembers(t, 3)
	for _, m := range ms {
		writeMemberConfig(t, m, ms)
		m.proc = startBinary(t, m.cfg, m.addr(), "-Draftzk.commitTimeoutMs=3600000")
	}
	waitSettled(t, ms)
	var leader *member
	var followers []*member
	for _, m := range ms {
		if strings.Contains(fourLetter(m.addr(), "srvr"), "Mode: leader\n") {
			leader = m
		} else {
			followers = append(followers, m)
		}
	}
	cl := dial(t, leader.addr())
	defer cl.Close()
	cf := dial(t, followers[0].addr())
	defer cf.Close()
	within := func(what string, f func() error) {
		t.Helper()
		done := make(chan error, 1)
		go func() { done <- f() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: no answer within 20s (the commit timeout is an hour)", what)
		}
	}
	for i := range 3 {
		p := fmt.Sprintf("/commit%d", i)
		within("write through the follower", func() error {
			_, err := cf.Create(p, nil, 0, zk.WorldACL(zk.PermAll))
			return err
		})
		within("sync through the follower", func() error {
			_, err := cf.Sync(p)
			return err
		})
		_, _, ch, err := cf.GetW(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cl.Set(p, []byte("x"), -1); err != nil {
			t.Fatal(err)
		}
		select {
		case ev := <-ch:
			if ev.Type != zk.EventNodeDataChanged || ev.Path != p {
				t.Fatalf("watch event %+v", ev)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("the follower's watch on %s did not fire within 20s of a write through the leader", p)
		}
	}
}
