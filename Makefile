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

.PHONY: run test build setup setup-test app server test-rust test-wasm test-e2e fmt clean

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

test: setup-test app server test-rust test-wasm test-e2e

## protocol and server, against real SQLite files in temporary directories.
test-rust:
	cargo test -p protocol -p server

## store and sync on real IndexedDB in headless Chromium.
test-wasm:
	cargo test -p frontend --target wasm32-unknown-unknown

## the fault proxy, then the release build served by the real server, driven by Playwright.
test-e2e:
	node --test --test-concurrency=1 tests/support/ tests/e2e/

fmt:
	cargo fmt --all

clean:
	cargo clean
	rm -rf dist tests/.tmp tests/artifacts
