#!/usr/bin/env bash
# Starts a local raftzk ensemble on loopback and waits for Ctrl-C.
#
#   scripts/ensemble.sh [N] [BASEDIR]
#
# N servers (default 3) get client ports 2181.., quorum ports 2888..,
# election ports 3888..; data lives under BASEDIR (default ./ensemble).
# Connect with e.g. zkCli.sh -server 127.0.0.1:2181,127.0.0.1:2182,127.0.0.1:2183
set -euo pipefail
n=${1:-3}
base=${2:-ensemble}
cd "$(dirname "$0")/.."
mkdir -p "$base"
base=$(cd "$base" && pwd)
go build -o "$base/raftzk" ./cmd/raftzk

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

servers=""
for i in $(seq 1 "$n"); do
  servers+="server.$i=127.0.0.1:$((2887 + i)):$((3887 + i));$((2180 + i))"$'\n'
done
for i in $(seq 1 "$n"); do
  dir="$base/s$i"
  mkdir -p "$dir/data"
  echo "$i" > "$dir/data/myid"
  cat > "$dir/zoo.cfg" <<CFG
tickTime=2000
initLimit=10
syncLimit=5
dataDir=$dir/data
4lw.commands.whitelist=*
$servers
CFG
  "$base/raftzk" serve --config "$dir/zoo.cfg" > "$dir/raftzk.log" 2>&1 &
  pids+=($!)
  echo "server $i: client port $((2180 + i)), log $dir/raftzk.log, pid ${pids[-1]}"
done
echo "ensemble running; Ctrl-C stops it"
wait
