// GoldenClient drives the Apache ZooKeeper Java client through every opcode it
// can send, for scripts/capture-golden.sh. Usage: java GoldenClient HOST:PORT
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.admin.ZooKeeperAdmin;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;

public class GoldenClient {
    static final BlockingQueue<WatchedEvent> events = new LinkedBlockingQueue<>();
    static final BlockingQueue<Watcher.Event.KeeperState> states = new LinkedBlockingQueue<>();

    static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    static WatchedEvent event(Watcher.Event.EventType type, String path) throws Exception {
        while (true) {
            WatchedEvent e = events.poll(20, TimeUnit.SECONDS);
            if (e == null) throw new IllegalStateException("no event " + type + " " + path);
            if (e.getType() == type && path.equals(e.getPath())) return e;
        }
    }

    static void state(Watcher.Event.KeeperState want) throws Exception {
        while (true) {
            Watcher.Event.KeeperState s = states.poll(20, TimeUnit.SECONDS);
            if (s == null) throw new IllegalStateException("no state " + want);
            if (s == want) return;
        }
    }

    static void expect(KeeperException.Code code, Runnable0 r) throws Exception {
        try {
            r.run();
        } catch (KeeperException e) {
            if (e.code() != code) throw e;
            return;
        }
        throw new IllegalStateException("expected " + code);
    }

    interface Runnable0 { void run() throws Exception; }

