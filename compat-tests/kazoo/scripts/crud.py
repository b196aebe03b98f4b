#!/usr/bin/python3
"""CRUD through kazoo: create modes, get/set/delete with versions, errors,
children, exists, ensure_path, Stat fields."""

from kazoo.exceptions import (BadVersionError, NoNodeError, NodeExistsError,
                              NotEmptyError, NoChildrenForEphemeralsError)

from compat import check, check_eq, check_raises, client, main, root

R = root("crud")


def test_create_get_set_delete():
    zk = client()
    try:
        path = zk.create(R + "/node", b"v1", makepath=True)
        check_eq("create returns path", path, R + "/node")
        data, st = zk.get(R + "/node")
        check_eq("get data", data, b"v1")
        check_eq("new version", st.version, 0)
        check_eq("new dataLength", st.dataLength, 2)
        check_eq("new numChildren", st.numChildren, 0)
        check_eq("czxid == mzxid", st.czxid, st.mzxid)
        check_eq("persistent owner", st.ephemeralOwner, 0)
        st2 = zk.set(R + "/node", b"value-2")
        check_eq("set bumps version", st2.version, 1)
        check("set bumps mzxid", st2.mzxid > st.mzxid, "%d <= %d" % (st2.mzxid, st.mzxid))
        check_eq("czxid unchanged", st2.czxid, st.czxid)
        check_raises("set bad version", BadVersionError, zk.set, R + "/node", b"x", version=0)
        st3 = zk.set(R + "/node", b"v3", version=1)
        check_eq("set with version", st3.version, 2)
        check_raises("create existing", NodeExistsError, zk.create, R + "/node", b"")
        check_raises("create under missing", NoNodeError, zk.create, R + "/missing/child", b"")
        check_raises("get missing", NoNodeError, zk.get, R + "/missing")
        check_raises("set missing", NoNodeError, zk.set, R + "/missing", b"")
        check("exists present", zk.exists(R + "/node") is not None)
        check("exists missing", zk.exists(R + "/missing") is None)
        zk.create(R + "/node/child", b"")
        check_raises("delete non-empty", NotEmptyError, zk.delete, R + "/node")
        check_raises("delete bad version", BadVersionError, zk.delete, R + "/node/child", version=7)
        zk.delete(R + "/node/child", version=0)
        zk.delete(R + "/node")
        check("deleted", zk.exists(R + "/node") is None)
        check_raises("delete missing", NoNodeError, zk.delete, R + "/node")
        zk.create(R + "/empty")
        data, st = zk.get(R + "/empty")
        check_eq("default data is empty", data, b"")
        zk.ensure_path(R + "/a/b/c")
        check("ensure_path", zk.exists(R + "/a/b/c") is not None)
        zk.delete(R + "/a", recursive=True)
        check("recursive delete", zk.exists(R + "/a") is None)
        big = bytes(range(256)) * 1024
        zk.create(R + "/big", big)
        check_eq("256 KiB value round trip", zk.get(R + "/big")[0], big)
    finally:
        zk.stop()
        zk.close()


def test_sequential_and_ephemeral():
    zk = client()
    other = client()
    try:
        zk.ensure_path(R + "/seq")
        names = [zk.create(R + "/seq/n-", b"", sequence=True) for _ in range(3)]
        check_eq("sequential names", names,
                 [R + "/seq/n-%010d" % i for i in range(3)])
        zk.create(R + "/seq/other", b"")
        n = zk.create(R + "/seq/m-", b"", sequence=True)
        check_eq("counter is parent cversion", n, R + "/seq/m-0000000004")
        e = zk.create(R + "/seq/eph", b"e", ephemeral=True)
        st = zk.exists(e)
        check_eq("ephemeral owner", st.ephemeralOwner, zk.client_id[0])
        es = zk.create(R + "/seq/es-", b"", ephemeral=True, sequence=True)
        check_eq("ephemeral sequential", es, R + "/seq/es-0000000006")
        check_raises("no children for ephemerals", NoChildrenForEphemeralsError,
                     zk.create, e + "/child", b"")
        check("other client sees ephemeral", other.exists(e) is not None)
        zk.stop()
        check("ephemeral gone after close", other.exists(e) is None)
        check("ephemeral sequential gone after close", other.exists(es) is None)
        check_eq("persistent children stay", sorted(other.get_children(R + "/seq")),
                 ["m-0000000004", "n-0000000000", "n-0000000001", "n-0000000002", "other"])
    finally:
        zk.stop()
        zk.close()
        other.stop()
        other.close()


def test_children_and_stat():
    zk = client()
    try:
        zk.ensure_path(R + "/kids")
        for name in ["b", "a", "c"]:
            zk.create(R + "/kids/" + name, name.encode())
        kids, st = zk.get_children(R + "/kids", include_data=True)
        check_eq("children", sorted(kids), ["a", "b", "c"])
        check_eq("parent numChildren", st.numChildren, 3)
        check_eq("parent cversion", st.cversion, 3)
        zk.delete(R + "/kids/b")
        st2 = zk.exists(R + "/kids")
        check_eq("cversion counts deletes", st2.cversion, 4)
        check("pzxid moves on delete", st2.pzxid > st.pzxid)
        check_eq("parent version untouched", st2.version, 0)
        check_raises("children of missing", NoNodeError, zk.get_children, R + "/none")
        kids = zk.get_children("/")
        check("root lists /zookeeper", "zookeeper" in kids, repr(kids))
        check_eq("/zookeeper/quota exists", zk.exists("/zookeeper/quota") is not None, True)
        zk.delete(R, recursive=True)
    finally:
        zk.stop()
        zk.close()


if __name__ == "__main__":
    main([test_create_get_set_delete, test_sequential_and_ephemeral, test_children_and_stat])
