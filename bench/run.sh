#!/usr/bin/env bash
# Benchmark suite: mlflow-ts side by side with Python MLflow, mlflow-go and FastTrackML, and the
# raw-database floor (docs/benchmarks.md).
#   npm run bench                   full mode (~30-40 min), for the record
#   npm run bench -- --quick        development mode (a few minutes, small data, short runs)
# Other options (passed to bench/main.ts):
#   --only=W1,W3,R1                 scenario id prefixes (--only=REG: the model registry; the MySQL
#                                   rows end in -mysql, e.g. --only=W4-log-batch-1000-mysql)
#   --merge=bench/results/<ts>      keep that run's rows for the scenarios not measured now
#   --systems=mlflow-ts,mlflow      systems to run (default: all four)
#   --no-floor  --no-docs           skip the raw-driver floor / do not rewrite docs/benchmarks.md
#   --skip-setup --skip-build       reuse bench/.work venvs / the existing dist/
# Exit status: non-zero on errors or wrong data from mlflow-ts or the floor; speed never fails.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
work="$root/bench/.work"
mkdir -p "$work"
args=()
skip_setup=0
skip_build=0
for a in "$@"; do
  case "$a" in
    --skip-setup) skip_setup=1 ;;
    --skip-build) skip_build=1 ;;
    *) args+=("$a") ;;
  esac
done

[ "$skip_setup" = 1 ] || bash bench/setup.sh
if [ "$skip_build" = 0 ]; then
  npm run build >"$work/build.log" 2>&1 || echo "bench: npm run build failed (see $work/build.log); mlflow-ts is reported as n/a if dist/ is missing" >&2
fi

pgdir="$(mktemp -d /tmp/mlflow-bench-pg.XXXXXX)"
mydir="$(mktemp -d /tmp/mlflow-bench-my.XXXXXX)"
cleanup() {
  bash scripts/pg.sh stop "$pgdir"
  bash scripts/mysql.sh stop "$mydir"
  rm -rf "$pgdir" "$mydir"
}
trap cleanup EXIT
pgurl="$(bash scripts/pg.sh start "$pgdir")" || { echo "bench: cannot start PostgreSQL" >&2; exit 2; }
echo "bench: PostgreSQL at $pgurl ($pgdir)" >&2
myurl="$(bash scripts/mysql.sh start "$mydir")" || { echo "bench: cannot start MariaDB" >&2; exit 2; }
echo "bench: MariaDB at $myurl ($mydir)" >&2

node --import tsx bench/main.ts --pg-url="$pgurl" --pg-dir="$pgdir" --mysql-url="$myurl" --mysql-dir="$mydir" "${args[@]}"
rc=$?
# keep the generated results block in the repository's Markdown style (only when it was rewritten:
# with --no-docs the file is someone's hand edit and stays as it is)
case " ${args[*]} " in
  *" --no-docs "*) ;;
  *) npx prettier --log-level warn --write docs/benchmarks.md >/dev/null 2>&1 || true ;;
esac
exit $rc
