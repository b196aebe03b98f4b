#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine: Apache ZooKeeper
# (server, zkCli.sh, the C client CLI), kazoo, Curator, and Go tools.
# Safe to run again; it skips what is already there.
set -euo pipefail

need_apt=()
[ -f /usr/share/java/zookeeper.jar ] || need_apt+=(zookeeper)
[ -x /usr/lib/zookeeper/bin/cli_mt ] || need_apt+=(zookeeper-bin)
/usr/bin/python3 -c 'import kazoo' 2>/dev/null || need_apt+=(python3-kazoo)
[ -f /usr/share/java/curator-framework.jar ] || need_apt+=(libcurator-framework-java)
[ -f /usr/share/java/curator-recipes.jar ] || need_apt+=(libcurator-recipes-java)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! command -v staticcheck >/dev/null 2>&1 && [ ! -x "$(go env GOPATH)/bin/staticcheck" ]; then
  go install honnef.co/go/tools/cmd/staticcheck@latest
fi
