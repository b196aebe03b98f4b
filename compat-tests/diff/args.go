package diff

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
)

// parseData turns a data token into znode data: a quoted string, null (nil
// data, length -1), hex:ABCD, size:N (N bytes of 'x') or a bare word.
func parseData(t Token) ([]byte, error) {
	if t.Quoted {
		return []byte(t.S), nil
	}
	switch {
	case t.S == "null":
		return nil, nil
	case t.S == "empty":
		return []byte{}, nil
	case strings.HasPrefix(t.S, "hex:"):
		return hex.DecodeString(t.S[4:])
	case strings.HasPrefix(t.S, "size:"):
		n, err := strconv.Atoi(t.S[5:])
		if err != nil || n < 0 {
			return nil, fmt.Errorf("bad size %q", t.S)
		}
		return bytes.Repeat([]byte{'x'}, n), nil
	}
	return []byte(t.S), nil
}

var modeNames = map[string]protocol.CreateMode{
	"persistent": protocol.ModePersistent, "p": protocol.ModePersistent,
	"ephemeral": protocol.ModeEphemeral, "e": protocol.ModeEphemeral,
	"persistent_sequential": protocol.ModePersistentSequential, "pseq": protocol.ModePersistentSequential,
	"ephemeral_sequential": protocol.ModeEphemeralSequential, "eseq": protocol.ModeEphemeralSequential,
	"container": protocol.ModeContainer,
	"ttl":       protocol.ModePersistentWithTTL, "ttl_sequential": protocol.ModePersistentSequentialWithTTL,
	"ttlseq": protocol.ModePersistentSequentialWithTTL,
}

func parseMode(s string) (int32, error) {
	if m, ok := modeNames[s]; ok {
		return int32(m), nil
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("bad create mode %q", s)
	}
	return int32(n), nil
}

func parsePerms(s string) (int32, error) {
	if n, err := strconv.ParseInt(s, 10, 32); err == nil {
		return int32(n), nil
	}
	var p int32
	for _, c := range s {
		switch c {
		case 'r':
			p |= protocol.PermRead
		case 'w':
			p |= protocol.PermWrite
		case 'c':
			p |= protocol.PermCreate
		case 'd':
			p |= protocol.PermDelete
		case 'a':
			p |= protocol.PermAdmin
		default:
			return 0, fmt.Errorf("bad perms %q", s)
		}
	}
	return p, nil
}

// parseACL parses open, read, creator, none, or a comma-separated list of
// scheme:id:perms (perms as letters cdrwa or a number; the id may contain
// colons, as digest ids do).
func parseACL(s string) ([]jute.ACL, error) {
	switch s {
	case "open":
		return []jute.ACL{{Perms: protocol.PermAll, ID: jute.Id{Scheme: "world", ID: "anyone"}}}, nil
	case "read":
		return []jute.ACL{{Perms: protocol.PermRead, ID: jute.Id{Scheme: "world", ID: "anyone"}}}, nil
	case "creator":
		return []jute.ACL{{Perms: protocol.PermAll, ID: jute.Id{Scheme: "auth", ID: ""}}}, nil
	case "none":
		return []jute.ACL{}, nil
	}
	var out []jute.ACL
	for _, part := range strings.Split(s, ",") {
		i, j := strings.IndexByte(part, ':'), strings.LastIndexByte(part, ':')
		if i < 0 || i == j {
			return nil, fmt.Errorf("bad ACL %q (want scheme:id:perms)", part)
		}
		p, err := parsePerms(part[j+1:])
		if err != nil {
			return nil, err
		}
		out = append(out, jute.ACL{Perms: p, ID: jute.Id{Scheme: part[:i], ID: part[i+1 : j]}})
	}
	return out, nil
}

func parseInt32(s string) (int32, error) {
	n, err := strconv.ParseInt(s, 0, 32)
	return int32(n), err
}

var watcherTypes = map[string]int32{
	"children": int32(protocol.WatcherChildren), "data": int32(protocol.WatcherData),
	"any": int32(protocol.WatcherAny), "persistent": int32(protocol.WatcherPersistent),
	"recursive": int32(protocol.WatcherPersistentRecursive),
}

var addWatchModes = map[string]int32{
	"persistent": int32(protocol.AddWatchPersistent),
	"recursive":  int32(protocol.AddWatchPersistentRecursive),
}

func named(m map[string]int32, s string) (int32, error) {
	if v, ok := m[s]; ok {
		return v, nil
	}
	return parseInt32(s)
}

// rawRecord is a request body given as bytes.
type rawRecord []byte

func (r rawRecord) Encode(e *jute.Encoder) { e.B = append(e.B, r...) }
func (r rawRecord) Decode(*jute.Decoder)   {}

