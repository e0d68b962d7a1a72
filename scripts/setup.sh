#!/usr/bin/env bash
# Installs what building and testing Resguardo need, skipping whatever is already there.
#   scripts/setup.sh build   toolchain, wasm target, trunk, wasm-bindgen-cli, wasm-split-cli, wasm-opt
#   scripts/setup.sh test    all of the above plus Chromium, chromedriver, fonts, Firefox ESR,
#                            WebKitGTK's WebDriver, Xvfb, PostgreSQL, s3s-fs (an S3-compatible
#                            server), npm packages and schemathesis (in tests/.venv)
# Every step checks first, so running it again is cheap.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.22.1
WASM_BINDGEN_VERSION=0.2.130
WASM_SPLIT_VERSION=0.2.3
SCHEMATHESIS_VERSION=4.32.5
S3S_FS_VERSION=0.12.0
what=${1:-build}

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# The toolchain and its wasm target come from rust-toolchain.toml; rustup does not add the file's
# targets to an installed toolchain unless asked like this.
if ! rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
  say "installing the pinned Rust toolchain and the wasm32 target"
  rustup toolchain install
fi
toolchain=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (about 15 minutes, once)"
  cargo "+$toolchain" install trunk --version "$TRUNK_VERSION" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 7 minutes, once)"
  # Not --locked: one of its locked dependencies is no longer published.
  cargo "+$toolchain" install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# wasm-split-cli cuts the page's wasm into the first download and the chunks after it
# (scripts/page_build.sh). It has no --version: cargo's list of installed packages tells.
if ! cargo "+$toolchain" install --list 2>/dev/null | grep -qx "wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
  say "installing wasm-split-cli $WASM_SPLIT_VERSION (about 3 minutes, once)"
  cargo "+$toolchain" install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary --locked
fi

# wasm-opt for Trunk's release build comes from npm's binaryen (Debian's is too old).
# npm records what it installed in node_modules/.package-lock.json; a newer lock file means new
# or changed packages.
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -f node_modules/.package-lock.json ] ||
   [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (binaryen, playwright-core, ...)"
  npm ci --no-audit --no-fund
fi

if [ "$what" = test ]; then
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
  [ -d /usr/share/fonts/truetype/noto ] || missing+=(fonts-noto-core)
  # The cross-browser core flow (tests/browsers/): Firefox ESR (driven over WebDriver BiDi by
  # puppeteer-core), WebKitGTK's WebDriver with its MiniBrowser, and Xvfb, since WebKitGTK has no
  # headless mode.
  [ -x /usr/bin/firefox-esr ] || missing+=(firefox-esr)
  [ -x /usr/bin/WebKitWebDriver ] || missing+=(webkit2gtk-driver)
  [ -x /usr/bin/Xvfb ] || missing+=(xvfb)
  command -v curl >/dev/null || missing+=(curl)
  # The server's tests run a second time on a real PostgreSQL (scripts/postgres.sh).
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
  command -v tesseract >/dev/null || missing+=(tesseract-ocr)
  if ! command -v python3 >/dev/null; then
    missing+=(python3 python3-venv)
  elif ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    missing+=(python3-venv)
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd=sudo
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
  fi

  # A real S3-compatible server for the server's tests on object storage (scripts/s3.sh).
  if [ "$(s3s-fs --version 2>/dev/null)" != "s3s-fs $S3S_FS_VERSION" ]; then
    say "installing s3s-fs $S3S_FS_VERSION (a few minutes, once)"
    cargo "+$toolchain" install s3s-fs --version "$S3S_FS_VERSION" --features binary --locked
  fi

  # schemathesis for the contract run (tests/contract/run.sh), pinned, in its own venv.
  if [ "$(tests/.venv/bin/st --version 2>/dev/null)" != "st, version $SCHEMATHESIS_VERSION" ]; then
    say "installing schemathesis $SCHEMATHESIS_VERSION into tests/.venv"
    rm -rf tests/.venv
    python3 -m venv tests/.venv
    tests/.venv/bin/pip install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
  fi
fi
say "ready"
