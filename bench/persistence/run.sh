#!/usr/bin/env bash
# `make bench` entry for the persistence benchmark (see run.py); records bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec .venv/bin/python bench/persistence/run.py --build "${1:-build/release}" --results bench/RESULTS.md "${@:2}"
