package tree

import (
	"fmt"
	"sort"
	"strings"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
)

// CreateRequest is a create of any kind: Op is create, create2,
// createContainer or createTTL; TTL is -1 for the first three.
type CreateRequest struct {
	Op    protocol.Op
	Path  string
	Data  []byte
	ACL   []jute.ACL
	Flags int32
	TTL   int64
}

func (t *Tree) sessionOK(tx *Txn) bool {
	if tx.Session == 0 {
		return true // server-internal transaction
	}
	_, ok := t.sessions[tx.Session]
	return ok
}

func (t *Tree) allowed(n *Node, perm int32, ids []jute.Id) bool {
	return t.opts.Policy.Check(n.ACL, perm, ids)
}

// splitForWrite finds the parent of a path the way getParentPathAndValidate
// does: a path without '/' or with a NUL is BadArguments.
func splitForWrite(path string) (string, protocol.Code) {
	i := strings.LastIndexByte(path, '/')
	if i < 0 || strings.IndexByte(path, 0) >= 0 {
		return "", protocol.CodeBadArguments
	}
	if i == 0 {
		return "/", protocol.CodeOK
	}
	return path[:i], protocol.CodeOK
}

// Create applies a create, checking in PrepRequestProcessor's order.
func (t *Tree) Create(tx *Txn, r *CreateRequest) (string, *Node, protocol.Code) {
	mode := protocol.CreateMode(r.Flags)
	if !mode.Valid() {
		return "", nil, protocol.CodeBadArguments
	}
	if mode.TTL() && !t.opts.ExtendedTypes {
		return "", nil, protocol.CodeUnimplemented
	}
	if mode.TTL() {
		if r.TTL <= 0 || r.TTL > protocol.MaxTTL {
			return "", nil, protocol.CodeBadArguments
		}
	} else if r.TTL >= 0 || r.Op == protocol.OpCreateTTL {
		// ZooKeeper 3.8.0 lets createTTL with a non-TTL mode and ttl -1
		// through, then crashes applying it; refuse it instead.
		return "", nil, protocol.CodeBadArguments
	}
	if !t.sessionOK(tx) {
		return "", nil, protocol.CodeSessionExpired
	}
	parentPath, code := splitForWrite(r.Path)
	if code != protocol.CodeOK {
		return "", nil, code
	}
	acl, code := t.opts.Policy.Fixup(r.ACL, tx.Ids)
	if code != protocol.CodeOK {
		return "", nil, code
	}
	parent := t.nodes[parentPath]
	if parent == nil {
		return "", nil, protocol.CodeNoNode
	}
	if !t.allowed(parent, protocol.PermCreate, tx.Ids) {
		return "", nil, protocol.CodeNoAuth
	}
	path := r.Path
	if mode.Sequential() {
		path += fmt.Sprintf("%010d", parent.Stat.Cversion)
	}
	if protocol.ValidatePath(path) != nil {
		return "", nil, protocol.CodeBadArguments
	}
	if t.nodes[path] != nil {
		return "", nil, protocol.CodeNodeExists
	}
	if KindOf(parent.Stat.EphemeralOwner) == KindEphemeral {
		return "", nil, protocol.CodeNoChildrenForEphemerals
	}

	var owner int64
	switch {
	case r.Op == protocol.OpCreateContainer:
		owner = protocol.ContainerEphemeralOwner
	case mode.TTL():
		owner = protocol.TTLOwner(r.TTL)
	case mode.Ephemeral():
		owner = tx.Session
	}
	data := r.Data
	n := &Node{
		Data: data,
		ACL:  t.intern(acl),
		Stat: jute.StatPersisted{
			Czxid: tx.Zxid, Mzxid: tx.Zxid, Pzxid: tx.Zxid,
			Ctime: tx.Time, Mtime: tx.Time,
			EphemeralOwner: owner,
		},
	}
	oldCversion, oldPzxid := parent.Stat.Cversion, parent.Stat.Pzxid
	_, name := parentOf(path)
	t.link(path, n)
	parent.Stat.Cversion++
	parent.Stat.Pzxid = tx.Zxid
	if KindOf(owner) == KindEphemeral {
		t.addEphemeral(owner, path)
	}
	tx.onUndo(func() {
		t.unlink(path, n)
		parent.removeChild(name)
		parent.Stat.Cversion, parent.Stat.Pzxid = oldCversion, oldPzxid
		if KindOf(owner) == KindEphemeral {
			t.removeEphemeral(owner, path)
		}
	})
	tx.Events = append(tx.Events,
		Event{protocol.EventNodeCreated, path, n.ACL},
		Event{protocol.EventNodeChildrenChanged, parentPath, parent.ACL})
	return path, n, protocol.CodeOK
}

func (t *Tree) unlink(path string, n *Node) {
	delete(t.nodes, path)
	delete(t.reapable, path)
	t.dataSize -= int64(len(path) + len(n.Data))
}

func (t *Tree) addEphemeral(session int64, path string) {
	s := t.ephemerals[session]
	if s == nil {
		s = make(map[string]struct{})
		t.ephemerals[session] = s
	}
	s[path] = struct{}{}
}

