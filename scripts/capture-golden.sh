#!/usr/bin/env bash
# Re-captures the golden frames under jute/testdata/golden/ from real traffic:
# starts Apache ZooKeeper (the Debian package) on a free loopback port with a
# private data dir, puts the recording proxy (scripts/goldencapture) in front
# of it, and drives the Java client, kazoo, go-zookeeper/zk and a raw-frame
# client through it, one proxy per client. Finally it keeps ZooKeeper's txn log
# (trimmed) as golden bytes for the txn records.
#
# Not run in CI: CI only reads the committed files. Session ids, zxids, times
# and passwords differ per capture; the tests check those structurally.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
out="$repo/jute/testdata/golden"
py=/usr/bin/python3 # Debian's python, which has python3-kazoo; not pyenv's
zkjar=/usr/share/java/zookeeper.jar
cp="$zkjar:/usr/share/java/slf4j-simple.jar" # the jar's manifest names the rest

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

freeport() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

port=$(freeport)
mkdir -p "$tmp/data" "$tmp/java"
cat >"$tmp/zoo.cfg" <<EOF
tickTime=2000
dataDir=$tmp/data
clientPort=$port
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
EOF

echo "== starting Apache ZooKeeper on 127.0.0.1:$port"
(cd "$tmp" && exec java -Dzookeeper.extendedTypesEnabled=true \
  -Dzookeeper.4lw.commands.whitelist='*' -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$cp" org.apache.zookeeper.server.quorum.QuorumPeerMain zoo.cfg >"$tmp/zk.log" 2>&1) &
zkpid=$!
pids+=("$zkpid")
for _ in $(seq 100); do
  if [ "$("$py" -c "
import socket
try:
    s = socket.create_connection(('127.0.0.1', $port), 1); s.sendall(b'ruok'); print(s.recv(4).decode())
except Exception:
    pass" 2>/dev/null)" = imok ]; then break; fi
  sleep 0.2
done
kill -0 "$zkpid" || { cat "$tmp/zk.log"; exit 1; }

echo "== building the capture tool and the Java client"
go build -o "$tmp/goldencapture" ./scripts/goldencapture
javac -nowarn -cp "$zkjar" -d "$tmp/java" scripts/goldencapture/GoldenClient.java

rm -f "$out"/*.hex "$out"/*.bin
mkdir -p "$out"

# capture LABEL CMD...: runs CMD against a fresh recording proxy; the proxy
# address replaces the word ADDR in CMD.
capture() {
  local label=$1; shift
  rm -f "$tmp/port"
  "$tmp/goldencapture" proxy -upstream "127.0.0.1:$port" -out "$out" -label "$label" \
    -portfile "$tmp/port" 2>>"$tmp/proxy.log" &
  local ppid=$!
  pids+=("$ppid")
  for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
  local addr="127.0.0.1:$(cat "$tmp/port")"
  echo "== $label via $addr"
  local args=()
  for a in "$@"; do args+=("${a//ADDR/$addr}"); done
  "${args[@]}"
  sleep 0.5 # let the last frames reach the proxy
  kill "$ppid"
  wait "$ppid" 2>/dev/null || true
}

capture java java -cp "$tmp/java:$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn GoldenClient ADDR
capture kazoo "$py" scripts/goldencapture/kazoo_client.py ADDR
capture gozk "$tmp/goldencapture" gozk -addr ADDR
capture raw "$tmp/goldencapture" raw -addr ADDR

echo "== stopping ZooKeeper"
kill "$zkpid"
wait "$zkpid" 2>/dev/null || true
for f in "$tmp"/data/version-2/log.*; do
  "$tmp/goldencapture" trimlog -in "$f" -out "$out/txnlog-$(basename "$f" | tr . -).bin"
done
echo "== $(ls "$out"/*.hex | wc -l) frames in $out"
