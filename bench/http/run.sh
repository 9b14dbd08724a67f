#!/usr/bin/env bash
# HTTP layer benchmark: wrk against /healthz of `miniredis --target=backend` (router, middleware,
# metrics, access log at info) and of a bare Beast server, alternating, on this machine.
# Prints throughput and p99 for each and the ratios. Usage: bench/http/run.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/release}
duration=${DURATION:-8}
conns=${CONNS:-50}
rounds=${ROUNDS:-2}
port_ours=18581; port_bare=18582
tmp=$(mktemp -d)
trap 'kill $ours_pid $bare_pid 2>/dev/null || true; rm -rf "$tmp"' EXIT

BACKEND_PORT=$port_ours DATA_DIR=$tmp/data LOG_LEVEL=warn "$build/bin/miniredis" --target=backend \
  >"$tmp/ours.log" 2>&1 &
ours_pid=$!
"$build/bin/bench_bare_http" $port_bare >"$tmp/bare.log" 2>&1 &
bare_pid=$!
for p in $port_ours $port_bare; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$p/healthz" >/dev/null && break; sleep 0.05; done
done

# wrk prints "Requests/sec: N" and, with --latency, a "99%" line.
run() {
  local out
  out=$(wrk -t1 -c"$conns" -d"${duration}s" --latency "http://127.0.0.1:$1/healthz")
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  echo "$rps $p99"
}
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.3f", v/1000; else if (v ~ /ms$/) printf "%.3f", v+0; else printf "%.3f", v*1000 }'; }

best_ours=0; best_bare=0; p99_ours=0; p99_bare=0
for r in $(seq "$rounds"); do
  read -r rps p99 < <(run $port_bare)
  if awk -v a="$rps" -v b="$best_bare" 'BEGIN{exit !(a>b)}'; then best_bare=$rps; p99_bare=$(to_ms "$p99"); fi
  read -r rps p99 < <(run $port_ours)
  if awk -v a="$rps" -v b="$best_ours" 'BEGIN{exit !(a>b)}'; then best_ours=$rps; p99_ours=$(to_ms "$p99"); fi
done

printf "\nHTTP /healthz, wrk -t1 -c%s -d%ss, best of %s rounds\n" "$conns" "$duration" "$rounds"
printf "| server | req/s | p99 ms |\n|---|---|---|\n"
printf "| miniredis backend | %s | %s |\n" "$best_ours" "$p99_ours"
printf "| bare Beast | %s | %s |\n" "$best_bare" "$p99_bare"
awk -v o="$best_ours" -v b="$best_bare" -v po="$p99_ours" -v pb="$p99_bare" \
  'BEGIN { printf "throughput ratio (bare/ours): %.2fx  p99 ratio (ours/bare): %.2fx  (goal: within 2x)\n", b/o, po/pb }'
