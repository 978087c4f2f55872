#!/usr/bin/env bash
# `npm test`: every test, provisioning what it needs by itself.
#  1. the pinned Python MLflow in .venv (cached), for the generator check and the parity suite;
#  2. a throwaway PostgreSQL cluster (scripts/pg.sh), for the PostgreSQL tests;
#  3. typecheck + lint, the regeneration check, unit and integration tests (vitest),
#     then the parity suite (pytest) on SQLite and on PostgreSQL.
# In CI (CI=true) nothing may be skipped: the PostgreSQL and parity tests must run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

bash scripts/provision-python.sh
export MLFLOW_TS_PYTHON="$root/.venv/bin/python"

pgdir="$(mktemp -d /tmp/mlflow-ts-pg.XXXXXX)"
cleanup() { bash scripts/pg.sh stop "$pgdir" || true; rm -rf "$pgdir"; }
trap cleanup EXIT
export MLFLOW_TS_TEST_PG_URL="$(bash scripts/pg.sh start "$pgdir")"
echo "test: PostgreSQL at $MLFLOW_TS_TEST_PG_URL"

npm run --silent build
npm run --silent typecheck
npm run --silent lint
bash scripts/check-generated.sh

status=0
npx vitest run || status=1

if [ -d tests/parity ] && ls tests/parity/test_*.py >/dev/null 2>&1; then
  .venv/bin/python -m pytest tests/parity -q -p no:cacheprovider "$@" || status=1
fi
exit $status
