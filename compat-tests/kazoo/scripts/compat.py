"""Shared helpers for the kazoo compatibility scripts.

Every script takes the server address (host:port) as its only argument,
works under a fresh root path, prints one line per check ("ok ..." or
"FAIL ...") and a final "N passed, M failed" line, and exits 1 when a
check failed or a test raised.
"""

import os
import sys
import threading
import time
import traceback
import uuid

from kazoo.client import KazooClient

_passed = 0
_failed = 0
_lock = threading.Lock()


def check(name, cond, detail=""):
    """Record one assertion; never raises."""
    global _passed, _failed
    with _lock:
        if cond:
            _passed += 1
            print("ok   %s" % name, flush=True)
        else:
            _failed += 1
            print("FAIL %s %s" % (name, detail), flush=True)
    return cond


def check_eq(name, got, want):
    return check(name, got == want, "got %r, want %r" % (got, want))


def check_raises(name, exc_type, fn, *args, **kwargs):
    """Check that fn(*args, **kwargs) raises exc_type."""
    try:
        fn(*args, **kwargs)
    except exc_type:
        return check(name, True)
    except Exception as e:  # noqa: BLE001 - report what was raised instead
        return check(name, False, "raised %r, want %s" % (e, exc_type.__name__))
    return check(name, False, "no exception, want %s" % exc_type.__name__)


def wait_for(cond, timeout=10.0):
    """Poll cond until it is true or the deadline passes; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(0.02)


def addr():
    if len(sys.argv) != 2:
        print("usage: %s HOST:PORT" % os.path.basename(sys.argv[0]), file=sys.stderr)
        sys.exit(2)
    return sys.argv[1]


def server_version():
    """The server's version as a tuple of ints, from the srvr four-letter word
    (always whitelisted): 'Zookeeper version: 3.8.0-...' gives (3, 8, 0)."""
    import re
    import socket
    host, port = addr().rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(b"srvr")
        out = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            out += chunk
    m = re.search(rb"Zookeeper version: (\d+)\.(\d+)\.(\d+)", out)
    if not m:
        raise RuntimeError("cannot read the server version from srvr: %r" % out[:200])
    return tuple(int(x) for x in m.groups())


def client(**kwargs):
    """A started KazooClient for the server under test."""
    kwargs.setdefault("timeout", 10.0)
    c = KazooClient(hosts=addr(), **kwargs)
    c.start(timeout=20)
    return c


def root(name):
    return "/kazoo-%s-%s" % (name, uuid.uuid4().hex[:12])


def main(tests):
    """Run each test function (taking no arguments); an exception fails it."""
    global _failed
    for t in tests:
        try:
            t()
        except Exception:  # noqa: BLE001 - any error is a failed test
            with _lock:
                _failed += 1
            print("FAIL %s raised:" % t.__name__, flush=True)
            traceback.print_exc(file=sys.stdout)
            sys.stdout.flush()
    print("%d passed, %d failed" % (_passed, _failed), flush=True)
    # Exit without waiting for threads a failed test may have left blocked.
    os._exit(1 if _failed or not _passed else 0)