// buildRequest turns a request step (or a multi sub-step) into its opcode
// and record. x expands $R in strings.
func buildRequest(st *Step, x func(string) string) (protocol.Op, jute.Record, error) {
	arg := func(i int) string { return x(st.Args[i].S) }
	has := func(i int) bool { return i < len(st.Args) }
	acl := func() ([]jute.ACL, error) {
		if v, ok := st.Opt("acl"); ok {
			return parseACL(x(v))
		}
		return parseACL("open")
	}
	version := func(i int) (int32, error) {
		if !has(i) {
			return -1, nil
		}
		return parseInt32(st.Args[i].S)
	}
	switch st.Verb {
	case "create", "create2", "createContainer", "createTTL":
		data, err := parseData(st.Args[1])
		if err != nil {
			return 0, nil, err
		}
		if data != nil {
			data = []byte(x(string(data)))
		}
		a, err := acl()
		if err != nil {
			return 0, nil, err
		}
		var mode int32
		if has(2) {
			if mode, err = parseMode(st.Args[2].S); err != nil {
				return 0, nil, err
			}
		} else if st.Verb == "createContainer" {
			mode = int32(protocol.ModeContainer)
		}
		op := map[string]protocol.Op{"create": protocol.OpCreate, "create2": protocol.OpCreate2,
			"createContainer": protocol.OpCreateContainer, "createTTL": protocol.OpCreateTTL}[st.Verb]
		if st.Verb == "createTTL" {
			ttl, err := strconv.ParseInt(st.Args[3].S, 0, 64)
			if err != nil {
				return 0, nil, err
			}
			return op, &jute.CreateTTLRequest{Path: arg(0), Data: data, ACL: a, Flags: mode, Ttl: ttl}, nil
		}
		return op, &jute.CreateRequest{Path: arg(0), Data: data, ACL: a, Flags: mode}, nil
	case "delete":
		v, err := version(1)
		return protocol.OpDelete, &jute.DeleteRequest{Path: arg(0), Version: v}, err
	case "deleteContainer":
		return protocol.OpDeleteContainer, &jute.DeleteContainerRequest{Path: []byte(arg(0))}, nil
	case "exists":
		return protocol.OpExists, &jute.ExistsRequest{Path: arg(0), Watch: st.Flag("watch")}, nil
	case "getData":
		return protocol.OpGetData, &jute.GetDataRequest{Path: arg(0), Watch: st.Flag("watch")}, nil
	case "getChildren":
		return protocol.OpGetChildren, &jute.GetChildrenRequest{Path: arg(0), Watch: st.Flag("watch")}, nil
	case "getChildren2":
		return protocol.OpGetChildren2, &jute.GetChildren2Request{Path: arg(0), Watch: st.Flag("watch")}, nil
	case "setData":
		data, err := parseData(st.Args[1])
		if err != nil {
			return 0, nil, err
		}
		if data != nil && len(data) < 4096 {
			data = []byte(x(string(data)))
		}
		v, err := version(2)
		return protocol.OpSetData, &jute.SetDataRequest{Path: arg(0), Data: data, Version: v}, err
	case "getACL":
		return protocol.OpGetACL, &jute.GetACLRequest{Path: arg(0)}, nil
	case "setACL":
		a, err := parseACL(arg(1))
		if err != nil {
			return 0, nil, err
		}
		v, err := version(2)
		return protocol.OpSetACL, &jute.SetACLRequest{Path: arg(0), ACL: a, Version: v}, err
	case "sync":
		return protocol.OpSync, &jute.SyncRequest{Path: arg(0)}, nil
	case "check":
		v, err := parseInt32(st.Args[1].S)
		return protocol.OpCheck, &jute.CheckVersionRequest{Path: arg(0), Version: v}, err
	case "reconfig":
		id, err := strconv.ParseInt(st.Args[3].S, 0, 64)
		return protocol.OpReconfig, &jute.ReconfigRequest{JoiningServers: arg(0), LeavingServers: arg(1),
			NewMembers: arg(2), CurConfigID: id}, err
	case "checkWatches", "removeWatches":
		t, err := named(watcherTypes, st.Args[1].S)
		if st.Verb == "checkWatches" {
			return protocol.OpCheckWatches, &jute.CheckWatchesRequest{Path: arg(0), Type: t}, err
		}
		return protocol.OpRemoveWatches, &jute.RemoveWatchesRequest{Path: arg(0), Type: t}, err
	case "addWatch":
		m, err := named(addWatchModes, st.Args[1].S)
		return protocol.OpAddWatch, &jute.AddWatchRequest{Path: arg(0), Mode: m}, err
	case "getEphemerals":
		return protocol.OpGetEphemerals, &jute.GetEphemeralsRequest{PrefixPath: arg(0)}, nil
	case "getAllChildrenNumber":
		return protocol.OpGetAllChildrenNumber, &jute.GetAllChildrenNumberRequest{Path: arg(0)}, nil
	case "whoAmI":
		return protocol.OpWhoAmI, nil, nil
	case "ping":
		return protocol.OpPing, nil, nil
	case "closeSession":
		return protocol.OpCloseSession, nil, nil
	case "auth":
		data, err := parseData(st.Args[1])
		return protocol.OpAuth, &jute.AuthPacket{Scheme: arg(0), Auth: data}, err
	case "raw":
		op, err := parseInt32(st.Args[0].S)
		if err != nil {
			return 0, nil, err
		}
		body, err := hexArgs(st.Args[1:])
		if err != nil {
			return 0, nil, err
		}
		return protocol.Op(op), rawRecord(body), nil
	case "rawop":
		op, err := parseInt32(st.Args[0].S)
		if err != nil {
			return 0, nil, err
		}
		body, err := hexArgs(st.Args[1:])
		if err != nil {
			return 0, nil, err
		}
		return protocol.Op(op), rawRecord(body), nil
	}
	return 0, nil, fmt.Errorf("verb %q is not a request", st.Verb)
}

// hexArgs concatenates hex words (spaces between them are for readability).
func hexArgs(ts []Token) ([]byte, error) {
	var s strings.Builder
	for _, t := range ts {
		s.WriteString(t.S)
	}
	return hex.DecodeString(s.String())
}

func splitPaths(v string, x func(string) string) []string {
	out := []string{}
	if v == "" {
		return out
	}
	for _, p := range strings.Split(v, ",") {
		out = append(out, x(p))
	}
	return out
}
