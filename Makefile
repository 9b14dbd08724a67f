# MiniRedis developer entry points. `make up` and `make test` are the README's two commands: each
# installs what it needs (scripts/bootstrap), builds, then runs.
SHELL := /bin/bash
PRESET ?= release
BUILD := build/$(PRESET)
BIN := $(BUILD)/bin/miniredis
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
FUZZ_SECONDS ?= 30
PYTEST := .venv/bin/python -m pytest

.PHONY: bootstrap configure build up test unit integration fuzz test-asan bench docs clean

bootstrap:
	@scripts/bootstrap

configure: bootstrap
	@cmake --preset $(PRESET) $(CMAKE_FLAGS) >/dev/null

build: configure
	cmake --build $(BUILD) -j$(JOBS)
	@echo "built $(BIN)"

# The embedded default: every service in one process, SQLite and instance data under ./data.
up: build
	$(BIN) --target=all --data-dir ./data

unit: build
	ctest --preset $(PRESET) -j$(JOBS)

# Integration tests against the real binary, and real Redis clients against `miniredis server`.
integration: build
	$(PYTEST) -q tests/integration tests/compat

# Everything: warnings are errors here, as in CI.
test:
	@$(MAKE) --no-print-directory build CMAKE_FLAGS="-DMR_WERROR=ON"
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory integration
	@$(MAKE) --no-print-directory fuzz

# Each libFuzzer target runs for FUZZ_SECONDS (clang build in build/fuzz).
fuzz: bootstrap
	@cmake --preset fuzz >/dev/null
	@cmake --build build/fuzz --target fuzzers -j$(JOBS)
	@scripts/run-fuzzers build/fuzz/fuzz $(FUZZ_SECONDS)

test-asan:
	@$(MAKE) --no-print-directory PRESET=asan unit

bench: build
	bench/run-all

docs: build
	$(BIN) --print-config-docs > docs/configuration.md

clean:
	rm -rf build