func (t *Tree) removeEphemeral(session int64, path string) {
	if s := t.ephemerals[session]; s != nil {
		delete(s, path)
		if len(s) == 0 {
			delete(t.ephemerals, session)
		}
	}
}

// Delete applies a delete with an expected version (-1 = any).
func (t *Tree) Delete(tx *Txn, path string, version int32) protocol.Code {
	if !t.sessionOK(tx) {
		return protocol.CodeSessionExpired
	}
	parentPath, code := splitForWrite(path)
	if code != protocol.CodeOK || t.special[path] {
		return protocol.CodeBadArguments
	}
	parent := t.nodes[parentPath]
	if parent == nil {
		return protocol.CodeNoNode
	}
	if !t.allowed(parent, protocol.PermDelete, tx.Ids) {
		return protocol.CodeNoAuth
	}
	n := t.nodes[path]
	if n == nil {
		return protocol.CodeNoNode
	}
	if version != -1 && version != n.Stat.Version {
		return protocol.CodeBadVersion
	}
	if len(n.children) > 0 {
		return protocol.CodeNotEmpty
	}
	t.remove(tx, parentPath, parent, path, n)
	return protocol.CodeOK
}

// DeleteContainer applies the reaper's delete of a container or TTL node.
func (t *Tree) DeleteContainer(tx *Txn, path string) protocol.Code {
	parentPath, code := splitForWrite(path)
	if code != protocol.CodeOK || t.special[path] {
		return protocol.CodeBadArguments
	}
	n := t.nodes[path]
	if n == nil {
		return protocol.CodeNoNode
	}
	if len(n.children) > 0 {
		return protocol.CodeNotEmpty
	}
	if KindOf(n.Stat.EphemeralOwner) == KindEphemeral {
		return protocol.CodeBadVersion
	}
	parent := t.nodes[parentPath]
	if parent == nil {
		return protocol.CodeNoNode
	}
	t.remove(tx, parentPath, parent, path, n)
	return protocol.CodeOK
}

func (t *Tree) remove(tx *Txn, parentPath string, parent *Node, path string, n *Node) {
	_, name := parentOf(path)
	oldPzxid := parent.Stat.Pzxid
	t.unlink(path, n)
	parent.removeChild(name)
	if tx.Zxid > parent.Stat.Pzxid {
		parent.Stat.Pzxid = tx.Zxid
	}
	owner := n.Stat.EphemeralOwner
	if KindOf(owner) == KindEphemeral {
		t.removeEphemeral(owner, path)
	}
	tx.onUndo(func() {
		t.link(path, n)
		parent.Stat.Pzxid = oldPzxid
		if KindOf(owner) == KindEphemeral {
			t.addEphemeral(owner, path)
		}
	})
	tx.Events = append(tx.Events,
		Event{protocol.EventNodeDeleted, path, n.ACL},
		Event{protocol.EventNodeChildrenChanged, parentPath, parent.ACL})
}

// SetData applies a setData with an expected version (-1 = any).
func (t *Tree) SetData(tx *Txn, path string, data []byte, version int32) (*Node, protocol.Code) {
	if !t.sessionOK(tx) {
		return nil, protocol.CodeSessionExpired
	}
	if protocol.ValidatePath(path) != nil {
		return nil, protocol.CodeBadArguments
	}
	n := t.nodes[path]
	if n == nil {
		return nil, protocol.CodeNoNode
	}
	if !t.allowed(n, protocol.PermWrite, tx.Ids) {
		return nil, protocol.CodeNoAuth
	}
	if version != -1 && version != n.Stat.Version {
		return nil, protocol.CodeBadVersion
	}
	old, oldStat := n.Data, n.Stat
	t.dataSize += int64(len(data) - len(n.Data))
	n.Data = data
	n.Stat.Mzxid, n.Stat.Mtime = tx.Zxid, tx.Time
	n.Stat.Version++
	tx.onUndo(func() {
		t.dataSize += int64(len(old) - len(n.Data))
		n.Data, n.Stat = old, oldStat
	})
	tx.Events = append(tx.Events, Event{protocol.EventNodeDataChanged, path, n.ACL})
	return n, protocol.CodeOK
}

// SetACL applies a setACL with an expected aversion (-1 = any).
func (t *Tree) SetACL(tx *Txn, path string, acl []jute.ACL, version int32) (*Node, protocol.Code) {
	if !t.sessionOK(tx) {
		return nil, protocol.CodeSessionExpired
	}
	if protocol.ValidatePath(path) != nil {
		return nil, protocol.CodeBadArguments
	}
	fixed, code := t.opts.Policy.Fixup(acl, tx.Ids)
	if code != protocol.CodeOK {
		return nil, code
	}
	n := t.nodes[path]
	if n == nil {
		return nil, protocol.CodeNoNode
	}
	if !t.allowed(n, protocol.PermAdmin, tx.Ids) {
		return nil, protocol.CodeNoAuth
	}
	if version != -1 && version != n.Stat.Aversion {
		return nil, protocol.CodeBadVersion
	}
	oldACL, oldAversion := n.ACL, n.Stat.Aversion
	n.ACL = t.intern(fixed)
	n.Stat.Aversion++
	tx.onUndo(func() { n.ACL, n.Stat.Aversion = oldACL, oldAversion })
	return n, protocol.CodeOK
}

