#!/usr/bin/env bash
# Starts (or stops) a throwaway MariaDB server for tests and benchmarks, with no manual step and no
# system service.
#   scripts/mysql.sh start DIR  -> mariadb-install-db + mariadbd on a free loopback port; prints the
#                                  base URL (mysql://mlflow@127.0.0.1:PORT, no database)
#   scripts/mysql.sh stop DIR   -> shuts the server down
# Debian's mariadb-server (10.11) is installed when missing (the machine kind has no MySQL package).
# A server started again in the same DIR keeps its port.
set -euo pipefail
cmd="${1:?start|stop}"
dir="${2:?data directory}"

find_bin() {
  command -v "$1" 2>/dev/null || { [ -x "/usr/sbin/$1" ] && echo "/usr/sbin/$1"; } || true
}

case "$cmd" in
start)
  if [ -z "$(find_bin mariadbd)" ]; then
    echo "mysql.sh: installing mariadb-server" >&2
    sudo_cmd=""
    [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y --no-install-recommends mariadb-server >&2
  fi
  mariadbd="$(find_bin mariadbd)"
  install_db="$(find_bin mariadb-install-db)"
  client="$(find_bin mariadb)"
  mkdir -p "$dir"
  user_opt=()
  if [ "$(id -u)" = 0 ]; then
    chown mysql:mysql "$dir" 2>/dev/null || true
    user_opt=(--user=mysql)
  fi
  if [ ! -d "$dir/data/mysql" ]; then
    "$install_db" --no-defaults "${user_opt[@]}" --datadir="$dir/data" --auth-root-authentication-method=normal \
      --skip-test-db >"$dir/install.log" 2>&1
  fi
  if [ -f "$dir/port" ]; then
    port="$(cat "$dir/port")"
  else
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  fi
  echo "$port" >"$dir/port"
  # max_connections: the parity and concurrency tests open several pools at once.
  "$mariadbd" --no-defaults "${user_opt[@]}" --datadir="$dir/data" --port="$port" --bind-address=127.0.0.1 \
    --socket="$dir/mysqld.sock" --pid-file="$dir/mysqld.pid" --log-error="$dir/error.log" \
    --max-connections=500 --innodb-buffer-pool-size=256M --skip-name-resolve \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci >/dev/null 2>&1 &
  for _ in $(seq 1 300); do
    if "$client" --no-defaults -uroot --socket="$dir/mysqld.sock" -e 'SELECT 1' >/dev/null 2>&1; then break; fi
    sleep 0.2
  done
  "$client" --no-defaults -uroot --socket="$dir/mysqld.sock" -e \
    "CREATE USER IF NOT EXISTS 'mlflow'@'127.0.0.1'; GRANT ALL PRIVILEGES ON *.* TO 'mlflow'@'127.0.0.1' WITH GRANT OPTION; FLUSH PRIVILEGES;" \
    || { echo "mysql.sh: the server did not start; see $dir/error.log" >&2; tail -20 "$dir/error.log" >&2; exit 1; }
  echo "mysql://mlflow@127.0.0.1:$port"
  ;;
stop)
  if [ -f "$dir/mysqld.pid" ]; then
    pid="$(cat "$dir/mysqld.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
