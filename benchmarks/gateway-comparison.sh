#!/usr/bin/env bash
# End-to-end gateway comparison (issue 11), in the style of published gateway benchmarks:
# the same chat completions sent (a) directly to a loopback OpenAI-compatible model server,
# (b) through the starter with every feature on (StarterFrontApplication, an OpenAI-compatible
# Spring Boot front) and (c) through the Portkey open-source gateway (npm @portkey-ai/gateway),
# at concurrency 1, 4, 16 and 64; prints p50 and p99 and what (b) and (c) add to (a), from one
# run, and writes the table to benchmarks/target/gateway-comparison/results.md. A fourth path,
# "no advisors", is the same front with no advisor of the starter (profile no-advisors): (b)
# minus it is what the starter's advisors add, without the front's own HTTP hop.
#
# Needs a JDK 17+, curl, and Node.js 18+ with npm (the gateway is installed from the npm
# registry into benchmarks/target/gateway-comparison/portkey on the first run). Everything
# listens on 127.0.0.1 only and is stopped when the script ends.
#
# Settings (environment): LATENCY_MS (the model server's latency, 5), SERVER_PORT (18080),
# FRONT_PORT (18081), NO_ADVISORS_PORT (18082), PORTKEY_PORT (18787), PORTKEY_VERSION (1.15.2), SKIP_BUILD=1 to use the
# benchmarks module as built. Options after the script go to the load driver, e.g.
# --requests=5000 --warmup=5000 --rounds=10 --concurrency=1,4,16,64.
set -euo pipefail
cd "$(dirname "$0")/.."

latency_ms="${LATENCY_MS:-5}"
server_port="${SERVER_PORT:-18080}"
front_port="${FRONT_PORT:-18081}"
no_advisors_port="${NO_ADVISORS_PORT:-18082}"
portkey_port="${PORTKEY_PORT:-18787}"
portkey_version="${PORTKEY_VERSION:-1.15.2}"
out=benchmarks/target/gateway-comparison
server="http://127.0.0.1:$server_port"
front="http://127.0.0.1:$front_port"
no_advisors="http://127.0.0.1:$no_advisors_port"
portkey="http://127.0.0.1:$portkey_port"

for tool in java curl node npm; do
  command -v "$tool" >/dev/null || { echo "$tool is needed and not on the PATH" >&2; exit 2; }
done
for port in "$server_port" "$front_port" "$no_advisors_port" "$portkey_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "Port $port is in use; set SERVER_PORT, FRONT_PORT, NO_ADVISORS_PORT or PORTKEY_PORT" >&2
    exit 2
  fi
done

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  ./mvnw -q -pl benchmarks -am package -DskipTests
fi
# The module's own classes and its dependencies as separate jars: the shaded benchmarks.jar
# keeps only one META-INF/spring.factories, which a Spring Boot application cannot run on.
classpath="benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/gateway-lib/*"

mkdir -p "$out"
gateway="$out/portkey/node_modules/@portkey-ai/gateway"
if [[ "$(node -p "try { require('./$gateway/package.json').version } catch (e) { '' }")" != "$portkey_version" ]]; then
  echo "== Installing @portkey-ai/gateway@$portkey_version from the npm registry"
  # Its only install script is patch-package, with no patches in the published package.
  npm install --prefix "$out/portkey" --no-audit --no-fund --ignore-scripts --loglevel=error \
    "@portkey-ai/gateway@$portkey_version"
fi

pids=()
stop() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap stop EXIT
trap 'exit 130' INT TERM

await() { # name, seconds, command...
  local name="$1" seconds="$2"
  shift 2
  for _ in $(seq 1 $((seconds * 4))); do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.25
  done
  echo "$name did not answer within $seconds s; its log is in $out" >&2
  exit 1
}

answers() { # url, curl options...
  local url="$1"
  shift
  [[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -H 'Authorization: Bearer loopback' "$@" \
    -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"ready?"}]}' \
    "$url/v1/chat/completions")" == 200 ]]
}

echo "== Starting the model server ($latency_ms ms), the starter's front (with and without advisors) and the Portkey gateway"
java -Xms256m -Xmx512m -cp "$classpath" io.github.airesource.benchmarks.gateway.LoopbackOpenAiServer \
  --port="$server_port" --latency-ms="$latency_ms" >"$out/server.log" 2>&1 &
pids+=($!)
java -Xms1g -Xmx1g -cp "$classpath" io.github.airesource.benchmarks.gateway.front.StarterFrontApplication \
  --server.port="$front_port" --spring.ai.openai.base-url="$server" >"$out/front.log" 2>&1 &
pids+=($!)
java -Xms1g -Xmx1g -cp "$classpath" io.github.airesource.benchmarks.gateway.front.StarterFrontApplication \
  --server.port="$no_advisors_port" --spring.ai.openai.base-url="$server" --spring.profiles.active=no-advisors \
  >"$out/no-advisors.log" 2>&1 &
pids+=($!)
node --import "$PWD/benchmarks/portkey-loopback.mjs" "$gateway/build/start-server.js" \
  --port="$portkey_port" --headless >"$out/portkey.log" 2>&1 &
pids+=($!)

await "The model server" 60 answers "$server"
await "The Portkey gateway" 60 answers "$portkey" -H 'x-portkey-provider: openai' \
  -H "x-portkey-custom-host: $server/v1"
await "The starter's front" 180 curl -sf "$front/actuator/health"
await "The front without advisors" 180 curl -sf "$no_advisors/actuator/health"

load_before="$(uptime)"
echo "== Load before: $load_before"
java -Xms512m -Xmx512m -cp "$classpath" io.github.airesource.benchmarks.gateway.GatewayComparison \
  --server="$server" --front="$front" --no-advisors="$no_advisors" --portkey="$portkey" \
  --latency-ms="$latency_ms" --server-pid="${pids[0]}" --front-pid="${pids[1]}" \
  --no-advisors-pid="${pids[2]}" --portkey-pid="${pids[3]}" \
  --out="$out/results.md" "$@"
load_after="$(uptime)"
caches="$(curl -s "$front/actuator/aicaches" | grep -o '"name":"[a-z]*","size":[0-9]*,"hits":[0-9]*' || true)"
{
  echo
  echo "Load before: $load_before"
  echo "Load after:  $load_after"
  echo "Starter caches at the end (every lookup must have missed): ${caches//$'\n'/; }"
  echo "Java: $(java -version 2>&1 | head -n 1); Node.js: $(node --version); @portkey-ai/gateway $portkey_version"
} | tee -a "$out/results.md"
