package ensemble

import (
	"testing"
	"time"
)

// TestLeaderKill kills -9 the leader of a 3-server ensemble while three
// clients, homed on different members (one on the leader), write
// concurrently; writes must resume on the survivors, the restarted member
// must catch up, and no acknowledged write may be lost.
func TestLeaderKill(t *testing.T) {
	c := Start(t, Options{Servers: 3})
	l := startLoad(t, c, "/leaderkill", c.Members)
	l.waitProgress(t, 100, 20*time.Second)

	leader := c.Leader()
	if leader == nil {
		t.Fatal("no leader")
	}
	killed := time.Now()
	leader.Kill()
	l.waitProgress(t, 100, 30*time.Second)
	newLeader := c.WaitLeader(10 * time.Second)
	t.Logf("leader %d killed; server %d leads; first write issued after the kill acknowledged after %v",
		leader.ID, newLeader.ID, l.firstAckAfter(killed).Sub(killed).Round(time.Millisecond))

	leader.Start()
	l.waitProgress(t, 100, 20*time.Second)
	l.check(t, c)
	c.WaitZxidsEqual(20 * time.Second)
}

// TestFollowerFaults runs a write load on a 5-server ensemble through kill
// -9 of a follower, SIGSTOP and SIGCONT of another, and kill -9 of a
// minority (the leader and a follower at once): the rest keeps serving
// writes each time, and in the end every member, restarted or resumed, holds
// every acknowledged write.
func TestFollowerFaults(t *testing.T) {
	c := Start(t, Options{Servers: 5})
	l := startLoad(t, c, "/followerfaults", c.Members[:3])
	l.waitProgress(t, 50, 20*time.Second)

	f := c.Followers()
	a, b := f[0], f[1]
	t.Logf("kill -9 follower %d", a.ID)
	a.Kill()
	l.waitProgress(t, 100, 20*time.Second)
	a.Start()

	t.Logf("SIGSTOP follower %d", b.ID)
	b.Pause()
	l.waitProgress(t, 100, 20*time.Second)
	b.Resume()
	l.waitProgress(t, 50, 20*time.Second)

	leader := c.WaitLeader(10 * time.Second)
	other := c.Followers()[0]
	t.Logf("kill -9 leader %d and follower %d", leader.ID, other.ID)
	leader.Kill()
	other.Kill()
	l.waitProgress(t, 100, 30*time.Second)
	c.WaitLeader(10 * time.Second)
	leader.Start()
	other.Start()
	l.waitProgress(t, 50, 20*time.Second)
	l.check(t, c)
	c.WaitZxidsEqual(20 * time.Second)
}
