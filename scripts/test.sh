#!/usr/bin/env bash
# The whole test suite: installs what it needs, checks formatting and lint,
# then runs every Go test (unit, fuzz seed corpora, server, compat suites) with -race.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
export PATH="$PATH:$(go env GOPATH)/bin"

echo "== gofmt"
bad=$(gofmt -l $(git ls-files '*.go') 2>/dev/null || true)
if [ -n "$bad" ]; then echo "gofmt would change:"; echo "$bad"; exit 1; fi
echo "== go vet"
go vet ./...
echo "== staticcheck"
staticcheck ./...
echo "== go test -race"
go test -race -count=1 -timeout 25m ./... 2>&1 | tee /tmp/raftzk-test.log
