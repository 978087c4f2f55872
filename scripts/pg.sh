#!/usr/bin/env bash
# Starts (or stops) a throwaway PostgreSQL cluster for tests and benchmarks, with no manual step.
#   scripts/pg.sh start DIR   -> initdb + pg_ctl start on a free loopback port; prints the base URL
#   scripts/pg.sh stop DIR [MODE]  -> pg_ctl stop -m MODE (default fast; tests use immediate)
# A cluster started again in the same DIR keeps its port (tests restart one under a running server).
# Uses the machine's PostgreSQL binaries (initdb/pg_ctl). As root they must run as `postgres`,
# so DIR is created for that user (put it under /tmp).
set -euo pipefail
cmd="${1:?start|stop}"
dir="${2:?data directory}"
bin="$(dirname "$(command -v pg_ctl || echo /usr/lib/postgresql/15/bin/pg_ctl)")"
[ -x "$bin/pg_ctl" ] || bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 >"$dir/initdb.log" 2>&1
  fi
  if [ -f "$dir/port" ]; then
    port="$(cat "$dir/port")"
  else
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  fi
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB" start >/dev/null
  echo "$port" >"$dir/port"
  echo "postgresql://postgres@127.0.0.1:$port"
  ;;
stop)
  [ -f "$dir/data/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$dir/data" -m "${3:-fast}" -w stop >/dev/null 2>&1 || true
  ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
