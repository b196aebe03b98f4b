// Package kazoo runs the Python kazoo client scripts in scripts/ (with the
// system /usr/bin/python3 and the Debian python3-kazoo package) against
// Apache ZooKeeper and raftzk. Each script takes the server address, prints
// one line per check and "N passed, M failed", and exits non-zero on a
// failure; run.sh runs them all against any address by hand.
package kazoo
