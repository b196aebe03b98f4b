#!/usr/bin/env bash
# Runs every kazoo script against a running server: run.sh HOST:PORT
# Exits non-zero if any script failed.
set -u
[ $# -eq 1 ] || { echo "usage: $0 HOST:PORT" >&2; exit 2; }
cd "$(dirname "$0")/scripts"
status=0
for s in *.py; do
  [ "$s" = compat.py ] && continue
  echo "== $s"
  PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$s" "$1" || status=1
done
exit $status
