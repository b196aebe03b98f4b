#!/usr/bin/python3
"""Watches through kazoo: one-shot data, exists and child watches, and the
DataWatch and ChildrenWatch recipes, fired by another client's writes."""

import threading

from kazoo.protocol.states import EventType

from compat import check, check_eq, client, main, root, wait_for

R = root("watches")


def test_one_shot():
    zk, writer = client(), client()
    try:
        zk.ensure_path(R + "/one")
        events = []
        got = threading.Event()

        def record(ev):
            events.append((ev.type, ev.path))
            got.set()

        zk.get(R + "/one", watch=record)
        writer.set(R + "/one", b"1")
        check("data watch fires", got.wait(10))
        check_eq("data watch event", events, [(EventType.CHANGED, R + "/one")])
        writer.set(R + "/one", b"2")
        # One-shot: a later sync round trip proves no second event is queued.
        zk.sync(R + "/one")
        zk.get(R + "/one")
        check_eq("data watch is one-shot", len(events), 1)

        events.clear()
        got.clear()
        check("exists watch on missing node", zk.exists(R + "/born", watch=record) is None)
        writer.create(R + "/born", b"")
        check("exists watch fires", got.wait(10))
        check_eq("NodeCreated event", events, [(EventType.CREATED, R + "/born")])

        events.clear()
        got.clear()
        zk.get_children(R + "/one", watch=record)
        writer.create(R + "/one/kid", b"")
        check("child watch fires", got.wait(10))
        check_eq("NodeChildrenChanged event", events, [(EventType.CHILD, R + "/one")])

        events.clear()
        got.clear()
        zk.get(R + "/born", watch=record)
        writer.delete(R + "/born")
        check("delete fires data watch", got.wait(10))
        check_eq("NodeDeleted event", events, [(EventType.DELETED, R + "/born")])

    finally:
        for c in (zk, writer):
            c.stop()
            c.close()


def test_recipes():
    zk, writer = client(), client()
    try:
        zk.ensure_path(R + "/dw")
        seen = []
        kids_seen = []

        @zk.DataWatch(R + "/dw")
        def on_data(data, stat):
            seen.append((data, stat.version if stat else None))

        @zk.ChildrenWatch(R + "/dw")
        def on_children(children):
            kids_seen.append(sorted(children))

        check("DataWatch initial call", wait_for(lambda: seen == [(b"", 0)]), repr(seen))
        check("ChildrenWatch initial call", wait_for(lambda: kids_seen == [[]]), repr(kids_seen))
        writer.set(R + "/dw", b"a")
        check("DataWatch sees set", wait_for(lambda: seen[-1:] == [(b"a", 1)]), repr(seen))
        writer.set(R + "/dw", b"b")
        check("DataWatch sees second set", wait_for(lambda: seen[-1:] == [(b"b", 2)]), repr(seen))
        writer.create(R + "/dw/x", b"")
        check("ChildrenWatch sees create", wait_for(lambda: kids_seen[-1:] == [["x"]]), repr(kids_seen))
        writer.create(R + "/dw/y", b"")
        check("ChildrenWatch sees second create",
              wait_for(lambda: kids_seen[-1:] == [["x", "y"]]), repr(kids_seen))
        writer.delete(R + "/dw/x")
        check("ChildrenWatch sees delete", wait_for(lambda: kids_seen[-1:] == [["y"]]), repr(kids_seen))
        writer.delete(R + "/dw", recursive=True)
        check("DataWatch sees delete", wait_for(lambda: seen[-1:] == [(None, None)]), repr(seen))
        writer.create(R + "/dw", b"again")
        check("DataWatch sees re-create", wait_for(lambda: seen[-1:] == [(b"again", 0)]), repr(seen))
        writer.delete(R, recursive=True)
    finally:
        for c in (zk, writer):
            c.stop()
            c.close()


if __name__ == "__main__":
    main([test_one_shot, test_recipes])
