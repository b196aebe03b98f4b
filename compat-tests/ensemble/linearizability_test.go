package ensemble

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/go-zookeeper/zk"
)

// The model: each key is one znode, absent or holding data at a version.
// Writes (create, setData and delete, blind or version-checked) and sync
// followed by getData on the same session must be linearizable. A write
// whose connection was lost before the answer is "unknown": it may have
// been applied at any point after its call, so it gets an open-ended return
// time (see boundUnknown) and the model lets it take effect or not.

type linOp uint8

const (
	opRead linOp = iota // sync + getData
	opSet
	opCreate
	opDelete
)

func (o linOp) String() string {
	return [...]string{"read", "set", "create", "delete"}[o]
}

type linInput struct {
	op      linOp
	key     int
	value   string
	version int32 // -1: any
}

// linOutput is the answer; err is "" or the ZooKeeper error's name.
type linOutput struct {
	unknown bool
	err     string
	exists  bool   // read
	data    string // read
	version int32  // read, set
}

type znodeState struct {
	exists  bool
	data    string
	version int32
}

// linStep returns the states the znode can be in after the operation; none
// if the answer is impossible. A write with an unknown outcome may or may
// not have taken effect.
func linStep(st any, in, out any) []any {
	s, i, o := st.(znodeState), in.(linInput), out.(linOutput)
	next, want := s, linOutput{}
	switch i.op {
	case opRead:
		want = linOutput{exists: s.exists, data: s.data, version: s.version}
		if !s.exists {
			want = linOutput{err: "NoNode"}
		}
	case opSet:
		switch {
		case !s.exists:
			want.err = "NoNode"
		case i.version != -1 && i.version != s.version:
			want.err = "BadVersion"
		default:
			next = znodeState{exists: true, data: i.value, version: s.version + 1}
			want.version = next.version
		}
	case opCreate:
		if s.exists {
			want.err = "NodeExists"
		} else {
			next = znodeState{exists: true, data: i.value}
		}
	case opDelete:
		switch {
		case !s.exists:
			want.err = "NoNode"
		case i.version != -1 && i.version != s.version:
			want.err = "BadVersion"
		default:
			next = znodeState{}
		}
	}
	switch {
	case o.unknown && next != s:
		return []any{next, s}
	case o.unknown, o == want:
		return []any{next}
	}
	return nil
}

var linModel = (&porcupine.NondeterministicModel{
	Partition: func(h []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[int][]porcupine.Operation{}
		var keys []int
		for _, op := range h {
			k := op.Input.(linInput).key
			if _, ok := byKey[k]; !ok {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], op)
		}
		var out [][]porcupine.Operation
		for _, k := range keys {
			out = append(out, byKey[k])
		}
		return out
	},
	Init: func() []any { return []any{znodeState{}} },
	Step: linStep,
	DescribeOperation: func(in, out any) string {
		i, o := in.(linInput), out.(linOutput)
		var res string
		switch {
		case o.unknown:
			res = "unknown"
		case o.err != "":
			res = o.err
		case i.op == opRead:
			res = fmt.Sprintf("%q v%d", o.data, o.version)
		case i.op == opSet:
			res = fmt.Sprintf("v%d", o.version)
		default:
			res = "ok"
		}
		return fmt.Sprintf("%s(k%d %q v%d) -> %s", i.op, i.key, i.value, i.version, res)
	},
	DescribeState: func(st any) string {
		s := st.(znodeState)
		if !s.exists {
			return "absent"
		}
		return fmt.Sprintf("%q v%d", s.data, s.version)
	},
}).ToModel()

func zkErrName(err error) (string, bool) {
	switch {
	case err == nil:
		return "", true
	case errors.Is(err, zk.ErrNoNode):
		return "NoNode", true
	case errors.Is(err, zk.ErrNodeExists):
		return "NodeExists", true
	case errors.Is(err, zk.ErrBadVersion):
		return "BadVersion", true
	}
	return "", false
}

