#!/usr/bin/env bash
# Contract check that nobody here wrote: schemathesis against the real release server's own
# /api/v1/openapi.json, as a registered device. Fails on any server error (5xx) and on any answer
# the document does not describe (status code, content type, required headers, body schema).
#
#   tests/contract/run.sh                 bounded run for `make test` (a couple of minutes at most)
#   EXAMPLES=200 SEED=7 tests/contract/run.sh   more cases, another seed
#   SERVER=path/to/server                 another build (default: $CARGO_TARGET_DIR or target/)
#   tests/contract/run.sh --continue-on-failure   further arguments go to `st run`
#
# Needs tests/.venv (scripts/setup.sh test) and a release build (make server).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

server=${SERVER:-${CARGO_TARGET_DIR:-$root/target}/release/server}
st=$root/tests/.venv/bin/st
examples=${EXAMPLES:-50}
seed=${SEED:-1}
[ -x "$server" ] || { echo "no server at $server: run make server" >&2; exit 2; }
[ -x "$st" ] || { echo "no schemathesis in tests/.venv: run scripts/setup.sh test" >&2; exit 2; }

work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
# Registration is rate-limited per address; schemathesis registers many times from one.
"$server" --addr "127.0.0.1:$port" --data-dir "$work/data" --static-dir "$work/none" \
  --registrations-per-minute 100000 >"$work/server.log" 2>&1 &
pid=$!
cleanup() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for _ in $(seq 1 100); do
  curl -fsS "$base/api/v1/health" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done

token=$(curl -fsS -X POST -H 'Content-Type: application/json' -d '{}' "$base/api/v1/devices" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')

status=0
# Bounded twice: a few dozen cases per operation, and five minutes at the very most.
(cd "$work" && SCHEMATHESIS_HOOKS="$root/tests/contract/hooks.py" timeout 300 \
  "$st" run "$base/api/v1/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --phases examples,coverage,fuzzing \
  --max-examples "$examples" \
  --seed "$seed" \
  --workers 2 \
  --request-timeout 20 \
  --suppress-health-check too_slow \
  --generation-database none \
  --no-color \
  "$@") || status=$?

if [ "$status" -ne 0 ]; then
  echo "--- server log (last 40 lines) ---" >&2
  tail -n 40 "$work/server.log" >&2
fi
exit "$status"
