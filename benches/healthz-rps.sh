#!/usr/bin/env bash
# benches/healthz-rps.sh — requests/second and CPU cost per request of the
# health example's /healthz (a fresh posture::posture() + evaluate per
# request), the server pinned to one core.
#
#   bash benches/healthz-rps.sh [SECONDS] [CONNECTIONS] [PATH]
#   defaults: 10 s, 8 connections, /healthz
#
# Needs wrk (Debian: apt-get install wrk) and two cores: the server runs on
# core 0 (taskset -c 0, single-threaded tokio runtime), wrk on core 1.
# Loopback only; the server is stopped with SIGTERM at the end, and every
# step is bounded (wrk's -d, a 30 s wait for the server to listen).
#
# Prints: requests/s (wrk), latency percentiles, server CPU time (utime +
# stime from /proc/<pid>/stat) divided by requests served = CPU per request.
# Set CACHE_MS=N to measure with --cache-ms N, DETAILS=1 for
# --expose-details (PATH=/metrics or /posture then costs the full rendering).
set -euo pipefail

SECS="${1:-10}"
CONNS="${2:-8}"
URLPATH="${3:-/healthz}"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

command -v wrk >/dev/null || { echo "healthz-rps.sh: wrk not found: apt-get install wrk" >&2; exit 1; }
command -v taskset >/dev/null || { echo "healthz-rps.sh: taskset not found (util-linux)" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "healthz-rps.sh: needs 2 cores (server on 0, wrk on 1)" >&2; exit 1; }

cargo build --release --quiet --manifest-path "$REPO/Cargo.toml" --example health --features prometheus
BIN="$REPO/target/release/examples/health"

extra=(--report-only)
[ -n "${CACHE_MS:-}" ] && extra+=(--cache-ms "$CACHE_MS")
[ "${DETAILS:-0}" = 1 ] && extra+=(--expose-details)

OUT="$(mktemp -d)"
taskset -c 0 "$BIN" --listen 127.0.0.1:0 "${extra[@]}" >"$OUT/stdout" 2>"$OUT/stderr" &
PID=$!
cleanup() { kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$OUT"; }
trap cleanup EXIT

for _ in $(seq 300); do
  ADDR="$(head -n1 "$OUT/stdout" 2>/dev/null || true)"
  [ -n "$ADDR" ] && break
  kill -0 "$PID" 2>/dev/null || { echo "server exited:" >&2; cat "$OUT/stderr" >&2; exit 1; }
  sleep 0.1
done
[ -n "${ADDR:-}" ] || { echo "server did not listen within 30 s" >&2; exit 1; }

URL="http://$ADDR$URLPATH"
code="$(curl -s -o /dev/null -w '%{http_code}' "$URL" 2>/dev/null || echo '?')"
echo "server: $BIN ${extra[*]} on core 0, pid $PID, $URL answers $code"

# Warm up, then measure.
taskset -c 1 wrk -t1 -c"$CONNS" -d2s "$URL" >/dev/null

clk="$(getconf CLK_TCK)"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
t0="$(cpu_ticks)"
taskset -c 1 wrk -t1 -c"$CONNS" -d"${SECS}s" --latency "$URL" | tee "$OUT/wrk"
t1="$(cpu_ticks)"

reqs="$(awk '/requests in/ {print $1}' "$OUT/wrk")"
rps="$(awk '/Requests\/sec/ {print $2}' "$OUT/wrk")"
awk -v t="$((t1 - t0))" -v clk="$clk" -v n="$reqs" -v rps="$rps" -v s="$SECS" 'BEGIN {
  cpu = t / clk
  printf "summary: %s requests in %s s = %s req/s on one core; server CPU %.2f s (%.0f%% of the core) = %.1f us CPU per request\n",
    n, s, rps, cpu, 100 * cpu / s, 1e6 * cpu / n
}'