// plainRead is a getData without sync: only sequentially consistent.
type plainRead struct {
	client int
	key    int
	at     time.Duration
	mzxid  int64 // 0: NoNode
	seen   int64 // the highest zxid the session had observed before the call
}

// linRecorder collects the histories of the clients.
type linRecorder struct {
	base time.Time
	mu   sync.Mutex
	ops  []porcupine.Operation
	// plain reads, and every mzxid known to have been written per key
	plain  []plainRead
	writes map[int]map[int64]bool
	done   atomic.Int64 // operations answered definitely
}

func (r *linRecorder) now() int64 { return int64(time.Since(r.base)) }

func (r *linRecorder) known(key int, mzxid int64) {
	if r.writes[key] == nil {
		r.writes[key] = map[int64]bool{}
	}
	r.writes[key][mzxid] = true
}

const linKeys = 3

func linPath(key int) string { return fmt.Sprintf("/lin/k%d", key) }

// runLinClient issues random operations until quit is closed.
func (r *linRecorder) runLinClient(id int, cl *client, quit <-chan struct{}, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, uint64(id)))
	lastVersion := map[int]int32{}
	var seen int64 // highest zxid this session observed
	observe := func(z int64) {
		if z > seen {
			seen = z
		}
	}
	for n := 0; ; n++ {
		select {
		case <-quit:
			return
		default:
		}
		key := rng.IntN(linKeys)
		path := linPath(key)
		p := rng.IntN(100)
		if p < 25 { // plain read, checked separately
			at := time.Since(r.base)
			before := seen
			_, st, err := cl.Get(path)
			name, ok := zkErrName(err)
			if !ok {
				continue
			}
			pr := plainRead{client: id, key: key, at: at, seen: before}
			if name == "" {
				pr.mzxid = st.Mzxid
				observe(st.Mzxid)
			}
			r.mu.Lock()
			r.plain = append(r.plain, pr)
			if name == "" {
				r.known(key, st.Mzxid)
			}
			r.mu.Unlock()
			r.done.Add(1)
			continue
		}
		in := linInput{key: key, version: -1}
		var out linOutput
		call := r.now()
		var err error
		switch {
		case p < 50:
			in.op = opRead
			if _, err = cl.Sync(path); err != nil {
				continue // a failed read has no effect
			}
			var b []byte
			var st *zk.Stat
			b, st, err = cl.Get(path)
			if err == nil {
				out = linOutput{exists: true, data: string(b), version: st.Version}
				lastVersion[key] = st.Version
				observe(st.Mzxid)
				r.mu.Lock()
				r.known(key, st.Mzxid)
				r.mu.Unlock()
			}
		case p < 80:
			in.op, in.value = opSet, fmt.Sprintf("c%d-%d", id, n)
			if v, ok := lastVersion[key]; ok && rng.IntN(2) == 0 {
				in.version = v
			}
			var st *zk.Stat
			st, err = cl.Set(path, []byte(in.value), in.version)
			if err == nil {
				out.version = st.Version
				lastVersion[key] = st.Version
				observe(st.Mzxid)
				r.mu.Lock()
				r.known(key, st.Mzxid)
				r.mu.Unlock()
			}
		case p < 90:
			in.op, in.value = opCreate, fmt.Sprintf("c%d-%d", id, n)
			_, err = cl.Create(path, []byte(in.value), 0, acl)
			if err == nil {
				lastVersion[key] = 0
			}
		default:
			in.op = opDelete
			if v, ok := lastVersion[key]; ok && rng.IntN(2) == 0 {
				in.version = v
			}
			err = cl.Delete(path, in.version)
		}
		ret := r.now()
		name, ok := zkErrName(err)
		switch {
		case ok:
			out.err = name
			r.done.Add(1)
		case in.op == opRead:
			continue
		default:
			out = linOutput{unknown: true}
			ret = math.MaxInt64
		}
		r.mu.Lock()
		r.ops = append(r.ops, porcupine.Operation{ClientId: id, Input: in, Call: call, Output: out, Return: ret})
		r.mu.Unlock()
		if !ok {
			time.Sleep(10 * time.Millisecond) // back-off after a lost connection
		}
	}
}

