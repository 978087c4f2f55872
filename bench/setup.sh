#!/usr/bin/env bash
# Installs the peer servers for the benchmark, each in its own virtual environment under
# bench/.work/ (git-ignored), from PyPI. Idempotent: an environment that already works is kept.
#   bench/.work/venv-mlflow   Python MLflow (the pinned release, via scripts/provision-python.sh)
#   bench/.work/venv-go       mlflow-go-backend==0.2.2 (+ the MLflow it depends on)
#   bench/.work/venv-fml      fasttrackml==0.6.0 (the wheel ships the Go `fml` binary)
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/bench/.work"
mkdir -p "$work"
py="${PYTHON:-python3}"
pipq=(--disable-pip-version-check -q)

echo "setup: python mlflow" >&2
MLFLOW_TS_VENV="$work/venv-mlflow" bash "$root/scripts/provision-python.sh" >&2 || echo "setup: WARNING python mlflow failed" >&2

echo "setup: mlflow-go-backend" >&2
if ! [ -x "$work/venv-go/bin/mlflow-go" ] && ! "$work/venv-go/bin/python" -c 'import mlflow_go_backend' 2>/dev/null; then
  "$py" -m venv "$work/venv-go"
  "$work/venv-go/bin/pip" install "${pipq[@]}" 'mlflow-go-backend==0.2.2' psycopg2-binary >&2 \
    || echo "setup: WARNING mlflow-go-backend install failed" >&2
fi

echo "setup: fasttrackml" >&2
if ! [ -x "$work/venv-fml/bin/fml" ]; then
  "$py" -m venv "$work/venv-fml"
  "$work/venv-fml/bin/pip" install "${pipq[@]}" 'fasttrackml==0.6.0' >&2 \
    || echo "setup: WARNING fasttrackml install failed" >&2
fi
echo "setup: done" >&2
