"""Drives kazoo (Debian python3-kazoo) through the requests it can send, for
scripts/capture-golden.sh. Usage: /usr/bin/python3 kazoo_client.py HOST:PORT"""
import os
import sys
import threading
import time

from kazoo.client import KazooClient, KazooState
from kazoo.exceptions import (BadVersionError, NodeExistsError, NoNodeError,
                              NotEmptyError)
from kazoo.security import make_acl, make_digest_acl

addr = sys.argv[1]
zk = KazooClient(hosts=addr, timeout=4.0)
zk.start(timeout=20)
root = "/golden-kazoo"


def expect(exc, fn, *args, **kw):
    try:
        fn(*args, **kw)
    except exc:
        return
    raise AssertionError("expected %s" % exc.__name__)


def wait(ev, what):
    if not ev.wait(20):
        raise AssertionError("no event: " + what)


zk.create(root, b"kazoo")
zk.create(root + "/empty", b"")                 # empty data: buffer length 0
zk.create(root + "/seq-", b"s", sequence=True)
zk.create(root + "/eph", b"e", ephemeral=True)
zk.create(root + "/c2", b"create2", include_data=True)   # create2 (15)
zk.create(root + "/deep/er/path", b"d", makepath=True)
expect(NodeExistsError, zk.create, root, b"dup")
expect(NoNodeError, zk.create, root + "/no/such", b"")

fired = threading.Event()
zk.exists(root + "/later", watch=lambda e: fired.set())
zk.create(root + "/later", b"l")
wait(fired, "created")

fired = threading.Event()
zk.get(root, watch=lambda e: fired.set())
zk.set(root, b"kazoo-2", version=0)
wait(fired, "changed")
expect(BadVersionError, zk.set, root, b"x", version=7)
expect(NoNodeError, zk.get, root + "/missing")

fired = threading.Event()
zk.get_children(root, watch=lambda e: fired.set())          # getChildren (8)
zk.get_children(root, include_data=True)                    # getChildren2 (12)
zk.delete(root + "/later")
wait(fired, "children")
expect(NotEmptyError, zk.delete, root + "/deep")
expect(BadVersionError, zk.delete, root + "/c2", version=4)

zk.get_acls(root)
zk.add_auth("digest", "kz:pw")                               # auth, xid -4
# CREATOR_ALL_ACL: scheme "auth" with an empty id, which kazoo writes as a
# null ustring (length -1).
zk.create(root + "/acl", b"a", acl=[make_acl("auth", "", all=True)])
zk.get_acls(root + "/acl")
zk.set_acls(root + "/acl", [make_digest_acl("kz", "pw", read=True, write=True),
                            make_acl("world", "anyone", read=True)], version=0)
zk.sync(root)

t = zk.transaction()
t.create(root + "/m1", b"m1")
t.set_data(root + "/m1", b"m1b", version=0)
t.check(root + "/m1", 1)
t.delete(root + "/m1", version=1)
t.commit()
t = zk.transaction()
t.create(root + "/m2", b"m2")
t.create(root, b"dup")
t.set_data(root + "/m2", b"x")
res = t.commit()
assert any(isinstance(r, NodeExistsError) for r in res), res
zk.transaction().commit()                                    # empty multi

# Reconnect with the same session: the proxy drops the connection after the
# reply to a request naming /golden-drop.
states = []
reconnected = threading.Event()


def listener(s):
    states.append(s)
    if s == KazooState.CONNECTED and KazooState.SUSPENDED in states:
        reconnected.set()


zk.add_listener(listener)
zk.exists("/golden-drop")
wait(reconnected, "reconnect")
zk.get(root)

time.sleep(2.0)                                              # ping
zk.stop()                                                    # closeSession
zk.close()

# reconfig with None arguments, which kazoo writes as null ustrings. kazoo
# 2.8 does not know the ReconfigDisabled code (-123) the server answers: its
# connection thread dies on it, so this goes last, on its own client.
threading.excepthook = lambda args: None
zk = KazooClient(hosts=addr, timeout=4.0)
zk.start(timeout=20)
zk.reconfig_async("server.2=127.0.0.1:2888:3888;2182", None, None, -1)
time.sleep(1.0)
print("kazoo: done")
os._exit(0)
