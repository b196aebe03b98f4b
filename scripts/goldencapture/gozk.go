package main

import (
	"errors"
	"flag"
	"log"
	"time"

	"github.com/go-zookeeper/zk"
)

// runGozk drives go-zookeeper/zk through every request it can send: 44-byte
// handshake, creates of every mode, reads with watches and their notifications,
// errors, auth (with a normal xid), multi (ok and failing), sync, a reconnect
// with SetWatches, a ping, and closeSession.
func runGozk(args []string) {
	fs := flag.NewFlagSet("gozk", flag.ExitOnError)
	addr := fs.String("addr", "", "proxy address")
	_ = fs.Parse(args)

	states := make(chan zk.State, 64)
	c, _, err := zk.Connect([]string{*addr}, 4*time.Second,
		zk.WithLogInfo(false),
		zk.WithEventCallback(func(ev zk.Event) {
			if ev.Type == zk.EventSession {
				select {
				case states <- ev.State:
				default:
				}
			}
		}))
	must(err)
	waitState(states, zk.StateHasSession)

	acl := zk.WorldACL(zk.PermAll)
	const root = "/golden-gozk"
	create(c, root, []byte("gozk"), 0, acl)
	create(c, root+"/null", nil, 0, acl)       // null data: buffer length -1
	create(c, root+"/empty", []byte{}, 0, acl) // empty data: length 0
	create(c, root+"/seq-", []byte("s"), zk.FlagSequence, acl)
	create(c, root+"/eph-", []byte("e"), zk.FlagEphemeralSequential, acl)
	_, err = c.CreateProtectedEphemeralSequential(root+"/prot-", []byte("p"), acl)
	must(err)
	_, err = c.CreateContainer(root+"/container", []byte("c"), zk.FlagContainer, acl)
	must(err)
	_, err = c.CreateTTL(root+"/ttl", []byte("t"), zk.FlagTTL, acl, time.Minute)
	must(err)
	_, err = c.Create(root, nil, 0, acl)
	expect(err, zk.ErrNodeExists)

	_, _, err = c.Exists(root)
	must(err)
	ok, _, err := c.Exists(root + "/missing")
	must(err)
	if ok {
		log.Fatal("missing node exists")
	}
	_, _, err = c.Get(root + "/null")
	must(err)
	_, _, err = c.Get(root + "/missing")
	expect(err, zk.ErrNoNode)

	// Data watch, then the write that fires it.
	_, _, ch, err := c.GetW(root)
	must(err)
	_, err = c.Set(root, []byte("gozk-2"), 0)
	must(err)
	<-ch
	_, err = c.Set(root, []byte("x"), 42)
	expect(err, zk.ErrBadVersion)

	// Child watch (getChildren2), then a create that fires it.
	_, _, ch, err = c.ChildrenW(root)
	must(err)
	create(c, root+"/child", []byte("k"), 0, acl)
	<-ch
	// Exists watch on a missing node, then NodeCreated.
	_, _, ch, err = c.ExistsW(root + "/later")
	must(err)
	create(c, root+"/later", []byte("l"), 0, acl)
	<-ch
	// Exists watch on an existing node, then NodeDeleted.
	_, _, ch, err = c.ExistsW(root + "/later")
	must(err)
	must(c.Delete(root+"/later", -1))
	<-ch

	_, _, err = c.GetACL(root)
	must(err)
	must(c.AddAuth("digest", []byte("gozk:secret")))
	create(c, root+"/secret", []byte("s"), 0, zk.DigestACL(zk.PermAll, "gozk", "secret"))
	_, err = c.SetACL(root+"/secret", acl, 7)
	expect(err, zk.ErrBadVersion)
	_, err = c.SetACL(root+"/secret", zk.WorldACL(zk.PermRead), 0)
	must(err)
	_, err = c.Set(root+"/secret", []byte("no"), -1)
	expect(err, zk.ErrNoAuth)
	_, err = c.Sync(root)
	must(err)

	_, err = c.Multi(
		&zk.CreateRequest{Path: root + "/m1", Data: []byte("m1"), Acl: acl},
		&zk.SetDataRequest{Path: root + "/m1", Data: []byte("m1b"), Version: 0},
		&zk.CheckVersionRequest{Path: root + "/m1", Version: 1},
		&zk.DeleteRequest{Path: root + "/m1", Version: 1},
	)
	must(err)
	_, err = c.Multi(
		&zk.CreateRequest{Path: root + "/m2", Data: []byte("m2"), Acl: acl},
		&zk.CreateRequest{Path: root, Data: []byte("dup"), Acl: acl},
		&zk.SetDataRequest{Path: root + "/m2", Data: []byte("x"), Version: -1},
	)
	expect(err, zk.ErrNodeExists)

	// Watches that survive a reconnect: the proxy drops the connection after
	// the reply to a request naming /golden-drop, go-zookeeper reconnects with
	// its session id and re-sends the watches with SetWatches.
	_, _, dataCh, err := c.GetW(root + "/child")
	must(err)
	_, _, existCh, err := c.ExistsW(root + "/after-reconnect")
	must(err)
	_, _, childCh, err := c.ChildrenW(root + "/child")
	must(err)
	_, _, _ = c.Exists("/golden-drop")
	waitState(states, zk.StateDisconnected)
	waitState(states, zk.StateHasSession)
	_, err = c.Set(root+"/child", []byte("k2"), -1)
	must(err)
	<-dataCh
	create(c, root+"/after-reconnect", nil, 0, acl)
	<-existCh
	create(c, root+"/child/grandchild", nil, zk.FlagEphemeral, acl)
	<-childCh

	err = c.Delete(root+"/child", -1)
	expect(err, zk.ErrNotEmpty)
	err = c.Delete(root+"/null", 5)
	expect(err, zk.ErrBadVersion)
	err = c.Delete(root+"/missing", -1)
	expect(err, zk.ErrNoNode)
	must(c.Delete(root+"/null", 0))

	// Stay idle long enough for a ping (every third of the 4 s timeout).
	time.Sleep(2 * time.Second)
	c.Close()
	log.Print("gozk: done")
}

func create(c *zk.Conn, path string, data []byte, flags int32, acl []zk.ACL) {
	if _, err := c.Create(path, data, flags, acl); err != nil {
		log.Fatalf("create %s: %v", path, err)
	}
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

func expect(err, want error) {
	if !errors.Is(err, want) {
		log.Fatalf("got %v, want %v", err, want)
	}
}

func waitState(ch <-chan zk.State, want zk.State) {
	t := time.After(20 * time.Second)
	for {
		select {
		case s := <-ch:
			if s == want {
				return
			}
		case <-t:
			log.Fatalf("timed out waiting for %v", want)
		}
	}
}
