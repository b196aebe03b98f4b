package ensemble

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestQuorumLoss kills two of three members under a write load, once
// leaving the leader and once a follower as the survivor. The survivor must
// acknowledge no write issued after the kill until a second member is back,
// must stop serving clients (ZooKeeper: "not currently serving requests"),
// and a client reading through it must never get a value that was not
// written or that is older than one it saw before. After restarts, writes
// resume and no acknowledged write is lost.
func TestQuorumLoss(t *testing.T) {
	for _, survivorRole := range []string{"leader", "follower"} {
		t.Run("survivor="+survivorRole, func(t *testing.T) {
			c := Start(t, Options{Servers: 3})
			leader := c.Leader()
			followers := c.Followers()
			survivor, victims := leader, followers
			if survivorRole == "follower" {
				survivor, victims = followers[0], []*Member{leader, followers[1]}
			}

			// A register written by a client on the survivor, read by
			// another client pinned to the survivor.
			w := dial(t, "regwriter", homeFirst(c, survivor), sessionTimeout)
			mustCreate(t, w, "/ql-reg", []byte("v0"))
			written := map[string]int32{"v0": 0}
			for i := 1; i <= 5; i++ {
				v := fmt.Sprintf("v%d", i)
				st, err := w.Set("/ql-reg", []byte(v), -1)
				if err != nil {
					t.Fatalf("set: %v", err)
				}
				written[v] = st.Version
			}
			r := dial(t, "reader", []string{survivor.Addr}, sessionTimeout)
			type read struct {
				at  time.Time
				val string
				ver int32
				err error
			}
			var rmu sync.Mutex
			var reads []read
			quit := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-quit:
						return
					default:
					}
					b, st, err := r.Get("/ql-reg")
					rd := read{at: time.Now(), val: string(b), err: err}
					if st != nil {
						rd.ver = st.Version
					}
					rmu.Lock()
					reads = append(reads, rd)
					rmu.Unlock()
					time.Sleep(20 * time.Millisecond) // pacing, not synchronisation
				}
			}()
			defer func() { close(quit); wg.Wait() }()

			l := startLoad(t, c, "/quorumloss", c.Members)
			l.waitProgress(t, 50, 20*time.Second)

			for _, v := range victims {
				v.Kill()
			}
			killed := time.Now()
			var srvrErr error
			if !waitFor(15*time.Second, func() bool {
				_, srvrErr = survivor.Srvr()
				return srvrErr != nil && strings.Contains(srvrErr.Error(), "not currently serving")
			}) {
				t.Errorf("survivor %d still serving 15s after losing quorum: srvr err %v", survivor.ID, srvrErr)
			}
			notServing := time.Now()
			// Keep the quorum lost until some client has sent a write
			// meanwhile: a follower holds a write up to a tick for a new
			// leader before it fails it, so the writes in flight at the kill
			// can take that long to end and let the next ones go.
			if !waitFor(20*time.Second, func() bool { return l.issuedAfter(killed) }) {
				t.Errorf("no write sent within 20s of losing quorum")
			}
			restarting := time.Now()
			victims[0].Start()
			c.WaitLeader(20 * time.Second)
			l.waitProgress(t, 50, 30*time.Second)
			t.Logf("survivor %d stopped serving %v after the kill; writes resumed %v after the restart",
				survivor.ID, notServing.Sub(killed).Round(time.Millisecond), l.firstAckAfter(restarting).Sub(restarting).Round(time.Millisecond))

			attempted := 0
			for _, wr := range l.writes() {
				if wr.issued.After(killed) && wr.issued.Before(restarting) {
					attempted++
					if wr.err == nil && wr.answer.Before(restarting) {
						t.Errorf("write %s issued %v after losing quorum was acknowledged %v after, before any restart",
							wr.path, wr.issued.Sub(killed), wr.answer.Sub(killed))
					}
				}
			}
			if attempted == 0 {
				t.Errorf("no write was attempted while quorum was lost")
			}
			rmu.Lock()
			var seen int32 = -1
			for _, rd := range reads {
				if rd.err != nil {
					continue
				}
				ver, ok := written[rd.val]
				if !ok || ver != rd.ver {
					t.Errorf("read at %v: %q version %d was never written", rd.at.Sub(killed), rd.val, rd.ver)
				}
				if rd.ver < seen {
					t.Errorf("read at %v: version %d after version %d (went back in time)", rd.at.Sub(killed), rd.ver, seen)
				}
				seen = max(seen, rd.ver)
			}
			rmu.Unlock()

			victims[1].Start()
			l.waitProgress(t, 50, 20*time.Second)
			l.check(t, c)
			c.WaitZxidsEqual(20 * time.Second)
		})
	}
}
