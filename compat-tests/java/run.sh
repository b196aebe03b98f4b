#!/usr/bin/env bash
# Java client + Apache Curator compatibility checks.
# Usage: run.sh HOST:PORT [name-regex]
# Compiles the sources (when changed) against the Debian jars in /usr/share/java, then runs
# every check against the server at HOST:PORT. Prints "PASS name" / "FAIL name: reason" per
# check and a final "N passed, M failed"; exits non-zero if anything failed.
# Env: OUT (build dir, default compat-tests/java/out), JAVA_HOME, LOG_LEVEL (slf4j level of the
# client libraries, default error; logs and timings go to stderr), COMPAT_VERBOSE=1 (stack traces).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 1 ]; then echo "usage: $0 HOST:PORT [name-regex]" >&2; exit 2; fi
target=$1; shift
jars=/usr/share/java
out=${OUT:-$here/out}
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
javac=${JAVA_HOME:+$JAVA_HOME/bin/}javac
# zookeeper.jar and curator-*.jar carry Class-Path manifests for netty, jute, guava, slf4j-api...
cp="$jars/zookeeper.jar:$jars/zookeeper-jute.jar:$jars/curator-client.jar:$jars/curator-framework.jar"
cp="$cp:$jars/curator-recipes.jar:$jars/guava.jar:$jars/slf4j-api.jar:$jars/slf4j-simple.jar"
for j in zookeeper.jar zookeeper-jute.jar curator-client.jar curator-framework.jar curator-recipes.jar slf4j-simple.jar; do
  [ -f "$jars/$j" ] || { echo "missing $jars/$j (apt-get install zookeeper libcurator-recipes-java libslf4j-java)" >&2; exit 2; }
done
stamp="$out/classes/.stamp"
if [ ! -f "$stamp" ] || [ -n "$(find "$here/src" -name '*.java' -newer "$stamp" -print -quit)" ]; then
  rm -rf "$out/classes"
  mkdir -p "$out/classes"
  "$javac" -nowarn -encoding UTF-8 -d "$out/classes" -cp "$cp" $(find "$here/src" -name '*.java') >&2
  touch "$stamp"
fi
exec "$java" -Xss1m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
  -Dorg.slf4j.simpleLogger.defaultLogLevel="${LOG_LEVEL:-error}" \
  -Dzookeeper.sasl.client=false \
  -cp "$out/classes:$cp" raftzk.compat.Main "$target" "$@"
