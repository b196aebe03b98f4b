#!/usr/bin/python3
"""Sessions through kazoo: reattaching to a session with a wrong password,
expiry forced by closing the session from a second connection (kazoo must
see LOST, ephemerals go, a new session follows), and expiry by timeout of a
stalled (SIGSTOPped) client process."""

import os
import signal
import subprocess
import sys
import threading
import time

from kazoo.client import KazooClient
from kazoo.protocol.states import KazooState

from compat import addr, check, check_eq, client, main, root, wait_for

R = root("session")


def test_wrong_password():
    a = client()
    try:
        a.ensure_path(R)
        a.create(R + "/mine", b"", ephemeral=True)
        sid, pw = a.client_id
        bad = bytes((b ^ 0xFF) for b in pw)
        twin = KazooClient(hosts=addr(), client_id=(sid, bad), timeout=10.0)
        twin.start(timeout=20)
        check("wrong password gets a new session", twin.client_id[0] != sid,
              "session 0x%x reused" % sid)
        check("original session untouched", a.exists(R + "/mine") is not None)
        twin.stop()
        twin.close()
    finally:
        a.stop()
        a.close()


def test_expire_via_twin():
    a, watcher = client(), client()
    states = []
    a.add_listener(lambda s: states.append(s))
    try:
        a.ensure_path(R)
        a.create(R + "/eph", b"", ephemeral=True)
        sid, pw = a.client_id
        # A second connection with the same id and password takes the session
        # over; closing it ends the session for both.
        twin = KazooClient(hosts=addr(), client_id=(sid, pw), timeout=10.0)
        twin.start(timeout=20)
        check_eq("twin attaches to the same session", twin.client_id[0], sid)
        twin.stop()
        twin.close()
        check("ephemeral deleted when the session closes",
              wait_for(lambda: watcher.exists(R + "/eph") is None))
        check("first client sees LOST", wait_for(lambda: KazooState.LOST in states, 20), repr(states))
        check("first client reconnects with a new session",
              wait_for(lambda: a.connected and a.client_id and a.client_id[0] != sid, 20))
        a.create(R + "/eph", b"", ephemeral=True)
        check("new session can create again", watcher.exists(R + "/eph") is not None)
    finally:
        for c in (a, watcher):
            c.stop()
            c.close()


CHILD = r"""
import sys
from kazoo.client import KazooClient
zk = KazooClient(hosts=sys.argv[1], timeout=4.0)
zk.add_listener(lambda s: print("state", s, flush=True))
zk.start(timeout=20)
zk.create(sys.argv[2], b"", ephemeral=True, makepath=True)
print("ready", zk._session_timeout, flush=True)
sys.stdin.read()
"""


def test_expire_by_timeout():
    watcher = client()
    path = R + "/stalled"
    child = subprocess.Popen([sys.executable, "-c", CHILD, addr(), path],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    lines = []
    reader = threading.Thread(target=lambda: [lines.append(l.strip()) for l in child.stdout])
    reader.daemon = True
    reader.start()
    try:
        ready = wait_for(lambda: [l for l in lines if l.startswith("ready")], 30)
        check("stalled client ready", bool(ready), repr(lines))
        if not ready:
            return
        negotiated = int(ready[0].split()[1])
        check("negotiated timeout within bounds", 4000 <= negotiated <= 40000, str(negotiated))
        check("ephemeral exists", watcher.exists(path) is not None)
        os.kill(child.pid, signal.SIGSTOP)
        stopped = time.monotonic()
        gone = wait_for(lambda: watcher.exists(path) is None, 30 + negotiated / 1000)
        elapsed = time.monotonic() - stopped
        check("server expires the stalled session", gone)
        check("not before the session timeout", elapsed >= negotiated / 1000 * 0.5,
              "%.2fs for a %dms timeout" % (elapsed, negotiated))
        os.kill(child.pid, signal.SIGCONT)
        check("stalled client sees LOST on resume",
              wait_for(lambda: "state LOST" in lines, 30), repr(lines))
    finally:
        os.kill(child.pid, signal.SIGCONT)
        child.kill()
        child.wait()
        watcher.delete(R, recursive=True)
        watcher.stop()
        watcher.close()


if __name__ == "__main__":
    main([test_wrong_password, test_expire_via_twin, test_expire_by_timeout])
