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

.PHONY: bootstrap configure build web web-test up test unit integration fuzz test-asan bench docs clean \
	test-containers

bootstrap:
	@scripts/bootstrap

configure: bootstrap
	@cmake --preset $(PRESET) $(CMAKE_FLAGS) >/dev/null

build: configure web
	cmake --build $(BUILD) -j$(JOBS)
	@echo "built $(BIN)"

# The web console (web/, React + Vite): web/dist is what the frontend target serves. Rebuilt only
# when a source, the lockfile or the build config is newer than the last build.
WEB_SOURCES := $(shell find web/src web/public web/scripts -type f 2>/dev/null) \
	web/index.html web/package.json web/package-lock.json web/vite.config.ts web/tsconfig.json

web: web/dist/index.html

web/dist/index.html: $(WEB_SOURCES)
	@command -v npm >/dev/null || { echo "web: npm not found (the console needs node >= 20.19)"; exit 1; }
	cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build
	@touch $@

# Unit tests of the console (Vitest: API client, CLI parser and formatter, forms, components).
web-test:
	@command -v npm >/dev/null || { echo "web: npm not found (the console needs node >= 20.19)"; exit 1; }
	cd web && npm ci --no-audit --no-fund --loglevel=error && npm test

# The embedded default: every service in one process, SQLite and instance data under ./data.
up: build
	$(BIN) --target=all --data-dir ./data

unit: build
	ctest --preset $(PRESET) -j$(JOBS)

# Integration tests against the real binary, real Redis clients against `miniredis server`, and
# the web console in headless Chromium against the platform.
integration: build
	$(PYTEST) -q tests/integration tests/compat tests/e2e

# Everything: warnings are errors here, as in CI.
test:
	@$(MAKE) --no-print-directory build CMAKE_FLAGS="-DMR_WERROR=ON"
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory web-test
	@$(MAKE) --no-print-directory integration
	@$(MAKE) --no-print-directory fuzz

# Each libFuzzer target runs for FUZZ_SECONDS (clang build in build/fuzz).
fuzz: bootstrap
	@cmake --preset fuzz >/dev/null
	@cmake --build build/fuzz --target fuzzers -j$(JOBS)
	@scripts/run-fuzzers build/fuzz/fuzz $(FUZZ_SECONDS)

# The images (deploy/docker/) and the Docker Compose stack (deploy/compose/), built and run for real
# with podman: sizes, non-root, health, the user journey on the published ports, down/up keeps the
# tenants' data, teardown leaves nothing. Needs root; see deploy/README.md.
test-containers:
	@scripts/test-containers

test-asan:
	@$(MAKE) --no-print-directory PRESET=asan unit

bench: build
	bench/run-all

docs: build
	$(BIN) --print-config-docs > docs/configuration.md

clean:
	rm -rf build web/dist
