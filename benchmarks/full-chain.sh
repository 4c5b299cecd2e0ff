#!/usr/bin/env bash
# Issue 11: the whole chain as the starter wires it, every feature on, against the bare
# ChatClient on a no-op model, fresh 2 KB questions; in memory and with every store on Redis.
# Builds nothing: build first with
#   ./mvnw -q -pl benchmarks -am package -DskipTests
# Runs, in this order and under one lock so that no other JMH run overlaps:
#   1. redis-benchmark PING, one client (the loopback round trip),
#   2. FullChainBenchmark (JMH, sample time: mean and percentiles), store=memory and redis,
#   3. FullChainRedisRoundTrips (Redis commands per call, caller's thread vs others),
# then prints the table (FullChainReport). Needs redis-benchmark and a Redis at REDIS_URL or
# 127.0.0.1:6379. Extra arguments go to JMH, e.g. -f 2, or -p store=memory, or
# -jvmArgsAppend -Dai.resource.guard.timeout=0s to see the chain without one feature.
set -euo pipefail
cd "$(dirname "$0")/.."
url="${REDIS_URL:-redis://127.0.0.1:6379}"
hostport="${url#redis://}"; host="${hostport%:*}"; port="${hostport##*:}"
out="${FULL_CHAIN_OUT:-$(mktemp -d /tmp/full-chain.XXXXXX)}"
mkdir -p "$out"
jar="$out/benchmarks.jar"
cp benchmarks/target/benchmarks.jar "$jar"   # a private copy: a rebuild meanwhile cannot change it
lock="${JMH_LOCK:-/tmp/jmh.lock}"

run() {
  echo "== load before: $(uptime)"
  echo "== redis-benchmark PING, 1 client, no pipelining"
  redis-benchmark -h "$host" -p "$port" -q -n 100000 -c 1 -t ping | tr '\r' '\n' | grep 'requests per second' | tee "$out/ping.txt"
  echo "== FullChainBenchmark"
  java -jar "$jar" FullChainBenchmark -rf json -rff "$out/results.json" "$@" > "$out/jmh.txt"
  tail -n 60 "$out/jmh.txt"
  echo "== FullChainRedisRoundTrips: Redis commands per call"
  java -cp "$jar" io.github.airesource.benchmarks.FullChainRedisRoundTrips 2000 2>/dev/null | tee "$out/round-trips.txt"
  echo "== load after: $(uptime)"
}
export -f run
export host port out jar
flock "$lock" bash -c 'run "$@"' run "$@"

# PING_MBULK's requests per second -> microseconds per round trip.
ping_us=$(awk -F'[: ]+' '/PING_MBULK/ {printf "%.2f", 1000000 / $2}' "$out/ping.txt")
echo "== table (results in $out)"
java -cp "$jar" io.github.airesource.benchmarks.FullChainReport "$out/results.json" "$ping_us"