// boundUnknown gives each write whose outcome is unknown the return time of
// the same session's next definitely answered operation, and reports how
// many there are. ZooKeeper applies a session's requests in the order they
// were sent, so a lost write takes effect before the session's next
// operation or never (through a Raft leader change too: a later committed
// entry decides the fate of every earlier one). Writes with no later
// answered operation keep an open end. Bounding them keeps porcupine's
// search small; it does not weaken the check.
func boundUnknown(ops []porcupine.Operation) int {
	n := 0
	pending := map[int][]int{} // client → indexes of its open unknown ops
	for i, op := range ops {   // in each client's call order
		if op.Output.(linOutput).unknown {
			n++
			pending[op.ClientId] = append(pending[op.ClientId], i)
			continue
		}
		for _, j := range pending[op.ClientId] {
			ops[j].Return = op.Return
		}
		pending[op.ClientId] = nil
	}
	return n
}

// TestLinearizability records the histories of concurrent clients on a few
// keys, homed on every member, through a leader kill and restart and a
// follower pause, and checks writes and sync+read with porcupine. Plain
// reads are checked for sequential consistency: a session never reads a
// version of a key older than a write to that key whose zxid is at or below
// the highest zxid the session had already observed.
func TestLinearizability(t *testing.T) {
	c := Start(t, Options{Servers: 3})
	setup := dial(t, "setup", c.Addrs(), sessionTimeout)
	mustCreate(t, setup, "/lin", nil)
	setup.Close()

	rec := &linRecorder{base: time.Now(), writes: map[int]map[int64]bool{}}
	quit := make(chan struct{})
	var wg sync.WaitGroup
	const clients = 6
	var conns []*client
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	for i := 0; i < clients; i++ {
		m := c.Members[i%len(c.Members)]
		cl := dial(t, fmt.Sprintf("lin%d@%d", i, m.ID), homeFirst(c, m), sessionTimeout)
		conns = append(conns, cl)
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec.runLinClient(i, cl, quit, seed)
		}()
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			close(quit)
			// Closing fails any operation still waiting (it stays unknown).
			for _, cl := range conns {
				cl.Close()
			}
			wg.Wait()
		}
	}
	defer stop()
	progress := func(n int64, what string) {
		t.Helper()
		target := rec.done.Load() + n
		if !waitFor(30*time.Second, func() bool { return rec.done.Load() >= target }) {
			t.Fatalf("%s: only %d of %d operations answered within 30s", what, rec.done.Load(), target)
		}
	}

	progress(600, "start")
	leader := c.Leader()
	t.Logf("kill -9 leader %d", leader.ID)
	leader.Kill()
	killed := rec.now()
	progress(600, "after leader kill")
	rec.mu.Lock()
	first := int64(math.MaxInt64)
	for _, op := range rec.ops {
		if op.Call >= killed && !op.Output.(linOutput).unknown {
			first = min(first, op.Return)
		}
	}
	rec.mu.Unlock()
	t.Logf("first operation issued after the kill answered %v after it", time.Duration(first-killed).Round(time.Millisecond))
	leader.Start()
	progress(400, "after restart")
	f := c.Followers()[0]
	t.Logf("SIGSTOP follower %d", f.ID)
	f.Pause()
	progress(600, "during pause")
	f.Resume()
	progress(400, "after resume")
	stop()

	rec.mu.Lock()
	defer rec.mu.Unlock()
	unknown := boundUnknown(rec.ops)
	t.Logf("history: %d writes and sync+reads (%d unknown), %d plain reads", len(rec.ops), unknown, len(rec.plain))
	checkStart := time.Now()
	res, info := porcupine.CheckOperationsVerbose(linModel, rec.ops, time.Minute)
	t.Logf("porcupine: %s in %v", res, time.Since(checkStart).Round(time.Millisecond))
	switch res {
	case porcupine.Illegal:
		path := filepath.Join(os.TempDir(), fmt.Sprintf("raftzk-linearizability-%d.html", time.Now().UnixNano()))
		if err := porcupine.VisualizePath(linModel, info, path); err != nil {
			t.Logf("visualization: %v", err)
		}
		t.Errorf("history is not linearizable; visualization in %s", path)
	case porcupine.Unknown:
		t.Errorf("porcupine timed out checking %d operations", len(rec.ops))
	}

	// Sequential consistency of plain reads.
	bad := 0
	for _, pr := range rec.plain {
		for w := range rec.writes[pr.key] {
			if w > pr.mzxid && w <= pr.seen && pr.mzxid != 0 {
				bad++
				if bad <= 10 {
					t.Errorf("client %d at %v: plain read of k%d returned mzxid 0x%x, but the session had seen zxid 0x%x and k%d was written at 0x%x",
						pr.client, pr.at, pr.key, pr.mzxid, pr.seen, pr.key, w)
				}
				break
			}
		}
	}
}

