#!/usr/bin/env bash
# make bench: the gateway's Go benchmarks (-benchmem), then a bounded wrk load
# test on loopback through one gateway and straight to the upstream, in the
# same run, with their ratio. Figures, not a pass/fail test.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || bash scripts/install-test-deps.sh
echo "==> Go benchmarks (router, full handler chain, access log)"
go test -run '^$' -bench . -benchmem -benchtime 2000x ./gateway/router/ ./gateway/server/
echo
echo "==> load test: wrk through the gateway and straight to the upstream (127.0.0.1 only)"
go run ./scripts/bench -duration "${BENCH_DURATION:-10s}" -connections "${BENCH_CONNECTIONS:-32}" -threads 2
