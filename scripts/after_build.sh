#!/usr/bin/env bash
# Trunk's one post_build hook (Trunk runs the hooks of a stage at the same time, and these must
# run in order): first the locale catalogs and the boot script (boot_build.sh), then the precache list, the CSP
# hashes of inline scripts and the precompressed files, which must see the catalogs and the
# finished boot script.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/boot_build.sh
bash scripts/post_build.sh
