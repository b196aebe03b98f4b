package zkraw_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/raftzk/raftzk/compat-tests/harness"
	"github.com/raftzk/raftzk/compat-tests/zkraw"
	"github.com/raftzk/raftzk/jute"
	"github.com/raftzk/raftzk/protocol"
)

func TestConn_AgainstZooKeeper(t *testing.T) {
	srv := harness.StartZooKeeper(t, harness.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	a, err := zkraw.Dial(ctx, srv.Addr, zkraw.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := zkraw.Dial(ctx, srv.Addr, zkraw.Options{OmitReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if a.Handshake().HasReadOnly != true || b.Handshake().HasReadOnly {
		t.Fatalf("readOnly byte echo: a=%v b=%v", a.Handshake().HasReadOnly, b.Handshake().HasReadOnly)
	}

	if p, err := a.Create(ctx, "/x", []byte("1"), zkraw.OpenACL, protocol.ModePersistent); err != nil || p != "/x" {
		t.Fatalf("create: %q %v", p, err)
	}
	if _, err := a.Create(ctx, "/x", nil, zkraw.OpenACL, protocol.ModePersistent); !errors.Is(err, protocol.CodeNodeExists) {
		t.Fatalf("create again: %v", err)
	}
	if _, err := b.GetData(ctx, "/x", true); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SetData(ctx, "/x", []byte("2"), -1); err != nil {
		t.Fatal(err)
	}
	ev, err := b.WaitPacket(ctx, 0, (*zkraw.Packet).IsEvent)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Event.Type != int32(protocol.EventNodeDataChanged) || ev.Event.Path != "/x" || ev.Header.Zxid != -1 {
		t.Fatalf("event %+v zxid %d", ev.Event, ev.Header.Zxid)
	}
	res, err := a.Multi(ctx,
		protocol.MultiOp{Op: protocol.OpCreate, Req: &jute.CreateRequest{Path: "/x/y", ACL: zkraw.OpenACL}},
		protocol.MultiOp{Op: protocol.OpCreate, Req: &jute.CreateRequest{Path: "/x", ACL: zkraw.OpenACL}},
	)
	if err != nil || len(res) != 2 || res[0].Err != 0 || res[1].Err != protocol.CodeNodeExists {
		t.Fatalf("multi: %+v %v", res, err)
	}

	// Resume b's session on a new connection: the server drops the old one.
	c, err := zkraw.Dial(ctx, srv.Addr, zkraw.Options{SessionID: b.SessionID(), Passwd: b.Passwd()})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-b.Done():
	case <-ctx.Done():
		t.Fatal("old connection not closed")
	}
	if _, err := c.CloseSession(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := zkraw.Dial(ctx, srv.Addr, zkraw.Options{SessionID: b.SessionID(), Passwd: b.Passwd()}); !errors.Is(err, zkraw.ErrSessionInvalid) {
		t.Fatalf("resume closed session: %v", err)
	}
	if out, err := zkraw.FourLetterWord(ctx, srv.Addr, "srvr"); err != nil || !strings.Contains(out, "Mode: standalone") {
		t.Fatalf("srvr: %q %v", out, err)
	}
	if err := a.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}
