package raftzk.compat;

import static raftzk.compat.Util.b;
import static raftzk.compat.Util.check;
import static raftzk.compat.Util.eq;
import static raftzk.compat.Util.s;
import static raftzk.compat.Util.waitFor;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.recipes.atomic.AtomicValue;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;
import org.apache.curator.framework.recipes.barriers.DistributedBarrier;
import org.apache.curator.framework.recipes.barriers.DistributedDoubleBarrier;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderSelector;
import org.apache.curator.framework.recipes.leader.LeaderSelectorListenerAdapter;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreV2;
import org.apache.curator.framework.recipes.locks.Lease;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.recipes.shared.SharedCount;
import org.apache.curator.framework.recipes.shared.VersionedValue;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/** Apache Curator 5 recipes, each exercised for the guarantee it gives. */
final class CuratorChecks {
    private CuratorChecks() {}

    static void register() {
        Main.add("curator.basics", CuratorChecks::basics);
        Main.add("curator.mutex.two_processes", 180_000, CuratorChecks::mutexTwoProcesses);
        Main.add("curator.mutex.timeout_and_reentrancy", CuratorChecks::mutexTimeout);
        Main.add("curator.semaphore", CuratorChecks::semaphore);
        Main.add("curator.leader_latch", CuratorChecks::leaderLatch);
        Main.add("curator.leader_selector", 90_000, CuratorChecks::leaderSelector);
        Main.add("curator.barrier", CuratorChecks::barrier);
        Main.add("curator.double_barrier", CuratorChecks::doubleBarrier);
        Main.add("curator.shared_count", 90_000, CuratorChecks::sharedCount);
        Main.add("curator.atomic_long", 90_000, CuratorChecks::atomicLong);
        Main.add("curator.persistent_node", 90_000, CuratorChecks::persistentNode);
        Main.add("curator.cache", CuratorChecks::cache);
    }

    static CuratorFramework client(String connect) throws Exception {
        CuratorFramework c = CuratorFrameworkFactory.builder().connectString(connect)
                .sessionTimeoutMs(30_000).connectionTimeoutMs(15_000)
                .retryPolicy(new ExponentialBackoffRetry(100, 10, 2000)).build();
        c.start();
        if (!c.blockUntilConnected(20, TimeUnit.SECONDS)) {
            c.close();
            throw new AssertionError("curator client did not connect to " + connect);
        }
        return c;
    }

    static CuratorFramework client(Ctx ctx) throws Exception { return ctx.track(client(ctx.connect)); }

    /** Ends a session from outside, as Curator's own tests do: a second handle on it closes it. */
    static void killSession(String connect, CuratorFramework c) throws Exception {
        ZooKeeper zk = c.getZookeeperClient().getZooKeeper();
        Util.Events ev = new Util.Events("killer");
        ZooKeeper killer = new ZooKeeper(connect, 30_000, ev, zk.getSessionId(), zk.getSessionPasswd());
        try {
            Util.awaitConnected(killer);
        } finally {
            killer.close();
        }
    }

    // ---------------------------------------------------------------------------------------

