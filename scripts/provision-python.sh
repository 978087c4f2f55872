#!/usr/bin/env bash
# Provisions .venv with the pinned MLflow release (mlflow.pin), cached between runs.
# The reference server, the descriptor extraction and the parity suite all use it.
#
# Why not a plain `pip install mlflow==<pin>`: on the registry reachable here the pinned
# `mlflow` wheel exists but its exact-pinned companions `mlflow-skinny`/`mlflow-tracing`
# may lag one release behind. The full `mlflow` wheel carries the whole `mlflow/` package
# (a superset of skinny and tracing), so when the plain install fails we install the
# previous release for its dependency closure, drop the three MLflow distributions and
# lay the pinned `mlflow` wheel over it with --no-deps.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pin="$(tr -d '[:space:]' < "$root/mlflow.pin")"
venv="${MLFLOW_TS_VENV:-$root/.venv}"
py="${PYTHON:-python3}"
extra=(psycopg2-binary pytest requests)

have_pin() {
  [ -x "$venv/bin/python" ] && "$venv/bin/python" - "$pin" <<'PY' 2>/dev/null
import sys, importlib.metadata as m
ok = m.version("mlflow") == sys.argv[1]
import mlflow.server.handlers, psycopg2, pytest  # noqa: F401  (all importable)
sys.exit(0 if ok else 1)
PY
}

if have_pin; then
  echo "provision-python: $venv already has mlflow==$pin"
  exit 0
fi

[ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
pip=("$venv/bin/pip" install --disable-pip-version-check -q)
if ! "${pip[@]}" "mlflow==$pin" "${extra[@]}"; then
  echo "provision-python: plain install of mlflow==$pin failed; using the pinned wheel over the previous release's dependencies" >&2
  prev="$("$venv/bin/pip" index versions mlflow-skinny 2>/dev/null | sed -n 's/^Available versions: \([^,]*\).*/\1/p')"
  [ -n "$prev" ] || { echo "provision-python: cannot find a usable mlflow-skinny release" >&2; exit 1; }
  "${pip[@]}" "mlflow==$prev" "${extra[@]}"
  "$venv/bin/pip" uninstall -y -q mlflow mlflow-skinny mlflow-tracing
  "${pip[@]}" --no-deps "mlflow==$pin"
  # The pinned release may widen a bound; install what it asks for that the closure lacks.
  "${pip[@]}" 'pyarrow<27,>=4.0.0'
fi
have_pin || { echo "provision-python: mlflow==$pin is not importable after install" >&2; exit 1; }
echo "provision-python: ready: $venv (mlflow==$pin)"
