package raftzk.compat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooKeeper;

/** Assertions, condition waits and small ZooKeeper helpers shared by all checks. */
final class Util {
    private Util() {}

    /** Default deadline for anything that should happen "soon" on a healthy server. */
    static final long WAIT_MS = 15_000;

    static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }
    static String s(byte[] b) { return b == null ? null : new String(b, StandardCharsets.UTF_8); }

    static void check(boolean cond, String msg) {
        if (!cond) throw new AssertionError(msg);
    }

    static void eq(Object expected, Object actual, String what) {
        if (!Objects.equals(expected, actual)) {
            throw new AssertionError(what + ": expected <" + expected + "> got <" + actual + ">");
        }
    }

    interface ThrowingRunnable { void run() throws Exception; }
    interface Cond { boolean ok() throws Exception; }

    /** Runs op and asserts it fails with the given KeeperException code; returns the exception. */
    static KeeperException expectCode(KeeperException.Code code, String what, ThrowingRunnable op) throws Exception {
        try {
            op.run();
        } catch (KeeperException e) {
            if (e.code() != code) {
                throw new AssertionError(what + ": expected " + code + " got " + e.code() + " (" + e + ")");
            }
            return e;
        }
        throw new AssertionError(what + ": expected " + code + " but succeeded");
    }

    /** Runs op and asserts it throws (client-side) the given exception class. */
    static void expectThrows(Class<? extends Throwable> cls, String what, ThrowingRunnable op) throws Exception {
        try {
            op.run();
        } catch (Throwable t) {
            if (!cls.isInstance(t)) {
                throw new AssertionError(what + ": expected " + cls.getSimpleName() + " got " + t);
            }
            return;
        }
        throw new AssertionError(what + ": expected " + cls.getSimpleName() + " but succeeded");
    }

    /** Bounded retry loop: waits until cond holds or the deadline passes. */
    static void waitFor(String what, long ms, Cond cond) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        Exception last = null;
        while (true) {
            try {
                if (cond.ok()) return;
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + ms + "ms waiting for " + what
                        + (last != null ? " (last error: " + last + ")" : ""));
            }
            Thread.sleep(20); // poll interval of a bounded retry loop, not synchronisation
        }
    }

    static void waitFor(String what, Cond cond) throws Exception { waitFor(what, WAIT_MS, cond); }

    /** A Watcher that records every event, for both session states and node events. */
    static final class Events implements Watcher {
        final BlockingQueue<WatchedEvent> queue = new LinkedBlockingQueue<>();
        final List<WatchedEvent> all = new CopyOnWriteArrayList<>();
        final String name;

        Events(String name) { this.name = name; }

        @Override public void process(WatchedEvent e) {
            all.add(e);
            queue.add(e);
        }

        /** Next event (of any kind) within the deadline. */
        WatchedEvent next(long ms) throws InterruptedException {
            WatchedEvent e = queue.poll(ms, TimeUnit.MILLISECONDS);
            if (e == null) throw new AssertionError(name + ": no event within " + ms + "ms");
            return e;
        }

        /** Next node event (skipping session-state events with type None). */
        WatchedEvent nextNode() throws InterruptedException {
            long deadline = System.currentTimeMillis() + WAIT_MS;
            while (true) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) throw new AssertionError(name + ": no node event within " + WAIT_MS + "ms");
                WatchedEvent e = queue.poll(left, TimeUnit.MILLISECONDS);
                if (e == null) continue;
                if (e.getType() != EventType.None) return e;
            }
        }

        /** Asserts the next node event has this type and path. */
        void expect(EventType type, String path) throws InterruptedException {
            WatchedEvent e = nextNode();
            if (e.getType() != type || !Objects.equals(path, e.getPath())) {
                throw new AssertionError(name + ": expected " + type + " " + path + " got " + e.getType() + " "
                        + e.getPath() + " (state " + e.getState() + ")");
            }
        }

        /** Waits until a session-state event with this state has been seen (at any time). */
        void awaitState(KeeperState st, long ms) throws Exception {
            waitFor(name + " state " + st, ms, () -> all.stream()
                    .anyMatch(e -> e.getType() == EventType.None && e.getState() == st));
        }

        boolean sawState(KeeperState st) {
            return all.stream().anyMatch(e -> e.getType() == EventType.None && e.getState() == st);
        }

        int count(KeeperState st) {
            return (int) all.stream().filter(e -> e.getType() == EventType.None && e.getState() == st).count();
        }

        /** Remaining queued node events, without waiting. */
        List<WatchedEvent> drainNode() {
            List<WatchedEvent> out = new ArrayList<>();
            WatchedEvent e;
            while ((e = queue.poll()) != null) if (e.getType() != EventType.None) out.add(e);
            return out;
        }
    }

    /** Opens a session and waits for SyncConnected. */
    static ZooKeeper connect(String connect, int timeoutMs, Events ev) throws Exception {
        ZooKeeper zk = new ZooKeeper(connect, timeoutMs, ev);
        awaitConnected(zk);
        return zk;
    }

    static void awaitConnected(ZooKeeper zk) throws Exception {
        waitFor("session connected", () -> zk.getState() == ZooKeeper.States.CONNECTED);
    }

    static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try { c.close(); } catch (Exception ignored) { }
    }

    static String str(Collection<?> c) { return String.valueOf(c); }

    /**
     * The server's version from the srvr four-letter word (always whitelisted),
     * e.g. "Zookeeper version: 3.8.0-..." gives {3, 8, 0}. The first host of a
     * connect string is asked.
     */
    static int[] serverVersion(String connect) throws Exception {
        String hp = connect.split(",")[0];
        int i = hp.lastIndexOf(':');
        try (java.net.Socket sock = new java.net.Socket(hp.substring(0, i), Integer.parseInt(hp.substring(i + 1)))) {
            sock.setSoTimeout(10_000);
            sock.getOutputStream().write(b("srvr"));
            String out = new String(sock.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Zookeeper version: (\\d+)\\.(\\d+)\\.(\\d+)").matcher(out);
            if (!m.find()) {
                throw new IllegalStateException("no version in srvr output: " + out);
            }
            return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
        }
    }

    /** Whether exists checks READ: ZOOKEEPER-2590, since 3.8.4 and 3.9.2. */
    static boolean existsChecksRead(String connect) throws Exception {
        int[] v = serverVersion(connect);
        int n = v[0] * 10000 + v[1] * 100 + v[2];
        return n >= 30902 || (n >= 30804 && n < 30900);
    }
}
