package quorum

import (
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

// TestPatientTransport: AppendEntries to a peer that refuses connections
// waits while keepTrying allows and succeeds once the peer listens; with
// keepTrying false it fails at once, as raft's transport does.
func TestPatientTransport(t *testing.T) {
	addrs := freeAddrs(t, 2)
	nt, err := raft.NewTCPTransport(addrs[0], nil, 1, 5*time.Second, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer nt.Close()
	var tries atomic.Int32
	var keep atomic.Bool
	pt := &patientTransport{NetworkTransport: nt, keepTrying: func(raft.ServerID) bool {
		tries.Add(1)
		return keep.Load()
	}}
	req := &raft.AppendEntriesRequest{RPCHeader: raft.RPCHeader{ProtocolVersion: raft.ProtocolVersionMax}, Term: 1}

	var resp raft.AppendEntriesResponse
	if err := pt.AppendEntries("2", raft.ServerAddress(addrs[1]), req, &resp); !isDialError(err) {
		t.Fatalf("keepTrying false: err = %v, want a dial error", err)
	}

	keep.Store(true)
	done := make(chan error, 1)
	go func() {
		var resp raft.AppendEntriesResponse
		done <- pt.AppendEntries("2", raft.ServerAddress(addrs[1]), req, &resp)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for tries.Load() < 3 { // refused at least twice
		if time.Now().After(deadline) {
			t.Fatal("AppendEntries did not retry")
		}
		time.Sleep(5 * time.Millisecond) // polling a condition, not synchronising
	}
	select {
	case err := <-done:
		t.Fatalf("AppendEntries returned %v while the peer was down", err)
	default:
	}
	peer, err := raft.NewTCPTransport(addrs[1], nil, 1, 5*time.Second, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	go func() {
		rpc := <-peer.Consumer()
		rpc.Respond(&raft.AppendEntriesResponse{RPCHeader: req.RPCHeader, Term: 1, Success: true}, nil)
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("AppendEntries after the peer came back: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("AppendEntries did not reach the peer once it listened")
	}
}