    static void basics(Ctx ctx) throws Exception {
        String base = ctx.base("curator_basics");
        CuratorFramework c = client(ctx);
        c.create().creatingParentsIfNeeded().forPath(base + "/a/b/c", b("deep"));
        eq("deep", s(c.getData().forPath(base + "/a/b/c")), "creatingParentsIfNeeded");
        c.create().orSetData().forPath(base + "/a/b/c", b("again"));
        eq("again", s(c.getData().forPath(base + "/a/b/c")), "orSetData");
        Stat st = c.checkExists().forPath(base + "/a/b/c");
        check(st != null && st.getVersion() == 1, "checkExists " + st);
        String seq = c.create().withProtection().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath(base + "/p-", b("x"));
        check(seq.contains("_c_") && seq.endsWith("0000000001"), "protected sequential name " + seq);
        // Create2 via storingStatIn.
        Stat cs = new Stat();
        c.create().storingStatIn(cs).forPath(base + "/s");
        eq(c.checkExists().forPath(base + "/s"), cs, "create storingStatIn");
        // Transactions.
        CuratorOp op1 = c.transactionOp().create().forPath(base + "/t1", b("1"));
        CuratorOp op2 = c.transactionOp().setData().forPath(base + "/s", b("2"));
        CuratorOp op3 = c.transactionOp().delete().forPath(base + "/a/b/c");
        eq(3, c.transaction().forOperations(op1, op2, op3).size(), "transaction results");
        check(c.checkExists().forPath(base + "/a/b/c") == null, "transaction deleted");
        // Guaranteed delete + deletingChildrenIfNeeded.
        c.delete().guaranteed().deletingChildrenIfNeeded().forPath(base + "/a");
        check(c.checkExists().forPath(base + "/a") == null, "deletingChildrenIfNeeded");
        // Watched getData through Curator's watcher API.
        CountDownLatch fired = new CountDownLatch(1);
        c.getData().usingWatcher((org.apache.zookeeper.Watcher) e -> fired.countDown()).forPath(base + "/s");
        c.setData().forPath(base + "/s", b("3"));
        check(fired.await(Util.WAIT_MS, TimeUnit.MILLISECONDS), "watcher fired");
        // Curator's own server-version probe: persistent watches available on 3.6+ servers.
        c.watchers().add().withMode(org.apache.zookeeper.AddWatchMode.PERSISTENT).forPath(base + "/s");
    }

    // ---------------------------------------------------------------- mutex

    /** One worker's rounds under the lock; throws if it ever sees another holder. */
    static void mutexRounds(CuratorFramework c, String base, int rounds, String who) throws Exception {
        InterProcessMutex m = new InterProcessMutex(c, base + "/lock");
        for (int i = 0; i < rounds; i++) {
            if (!m.acquire(60, TimeUnit.SECONDS)) throw new AssertionError(who + ": acquire timed out");
            try {
                try {
                    c.create().withMode(CreateMode.EPHEMERAL).forPath(base + "/holder", b(who));
                } catch (KeeperException.NodeExistsException e) {
                    throw new AssertionError(who + ": lock overlap, holder is "
                            + s(c.getData().forPath(base + "/holder")));
                }
                Stat st = new Stat();
                long v = Long.parseLong(s(c.getData().storingStatIn(st).forPath(base + "/counter")));
                try {
                    c.setData().withVersion(st.getVersion()).forPath(base + "/counter", b(Long.toString(v + 1)));
                } catch (KeeperException.BadVersionException e) {
                    throw new AssertionError(who + ": lock overlap, counter changed under the lock");
                }
                c.delete().forPath(base + "/holder");
            } finally {
                m.release();
            }
        }
    }

    static final int MUTEX_ROUNDS = 40;
    static final int MUTEX_THREADS = 2;

