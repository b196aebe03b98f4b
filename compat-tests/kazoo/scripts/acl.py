#!/usr/bin/python3
"""ACLs through kazoo: digest ACLs, the auth scheme, add_auth after connect,
per-permission denials (NoAuth), get_acls/set_acls with versions, and a
bad ACL."""

from kazoo.exceptions import BadVersionError, InvalidACLError, NoAuthError
from kazoo.security import (ACL, Id, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, Permissions,
                            make_digest_acl, make_digest_acl_credential)

from compat import check, check_eq, check_raises, client, main, root, server_version

R = root("acl")


def test_digest():
    owner = client(auth_data=[("digest", "alice:secret")])
    anon = client()
    try:
        owner.create(R, b"")
        acl = make_digest_acl("alice", "secret", all=True)
        owner.create(R + "/private", b"p", acl=[acl])
        acls, st = owner.get_acls(R + "/private")
        check_eq("get_acls returns the digest ACL", acls, [acl])
        check_eq("digest id", acl.id.id, make_digest_acl_credential("alice", "secret"))
        check_eq("new aclVersion", st.aversion, 0)
        check_eq("owner reads", owner.get(R + "/private")[0], b"p")
        check_raises("anon get is NoAuth", NoAuthError, anon.get, R + "/private")
        check_raises("anon set is NoAuth", NoAuthError, anon.set, R + "/private", b"x")
        check_raises("anon create child is NoAuth", NoAuthError, anon.create, R + "/private/c", b"")
        check_raises("anon get_children is NoAuth", NoAuthError, anon.get_children, R + "/private")
        # ZOOKEEPER-2590: exists checks READ since 3.8.4 and 3.9.2; older
        # servers (Debian's 3.8.0) answer it regardless of the ACL.
        v = server_version()
        if v >= (3, 9, 2) or (3, 8, 4) <= v < (3, 9, 0):
            check_raises("anon exists is NoAuth", NoAuthError, anon.exists, R + "/private")
        else:
            check("anon exists is allowed", anon.exists(R + "/private") is not None)
        anon.add_auth("digest", "alice:wrong")
        check_raises("wrong password is still NoAuth", NoAuthError, anon.get, R + "/private")
        anon.add_auth("digest", "alice:secret")
        check_eq("add_auth then get", anon.get(R + "/private")[0], b"p")
    finally:
        for c in (owner, anon):
            c.stop()
            c.close()


def test_permissions():
    owner = client(auth_data=[("digest", "bob:pw")])
    anon = client()
    try:
        owner.ensure_path(R)
        owner.create(R + "/ro", b"r", acl=READ_ACL_UNSAFE)
        check_eq("world read", anon.get(R + "/ro")[0], b"r")
        check_raises("world write denied", NoAuthError, anon.set, R + "/ro", b"w")
        check_raises("no create perm", NoAuthError, anon.create, R + "/ro/kid", b"")
        mixed = [ACL(Permissions.READ | Permissions.CREATE, Id("world", "anyone")),
                 make_digest_acl("bob", "pw", all=True)]
        owner.create(R + "/mixed", b"", acl=mixed)
        anon.create(R + "/mixed/kid", b"")
        check_raises("no delete perm", NoAuthError, anon.delete, R + "/mixed/kid")
        owner.delete(R + "/mixed/kid")
        check("owner deletes", owner.exists(R + "/mixed/kid") is None)
        check_raises("set_acls needs ADMIN", NoAuthError, anon.set_acls, R + "/mixed", OPEN_ACL_UNSAFE)
        check_raises("set_acls bad version", BadVersionError, owner.set_acls, R + "/mixed",
                     OPEN_ACL_UNSAFE, version=3)
        st = owner.set_acls(R + "/mixed", OPEN_ACL_UNSAFE, version=0)
        check_eq("set_acls bumps aclVersion", st.aversion, 1)
        check_eq("set_acls leaves version", st.version, 0)
        anon.set(R + "/mixed", b"now open")
        check_eq("opened node is writable", owner.get(R + "/mixed")[0], b"now open")
    finally:
        for c in (owner, anon):
            c.stop()
            c.close()


def test_auth_scheme():
    owner = client(auth_data=[("digest", "carol:pw")])
    anon = client()
    try:
        owner.ensure_path(R)
        owner.create(R + "/auth", b"a", acl=[ACL(Permissions.ALL, Id("auth", ""))])
        acls, _ = owner.get_acls(R + "/auth")
        check_eq("auth scheme expands to the session's digest", acls,
                 [make_digest_acl("carol", "pw", all=True)])
        check_raises("anon denied on auth ACL", NoAuthError, anon.get, R + "/auth")
        check_raises("auth scheme without identities is InvalidACL", InvalidACLError,
                     anon.create, R + "/auth2", b"", acl=[ACL(Permissions.ALL, Id("auth", ""))])
        check_raises("unknown scheme is InvalidACL", InvalidACLError,
                     owner.create, R + "/bad", b"", acl=[ACL(Permissions.ALL, Id("nosuch", "x"))])
    finally:
        for c in (owner, anon):
            c.stop()
            c.close()


def cleanup():
    zk = client(auth_data=[("digest", "alice:secret"), ("digest", "bob:pw"), ("digest", "carol:pw")])
    zk.delete(R, recursive=True)
    check("cleanup", zk.exists(R) is None)
    zk.stop()
    zk.close()


if __name__ == "__main__":
    main([test_digest, test_permissions, test_auth_scheme, cleanup])
