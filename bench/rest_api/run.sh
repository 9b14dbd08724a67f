#!/usr/bin/env bash
# `make bench` entry for the REST data API benchmark (see run.py): GET/s through the gateway's
# /rest/{id} with keep-alive (wrk), beside node-manager's exec API called directly. Records the
# "REST data API benchmark" section of bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec .venv/bin/python bench/rest_api/run.py --build "${1:-build/release}" \
  --results bench/RESULTS.md "${@:2}"
