#!/usr/bin/env bash
# Provisions the virtualenv with the pinned MLflow release (mlflow.pin): the reference server,
# the descriptor extraction and the parity suite all use it. The venv is cached outside the clone
# (${MLFLOW_TS_CACHE:-~/.cache/mlflow-ts}/venv-mlflow-<pin>-py<X.Y>) and ./.venv links to it;
# MLFLOW_TS_VENV=DIR builds in DIR instead. How and why: scripts/provision_python.py.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
py="${PYTHON:-python3}"
args=(--root "$root" --python "$(command -v "$py")")
[ -n "${MLFLOW_TS_VENV:-}" ] && args+=(--venv "$MLFLOW_TS_VENV")
exec "$py" "$root/scripts/provision_python.py" "${args[@]}"
