#!/usr/bin/env bash
# The whole test suite: installs what it needs, checks formatting and lint,
# then runs every Go test (unit, fuzz seed corpora, server, compat suites) with -race and
# regenerates the compatibility matrix from that run. The last line is "N passed, M failed, K skipped".
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
export PATH="$PATH:$(go env GOPATH)/bin"
# Everything is installed now: a suite that cannot find its client or Apache
# ZooKeeper fails instead of skipping (compat-tests/harness.MissingDep).
export RAFTZK_REQUIRE_DEPS=1

echo "== gofmt"
bad=$(gofmt -l $(git ls-files '*.go') 2>/dev/null || true)
if [ -n "$bad" ]; then echo "gofmt would change:"; echo "$bad"; exit 1; fi
echo "== go vet"
go vet ./...
echo "== staticcheck"
staticcheck ./...
echo "== go test -race"
# go test -json goes through scripts/testreport, which prints the output of failed and skipped
# tests, per-package counts and, last, "N passed, M failed, K skipped"; it writes the
# compatibility matrix (compat-tests/MATRIX.md and the README section between the
# compat-matrix markers) from this run. pipefail: a failing test fails the script.
# The raw events stay in /tmp/raftzk-test.json (replay: testreport -v < /tmp/raftzk-test.json).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
report=$tmp/testreport
go build -o "$report" ./scripts/testreport
go test -race -count=1 -timeout 25m -json ./... 2>&1 | tee /tmp/raftzk-test.json |
  "$report" -matrix compat-tests/MATRIX.md -readme README.md | tee /tmp/raftzk-test.log