    /** Child JVM: --mutex-worker CONNECT BASE ROUNDS THREADS. Prints "OK" or "ERR reason". */
    static int mutexWorkerMain(String[] args) {
        String connect = args[1], base = args[2];
        int rounds = Integer.parseInt(args[3]), threads = Integer.parseInt(args[4]);
        List<CuratorFramework> clients = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) clients.add(client(connect));
            CuratorFramework c0 = clients.get(0);
            c0.create().withMode(CreateMode.EPHEMERAL).forPath(base + "/ready/child");
            waitFor("go node", 60_000, () -> c0.checkExists().forPath(base + "/go") != null);
            runWorkers(clients, base, rounds, "child");
            System.out.println("OK");
            return 0;
        } catch (Throwable t) {
            System.out.println("ERR " + Main.oneLine(t));
            return 1;
        } finally {
            for (CuratorFramework c : clients) Util.closeQuietly(c);
        }
    }

    static void runWorkers(List<CuratorFramework> clients, String base, int rounds, String who) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients.size());
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < clients.size(); t++) {
                CuratorFramework c = clients.get(t);
                String name = who + "-" + t;
                fs.add(pool.submit(() -> { mutexRounds(c, base, rounds, name); return null; }));
            }
            for (Future<?> f : fs) {
                try {
                    f.get(150, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof Exception) throw (Exception) e.getCause();
                    throw new AssertionError(e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static void mutexTwoProcesses(Ctx ctx) throws Exception {
        String base = ctx.base("curator_mutex");
        CuratorFramework admin = client(ctx);
        admin.create().forPath(base + "/counter", b("0"));
        admin.create().forPath(base + "/ready");
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        ProcessBuilder pb = new ProcessBuilder(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=" + System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "error"),
                "-Dzookeeper.sasl.client=false",
                "-cp", System.getProperty("java.class.path"), "raftzk.compat.Main", "--mutex-worker",
                ctx.connect, base, Integer.toString(MUTEX_ROUNDS), Integer.toString(MUTEX_THREADS));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process child = pb.start();
        try {
            List<CuratorFramework> clients = new ArrayList<>();
            for (int t = 0; t < MUTEX_THREADS; t++) clients.add(client(ctx));
            waitFor("child JVM ready", 60_000, () -> {
                if (!child.isAlive()) throw new AssertionError("child exited early with " + child.exitValue());
                return admin.checkExists().forPath(base + "/ready/child") != null;
            });
            admin.create().forPath(base + "/go");
            runWorkers(clients, base, MUTEX_ROUNDS, "parent");
            check(child.waitFor(150, TimeUnit.SECONDS), "child JVM did not finish");
            String out;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                out = r.lines().reduce("", (a, b2) -> a + b2 + " ").trim();
            }
            eq("OK", out, "child JVM result");
            eq(0, child.exitValue(), "child exit code");
            long total = 2L * MUTEX_THREADS * MUTEX_ROUNDS;
            eq(Long.toString(total), s(admin.getData().forPath(base + "/counter")), "counter == total acquisitions");
            check(admin.checkExists().forPath(base + "/holder") == null, "no holder left");
            // The lock's parent is a container; the server may already have reaped it.
            Stat lockDir = admin.checkExists().forPath(base + "/lock");
            check(lockDir == null || lockDir.getNumChildren() == 0, "no lock nodes left");
        } finally {
            if (child.isAlive()) {
                child.destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    static void mutexTimeout(Ctx ctx) throws Exception {
        String base = ctx.base("curator_mutex_timeout");
        CuratorFramework a = client(ctx), b = client(ctx);
        InterProcessMutex ma = new InterProcessMutex(a, base + "/lock");
        InterProcessMutex mb = new InterProcessMutex(b, base + "/lock");
        check(ma.acquire(10, TimeUnit.SECONDS), "a acquires");
        check(ma.acquire(10, TimeUnit.SECONDS), "a re-enters");
        check(!mb.acquire(300, TimeUnit.MILLISECONDS), "b must not acquire while a holds");
        ma.release();
        check(!mb.acquire(300, TimeUnit.MILLISECONDS), "a still holds once (reentrant count)");
        // Waiter is woken by the node deletion (a watch), well before its timeout.
        AtomicBoolean got = new AtomicBoolean();
        Thread t = new Thread(() -> {
            try { got.set(mb.acquire(30, TimeUnit.SECONDS)); } catch (Exception ignored) { }
        });
        t.start();
        waitFor("b is queued", () -> b.getChildren().forPath(base + "/lock").size() == 2);
        long t0 = System.nanoTime();
        ma.release();
        t.join(30_000);
        check(got.get(), "b acquired after a released");
        check(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 10_000, "b woken promptly by the watch");
        // A lock held by a session that dies is released.
        killSession(ctx.connect, b);
        check(ma.acquire(30, TimeUnit.SECONDS), "a acquires after b's session was killed");
        ma.release();
    }

    static void semaphore(Ctx ctx) throws Exception {
        String base = ctx.base("curator_semaphore");
        int clients = 4, maxLeases = 2, rounds = 8;
        AtomicInteger inside = new AtomicInteger(), maxInside = new AtomicInteger(), total = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            CuratorFramework c = client(ctx);
            fs.add(pool.submit(() -> {
                InterProcessSemaphoreV2 sem = new InterProcessSemaphoreV2(c, base + "/sem", maxLeases);
                for (int r = 0; r < rounds; r++) {
                    Lease l = sem.acquire(60, TimeUnit.SECONDS);
                    if (l == null) throw new AssertionError("lease timed out");
                    try {
                        int n = inside.incrementAndGet();
                        maxInside.accumulateAndGet(n, Math::max);
                        c.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath(base + "/work-");
                        total.incrementAndGet();
                        inside.decrementAndGet();
                    } finally {
                        sem.returnLease(l);
                    }
                }
                return null;
            }));
        }
        try {
            for (Future<?> f : fs) f.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        eq(clients * rounds, total.get(), "all leases granted");
        check(maxInside.get() <= maxLeases, "more than " + maxLeases + " holders at once: " + maxInside.get());
    }

    // ---------------------------------------------------------------- leadership

    static void leaderLatch(Ctx ctx) throws Exception {
        String base = ctx.base("curator_leader_latch");
        int n = 3;
        List<LeaderLatch> latches = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            LeaderLatch l = new LeaderLatch(client(ctx), base + "/latch", "p" + i);
            latches.add(l);
            l.start();
        }
        waitFor("exactly one leader", () -> latches.stream().filter(LeaderLatch::hasLeadership).count() == 1);
        LeaderLatch leader = latches.stream().filter(LeaderLatch::hasLeadership).findFirst().get();
        for (LeaderLatch l : latches) {
            waitFor("participants agree on the leader",
                    () -> l.getLeader().isLeader() && l.getLeader().getId().equals(leader.getId()));
            eq(n, l.getParticipants().size(), "participants");
        }
        // Leader changes when the leader closes.
        leader.close();
        List<LeaderLatch> rest = new ArrayList<>(latches);
        rest.remove(leader);
        waitFor("new leader after close", () -> rest.stream().filter(LeaderLatch::hasLeadership).count() == 1);
        check(!leader.hasLeadership(), "closed latch is not leader");
        LeaderLatch second = rest.stream().filter(LeaderLatch::hasLeadership).findFirst().get();
        // Leader changes when the leader's session is killed.
        rest.remove(second);
        killSession(ctx.connect, getClient(second));
        waitFor("leadership moves after session kill",
                () -> rest.get(0).hasLeadership() || second.hasLeadership());
        for (LeaderLatch l : rest) Util.closeQuietly(l);
        Util.closeQuietly(second);
    }

    private static CuratorFramework getClient(LeaderLatch l) throws Exception {
        java.lang.reflect.Field f = LeaderLatch.class.getDeclaredField("client");
        f.setAccessible(true);
        return (CuratorFramework) f.get(l);
    }

    static void leaderSelector(Ctx ctx) throws Exception {
        String base = ctx.base("curator_leader_selector");
        int n = 3, wantTerms = 9;
        AtomicInteger active = new AtomicInteger(), maxActive = new AtomicInteger(), terms = new AtomicInteger();
        Map<String, AtomicInteger> perId = new ConcurrentHashMap<>();
        AtomicBoolean closing = new AtomicBoolean();
        List<String> errors = new CopyOnWriteArrayList<>();
        List<LeaderSelector> selectors = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "s" + i;
            perId.put(id, new AtomicInteger());
            CuratorFramework c = client(ctx);
            LeaderSelector sel = new LeaderSelector(c, base + "/sel", new LeaderSelectorListenerAdapter() {
                @Override public void takeLeadership(CuratorFramework cf) throws Exception {
                    int now = active.incrementAndGet();
                    maxActive.accumulateAndGet(now, Math::max);
                    try {
                        // Do real work while leader: a version-checked update of a shared node.
                        Stat st = new Stat();
                        byte[] d = cf.getData().storingStatIn(st).forPath(base + "/term");
                        cf.setData().withVersion(st.getVersion()).forPath(base + "/term", b(s(d) + id.charAt(1)));
                        perId.get(id).incrementAndGet();
                        terms.incrementAndGet();
                    } catch (Exception e) {
                        // close() interrupts a leader mid-term; only errors before that count.
                        if (!closing.get()) errors.add(id + ": " + e);
                    } finally {
                        active.decrementAndGet();
                    }
                }
            });
            sel.setId(id);
            sel.autoRequeue();
            selectors.add(ctx.track(sel));
        }
        CuratorFramework admin = client(ctx);
        admin.create().forPath(base + "/term", b(""));
        for (LeaderSelector s : selectors) s.start();
        waitFor(wantTerms + " leadership terms", 60_000, () -> terms.get() >= wantTerms);
        closing.set(true);
        for (LeaderSelector s : selectors) s.close();
        eq(Collections.emptyList(), errors, "errors in takeLeadership");
        eq(1, maxActive.get(), "max concurrent leaders");
        for (Map.Entry<String, AtomicInteger> e : perId.entrySet()) {
            check(e.getValue().get() > 0, "selector " + e.getKey() + " never led (requeue is fair FIFO): " + perId);
        }
        check(s(admin.getData().forPath(base + "/term")).length() >= wantTerms, "terms recorded");
    }

    // ---------------------------------------------------------------- barriers

    static void barrier(Ctx ctx) throws Exception {
        String base = ctx.base("curator_barrier");
        CuratorFramework c = client(ctx);
        DistributedBarrier controller = new DistributedBarrier(c, base + "/barrier");
        controller.setBarrier();
        int n = 3;
        AtomicBoolean removed = new AtomicBoolean();
        List<String> errors = new CopyOnWriteArrayList<>();
        CountDownLatch timedOutOnce = new CountDownLatch(n), done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            CuratorFramework w = client(ctx);
            Thread t = new Thread(() -> {
                try {
                    DistributedBarrier b = new DistributedBarrier(w, base + "/barrier");
                    if (b.waitOnBarrier(200, TimeUnit.MILLISECONDS)) errors.add("passed a set barrier");
                    timedOutOnce.countDown();
                    if (!b.waitOnBarrier(30, TimeUnit.SECONDS)) errors.add("timed out after removal");
                    if (!removed.get()) errors.add("passed before removal");
                } catch (Exception e) {
                    errors.add(e.toString());
                } finally {
                    done.countDown();
                }
            });
            t.setDaemon(true);
            t.start();
        }
        check(timedOutOnce.await(30, TimeUnit.SECONDS), "waiters reached the barrier");
        removed.set(true);
        controller.removeBarrier();
        check(done.await(30, TimeUnit.SECONDS), "waiters released");
        eq(Collections.emptyList(), errors, "barrier errors");
    }

    static void doubleBarrier(Ctx ctx) throws Exception {
        String base = ctx.base("curator_double_barrier");
        int n = 3;
        AtomicInteger entered = new AtomicInteger(), arrived = new AtomicInteger();
        List<String> errors = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            CuratorFramework w = client(ctx);
            Thread t = new Thread(() -> {
                try {
                    DistributedDoubleBarrier b = new DistributedDoubleBarrier(w, base + "/db", n);
                    arrived.incrementAndGet();
                    if (!b.enter(30, TimeUnit.SECONDS)) errors.add("enter timed out");
                    // Everyone has arrived before anyone gets through enter().
                    if (arrived.get() != n) errors.add("entered before all members arrived");
                    entered.incrementAndGet();
                    if (!b.leave(30, TimeUnit.SECONDS)) errors.add("leave timed out");
                    if (entered.get() != n) errors.add("left before all entered");
                } catch (Exception e) {
                    errors.add(e.toString());
                } finally {
                    done.countDown();
                }
            });
            t.setDaemon(true);
            t.start();
        }
        check(done.await(60, TimeUnit.SECONDS), "double barrier finished");
        eq(Collections.emptyList(), errors, "double barrier errors");
    }

    // ---------------------------------------------------------------- counters

    static void sharedCount(Ctx ctx) throws Exception {
        String base = ctx.base("curator_shared_count");
        int clients = 4, incs = 25;
        List<String> errors = new CopyOnWriteArrayList<>();
        AtomicInteger conflicts = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            SharedCount sc = ctx.track(new SharedCount(client(ctx), base + "/count", 0));
            sc.start();
            fs.add(pool.submit(() -> {
                for (int k = 0; k < incs; k++) {
                    while (true) {
                        VersionedValue<Integer> v = sc.getVersionedValue();
                        if (sc.trySetCount(v, v.getValue() + 1)) break;
                        conflicts.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        try {
            for (Future<?> f : fs) f.get(80, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        SharedCount reader = ctx.track(new SharedCount(client(ctx), base + "/count", 0));
        reader.start();
        eq(clients * incs, reader.getCount(), "shared count total");
        System.err.println("# shared_count conflicts (retried trySetCount): " + conflicts.get());
        // Listeners see changes made by others.
        CountDownLatch changed = new CountDownLatch(1);
        reader.addListener(new org.apache.curator.framework.recipes.shared.SharedCountListener() {
            @Override public void countHasChanged(org.apache.curator.framework.recipes.shared.SharedCountReader r, int n) {
                if (n == -5) changed.countDown();
            }
            @Override public void stateChanged(CuratorFramework c, ConnectionState s) { }
        });
        SharedCount writer = ctx.track(new SharedCount(client(ctx), base + "/count", 0));
        writer.start();
        writer.setCount(-5);
        check(changed.await(Util.WAIT_MS, TimeUnit.MILLISECONDS), "SharedCount listener saw the change");
    }

    static void atomicLong(Ctx ctx) throws Exception {
        String base = ctx.base("curator_atomic_long");
        int clients = 4, incs = 25;
        AtomicInteger retries = new AtomicInteger();
        List<Long> seen = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            DistributedAtomicLong al = new DistributedAtomicLong(client(ctx), base + "/long", new RetryNTimes(50, 5));
            fs.add(pool.submit(() -> {
                for (int k = 0; k < incs; k++) {
                    while (true) {
                        AtomicValue<Long> v = al.increment();
                        if (v.succeeded()) {
                            if (v.postValue() != v.preValue() + 1) throw new AssertionError("pre/post " + v.preValue() + "/" + v.postValue());
                            seen.add(v.postValue());
                            break;
                        }
                        retries.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        try {
            for (Future<?> f : fs) f.get(80, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        DistributedAtomicLong reader = new DistributedAtomicLong(client(ctx), base + "/long", new RetryNTimes(3, 10));
        eq((long) clients * incs, reader.get().postValue(), "atomic long total");
        // Every successful increment observed a distinct value 1..N.
        List<Long> sorted = new ArrayList<>(seen);
        Collections.sort(sorted);
        for (int i = 0; i < sorted.size(); i++) eq((long) i + 1, sorted.get(i), "distinct post values");
        System.err.println("# atomic_long failed attempts: " + retries.get());
        AtomicValue<Long> cas = reader.compareAndSet((long) clients * incs, 7L);
        check(cas.succeeded(), "compareAndSet with current value");
        check(!reader.compareAndSet(1000L, 8L).succeeded(), "compareAndSet with stale value fails");
        eq(7L, reader.get().postValue(), "value after CAS");
    }

    // ---------------------------------------------------------------- nodes and caches

    static void persistentNode(Ctx ctx) throws Exception {
        String base = ctx.base("curator_persistent_node");
        CuratorFramework owner = client(ctx);
        CuratorFramework other = client(ctx);
        List<ConnectionState> states = new CopyOnWriteArrayList<>();
        owner.getConnectionStateListenable().addListener((c, st) -> states.add(st));
        String path = base + "/member";
        PersistentNode node = ctx.track(new PersistentNode(owner, CreateMode.EPHEMERAL, false, path, b("me")));
        node.start();
        check(node.waitForInitialCreate(Util.WAIT_MS, TimeUnit.MILLISECONDS), "initial create");
        long sid1 = other.checkExists().forPath(path).getEphemeralOwner();
        eq(owner.getZookeeperClient().getZooKeeper().getSessionId(), sid1, "ephemeral owned by the owner session");
        // Deleted by someone else: re-created.
        other.delete().forPath(path);
        waitFor("re-created after delete", () -> other.checkExists().forPath(path) != null);
        eq("me", s(other.getData().forPath(path)), "data restored");
        // Data change through the recipe.
        node.setData(b("new"));
        waitFor("setData visible", () -> "new".equals(s(other.getData().forPath(path))));
        // Session loss: the ephemeral goes, Curator gets a new session, the node comes back.
        killSession(ctx.connect, owner);
        waitFor("LOST state", 30_000, () -> states.contains(ConnectionState.LOST));
        waitFor("re-created under a new session", 30_000, () -> {
            Stat st = other.checkExists().forPath(path);
            return st != null && st.getEphemeralOwner() != sid1;
        });
        eq(owner.getZookeeperClient().getZooKeeper().getSessionId(), other.checkExists().forPath(path).getEphemeralOwner(),
                "owned by the new session");
        check(states.contains(ConnectionState.RECONNECTED), "RECONNECTED after LOST: " + states);
        eq("new", s(other.getData().forPath(path)), "latest data after session loss");
        node.close();
        waitFor("removed after close", () -> other.checkExists().forPath(path) == null);
    }

    static void awaitEvent(List<String> events, String want) throws Exception {
        try {
            waitFor("cache event " + want, () -> events.contains(want));
        } catch (AssertionError e) {
            throw new AssertionError("no cache event <" + want + ">, got " + events);
        }
    }

    static void cache(Ctx ctx) throws Exception {
        String base = ctx.base("curator_cache");
        CuratorFramework c = client(ctx);
        CuratorFramework writer = client(ctx);
        String root = base + "/tree";
        writer.create().forPath(root, b("r"));
        writer.create().forPath(root + "/pre", b("p"));
        List<String> events = new CopyOnWriteArrayList<>();
        CountDownLatch init = new CountDownLatch(1);
        CuratorCache cache = ctx.track(CuratorCache.build(c, root));
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreates(d -> events.add("CREATE " + d.getPath() + " " + s(d.getData())))
                .forChanges((o, n) -> events.add("CHANGE " + n.getPath() + " " + s(o.getData()) + "->" + s(n.getData())))
                .forDeletes(d -> events.add("DELETE " + d.getPath()))
                .forInitialized(init::countDown)
                .build());
        cache.start();
        check(init.await(Util.WAIT_MS, TimeUnit.MILLISECONDS), "cache initialized");
        check(events.contains("CREATE " + root + " r") && events.contains("CREATE " + root + "/pre p"),
                "initial contents: " + events);
        events.clear();
        // One change at a time: the cache fetches data after each event, so back-to-back writes
        // may coalesce (a create followed by a setData can surface as one CREATE with the new data).
        writer.create().forPath(root + "/a", b("1"));
        awaitEvent(events, "CREATE " + root + "/a 1");
        writer.create().forPath(root + "/a/deep", b("d"));
        awaitEvent(events, "CREATE " + root + "/a/deep d");
        writer.setData().forPath(root + "/a/deep", b("d2"));
        awaitEvent(events, "CHANGE " + root + "/a/deep d->d2");
        writer.delete().forPath(root + "/pre");
        awaitEvent(events, "DELETE " + root + "/pre");
        writer.create().withMode(CreateMode.EPHEMERAL).forPath(root + "/a/eph", b("e"));
        awaitEvent(events, "CREATE " + root + "/a/eph e");
        eq(5, events.size(), "one event per change: " + events);
        eq("d2", s(cache.get(root + "/a/deep").get().getData()), "cached data");
        check(cache.get(root + "/pre").isEmpty(), "deleted node gone from cache");
        eq(4L, cache.stream().count(), "cache size (tree, a, a/deep, a/eph)");
        // The cache uses one persistent recursive watch, not per-node watches: the server
        // sees it as an addWatch(PERSISTENT_RECURSIVE). Deleting the whole subtree:
        events.clear();
        writer.delete().deletingChildrenIfNeeded().forPath(root);
        waitFor("subtree delete events", () -> events.size() >= 4);
        check(events.contains("DELETE " + root), "root delete event: " + events);
        eq(0L, cache.stream().count(), "cache empty");
    }
}
