package raftzk.compat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/** Per-run context: the server address, a unique root znode, and resources to close after each check. */
final class Ctx {
    final String connect;
    final String root;
    private ZooKeeper admin;
    private final List<AutoCloseable> tracked = new CopyOnWriteArrayList<>();

    Ctx(String connect) {
        this.connect = connect;
        this.root = "/compat-java-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffffL);
    }

    void setUp() throws Exception {
        admin = Util.connect(connect, 30_000, new Util.Events("admin"));
        // The identities used by the ACL checks, so clean-up can read and delete their nodes.
        admin.addAuthInfo("digest", Util.b("alice:secret"));
        admin.addAuthInfo("digest", Util.b("bob:pw"));
        admin.create(root, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    }

    /** A fresh persistent node for one check: root/name. */
    String base(String name) throws Exception {
        String p = root + "/" + name;
        try {
            admin.create(p, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        } catch (KeeperException.NodeExistsException e) {
            deleteTree(p);
            admin.create(p, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        }
        return p;
    }

    /** Closes c after the current check (whatever its outcome). */
    <T extends AutoCloseable> T track(T c) {
        tracked.add(c);
        return c;
    }

    /** A new session, closed after the current check. */
    ZooKeeper zk(String name) throws Exception {
        return zk(name, new Util.Events(name));
    }

    ZooKeeper zk(String name, Util.Events ev) throws Exception {
        return track(Util.connect(connect, 30_000, ev));
    }

    void closeTracked() {
        for (int i = tracked.size() - 1; i >= 0; i--) Util.closeQuietly(tracked.get(i));
        tracked.clear();
    }

    /** Deletes a subtree; leaves are deleted without listing them (listing may need READ). */
    void deleteTree(String p) throws Exception {
        try {
            admin.delete(p, -1);
        } catch (KeeperException.NoNodeException e) {
            // already gone
        } catch (KeeperException.NotEmptyException e) {
            for (String c : admin.getChildren(p, false)) deleteTree(p + "/" + c);
            deleteTree(p);
        }
    }

    void tearDown() {
        try {
            deleteTree(root);
        } catch (Exception e) {
            System.err.println("# cleanup of " + root + " failed: " + e);
        }
        Util.closeQuietly(admin);
    }
}
