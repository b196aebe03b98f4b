// Package watch keeps the watches of every connection and decides who hears
// about each change: one-shot data, exist and child watches, persistent
// watches (addWatch mode 0: a data and a child watch that stay) and
// persistent-recursive watches (addWatch mode 1: every node at or below a
// path), with ZooKeeper's WatchManager rules.
//
// A Manager is safe for concurrent use. Trigger is called by the apply
// goroutine while it holds the tree's write lock, so Watcher.Notify must only
// queue the event: it must not block, do I/O or take the tree's lock.
package watch

import (
	"sort"
	"strings"
	"sync"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
)

// Watcher receives events; it is implemented by a client connection.
type Watcher interface {
	// Notify queues a notification. It must not block. acl is the ACL of the
	// node the event is about, or nil for events that are not filtered; the
	// watcher drops the event if it may not read that node.
	Notify(typ protocol.EventType, path string, zxid int64, acl []jute.ACL)
}

type mode uint8

const (
	standard   mode = 1
	persistent mode = 2
)

// Manager holds the watch tables of one server.
type Manager struct {
	mu        sync.Mutex
	data      map[string]map[Watcher]mode
	child     map[string]map[Watcher]mode
	recursive map[string]map[Watcher]struct{}
}

// New returns an empty Manager.
func New() *Manager {
	return &Manager{
		data:      make(map[string]map[Watcher]mode),
		child:     make(map[string]map[Watcher]mode),
		recursive: make(map[string]map[Watcher]struct{}),
	}
}

func add(t map[string]map[Watcher]mode, path string, w Watcher, m mode) {
	s := t[path]
	if s == nil {
		s = make(map[Watcher]mode)
		t[path] = s
	}
	s[w] |= m
}

// AddData registers a one-shot data watch (getData, exists).
func (m *Manager) AddData(path string, w Watcher) {
	m.mu.Lock()
	add(m.data, path, w, standard)
	m.mu.Unlock()
}

// AddChild registers a one-shot child watch (getChildren).
func (m *Manager) AddChild(path string, w Watcher) {
	m.mu.Lock()
	add(m.child, path, w, standard)
	m.mu.Unlock()
}

// AddPersistent registers a persistent watch: data and child, never removed
// by firing.
func (m *Manager) AddPersistent(path string, w Watcher) {
	m.mu.Lock()
	add(m.data, path, w, persistent)
	add(m.child, path, w, persistent)
	m.mu.Unlock()
}

// AddRecursive registers a persistent-recursive watch.
func (m *Manager) AddRecursive(path string, w Watcher) {
	m.mu.Lock()
	s := m.recursive[path]
	if s == nil {
		s = make(map[Watcher]struct{})
		m.recursive[path] = s
	}
	s[w] = struct{}{}
	m.mu.Unlock()
}

// fire notifies the watchers of path in table t and drops their one-shot
// registrations; watchers already in seen are skipped.
func fire(t map[string]map[Watcher]mode, path string, typ protocol.EventType, zxid int64, acl []jute.ACL, seen map[Watcher]struct{}) {
	s := t[path]
	for w, md := range s {
		if md&persistent == 0 {
			delete(s, w)
		} else {
			s[w] = persistent
		}
		if _, dup := seen[w]; dup {
			continue
		}
		seen[w] = struct{}{}
		w.Notify(typ, path, zxid, acl)
	}
	if len(s) == 0 {
		delete(t, path)
	}
}

// Trigger delivers an event about path to every watch it matches.
func (m *Manager) Trigger(typ protocol.EventType, path string, zxid int64, acl []jute.ACL) {
	m.mu.Lock()
	defer m.mu.Unlock()
	seen := make(map[Watcher]struct{})
	switch typ {
	case protocol.EventNodeChildrenChanged:
		fire(m.child, path, typ, zxid, acl, seen)
		return
	case protocol.EventNodeDeleted:
		fire(m.data, path, typ, zxid, acl, seen)
		fire(m.child, path, typ, zxid, acl, seen)
	default:
		fire(m.data, path, typ, zxid, acl, seen)
	}
	if len(m.recursive) == 0 {
		return
	}
	for p := path; ; {
		for w := range m.recursive[p] {
			if _, dup := seen[w]; !dup {
				seen[w] = struct{}{}
				w.Notify(typ, path, zxid, acl)
			}
		}
		if p == "/" {
			break
		}
		i := strings.LastIndexByte(p, '/')
		if i <= 0 {
			p = "/"
		} else {
			p = p[:i]
		}
	}
}

// Remove removes the watches of w on path selected by typ and reports whether
// there was any. With dryRun it only reports (checkWatches).
func (m *Manager) Remove(path string, w Watcher, typ protocol.WatcherType, dryRun bool) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	found := false
	drop := func(t map[string]map[Watcher]mode, md mode) {
		s := t[path]
		if s[w]&md == 0 {
			return
		}
		found = true
		if dryRun {
			return
		}
		if s[w] &^= md; s[w] == 0 {
			delete(s, w)
		}
		if len(s) == 0 {
			delete(t, path)
		}
	}
	dropRecursive := func() {
		if _, ok := m.recursive[path][w]; !ok {
			return
		}
		found = true
		if dryRun {
			return
		}
		delete(m.recursive[path], w)
		if len(m.recursive[path]) == 0 {
			delete(m.recursive, path)
		}
	}
	switch typ {
	case protocol.WatcherChildren:
		drop(m.child, standard)
	case protocol.WatcherData:
		drop(m.data, standard)
	case protocol.WatcherPersistent:
		drop(m.data, persistent)
		drop(m.child, persistent)
	case protocol.WatcherPersistentRecursive:
		dropRecursive()
	case protocol.WatcherAny:
		drop(m.child, standard|persistent)
		drop(m.data, standard|persistent)
		dropRecursive()
	}
	return found
}

// RemoveWatcher drops every watch of w (its connection closed).
func (m *Manager) RemoveWatcher(w Watcher) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range []map[string]map[Watcher]mode{m.data, m.child} {
		for p, s := range t {
			delete(s, w)
			if len(s) == 0 {
				delete(t, p)
			}
		}
	}
	for p, s := range m.recursive {
		delete(s, w)
		if len(s) == 0 {
			delete(m.recursive, p)
		}
	}
}

// Stats summarises the watch tables for the four-letter words: the data
// table as wchs/wchc/wchp show it, and the total count mntr reports.
type Stats struct {
	Connections int // watchers with a data watch
	Paths       int // paths with a data watch
	DataTotal   int // data-table entries
	Total       int // data + child entries
	ByPath      map[string][]Watcher
}

// Snapshot returns the data-table view used by wchs, wchc and wchp.
func (m *Manager) Snapshot() Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := Stats{ByPath: make(map[string][]Watcher)}
	conns := map[Watcher]struct{}{}
	add := func(p string, w Watcher) {
		conns[w] = struct{}{}
		st.ByPath[p] = append(st.ByPath[p], w)
		st.DataTotal++
	}
	for p, s := range m.data {
		for w := range s {
			add(p, w)
		}
	}
	for p, s := range m.recursive {
		for w := range s {
			add(p, w)
		}
	}
	st.Connections = len(conns)
	st.Paths = len(st.ByPath)
	st.Total = st.DataTotal
	for _, s := range m.child {
		st.Total += len(s)
	}
	return st
}

// Paths returns the sorted paths in ByPath.
func (s Stats) SortedPaths() []string {
	out := make([]string, 0, len(s.ByPath))
	for p := range s.ByPath {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
