package watch

import (
	"reflect"
	"testing"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
)

type rec struct{ got []string }

func (r *rec) Notify(typ protocol.EventType, path string, _ int64, _ []jute.ACL) {
	r.got = append(r.got, evName(typ)+" "+path)
}

func evName(t protocol.EventType) string {
	return map[protocol.EventType]string{
		protocol.EventNodeCreated: "created", protocol.EventNodeDeleted: "deleted",
		protocol.EventNodeDataChanged: "changed", protocol.EventNodeChildrenChanged: "children",
	}[t]
}

func TestManager_Rules(t *testing.T) {
	type ev struct {
		typ  protocol.EventType
		path string
	}
	for _, tc := range []struct {
		name   string
		setup  func(m *Manager, w Watcher)
		events []ev
		want   []string
	}{
		{"data watch fires once", func(m *Manager, w Watcher) { m.AddData("/a", w) },
			[]ev{{protocol.EventNodeDataChanged, "/a"}, {protocol.EventNodeDataChanged, "/a"}},
			[]string{"changed /a"}},
		{"exists watch sees creation", func(m *Manager, w Watcher) { m.AddData("/a", w) },
			[]ev{{protocol.EventNodeCreated, "/a"}}, []string{"created /a"}},
		{"child watch ignores data changes", func(m *Manager, w Watcher) { m.AddChild("/a", w) },
			[]ev{{protocol.EventNodeDataChanged, "/a"}, {protocol.EventNodeChildrenChanged, "/a"}},
			[]string{"children /a"}},
		{"delete fires data and child watch once", func(m *Manager, w Watcher) { m.AddData("/a", w); m.AddChild("/a", w) },
			[]ev{{protocol.EventNodeDeleted, "/a"}}, []string{"deleted /a"}},
		{"persistent stays", func(m *Manager, w Watcher) { m.AddPersistent("/a", w) },
			[]ev{{protocol.EventNodeDataChanged, "/a"}, {protocol.EventNodeChildrenChanged, "/a"}, {protocol.EventNodeDataChanged, "/a"}},
			[]string{"changed /a", "children /a", "changed /a"}},
		{"standard and persistent on one path: one event each time", func(m *Manager, w Watcher) { m.AddPersistent("/a", w); m.AddData("/a", w) },
			[]ev{{protocol.EventNodeDataChanged, "/a"}, {protocol.EventNodeDataChanged, "/a"}},
			[]string{"changed /a", "changed /a"}},
		{"recursive sees descendants but not child lists", func(m *Manager, w Watcher) { m.AddRecursive("/a", w) },
			[]ev{{protocol.EventNodeCreated, "/a/b/c"}, {protocol.EventNodeChildrenChanged, "/a/b"}, {protocol.EventNodeDeleted, "/a"}, {protocol.EventNodeCreated, "/ab"}},
			[]string{"created /a/b/c", "deleted /a"}},
		{"recursive on root", func(m *Manager, w Watcher) { m.AddRecursive("/", w) },
			[]ev{{protocol.EventNodeDataChanged, "/x"}}, []string{"changed /x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := New()
			r := &rec{}
			tc.setup(m, r)
			for _, e := range tc.events {
				m.Trigger(e.typ, e.path, -1, nil)
			}
			if !reflect.DeepEqual(r.got, tc.want) {
				t.Fatalf("got %v, want %v", r.got, tc.want)
			}
		})
	}
}

func TestManager_RemoveAndCheck(t *testing.T) {
	m := New()
	r := &rec{}
	m.AddData("/a", r)
	m.AddPersistent("/a", r)
	m.AddRecursive("/a", r)
	for i := 0; i < 2; i++ {
		if !m.Remove("/a", r, protocol.WatcherData, true) {
			t.Fatalf("check (dry run) %d did not find the data watch: a dry run must leave it", i+1)
		}
	}
	if !m.Remove("/a", r, protocol.WatcherData, false) || m.Remove("/a", r, protocol.WatcherData, false) {
		t.Fatal("remove must find the data watch once")
	}
	if m.Remove("/a", r, protocol.WatcherChildren, false) {
		t.Fatal("no standard child watch was set")
	}
	if !m.Remove("/a", r, protocol.WatcherAny, false) || m.Remove("/a", r, protocol.WatcherAny, false) {
		t.Fatal("Any removes everything left, once")
	}
	m.Trigger(protocol.EventNodeDataChanged, "/a", -1, nil)
	if len(r.got) != 0 {
		t.Fatalf("events after removal: %v", r.got)
	}
	m.AddData("/b", r)
	m.RemoveWatcher(r)
	if st := m.Snapshot(); st.Total != 0 || st.Connections != 0 {
		t.Fatalf("watches left after RemoveWatcher: %+v", st)
	}
}
