#!/usr/bin/env bash
# `npm test`: every test, provisioning what it needs by itself.
#  1. the pinned Python MLflow (cached outside the clone, linked as .venv), for the generator check
#     and the parity suite;
#  2. a throwaway PostgreSQL cluster (scripts/pg.sh) and a throwaway MariaDB server (scripts/mysql.sh),
#     for the PostgreSQL and MySQL tests (MLFLOW_TS_TEST_PG_URL / MLFLOW_TS_TEST_MYSQL_URL; the
#     regeneration check dumps the schema on them too);
#  3. typecheck + lint, the regeneration check, unit and integration tests (vitest),
#     the provisioning's own tests, then the parity suite (pytest) on SQLite, PostgreSQL and MySQL,
#     then the attack corpus (tests/security, which rewrites docs/security.md), then a bounded
#     schema fuzzing run (tests/fuzz: schemathesis on every native operation, SQLite, PostgreSQL
#     and MySQL).
# MLFLOW_TS_PARITY_DIALECTS / MLFLOW_TS_FUZZ_DIALECTS set by the caller narrow those suites.
# In CI (CI=true) nothing may be skipped: the PostgreSQL, MySQL and parity tests must run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

bash scripts/provision-python.sh
export MLFLOW_TS_PYTHON="$root/.venv/bin/python"

pgdir="$(mktemp -d /tmp/mlflow-ts-pg.XXXXXX)"
mydir="$(mktemp -d /tmp/mlflow-ts-my.XXXXXX)"
cleanup() {
  bash scripts/pg.sh stop "$pgdir" || true
  bash scripts/mysql.sh stop "$mydir" || true
  rm -rf "$pgdir" "$mydir"
}
trap cleanup EXIT
export MLFLOW_TS_TEST_PG_URL="$(bash scripts/pg.sh start "$pgdir")"
echo "test: PostgreSQL at $MLFLOW_TS_TEST_PG_URL"
export MLFLOW_TS_TEST_MYSQL_URL="$(bash scripts/mysql.sh start "$mydir")"
echo "test: MariaDB at $MLFLOW_TS_TEST_MYSQL_URL"
export MLFLOW_TS_PARITY_DIALECTS="${MLFLOW_TS_PARITY_DIALECTS:-sqlite,postgresql,mysql}"
export MLFLOW_TS_FUZZ_DIALECTS="${MLFLOW_TS_FUZZ_DIALECTS:-sqlite,postgresql,mysql}"

npm run --silent build

# The browser test drives Debian's chromium (installed here when missing; the test itself fails in CI
# without it).
bash scripts/ensure-chromium.sh >/dev/null || echo "test: chromium is not available: the browser test will not run" >&2

# Every step runs even when an earlier one fails, so one run shows every failure.
status=0
failed=()
step() {
  local name="$1"; shift
  echo "test: == $name"
  if ! "$@"; then status=1; failed+=("$name"); fi
}
step typecheck npm run --silent typecheck
step lint npm run --silent lint
step generated bash scripts/check-generated.sh
step vitest npx vitest run
step provisioning .venv/bin/python -m pytest tests/provision -q -p no:cacheprovider
step parity .venv/bin/python -m pytest tests/parity -q -p no:cacheprovider "$@"
step security .venv/bin/python -m pytest tests/security -q -p no:cacheprovider
step fuzz .venv/bin/python -m pytest tests/fuzz -q -p no:cacheprovider

if [ $status -ne 0 ]; then echo "test: FAILED: ${failed[*]}" >&2; else echo "test: all steps passed"; fi
exit $status
