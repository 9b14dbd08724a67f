#!/usr/bin/env bash
# `make bench` entry for the gateway benchmark (see gateway_bench.py): the api-gateway's added p50
# latency and its authenticated req/s vs the backend called directly, REST data API GET/s vs
# redis-benchmark on the instance's port, and how soon a write shows in the metrics API.
# Records the "gateway benchmark" section of bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v wrk >/dev/null || ! command -v redis-benchmark >/dev/null; then
  scripts/bootstrap  # installs wrk and redis-tools from Debian's packages, as for the other benches
fi
exec .venv/bin/python bench/gateway/gateway_bench.py --build "${1:-build/release}" \
  --results bench/RESULTS.md "${@:2}"
