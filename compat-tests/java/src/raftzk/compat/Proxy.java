package raftzk.compat;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder on 127.0.0.1 in front of the server under test, so a check can cut a
 * client's connection (cut) or keep it off the server entirely (setRefusing) without touching
 * the server. Used for reconnect, session takeover and session expiry checks.
 */
final class Proxy implements Closeable {
    private final ServerSocket ss;
    private final String host;
    private final int port;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean refusing;
    private volatile boolean closed;

    Proxy(String target) throws IOException {
        int i = target.lastIndexOf(':');
        host = target.substring(0, i);
        port = Integer.parseInt(target.substring(i + 1));
        ss = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(this::acceptLoop, "proxy-accept-" + ss.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    String connectString() { return "127.0.0.1:" + ss.getLocalPort(); }

    /** When true, new client connections are accepted and immediately closed. */
    void setRefusing(boolean r) { refusing = r; }

    /** Closes every forwarded connection (both sides). */
    void cut() {
        for (Socket s : open) {
            try { s.close(); } catch (IOException ignored) { }
        }
        open.clear();
    }

    /** Number of forwarded connections currently open. */
    int openConnections() { return open.size() / 2; }

    private void acceptLoop() {
        while (!closed) {
            Socket c;
            try {
                c = ss.accept();
            } catch (IOException e) {
                return;
            }
            if (refusing) {
                try { c.close(); } catch (IOException ignored) { }
                continue;
            }
            try {
                Socket s = new Socket(host, port);
                c.setTcpNoDelay(true);
                s.setTcpNoDelay(true);
                open.add(c);
                open.add(s);
                pump(c, s);
                pump(s, c);
            } catch (IOException e) {
                try { c.close(); } catch (IOException ignored) { }
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[65536];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
            } finally {
                try { from.close(); } catch (IOException ignored) { }
                try { to.close(); } catch (IOException ignored) { }
                open.remove(from);
                open.remove(to);
            }
        }, "proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override public void close() {
        closed = true;
        try { ss.close(); } catch (IOException ignored) { }
        cut();
    }
}