// Check applies a version check (inside multi).
func (t *Tree) Check(tx *Txn, path string, version int32) protocol.Code {
	if !t.sessionOK(tx) {
		return protocol.CodeSessionExpired
	}
	if protocol.ValidatePath(path) != nil {
		return protocol.CodeBadArguments
	}
	n := t.nodes[path]
	if n == nil {
		return protocol.CodeNoNode
	}
	if !t.allowed(n, protocol.PermRead, tx.Ids) {
		return protocol.CodeNoAuth
	}
	if version != -1 && version != n.Stat.Version {
		return protocol.CodeBadVersion
	}
	return protocol.CodeOK
}

// CreateSession adds a session to the table.
func (t *Tree) CreateSession(tx *Txn, timeout int32) {
	t.sessions[tx.Session] = timeout
}

// CloseSession deletes the session's ephemerals (in path order) and removes
// it. It returns the deleted paths.
func (t *Tree) CloseSession(tx *Txn) []string {
	paths := t.Ephemerals(tx.Session, "")
	for _, p := range paths {
		n := t.nodes[p]
		parentPath, _ := parentOf(p)
		t.remove(tx, parentPath, t.nodes[parentPath], p, n)
	}
	delete(t.sessions, tx.Session)
	delete(t.ephemerals, tx.Session)
	return paths
}

// Multi applies the ops atomically: each sees the effects of the ones before
// it; on the first failure everything is rolled back and every result is an
// error (0 before the failing op, its code, then RuntimeInconsistency).
func (t *Tree) Multi(tx *Txn, ops []protocol.MultiOp) []protocol.MultiResult {
	results := make([]protocol.MultiResult, len(ops))
	tx.undo = make([]func(), 0, len(ops))
	nevents := len(tx.Events)
	failed := -1
	var failCode protocol.Code
	for i, o := range ops {
		res, code := t.multiOp(tx, o)
		if code != protocol.CodeOK {
			failed, failCode = i, code
			break
		}
		results[i] = res
	}
	undo := tx.undo
	tx.undo = nil
	if failed < 0 {
		return results
	}
	for i := len(undo) - 1; i >= 0; i-- {
		undo[i]()
	}
	tx.Events = tx.Events[:nevents]
	for i := range results {
		switch {
		case i < failed:
			results[i] = protocol.MultiResult{Op: protocol.OpError, Err: protocol.CodeOK}
		case i == failed:
			results[i] = protocol.MultiResult{Op: protocol.OpError, Err: failCode}
		default:
			results[i] = protocol.MultiResult{Op: protocol.OpError, Err: protocol.CodeRuntimeInconsistency}
		}
	}
	return results
}

func (t *Tree) multiOp(tx *Txn, o protocol.MultiOp) (protocol.MultiResult, protocol.Code) {
	switch r := o.Req.(type) {
	case *jute.CreateRequest:
		path, n, code := t.Create(tx, &CreateRequest{Op: o.Op, Path: r.Path, Data: r.Data, ACL: r.ACL, Flags: r.Flags, TTL: -1})
		if code != protocol.CodeOK {
			return protocol.MultiResult{}, code
		}
		if o.Op == protocol.OpCreate {
			return protocol.MultiResult{Op: protocol.OpCreate, Resp: &jute.CreateResponse{Path: path}}, code
		}
		return protocol.MultiResult{Op: protocol.OpCreate2, Resp: &jute.Create2Response{Path: path, Stat: n.StatCopy()}}, code
	case *jute.CreateTTLRequest:
		path, n, code := t.Create(tx, &CreateRequest{Op: o.Op, Path: r.Path, Data: r.Data, ACL: r.ACL, Flags: r.Flags, TTL: r.Ttl})
		if code != protocol.CodeOK {
			return protocol.MultiResult{}, code
		}
		return protocol.MultiResult{Op: protocol.OpCreate2, Resp: &jute.Create2Response{Path: path, Stat: n.StatCopy()}}, code
	case *jute.DeleteRequest:
		code := t.Delete(tx, r.Path, r.Version)
		return protocol.MultiResult{Op: protocol.OpDelete}, code
	case *jute.SetDataRequest:
		n, code := t.SetData(tx, r.Path, r.Data, r.Version)
		if code != protocol.CodeOK {
			return protocol.MultiResult{}, code
		}
		return protocol.MultiResult{Op: protocol.OpSetData, Resp: &jute.SetDataResponse{Stat: n.StatCopy()}}, code
	case *jute.CheckVersionRequest:
		code := t.Check(tx, r.Path, r.Version)
		return protocol.MultiResult{Op: protocol.OpCheck}, code
	}
	return protocol.MultiResult{}, protocol.CodeMarshallingError
}

// SortedChildren returns a copy of the children of n.
func SortedChildren(n *Node) []string {
	out := make([]string, len(n.children))
	copy(out, n.children)
	sort.Strings(out)
	return out
}
