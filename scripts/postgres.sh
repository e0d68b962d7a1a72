#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests: its own cluster in DIR, on 127.0.0.1:PORT only, trust
# authentication for the one local user, never the machine's own server.
#
#   scripts/postgres.sh start DIR PORT   initdb (if needed) and start; prints the database URL
#                                        (PORT `auto`: a free one)
#   scripts/postgres.sh stop DIR         stop it (fast shutdown) and remove DIR
#
# As root the server runs as the `postgres` user (PostgreSQL refuses to run as root), so DIR
# is made and owned by it.
set -euo pipefail

bin=""
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && bin=$d; done
if [ -z "$bin" ]; then
  echo "postgres.sh: no PostgreSQL server found (Debian: apt-get install postgresql)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
  else
    "$@"
  fi
}

# A port nothing listens on now (the kernel's choice), so a test run never meets another server.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cmd=${1:-}
dir=${2:-}
[ -n "$dir" ] || { echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2; }

case "$cmd" in
  start)
    port=${3:?usage: $0 start DIR PORT}
    [ "$port" = auto ] && port=$(free_port)
    if [ ! -f "$dir/PG_VERSION" ]; then
      mkdir -p "$dir"
      [ "$(id -u)" = 0 ] && chown postgres: "$dir"
      chmod 700 "$dir"
      as_owner "$bin/initdb" -D "$dir" -U resguardo --auth=trust --encoding=UTF8 \
        --locale=C.UTF-8 >"$dir.initdb.log" 2>&1 ||
        { cat "$dir.initdb.log" >&2; exit 1; }
    fi
    # fsync stays on: the tests assert what a committed case means.
    as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c max_connections=400" \
      start >/dev/null ||
      { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://resguardo@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [ -f "$dir/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$dir" "$dir.initdb.log"
    ;;
  *)
    echo "usage: $0 start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
