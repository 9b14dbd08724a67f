#!/usr/bin/env bash
# `make bench` entry for the backend benchmark (see create_instances.py): create-instance latency
# end to end (p50/p95/p99, creates/s) at 20 concurrent users, on SQLite and PostgreSQL 15 side by
# side. Records the "backend benchmark" section of bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec .venv/bin/python bench/backend/create_instances.py --build "${1:-build/release}" \
  --results bench/RESULTS.md "${@:2}"
