#!/usr/bin/env bash
# Benchmark of the execute path (issue 4): POST /v1/connections/{id}/methods/{method} through Switchboard,
# compared in the same run with a direct call to the same fast upstream and with nginx reverse-proxying it.
# The Switchboard call has parameter validation (paramSchema), auth injection (an API key from the vault,
# when the vault is available) and execution logging on.
#
# Needs: nginx and wrk (apt), a release build of switchboard. Everything binds to 127.0.0.1.
# Usage: bench/execute.sh [duration-seconds (10)] [connections (64)]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
[ -x /opt/swift/usr/bin/swift ] && export PATH=/opt/swift/usr/bin:$PATH
DURATION=${1:-10}
CONNS=${2:-64}
WORK=$(mktemp -d /tmp/switchboard-bench-XXXX)
UPSTREAM_PORT=18191; PROXY_PORT=18192; SB_PORT=18193

. bench/nginx-fast-upstream.sh

if [ -n "${SB_BIN:-}" ]; then
    SB=$SB_BIN
else
    swift build -c release --product switchboard 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\]' || true
    SB=$(swift build -c release --show-bin-path)/switchboard
fi

nginx_start
SB_PID=""
cleanup() {
    [ -n "$SB_PID" ] && kill "$SB_PID" 2>/dev/null || true
    nginx_stop
    rm -rf "$WORK"
}
trap cleanup EXIT

SWITCHBOARD_MASTER_KEY=$(head -c 32 /dev/urandom | base64) "$SB" serve --port $SB_PORT --data-dir "$WORK/data" --log-level warning &
SB_PID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$SB_PORT/health" >/dev/null && break; sleep 0.1; done

AUTH="none"
if curl -s "http://127.0.0.1:$SB_PORT/openapi.json" | grep -q '/credentials'; then AUTH="api_key"; fi
cat > "$WORK/definition.json" <<JSON
{"key": "fast", "name": "Fast upstream", "version": "1.0.0", "type": "rest_api",
 "auth": {"type": "$AUTH", "apiKey": {"in": "header", "name": "X-Api-Key"}},
 "baseUrl": "http://127.0.0.1:$UPSTREAM_PORT",
 "methods": [{"name": "get", "verb": "GET", "path": "/fast", "query": {"q": "{{params.q}}"},
              "paramSchema": {"type": "object", "required": ["q"], "properties": {"q": {"type": "string", "maxLength": 64}}},
              "resultSchema": {"type": "object", "required": ["ok"]}}]}
JSON
curl -sf -X POST "http://127.0.0.1:$SB_PORT/v1/definitions?publish=true" -H 'Content-Type: application/json' --data-binary @"$WORK/definition.json" >/dev/null
CONN=$(curl -sf -X POST "http://127.0.0.1:$SB_PORT/v1/connections" -H 'Content-Type: application/json' -d '{"definitionKey":"fast","name":"bench"}' | sed -E 's/.*"id":"([^"]+)".*/\1/')
if [ "$AUTH" = api_key ]; then
    curl -sf -X PUT "http://127.0.0.1:$SB_PORT/v1/connections/$CONN/credentials" -H 'Content-Type: application/json' \
         -d '{"type":"api_key","key":"bench-secret-key-123"}' >/dev/null
fi
curl -sf -X POST "http://127.0.0.1:$SB_PORT/v1/connections/$CONN/methods/get" -H 'Content-Type: application/json' -d '{"q":"warmup"}' | grep -q SUCCESS \
    || { echo "the execute call does not succeed"; exit 1; }

cat > "$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"q":"hello"}'
wrk.headers["Content-Type"] = "application/json"
LUA

run() { # name url [script]
    local name=$1 url=$2 script=${3:-}
    local out
    if [ -n "$script" ]; then out=$(wrk -t2 -c"$4" -d"${DURATION}s" --latency -s "$script" "$url"); else out=$(wrk -t2 -c"$4" -d"${DURATION}s" --latency "$url"); fi
    local rps p50 p99 errs
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1=="50%" {print $2}')
    p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    errs=$(echo "$out" | awk '/Non-2xx/ {print $5}')
    printf '%-28s %4s conns %12s req/s   p50 %9s   p99 %9s   non-2xx %s\n' "$name" "$4" "$rps" "$p50" "$p99" "${errs:-0}"
}

echo "== throughput (${DURATION}s each, wrk -t2, auth=$AUTH)"
run "direct upstream" "http://127.0.0.1:$UPSTREAM_PORT/fast?q=hello" "" "$CONNS"
run "nginx reverse proxy" "http://127.0.0.1:$PROXY_PORT/fast?q=hello" "" "$CONNS"
run "switchboard execute" "http://127.0.0.1:$SB_PORT/v1/connections/$CONN/methods/get" "$WORK/post.lua" "$CONNS"
echo "== latency at moderate load (4 connections)"
run "direct upstream" "http://127.0.0.1:$UPSTREAM_PORT/fast?q=hello" "" 4
run "nginx reverse proxy" "http://127.0.0.1:$PROXY_PORT/fast?q=hello" "" 4
run "switchboard execute" "http://127.0.0.1:$SB_PORT/v1/connections/$CONN/methods/get" "$WORK/post.lua" 4
# The newest execution record, to show the calls were logged (the list is paginated; one item is enough).
if curl -s "http://127.0.0.1:$SB_PORT/v1/executions?connectionId=$CONN&limit=1" | grep -q '"status":"SUCCESS"'; then
    echo "== execution log: on (the newest call is recorded as SUCCESS)"
else
    echo "== execution log: NO RECORD of the calls"
fi
