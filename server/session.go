package server

import (
	"encoding/binary"
	"sync"
	"time"
)

// Password returns a session's password as ZooKeeper computes it: the first
// 16 bytes of java.util.Random(id ^ 0xB3415C00).nextBytes. Because it is a
// pure function of the id, sessions survive restarts, failover and import.
func Password(id int64) []byte {
	const mult, add, mask = 0x5DEECE66D, 0xB, 1<<48 - 1
	s := (uint64(id) ^ 0xB3415C00 ^ mult) & mask
	out := make([]byte, 16)
	for i := 0; i < 16; i += 4 {
		s = (s*mult + add) & mask
		v := uint32(int32(s >> 16))
		binary.LittleEndian.PutUint32(out[i:], v)
	}
	return out
}

// sessionIDs allocates session ids the way SessionTrackerImpl does: the server
// id in the top byte, then 40 bits of a millisecond clock taken at start, then
// a counter.
type sessionIDs struct {
	mu   sync.Mutex
	next int64
}

func newSessionIDs(serverID int64, now time.Time) *sessionIDs {
	ms := now.UnixMilli()
	base := serverID<<56 | int64(uint64(ms<<24)>>8)
	return &sessionIDs{next: base}
}

func (g *sessionIDs) allocate(exists func(int64) bool) int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	for {
		id := g.next
		g.next++
		if id == -1<<63 || id == 0 || exists(id) {
			continue
		}
		return id
	}
}

// tracker watches session liveness. Every request a session sends touches it;
// a session untouched for its timeout (rounded up to the next tick, as
// ZooKeeper's ExpiryQueue does) expires. Only the leader expires sessions.
type tracker struct {
	mu       sync.Mutex
	tick     int64           // ms
	deadline map[int64]int64 // session → expiry time, ms since epoch
	timeout  map[int64]int64
	closing  map[int64]bool
	touched  map[int64]struct{} // touched since the last report to the leader
	report   bool               // collect touched (ensemble members only)
}

func newTracker(tick time.Duration, report bool) *tracker {
	return &tracker{
		report:   report,
		tick:     tick.Milliseconds(),
		deadline: make(map[int64]int64),
		timeout:  make(map[int64]int64),
		closing:  make(map[int64]bool),
		touched:  make(map[int64]struct{}),
	}
}

func (t *tracker) roundUp(ms int64) int64 { return (ms/t.tick + 1) * t.tick }

// add starts tracking a session with a full timeout from now.
func (t *tracker) add(id int64, timeoutMs int32, now time.Time) {
	t.mu.Lock()
	t.timeout[id] = int64(timeoutMs)
	t.deadline[id] = t.roundUp(now.UnixMilli() + int64(timeoutMs))
	delete(t.closing, id)
	t.mu.Unlock()
}

// touch extends a session's life; it reports false for an unknown or
// closing session.
func (t *tracker) touch(id int64, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	to, ok := t.timeout[id]
	if !ok || t.closing[id] {
		return false
	}
	t.deadline[id] = t.roundUp(now.UnixMilli() + to)
	if t.report {
		t.touched[id] = struct{}{}
	}
	return true
}

// drainTouched returns the sessions touched since the last call.
func (t *tracker) drainTouched() []int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]int64, 0, len(t.touched))
	for id := range t.touched {
		out = append(out, id)
	}
	clear(t.touched)
	return out
}

// setTimeout changes a session's timeout (a reconnect negotiated a new one).
func (t *tracker) setTimeout(id int64, timeoutMs int32, now time.Time) {
	t.mu.Lock()
	if _, ok := t.timeout[id]; ok {
		t.timeout[id] = int64(timeoutMs)
		t.deadline[id] = t.roundUp(now.UnixMilli() + int64(timeoutMs))
	}
	t.mu.Unlock()
}

func (t *tracker) isLive(id int64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.timeout[id]
	return ok && !t.closing[id]
}

// remove forgets a session (its close was applied).
func (t *tracker) remove(id int64) {
	t.mu.Lock()
	delete(t.timeout, id)
	delete(t.deadline, id)
	delete(t.closing, id)
	t.mu.Unlock()
}

// resetAll gives every session a full timeout from now: a new leader does
// this, since it cannot know how recently clients of other servers were heard.
func (t *tracker) resetAll(now time.Time) {
	ms := now.UnixMilli()
	t.mu.Lock()
	for id, to := range t.timeout {
		t.deadline[id] = t.roundUp(ms + to)
	}
	t.mu.Unlock()
}

// expired returns the live sessions whose deadline has passed and marks
// them closing.
func (t *tracker) expired(now time.Time) []int64 {
	ms := now.UnixMilli()
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []int64
	for id, d := range t.deadline {
		if d <= ms && !t.closing[id] {
			t.closing[id] = true
			out = append(out, id)
		}
	}
	return out
}