    public static void main(String[] args) throws Exception {
        String addr = args[0];
        Watcher w = e -> {
            if (e.getType() == Watcher.Event.EventType.None) states.add(e.getState());
            else events.add(e);
        };
        ZooKeeperAdmin zk = new ZooKeeperAdmin(addr, 4000, w);
        state(Watcher.Event.KeeperState.SyncConnected);
        List<ACL> open = ZooDefs.Ids.OPEN_ACL_UNSAFE;
        String root = "/golden-java";
        Stat st = new Stat();

        zk.create(root, b("java"), open, CreateMode.PERSISTENT);                     // create (1)
        zk.create(root + "/c2", b("create2"), open, CreateMode.PERSISTENT, st);       // create2 (15)
        zk.create(root + "/seq-", b("s"), open, CreateMode.PERSISTENT_SEQUENTIAL, st);
        zk.create(root + "/eph", b("e"), open, CreateMode.EPHEMERAL);
        zk.create(root + "/container", b("c"), open, CreateMode.CONTAINER, st);      // createContainer (19)
        zk.create(root + "/ttl", b("t"), open, CreateMode.PERSISTENT_WITH_TTL, st, 60000); // createTTL (21)
        zk.create(root + "/ttlseq-", b("t"), open, CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, st, 1234567);
        zk.create(root + "/null", null, open, CreateMode.PERSISTENT);
        zk.create(root + "/unicode-\u00e9\u4e2d", b("\u00e9"), open, CreateMode.PERSISTENT);
        expect(KeeperException.Code.NODEEXISTS, () -> zk.create(root, b("dup"), open, CreateMode.PERSISTENT));
        expect(KeeperException.Code.NONODE, () -> zk.create(root + "/no/such", b(""), open, CreateMode.PERSISTENT));
        expect(KeeperException.Code.NOCHILDRENFOREPHEMERALS,
            () -> zk.create(root + "/eph/kid", b(""), open, CreateMode.PERSISTENT));

        zk.exists(root, true);                                                        // exists (3) + watch
        zk.exists(root + "/missing", true);                                           // NoNode, watch set
        zk.getData(root, true, st);                                                   // getData (4) + watch
        zk.getData(root + "/null", false, st);
        expect(KeeperException.Code.NONODE, () -> zk.getData(root + "/missing2", false, null));
        zk.setData(root, b("java-2"), 0);                                             // setData (5)
        event(Watcher.Event.EventType.NodeDataChanged, root);
        expect(KeeperException.Code.BADVERSION, () -> zk.setData(root, b("x"), 99));
        zk.create(root + "/missing", b("now"), open, CreateMode.PERSISTENT);
        event(Watcher.Event.EventType.NodeCreated, root + "/missing");

        zk.getChildren(root, true);                                                  // getChildren (8)
        zk.getChildren(root, false, st);                                             // getChildren2 (12)
        zk.delete(root + "/missing", -1);                                            // delete (2)
        event(Watcher.Event.EventType.NodeChildrenChanged, root);
        expect(KeeperException.Code.NOTEMPTY, () -> zk.delete(root, -1));
        expect(KeeperException.Code.BADVERSION, () -> zk.delete(root + "/c2", 3));

        zk.getACL(root, st);                                                         // getACL (6)
        zk.addAuthInfo("digest", b("javauser:javapass"));                            // auth (100), xid -4
        zk.create(root + "/acl", b("a"), ZooDefs.Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT);
        zk.getACL(root + "/acl", st);
        List<ACL> mixed = Arrays.asList(
            new ACL(ZooDefs.Perms.READ, new Id("world", "anyone")),
            new ACL(ZooDefs.Perms.ALL, new Id("ip", "127.0.0.1")),
            new ACL(ZooDefs.Perms.READ | ZooDefs.Perms.WRITE, new Id("digest", "javauser:Xm0MIvx6LSMchE1G3QUo5a+6pWU=")));
        zk.setACL(root + "/acl", mixed, 0);                                          // setACL (7)
        expect(KeeperException.Code.BADVERSION, () -> zk.setACL(root + "/acl", open, 5));
        expect(KeeperException.Code.INVALIDACL, () -> zk.setACL(root + "/acl",
            Arrays.asList(new ACL(ZooDefs.Perms.ALL, new Id("bogus", "x"))), -1));

        CountDownLatch synced = new CountDownLatch(1);
        zk.sync(root, (rc, path, ctx) -> synced.countDown(), null);                  // sync (9)
        synced.await(20, TimeUnit.SECONDS);

        zk.multi(Arrays.asList(                                                      // multi (14), ok
            Op.create(root + "/m1", b("m1"), open, CreateMode.PERSISTENT),
            Op.create(root + "/m2", b("m2"), open, CreateMode.PERSISTENT),
            Op.create(root + "/mc", b("mc"), open, CreateMode.CONTAINER),           // createContainer sub-op
            Op.create(root + "/mt", b("mt"), open, CreateMode.PERSISTENT_WITH_TTL, 5000), // createTTL sub-op
            Op.setData(root + "/m1", b("m1b"), 0),
            Op.check(root + "/m1", 1),
            Op.delete(root + "/m2", 0)));
        try {                                                                        // multi, failing op
            zk.multi(Arrays.asList(
                Op.create(root + "/m3", b("m3"), open, CreateMode.PERSISTENT),
                Op.create(root, b("dup"), open, CreateMode.PERSISTENT),
                Op.setData(root + "/m1", b("x"), -1)));
            throw new IllegalStateException("multi should fail");
        } catch (KeeperException.NodeExistsException e) {
            // expected
        }
        List<OpResult> reads = zk.multi(Arrays.asList(                                // multiRead (22)
            Op.getData(root + "/m1"),
            Op.getChildren(root + "/container"),
            Op.getData(root + "/nope")));
        if (reads.size() != 3) throw new IllegalStateException("multiRead");

        zk.addWatch(root + "/pw", AddWatchMode.PERSISTENT);                         // addWatch (106)
        zk.addWatch(root, AddWatchMode.PERSISTENT_RECURSIVE);
        zk.create(root + "/pw", b("p"), open, CreateMode.PERSISTENT);
        event(Watcher.Event.EventType.NodeCreated, root + "/pw");
        zk.setData(root + "/pw", b("p2"), -1);
        event(Watcher.Event.EventType.NodeDataChanged, root + "/pw");

        Watcher one = e -> { };
        zk.getData(root + "/m1", one, st);
        zk.removeWatches(root + "/m1", one, Watcher.WatcherType.Data, false);       // checkWatches (17)
        zk.getChildren(root + "/c2", true);
        zk.removeAllWatches(root + "/c2", Watcher.WatcherType.Children, false);     // removeWatches (18)
        expect(KeeperException.Code.NOWATCHER,
            () -> zk.removeAllWatches(root + "/c2", Watcher.WatcherType.Any, false));

        zk.whoAmI();                                                                 // whoAmI (107)
        zk.getEphemerals(root);                                                      // getEphemerals (103)
        zk.getAllChildrenNumber(root);                                               // getAllChildrenNumber (104)
        zk.getConfig(false, st);
        expect(KeeperException.Code.RECONFIGDISABLED,
            () -> zk.reconfigure("server.2=127.0.0.1:2888:3888;2182", null, null, -1, st)); // reconfig (16)

        // Reconnect: the proxy drops the connection after this reply; the client
        // reconnects with its session and re-sends its watches with SetWatches2
        // (it has persistent watches), standard watches included.
        zk.getData(root + "/c2", true, st);
        zk.exists(root + "/later", true);
        zk.exists("/golden-drop", false);
        state(Watcher.Event.KeeperState.Disconnected);
        state(Watcher.Event.KeeperState.SyncConnected);
        zk.setData(root + "/c2", b("after"), -1);
        event(Watcher.Event.EventType.NodeDataChanged, root + "/c2");
        zk.create(root + "/later", null, open, CreateMode.EPHEMERAL);
        event(Watcher.Event.EventType.NodeCreated, root + "/later");

        Thread.sleep(2000);                                                          // ping (11)
        zk.close();                                                                  // closeSession (-11)
        System.out.println("java: done");
    }
}
