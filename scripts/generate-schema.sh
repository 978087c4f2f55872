#!/usr/bin/env bash
# Regenerates src/gen/sql/ (the pinned alembic head's DDL per dialect) from the pinned MLflow in .venv.
# Called by scripts/generate.sh; output dir follows MLFLOW_TS_GEN_OUT (default src/gen) + /sql.
# Needs a PostgreSQL server: MLFLOW_TS_GEN_PG_URL or MLFLOW_TS_TEST_PG_URL (postgresql://user@host:port),
# else a throwaway cluster is started with scripts/pg.sh and stopped afterwards; and a MySQL server:
# MLFLOW_TS_GEN_MYSQL_URL or MLFLOW_TS_TEST_MYSQL_URL (mysql://user@host:port), else a throwaway MariaDB
# is started with scripts/mysql.sh and stopped afterwards.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="${MLFLOW_TS_GEN_OUT:-$root/src/gen}/sql"
python="${MLFLOW_TS_PYTHON:-$root/.venv/bin/python}"
tmp="$(mktemp -d)"
pgdir=""
mydir=""
cleanup() {
  [ -n "$pgdir" ] && { bash scripts/pg.sh stop "$pgdir" || true; rm -rf "$pgdir"; }
  [ -n "$mydir" ] && { bash scripts/mysql.sh stop "$mydir" || true; rm -rf "$mydir"; }
  rm -rf "$tmp"
}
trap cleanup EXIT
pg_url="${MLFLOW_TS_GEN_PG_URL:-${MLFLOW_TS_TEST_PG_URL:-}}"
if [ -z "$pg_url" ]; then
  pgdir="$(mktemp -d /tmp/mlflow-ts-genpg.XXXXXX)"
  pg_url="$(bash scripts/pg.sh start "$pgdir")"
fi
mysql_url="${MLFLOW_TS_GEN_MYSQL_URL:-${MLFLOW_TS_TEST_MYSQL_URL:-}}"
if [ -z "$mysql_url" ]; then
  mydir="$(mktemp -d /tmp/mlflow-ts-genmy.XXXXXX)"
  mysql_url="$(bash scripts/mysql.sh start "$mydir")"
fi
"$python" codegen/schema/dump_schema.py "$pg_url" "$mysql_url" >"$tmp/schema.json"
npx tsx codegen/schema/emit-sql.ts "$tmp/schema.json" "$out"
echo "generate-schema: wrote $out"
