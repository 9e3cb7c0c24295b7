#!/usr/bin/env bash
# make bench: the gateway's Go benchmarks (-benchmem: allocations per
# request are a figure to drive down), then the load test: upstream, the
# floor (httputil.ReverseProxy with a buffer pool) and the gateway's
# scenarios (plain, cache, limits on Redis), each target pinned to core 1
# with wrk, upstream and Redis on core 0, in interleaved rounds. Figures,
# not a pass/fail test. BENCH_ROUNDS, BENCH_DURATION, BENCH_CONNECTIONS and
# BENCH_SCENARIOS tune it; BENCH_BASELINE names a bench server built from
# another revision to run beside this one (see scripts/bench/main.go).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || bash scripts/install-test-deps.sh
echo "==> Go benchmarks (router, key lookup, limiter, cache key, access log formatting, full handler chain)"
go test -run '^$' -bench . -benchmem -benchtime 2000x \
	./gateway/router/ ./gateway/limit/ ./gateway/stage/limits/ ./gateway/stage/cache/ ./gateway/accesslog/ ./gateway/server/
echo
echo "==> load test (127.0.0.1 only)"
go run ./scripts/bench -rounds "${BENCH_ROUNDS:-3}" -duration "${BENCH_DURATION:-5s}" \
	-connections "${BENCH_CONNECTIONS:-32}" -scenarios "${BENCH_SCENARIOS:-floor,plain,cache,limits}" \
	-baseline "${BENCH_BASELINE:-}"
