#!/usr/bin/env bash
# Throughput of budget reserve + settle and of rate-limit acquire + adjust on Redis next to
# redis-benchmark PING with the same number of clients, in one run: PING is the ceiling of
# round trips on this machine, and each operation is two round trips. Needs redis-benchmark
# and a Redis at REDIS_URL or 127.0.0.1:6379.
set -euo pipefail
cd "$(dirname "$0")/.."
url="${REDIS_URL:-redis://127.0.0.1:6379}"
hostport="${url#redis://}"; host="${hostport%:*}"; port="${hostport##*:}"

[ -n "${SKIP_BUILD:-}" ] || ./mvnw -q -pl benchmarks -am package -DskipTests

echo "== redis-benchmark: PING, 4 clients, no pipelining"
redis-benchmark -h "$host" -p "$port" -c 4 -n 400000 -q -t ping_mbulk
echo "== RedisBudgetStoreBenchmark: reserve + settle, 4 threads on one Lettuce connection"
java -jar benchmarks/target/benchmarks.jar RedisBudgetStoreBenchmark "$@"
echo "== RedisRateLimitStoreBenchmark: acquire + adjust, 4 threads on one Lettuce connection"
java -jar benchmarks/target/benchmarks.jar RedisRateLimitStoreBenchmark "$@"
