#!/usr/bin/env bash
# The framework's ceiling for the execute path (issue 4): proxies built from the pieces Switchboard uses, with no
# Switchboard code, beside nginx reverse-proxying the same fast upstream (see `switchboard-bench proxy`):
#   hb        Hummingbird route + AsyncHTTPClient async API (the shape of Switchboard's path today)
#   hb-lean   Hummingbird route + a minimal HTTP/1.1 client on the route's event loop
#   nio-ahc   NIO channel handler + AsyncHTTPClient's event-loop API
#   nio-lean  NIO channel handler + the minimal client on the connection's event loop
# Each is measured ROUNDS times, alternating with nginx. Everything binds to 127.0.0.1.
# Usage: bench/execute-ceilings.sh [seconds (6)] [connections (64)] [rounds (2)]   (BENCH_BIN=path skips the build)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /opt/swift/usr/bin/swift ] && export PATH=/opt/swift/usr/bin:$PATH
DURATION=${1:-6}
CONNS=${2:-64}
ROUNDS=${3:-2}
WORK=$(mktemp -d /tmp/switchboard-ceilings-XXXX)
UPSTREAM_PORT=18191; PROXY_PORT=18192

. bench/nginx-fast-upstream.sh
if [ -n "${BENCH_BIN:-}" ]; then
    BENCH=$BENCH_BIN
else
    swift build -c release --product switchboard-bench 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\]' || true
    BENCH=$(swift build -c release --show-bin-path)/switchboard-bench
fi

nginx_start
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    nginx_stop
    rm -rf "$WORK"
}
trap cleanup EXIT

MODES=(hb hb-lean nio-ahc nio-lean)
declare -A PORT
p=18201
for m in "${MODES[@]}"; do
    PORT[$m]=$p
    "$BENCH" proxy "$m" --port $p --upstream-port $UPSTREAM_PORT &
    PIDS+=($!)
    p=$((p + 1))
done
for m in "${MODES[@]}"; do
    for _ in $(seq 1 100); do curl -sf -X POST "http://127.0.0.1:${PORT[$m]}/x" -d '{}' >/dev/null && break; sleep 0.1; done
done
cat > "$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"q":"hello"}'
wrk.headers["Content-Type"] = "application/json"
LUA

rps() { wrk -t2 -c"$CONNS" -d"${DURATION}s" "$@" | awk '/Requests\/sec/ {print $2}'; }
echo "== ${DURATION}s each, wrk -t2 -c$CONNS, $ROUNDS rounds; % of the nginx figure measured just before"
for r in $(seq 1 "$ROUNDS"); do
    for m in "${MODES[@]}"; do
        n=$(rps "http://127.0.0.1:$PROXY_PORT/fast?q=hello")
        v=$(rps -s "$WORK/post.lua" "http://127.0.0.1:${PORT[$m]}/x")
        awk -v r="$r" -v m="$m" -v v="$v" -v n="$n" 'BEGIN { printf "round %s  %-9s %10s req/s   nginx %10s req/s   %5.1f%%\n", r, m, v, n, v * 100 / n }'
    done
done
