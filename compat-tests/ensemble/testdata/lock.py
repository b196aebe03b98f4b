"""One contender of the ensemble lock test (see lock_test.go).

usage: lock.py HOSTS LOCKPATH COUNTER MARKER STOPFILE NAME

HOSTS is tried in order (the first is this contender's home server). Until
STOPFILE exists, take the kazoo Lock at LOCKPATH and, while holding it:
create MARKER exclusively (a second holder at the same time finds it and
reports OVERLAP), read COUNTER and write it back +1 with the version read (a
BadVersion means someone else wrote while we held the lock: VIOLATION),
remove MARKER, release. Prints one line per event, flushed:
  ACQ n           acquired for the n-th time
  INC             the increment was acknowledged
  UNKNOWN err     the increment's connection was lost (may have applied)
  OVERLAP         another holder's marker was there
  VIOLATION err   the version-checked write failed while holding the lock
  ERR err         acquiring or releasing failed (retried)
"""
import logging
import os
import sys
import time

from kazoo.client import KazooClient
from kazoo.exceptions import BadVersionError, ConnectionLoss, KazooException
from kazoo.retry import KazooRetry

logging.basicConfig(level=logging.CRITICAL)


def say(*a):
    print(*a, flush=True)


def main():
    hosts, lockpath, counter, marker, stopfile, name = sys.argv[1:7]
    zk = KazooClient(hosts=hosts, randomize_hosts=False, timeout=10.0,
                     connection_retry=KazooRetry(max_tries=-1, delay=0.05, max_delay=0.2),
                     command_retry=KazooRetry(max_tries=-1, delay=0.05, max_delay=0.2))
    zk.start(timeout=30)
    lock = zk.Lock(lockpath, name)
    n = 0
    while not os.path.exists(stopfile):
        try:
            if not lock.acquire(timeout=5):
                continue
        except KazooException as e:
            say("ERR", "acquire", repr(e))
            time.sleep(0.05)
            continue
        n += 1
        say("ACQ", n)
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            say("OVERLAP")
            fd = None
        try:
            data, st = zk.get(counter)
            zk.set(counter, str(int(data) + 1).encode(), version=st.version)
            say("INC")
        except BadVersionError as e:
            say("VIOLATION", repr(e))
        except ConnectionLoss as e:
            say("UNKNOWN", repr(e))
        except KazooException as e:
            say("UNKNOWN", repr(e))
        finally:
            if fd is not None:
                os.close(fd)
                os.unlink(marker)
        while True:
            try:
                zk.retry(lock.release)
                break
            except KazooException as e:
                say("ERR", "release", repr(e))
                time.sleep(0.05)
    zk.stop()
    zk.close()


main()
