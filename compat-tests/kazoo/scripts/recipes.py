#!/usr/bin/python3
"""kazoo recipes: Lock, Election, Barrier, Counter, Queue and LockingQueue,
each exercised by two clients."""

import threading
import time

from kazoo.exceptions import LockTimeout

from compat import check, check_eq, check_raises, client, main, root, wait_for

R = root("recipes")


def test_lock():
    clients = [client(), client()]
    holders = []
    max_holders = [0]
    order = []
    mu = threading.Lock()

    def worker(zk, name):
        lock = zk.Lock(R + "/lock", name)
        for i in range(5):
            with lock:
                with mu:
                    holders.append(name)
                    max_holders[0] = max(max_holders[0], len(holders))
                    order.append(name)
                # Widen the window in which a second holder would show.
                time.sleep(0.01)
                with mu:
                    holders.remove(name)

    threads = [threading.Thread(target=worker, args=(zk, "c%d-t%d" % (i, j)))
               for i, zk in enumerate(clients) for j in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    check("lock threads finished", not any(t.is_alive() for t in threads))
    check_eq("lock acquisitions", len(order), 20)
    check_eq("never two holders", max_holders[0], 1)
    contenders = clients[0].Lock(R + "/lock").contenders()
    check_eq("no contenders left", contenders, [])
    for zk in clients:
        zk.stop()
        zk.close()


def test_lock_released_by_session_close():
    a, b = client(), client()
    la = a.Lock(R + "/lock2", "a")
    check("a acquires", la.acquire(timeout=10))
    lb = b.Lock(R + "/lock2", "b")
    check_raises("b cannot acquire while a holds", LockTimeout, lb.acquire, timeout=0.3)
    a.stop()
    a.close()
    check("b acquires after a's session closes", lb.acquire(timeout=10))
    lb.release()
    b.stop()
    b.close()


def test_election():
    clients = [client(), client()]
    leaders = []
    mu = threading.Lock()
    resign = {0: threading.Event(), 1: threading.Event()}
    elections = [zk.Election(R + "/election", "id-%d" % i) for i, zk in enumerate(clients)]

    def lead(i):
        with mu:
            leaders.append(i)
        resign[i].wait(30)

    threads = [threading.Thread(target=elections[i].run, args=(lead, i)) for i in range(2)]
    for t in threads:
        t.start()
    check("a leader is elected", wait_for(lambda: len(leaders) == 1))
    first = leaders[0]
    # The second contender may still be creating its znode.
    check("contenders", wait_for(lambda: sorted(elections[0].contenders()) == ["id-0", "id-1"]),
          repr(elections[0].contenders()))
    # Only one leader while the first one leads.
    check_eq("one leader at a time", len(leaders), 1)
    resign[first].set()
    check("the other takes over", wait_for(lambda: len(leaders) == 2))
    check_eq("leaders in turn", sorted(leaders), [0, 1])
    resign[1 - first].set()
    for t in threads:
        t.join(10)
    check("election threads finished", not any(t.is_alive() for t in threads))
    for zk in clients:
        zk.stop()
        zk.close()


def test_barrier():
    a, b = client(), client()
    barrier_a = a.Barrier(R + "/barrier")
    barrier_a.create()
    passed = threading.Event()

    def waiter():
        if b.Barrier(R + "/barrier").wait(30):
            passed.set()

    t = threading.Thread(target=waiter)
    t.start()
    check("barrier holds", not passed.wait(0.3))
    barrier_a.remove()
    check("barrier released", passed.wait(10))
    t.join(10)
    check("no wait on a missing barrier", b.Barrier(R + "/barrier").wait(1))
    for zk in (a, b):
        zk.stop()
        zk.close()


def test_counter():
    clients = [client(), client()]

    def bump(zk):
        c = zk.Counter(R + "/counter")
        for _ in range(20):
            c += 5

    threads = [threading.Thread(target=bump, args=(zk,)) for zk in clients for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    check_eq("counter value", clients[0].Counter(R + "/counter").value, 400)
    fc = clients[1].Counter(R + "/fcounter", default=0.5)
    fc += 1.25
    check_eq("float counter", clients[0].Counter(R + "/fcounter", default=0.5).value, 1.75)
    for zk in clients:
        zk.stop()
        zk.close()


def test_queue():
    a, b = client(), client()
    q = a.Queue(R + "/queue")
    for item in [b"one", b"two", b"three"]:
        q.put(item)
    q.put(b"urgent", priority=10)
    qb = b.Queue(R + "/queue")
    check_eq("queue length", len(qb), 4)
    got = [qb.get() for _ in range(4)]
    check_eq("queue order (priority first)", got, [b"urgent", b"one", b"two", b"three"])
    check_eq("queue empty", qb.get(), None)

    lq = a.LockingQueue(R + "/lqueue")
    lq.put(b"job1")
    lq.put(b"job2")
    lqb = b.LockingQueue(R + "/lqueue")
    check_eq("locking queue get", lqb.get(5), b"job1")
    check_eq("other consumer skips a held item", lq.get(5), b"job2")
    check("consume", lqb.consume())
    check("consume other", lq.consume())
    check_eq("locking queue empty", len(lq), 0)
    for zk in (a, b):
        zk.stop()
        zk.close()


def cleanup():
    zk = client()
    zk.delete(R, recursive=True)
    check("cleanup", zk.exists(R) is None)
    zk.stop()
    zk.close()


if __name__ == "__main__":
    main([test_lock, test_lock_released_by_session_close, test_election,
          test_barrier, test_counter, test_queue, cleanup])
