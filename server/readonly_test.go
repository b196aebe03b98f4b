package server

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
)

// startMember runs a server that believes it is an ensemble member, over the
// test proposer, so tests can cut it off from its "leader".
func startMember(t *testing.T, readOnly bool) (*Server, *memProposer, string) {
	t.Helper()
	return startServerWith(t, Options{TickTime: 50 * time.Millisecond, Ensemble: true, ReadOnlyMode: readOnly})
}

func fourLetter(t *testing.T, addr, w string) string {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.Write([]byte(w))
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	var out []byte
	buf := make([]byte, 4096)
	for {
		n, err := nc.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			return string(out)
		}
	}
}

func TestServer_LostQuorumClosesClients(t *testing.T) {
	_, p, addr := startMember(t, false)
	nc, resp := handshake(t, addr, 0, nil, 10000)
	defer nc.Close()
	call(t, nc, 1, protocol.OpCreate, &jute.CreateRequest{Path: "/q", ACL: openACL()})
	p.setLeader(false)
	expectClosed(t, nc) // the client sees Disconnected rather than stale reads
	waitFor(t, "srvr to say not serving", func() bool {
		return fourLetter(t, addr, "srvr") == "This ZooKeeper instance is not currently serving requests\n"
	})
	if nc2, _ := handshake(t, addr, 0, nil, 10000); nc2 != nil {
		nc2.Close()
		t.Fatal("a server without quorum accepted a session")
	}
	p.setLeader(true)
	waitFor(t, "serving again", func() bool { return fourLetter(t, addr, "isro") == "rw" })
	nc3, r3 := handshake(t, addr, resp.SessionID, resp.Passwd, 10000)
	if nc3 == nil || r3.SessionID != resp.SessionID {
		t.Fatalf("session did not survive the outage: %+v", r3)
	}
	nc3.Close()
}

func TestServer_ReadOnlyMode(t *testing.T) {
	_, p, addr := startMember(t, true)
	w, _ := handshake(t, addr, 0, nil, 10000)
	call(t, w, 1, protocol.OpCreate, &jute.CreateRequest{Path: "/ro", Data: []byte("v"), ACL: openACL()})
	p.setLeader(false)
	expectClosed(t, w)
	waitFor(t, "isro to answer ro", func() bool { return fourLetter(t, addr, "isro") == "ro" })

	// A client that does not allow read-only is turned away.
	rw, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	writeFrame(t, rw, &jute.ConnectRequest{TimeOut: 10000, Passwd: make([]byte, 16), HasReadOnly: true})
	expectClosed(t, rw)

	ro, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	writeFrame(t, ro, &jute.ConnectRequest{TimeOut: 10000, Passwd: make([]byte, 16), ReadOnly: true, HasReadOnly: true})
	fr := protocol.NewFrameReader(ro, 1<<20)
	ro.SetReadDeadline(time.Now().Add(5 * time.Second))
	frame, err := fr.ReadFrame()
	if err != nil {
		t.Fatal(err)
	}
	var resp jute.ConnectResponse
	jute.Unmarshal(frame, &resp)
	if !resp.ReadOnly || resp.SessionID == 0 {
		t.Fatalf("read-only handshake answered %+v", resp)
	}
	var gd jute.GetDataResponse
	jute.Unmarshal(call(t, ro, 1, protocol.OpGetData, &jute.GetDataRequest{Path: "/ro"}), &gd)
	if string(gd.Data) != "v" {
		t.Fatalf("read-only read %q", gd.Data)
	}
	h, _ := callCode(t, ro, 2, protocol.OpSetData, &jute.SetDataRequest{Path: "/ro", Data: []byte("x"), Version: -1})
	if protocol.Code(h.Err) != protocol.CodeNotReadOnly {
		t.Fatalf("write on a read-only server: %v", protocol.Code(h.Err))
	}
	if out := fourLetter(t, addr, "srvr"); !strings.Contains(out, "READ-ONLY mode; serving only read-only clients\n") || !strings.Contains(out, "Mode: read-only\n") {
		t.Fatalf("srvr in read-only mode:\n%s", out)
	}
	// The quorum returns: read-only clients are closed so they reconnect read-write.
	p.setLeader(true)
	expectClosed(t, ro)
	if got := fourLetter(t, addr, "isro"); got != "rw" {
		t.Fatalf("isro after quorum returned: %q", got)
	}
}
