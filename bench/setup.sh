#!/usr/bin/env bash
# Installs the peer servers for the benchmark, each in its own virtual environment under
# bench/.work/ (git-ignored), from PyPI. Idempotent: an environment that already works is kept.
#   bench/.work/venv-mlflow   Python MLflow (the pinned release, via scripts/provision-python.sh),
#                             with psycopg and PyMySQL for the PostgreSQL and MySQL rows
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
# SQLAlchemy 2.1 maps postgresql:// to psycopg (v3), not psycopg2: install it so that the plain
# URI works for the Python servers, as a user would have to.
need_psycopg() { "$1/bin/python" -c 'import psycopg' 2>/dev/null || "$1/bin/pip" install "${pipq[@]}" 'psycopg[binary]' >&2; }
need_psycopg "$work/venv-mlflow"
# The MySQL rows run the Python server on mysql+pymysql:// URIs (MLflow's documented driver).
"$work/venv-mlflow/bin/python" -c 'import pymysql' 2>/dev/null || "$work/venv-mlflow/bin/pip" install "${pipq[@]}" PyMySQL >&2

echo "setup: mlflow-go-backend" >&2
if ! [ -x "$work/venv-go/bin/mlflow-go" ] && ! "$work/venv-go/bin/python" -c 'import mlflow_go_backend' 2>/dev/null; then
  "$py" -m venv "$work/venv-go"
  # 0.2.2 (May 2025) imports TraceInfoV2 (gone from later MLflow 3 releases) and writes
  # logged_model_metrics (MLflow 3.0+): it needs MLflow 3.1.x, which needs SQLAlchemy < 2.1.
  "$work/venv-go/bin/pip" install "${pipq[@]}" 'mlflow-go-backend==0.2.2' 'mlflow==3.1.4' 'sqlalchemy<2.1' psycopg2-binary >&2 \
    || echo "setup: WARNING mlflow-go-backend install failed" >&2
fi
[ -x "$work/venv-go/bin/python" ] && need_psycopg "$work/venv-go"
# The 0.2.2 wheel ships the Linux shared library under the macOS name (libmlflow-go-backend.dylib,
# an ELF x86-64 object); on Linux it looks for .so and otherwise tries to `go build` it. Point
# MLFLOW_GO_LIBRARY_PATH (set by bench/lib/systems.ts) at a directory that has it under .so.
golib="$(ls -d "$work"/venv-go/lib/python3*/site-packages/mlflow_go_backend 2>/dev/null | head -1)"
if [ -n "$golib" ] && [ -f "$golib/libmlflow-go-backend.dylib" ]; then
  mkdir -p "$work/go-lib"
  ln -sf "$golib/libmlflow-go-backend.dylib" "$work/go-lib/libmlflow-go-backend.so"
  ln -sf "$golib/libmlflow-go-backend.h" "$work/go-lib/libmlflow-go-backend.h"
fi

echo "setup: fasttrackml" >&2
if ! [ -x "$work/venv-fml/bin/fml" ]; then
  "$py" -m venv "$work/venv-fml"
  "$work/venv-fml/bin/pip" install "${pipq[@]}" 'fasttrackml==0.6.0' >&2 \
    || echo "setup: WARNING fasttrackml install failed" >&2
fi
echo "setup: done" >&2
