# Resguardo: `make run` and `make test` install whatever is missing, then build and run or test.
# Every install step is skipped when already satisfied (see scripts/setup.sh).

SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export TRUNK_OFFLINE := true
export CHROMEDRIVER ?= /usr/bin/chromedriver
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER := wasm-bindgen-test-runner
export WASM_BINDGEN_TEST_WEBDRIVER_JSON := $(CURDIR)/frontend/webdriver.json
export WASM_BINDGEN_TEST_TIMEOUT := 120

ADDR ?= 127.0.0.1:8080
DATA_DIR ?= data

.PHONY: run test build setup setup-test app server sim test-rust test-sim test-wasm test-e2e test-browsers test-conformance test-scale test-contract soak bench fmt clean

run: build
	./target/release/server --addr $(ADDR) --data-dir $(DATA_DIR) --static-dir dist

build: setup app server

setup:
	@bash scripts/setup.sh build

setup-test:
	@bash scripts/setup.sh test

## The installable app, in release mode, into dist/.
app:
	trunk build --release --offline

server:
	cargo build --release -p server

sim:
	cargo build --release -p sim

test: setup-test app server test-rust test-sim test-wasm test-e2e test-browsers test-conformance test-scale test-contract

## protocol, the delivery engine, server and simulator, against real SQLite files in temporary
## directories; then the server's tests again on the scale-out back ends: a real PostgreSQL
## (Debian's, a throwaway cluster in tests/.postgres on a free loopback port, a database per test)
## and a real S3-compatible server (s3s-fs in tests/.s3 on a free loopback port, a prefix per
## test), both stopped and removed after.
PG_DIR := $(CURDIR)/tests/.postgres
PG_PORT ?= auto
S3_DIR := $(CURDIR)/tests/.s3
S3_PORT ?= auto
test-rust:
	cargo test -p protocol -p locales -p delivery -p server -p sim
	@bash scripts/postgres.sh stop $(PG_DIR); bash scripts/s3.sh stop $(S3_DIR)
	url=$$(bash scripts/postgres.sh start $(PG_DIR) $(PG_PORT)) && \
	  trap 'bash scripts/postgres.sh stop $(PG_DIR); bash scripts/s3.sh stop $(S3_DIR)' EXIT && \
	  s3env=$$(bash scripts/s3.sh start $(S3_DIR) $(S3_PORT)) && \
	  env $$s3env RESGUARDO_TEST_DATABASE_URL=$$url RESGUARDO_TEST_BLOB_URL=s3://resguardo-test/runs \
	    cargo test -p server

## The delivery simulator, bounded: SEEDS schedules (200) of the real engine against the real
## server under faults; `make soak` runs 2,000 and the real-process soak.
TEST_SEEDS ?= 200
test-sim: sim
	SEEDS=$(TEST_SEEDS) ./target/release/soak

## store and sync on real IndexedDB in headless Chromium.
test-wasm:
	cargo test -p frontend --target wasm32-unknown-unknown

## the fault proxy, then the release build served by the real server, driven by Playwright.
test-e2e:
	node --test --test-concurrency=1 tests/support/ tests/e2e/

## The core flow (first visit, offline reload, a form typed key by key, a document photo, send,
## delivered, a restart) in Chromium, Firefox ESR and WebKitGTK; BROWSERS=firefox,webkit for some.
test-browsers:
	node --test --test-concurrency=1 tests/browsers/core-flow.test.mjs

## tus-js-client, a client nobody here wrote, against our tus endpoint (with a fault proxy).
test-conformance:
	node --test --test-concurrency=1 tests/conformance/

## Two server processes on one PostgreSQL and one S3 bucket behind a round-robin balancer:
## tus-js-client, the core loop in Chromium, a process killed mid-upload, and the tus-js-client
## conformance suite again through such a pair (each starts its own PostgreSQL and s3s-fs).
test-scale:
	node --test --test-concurrency=1 tests/scale/
	RESGUARDO_CONFORMANCE_SCALE=1 node --test --test-concurrency=1 tests/conformance/

## schemathesis, a client nobody here wrote, against our own OpenAPI document: no 5xx, and every
## answer as documented (status, content type, headers, schema). Starts the release server itself.
test-contract:
	bash tests/contract/run.sh

## The long checks: the simulator over SEEDS schedules (2,000 by default; SEED=S replays one
## with its trace), then many devices through the fault proxy to the real server binary killed
## with SIGKILL at random moments.
SEEDS ?= 2000
soak: setup-test server sim
ifdef SEED
	SEED=$(SEED) ./target/release/soak
else
	SEEDS=$(SEEDS) ./target/release/soak
	node tests/soak/real-process.mjs
endif

## Prints figures, never fails on speed: tus throughput against @tus/server, on-device photo
## processing of a 12 MP JPEG in headless Chromium, and the first visit over an emulated 2G link
## (250 kbit/s, 400 ms RTT: bytes and time until usable and until ready offline, and a reload).
bench: setup-test app server sim
	node bench/load-bench.mjs
	node bench/tus-bench.mjs
	node bench/photo-bench.mjs
	node bench/first-visit.mjs
	node bench/pin-bench.mjs

fmt:
	cargo fmt --all

clean:
	cargo clean
	rm -rf dist tests/.tmp tests/artifacts
