#!/usr/bin/env bash
# VirtualThreadThroughputBenchmark: 2,000 callers on virtual threads through the concurrency
# advisor (max-concurrent 100) to a model that takes 50 ms; target within 10% of
# 100 / 0.05 s = 2,000 calls/s, with no thread leak. Virtual threads need Java 21+, so it
# runs on the Temurin 25 JDK under /usr/lib/jvm (or JAVA25_HOME); the library itself stays
# on release 17. Settings as -D options after the script, e.g. -DmeasureSeconds=20.
# Set SKIP_BUILD=1 to use the benchmarks jar as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

java_home="${JAVA25_HOME:-}"
if [[ -z "$java_home" ]]; then
  java_home="$(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | sort | tail -n 1 || true)"
fi
if [[ -z "$java_home" || ! -x "$java_home/bin/java" ]]; then
  echo "No Temurin 25 JDK found under /usr/lib/jvm (temurin-25*); set JAVA25_HOME" >&2
  exit 2
fi

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  ./mvnw -q -pl benchmarks -am package -DskipTests
fi

echo "== VirtualThreadThroughputBenchmark on $java_home"
exec "$java_home/bin/java" -Xms1g -Xmx1g "$@" \
  -cp benchmarks/target/benchmarks.jar io.github.airesource.benchmarks.VirtualThreadThroughputBenchmark
