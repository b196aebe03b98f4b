package raftzk.compat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Runs every Java-client and Curator check against one ZooKeeper-speaking server.
 * Usage: Main HOST:PORT [name-regex]   (or Main --mutex-worker ... for the child process).
 * Prints "PASS name" / "FAIL name: reason" per check and "N passed, M failed" at the end.
 */
public final class Main {
    interface Check { void run(Ctx ctx) throws Exception; }

    static final class Entry {
        final String name; final long timeoutMs; final Check check;
        Entry(String name, long timeoutMs, Check check) { this.name = name; this.timeoutMs = timeoutMs; this.check = check; }
    }

    static final List<Entry> CHECKS = new ArrayList<>();

    static void add(String name, Check c) { add(name, 60_000, c); }
    static void add(String name, long timeoutMs, Check c) { CHECKS.add(new Entry(name, timeoutMs, c)); }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--mutex-worker")) {
            System.exit(CuratorChecks.mutexWorkerMain(args));
        }
        if (args.length < 1) {
            System.err.println("usage: Main HOST:PORT [name-regex]");
            System.exit(2);
        }
        Pattern filter = args.length > 1 ? Pattern.compile(args[1]) : null;
        Ctx ctx = new Ctx(args[0]);
        ZkApiChecks.register();
        CuratorChecks.register();

        int passed = 0, failed = 0;
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "check");
            t.setDaemon(true);
            return t;
        });
        try {
            ctx.setUp();
        } catch (Exception e) {
            System.out.println("FAIL setup: " + oneLine(e));
            System.out.println("0 passed, 1 failed");
            System.out.flush();
            System.exit(1);
        }
        for (Entry e : CHECKS) {
            if (filter != null && !filter.matcher(e.name).find()) continue;
            long t0 = System.nanoTime();
            String failure = null;
            Future<?> f = pool.submit(() -> { e.check.run(ctx); return null; });
            try {
                f.get(e.timeoutMs, TimeUnit.MILLISECONDS);
            } catch (TimeoutException te) {
                f.cancel(true);
                failure = "timed out after " + e.timeoutMs + "ms";
            } catch (java.util.concurrent.ExecutionException ee) {
                failure = oneLine(ee.getCause());
                if (System.getenv("COMPAT_VERBOSE") != null) ee.getCause().printStackTrace();
            }
            ctx.closeTracked();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            if (failure == null) {
                passed++;
                System.out.println("PASS " + e.name);
            } else {
                failed++;
                System.out.println("FAIL " + e.name + ": " + failure);
            }
            System.err.println("# " + e.name + " took " + ms + "ms");
            System.out.flush();
        }
        ctx.tearDown();
        System.out.println(passed + " passed, " + failed + " failed");
        System.out.flush();
        System.exit(failed == 0 ? 0 : 1);
    }

    static String oneLine(Throwable t) {
        String m = t.getClass().getSimpleName() + (t.getMessage() != null ? ": " + t.getMessage() : "");
        StackTraceElement where = null;
        for (StackTraceElement el : t.getStackTrace()) {
            if (el.getClassName().startsWith("raftzk.compat.") && !el.getClassName().startsWith("raftzk.compat.Util")) {
                where = el;
                break;
            }
        }
        if (where != null) m += " [" + where.getFileName() + ":" + where.getLineNumber() + "]";
        return m.replace('\n', ' ');
    }
}
