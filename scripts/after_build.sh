#!/usr/bin/env bash
# Trunk's one post_build hook (Trunk runs the hooks of a stage at the same time, and these must
# run in order): first the page's wasm split into its chunks (page_build.sh), then the locale
# catalogs and the boot script (boot_build.sh), then the precache list, the CSP hashes of
# inline scripts and the precompressed files, which must see every file final.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/page_build.sh
bash scripts/boot_build.sh
bash scripts/post_build.sh
