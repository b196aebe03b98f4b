package harness

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}

func connect(t *testing.T, addr string) *zk.Conn {
	t.Helper()
	c, ev, err := zk.Connect([]string{addr}, 10*time.Second, zk.WithLogger(quietLogger{}))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(c.Close)
	deadline := time.After(20 * time.Second)
	for {
		select {
		case e := <-ev:
			if e.State == zk.StateHasSession {
				return c
			}
		case <-deadline:
			t.Fatalf("no session from %s", addr)
		}
	}
}

// TestServer_Lifecycle starts each target, writes a znode, restarts the
// server (data must survive: it is on disk before the reply), kills it
// (the port must stop answering) and checks the config it was given.
func TestServer_Lifecycle(t *testing.T) {
	for _, tg := range Targets() {
		t.Run(tg.Name, func(t *testing.T) {
			if tg.Name == TargetExternal {
				t.Skip("needs a server the harness starts")
			}
			s := tg.Start(t, Options{TickTime: 500, Properties: map[string]string{"zookeeper.extendedTypesEnabled": "true"}})
			if !strings.HasPrefix(s.Addr, "127.0.0.1:") {
				t.Fatalf("Addr = %q", s.Addr)
			}
			cfg, err := os.ReadFile(s.Config)
			if err != nil || !strings.Contains(string(cfg), "tickTime=500\n") || !strings.Contains(string(cfg), "dataDir="+s.DataDir+"\n") {
				t.Fatalf("zoo.cfg = %q, %v", cfg, err)
			}
			c := connect(t, s.Addr)
			if _, err := c.Create("/harness", []byte("kept"), 0, zk.WorldACL(zk.PermAll)); err != nil {
				t.Fatalf("create: %v", err)
			}
			c.Close()
			pid := s.Pid()
			s.Restart()
			if s.Pid() == pid || s.Pid() == 0 {
				t.Fatalf("pid after restart = %d, before %d", s.Pid(), pid)
			}
			c = connect(t, s.Addr)
			data, _, err := c.Get("/harness")
			if err != nil || string(data) != "kept" {
				t.Fatalf("get after restart = %q, %v", data, err)
			}
			c.Close()
			s.Kill()
			if s.Pid() != 0 {
				t.Fatalf("pid after kill = %d", s.Pid())
			}
			if err := Probe(s.Addr, time.Second); err == nil {
				t.Fatal("probe succeeded after kill")
			}
			if !strings.Contains(s.LogTail(1000), "=== harness: ") {
				t.Fatalf("log has no harness header:\n%s", s.LogTail(20))
			}
		})
	}
}

func TestProbe_NothingListening(t *testing.T) {
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	err = Probe("127.0.0.1:"+strconv.Itoa(port), time.Second)
	if err == nil {
		t.Fatal("probe of a closed port succeeded")
	}
	var opErr interface{ Timeout() bool }
	if errors.As(err, &opErr) && opErr.Timeout() {
		t.Fatalf("probe of a closed port timed out instead of being refused: %v", err)
	}
}

func TestTargets_Env(t *testing.T) {
	t.Setenv("RAFTZK_COMPAT_ADDR", "")
	t.Setenv("RAFTZK_COMPAT_TARGETS", "zookeeper")
	got := Targets()
	if len(got) != 1 || got[0].Name != TargetZooKeeper {
		t.Fatalf("Targets() = %v", got)
	}
	t.Setenv("RAFTZK_COMPAT_TARGETS", "")
	if got := Targets(); len(got) != 2 || got[1].Name != TargetRaftzk {
		t.Fatalf("Targets() = %v", got)
	}
	t.Setenv("RAFTZK_COMPAT_ADDR", "127.0.0.1:1")
	if got := Targets(); len(got) != 1 || got[0].Name != TargetExternal {
		t.Fatalf("Targets() with RAFTZK_COMPAT_ADDR = %v", got)
	}
}

func TestPropertyFlags_Sorted(t *testing.T) {
	got := strings.Join(propertyFlags(map[string]string{"b": "2", "a": "1"}), " ")
	if got != "-Da=1 -Db=2" {
		t.Fatalf("propertyFlags = %q", got)
	}
}
