#!/usr/bin/env bash
# A throwaway S3-compatible server for the tests: s3s-fs (installed by scripts/setup.sh) on
# 127.0.0.1:PORT, keeping its objects in DIR, with one bucket, `resguardo-test`.
#
#   scripts/s3.sh start DIR PORT   start it; prints the environment the server and tests need
#                                  (PORT `auto`: a free one)
#   scripts/s3.sh stop DIR         stop it and remove DIR
set -euo pipefail

# A port nothing listens on now (the kernel's choice), so a test run never meets another server.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cmd=${1:-}
dir=${2:-}
[ -n "$dir" ] || { echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2; }
bin=$(command -v s3s-fs || echo "$HOME/.cargo/bin/s3s-fs")

case "$cmd" in
  start)
    port=${3:?usage: $0 start DIR PORT}
    [ "$port" = auto ] && port=$(free_port)
    [ -x "$bin" ] || { echo "s3.sh: s3s-fs is not installed (make setup-test)" >&2; exit 1; }
    mkdir -p "$dir/root/resguardo-test"
    "$bin" --host 127.0.0.1 --port "$port" --access-key resguardo --secret-key resguardo-secret \
      "$dir/root" >"$dir/server.log" 2>&1 &
    echo $! >"$dir/pid"
    for _ in $(seq 1 100); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        cat <<ENV
AWS_ENDPOINT_URL=http://127.0.0.1:$port
AWS_REGION=us-east-1
AWS_ACCESS_KEY_ID=resguardo
AWS_SECRET_ACCESS_KEY=resguardo-secret
ENV
        exit 0
      fi
      sleep 0.1
    done
    cat "$dir/server.log" >&2
    exit 1
    ;;
  stop)
    if [ -f "$dir/pid" ]; then
      kill "$(cat "$dir/pid")" 2>/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
