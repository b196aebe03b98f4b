#!/usr/bin/python3
"""Multi-op transactions through kazoo: a committed transaction and a failing
one with ZooKeeper's per-op results (RolledBack before the failing op, the
failing op's own error, RuntimeInconsistency after it)."""

from kazoo.exceptions import (BadVersionError, NodeExistsError, NoNodeError,
                              RolledBackError, RuntimeInconsistency)

from compat import check, check_eq, client, main, root

R = root("txn")


def test_commit():
    zk = client()
    try:
        zk.create(R, b"")
        zk.create(R + "/old", b"o")
        t = zk.transaction()
        t.create(R + "/a", b"A")
        t.create(R + "/s-", b"S", sequence=True)
        t.set_data(R + "/old", b"new", version=0)
        t.check(R + "/old", 1)
        t.delete(R + "/a")
        results = t.commit()
        check_eq("commit result count", len(results), 5)
        check_eq("create result", results[0], R + "/a")
        check_eq("sequential create result", results[1], R + "/s-0000000002")
        check("set result is a Stat", getattr(results[2], "version", None) == 1, repr(results[2]))
        check_eq("check result", results[3], True)
        check_eq("delete result", results[4], True)
        check("created then deleted in one txn", zk.exists(R + "/a") is None)
        check_eq("set applied", zk.get(R + "/old")[0], b"new")
        st_old = zk.exists(R + "/old")
        st_seq = zk.exists(R + "/s-0000000002")
        check_eq("one zxid for the whole txn", st_old.mzxid, st_seq.czxid)
    finally:
        zk.stop()
        zk.close()


def test_failing_op():
    zk = client()
    try:
        zk.ensure_path(R)
        zk.create(R + "/f", b"f")
        before = zk.exists(R + "/f")
        t = zk.transaction()
        t.create(R + "/x", b"")
        t.set_data(R + "/f", b"changed")
        t.check(R + "/f", 5)
        t.delete(R + "/f")
        t.create(R + "/f", b"")
        results = t.commit()
        kinds = [type(r).__name__ for r in results]
        check_eq("per-op results", kinds,
                 ["RolledBackError", "RolledBackError", "BadVersionError",
                  "RuntimeInconsistency", "RuntimeInconsistency"])
        check("rolled back: no create", zk.exists(R + "/x") is None)
        after = zk.exists(R + "/f")
        check_eq("rolled back: no set", zk.get(R + "/f")[0], b"f")
        check_eq("rolled back: mzxid unchanged", after.mzxid, before.mzxid)

        t = zk.transaction()
        t.create(R + "/f", b"")
        results = t.commit()
        check("NodeExists in txn", isinstance(results[0], NodeExistsError), repr(results))

        t = zk.transaction()
        t.create(R + "/ok", b"")
        t.delete(R + "/nope")
        results = t.commit()
        check("NoNode in txn", isinstance(results[1], NoNodeError)
              and isinstance(results[0], RolledBackError), repr(results))
        check("NoNode txn rolled back", zk.exists(R + "/ok") is None)
        zk.delete(R, recursive=True)
    finally:
        zk.stop()
        zk.close()


if __name__ == "__main__":
    main([test_commit, test_failing_op])
