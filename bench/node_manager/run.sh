#!/usr/bin/env bash
# `make bench` entry for the node-manager benchmark (see run.py): instance creation latency, RSS of
# 10,000 empty instances vs redis-server processes, and throughput on dedicated and shared ports vs
# `miniredis server`. Records the "node-manager" section of bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec .venv/bin/python bench/node_manager/run.py --build "${1:-build/release}" \
  --results bench/RESULTS.md "${@:2}"
