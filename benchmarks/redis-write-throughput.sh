#!/usr/bin/env bash
# Throughput of the Redis usage write path next to redis-benchmark on the same server, in one
# run: the ratio between the two is what BENCHMARKS.md records (absolute figures depend on the
# machine). Needs redis-benchmark and a Redis at REDIS_URL or 127.0.0.1:6379.
set -euo pipefail
cd "$(dirname "$0")/.."
url="${REDIS_URL:-redis://127.0.0.1:6379}"
hostport="${url#redis://}"; host="${hostport%:*}"; port="${hostport##*:}"

./mvnw -q -pl benchmarks -am package -DskipTests

echo "== redis-benchmark: HINCRBY on 10,000 distinct hashes, one connection, pipelined 100 deep"
redis-benchmark -h "$host" -p "$port" -c 1 -P 100 -n 1000000 -r 10000 -q \
  HINCRBY "airesource-bench:rb:__rand_int__" calls 1
echo "== redis-benchmark: EVALSHA-sized work, a Lua script of 4 HINCRBY and a PEXPIRE per call"
redis-benchmark -h "$host" -p "$port" -c 1 -P 100 -n 200000 -r 10000 -q \
  EVAL "redis.call('HINCRBY', KEYS[1], 'a', 1) redis.call('HINCRBY', KEYS[1], 'b', 1) redis.call('HINCRBY', KEYS[1], 'c', 1) redis.call('HINCRBY', KEYS[1], 'd', 1) return redis.call('PEXPIRE', KEYS[1], 60000)" 1 "airesource-bench:rb:__rand_int__"
redis-cli -h "$host" -p "$port" --scan --pattern 'airesource-bench:rb:*' | xargs -r -n 1000 redis-cli -h "$host" -p "$port" unlink > /dev/null

echo "== RedisUsageWriteBenchmark: 10,000 calls by distinct users per operation"
java -jar benchmarks/target/benchmarks.jar RedisUsageWriteBenchmark "$@"
