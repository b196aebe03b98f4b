#!/usr/bin/env bash
# Dev helper: start a standalone Apache ZooKeeper 3.8 (Debian jars) on 127.0.0.1 with the
# settings the Java compat checks need. Prints "PID PORT DIR" and returns; stop it with
# `kill PID` (by pid, never by name). Not used by run.sh: run.sh takes HOST:PORT.
set -euo pipefail
dir=$(mktemp -d "${TMPDIR:-/tmp}/apache-zk.XXXXXX")
port=${1:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
mkdir -p "$dir/data"
cat > "$dir/zoo.cfg" <<CFG
tickTime=2000
initLimit=10
syncLimit=5
dataDir=$dir/data
clientPort=$port
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=*
CFG
cp=/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar
nohup java -Dzookeeper.extendedTypesEnabled=true -Dznode.container.checkIntervalMs=1000 \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$cp" org.apache.zookeeper.server.quorum.QuorumPeerMain "$dir/zoo.cfg" \
  >"$dir/zk.log" 2>&1 &
pid=$!
for _ in $(seq 1 150); do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then echo "$pid $port $dir"; exit 0; fi
  kill -0 $pid 2>/dev/null || { cat "$dir/zk.log" >&2; exit 1; }
  sleep 0.2
done
echo "zookeeper did not open port $port; log: $dir/zk.log" >&2; exit 1