// TestLinModel checks the checker: small histories it must accept and
// reject, including writes whose outcome is unknown.
func TestLinModel(t *testing.T) {
	op := func(call, ret int64, in linInput, out linOutput) porcupine.Operation {
		return porcupine.Operation{Input: in, Call: call, Output: out, Return: ret}
	}
	create := linInput{op: opCreate, value: "a", version: -1}
	set := linInput{op: opSet, value: "b", version: -1}
	read := linInput{op: opRead}
	inf := int64(math.MaxInt64)
	tests := []struct {
		name string
		h    []porcupine.Operation
		ok   bool
	}{
		{"create then read", []porcupine.Operation{
			op(0, 1, create, linOutput{}), op(2, 3, read, linOutput{exists: true, data: "a"})}, true},
		{"stale read after set", []porcupine.Operation{
			op(0, 1, create, linOutput{}), op(2, 3, set, linOutput{version: 1}),
			op(4, 5, read, linOutput{exists: true, data: "a"})}, false},
		{"read before create returned", []porcupine.Operation{
			op(0, 10, create, linOutput{}), op(2, 3, read, linOutput{exists: true, data: "a"})}, true},
		{"unknown set observed", []porcupine.Operation{
			op(0, 1, create, linOutput{}), op(2, inf, set, linOutput{unknown: true}),
			op(4, 5, read, linOutput{exists: true, data: "b", version: 1})}, true},
		{"unknown set not applied", []porcupine.Operation{
			op(0, 1, create, linOutput{}), op(2, inf, set, linOutput{unknown: true}),
			op(4, 5, read, linOutput{exists: true, data: "a"})}, true},
		{"unknown set bounded, not applied", []porcupine.Operation{
			op(0, 1, create, linOutput{}), op(2, 3, set, linOutput{unknown: true}),
			op(4, 5, read, linOutput{exists: true, data: "a"})}, true},
		{"unknown set applied then undone", []porcupine.Operation{
			op(0, 1, create, linOutput{}), op(2, inf, set, linOutput{unknown: true}),
			op(4, 5, read, linOutput{exists: true, data: "b", version: 1}),
			op(6, 7, read, linOutput{exists: true, data: "a"})}, false},
		{"bad version", []porcupine.Operation{
			op(0, 1, create, linOutput{}),
			op(2, 3, linInput{op: opSet, value: "b", version: 5}, linOutput{err: "BadVersion"}),
			op(4, 5, linInput{op: opDelete, version: 0}, linOutput{}),
			op(6, 7, read, linOutput{err: "NoNode"})}, true},
		{"lost acknowledged delete", []porcupine.Operation{
			op(0, 1, create, linOutput{}),
			op(4, 5, linInput{op: opDelete, version: -1}, linOutput{}),
			op(6, 7, read, linOutput{exists: true, data: "a"})}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := porcupine.CheckOperations(linModel, tc.h); got != tc.ok {
				t.Fatalf("linearizable = %v, want %v", got, tc.ok)
			}
		})
	}
}
