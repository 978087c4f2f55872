#!/usr/bin/env bash
# `npm run generate`: regenerates src/gen/ (or $MLFLOW_TS_GEN_OUT) from the pinned MLflow's protos.
# The descriptor set is extracted from the installed wheel into a temp dir and never committed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="${MLFLOW_TS_GEN_OUT:-src/gen}"
bash scripts/provision-python.sh >&2
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
py="${MLFLOW_TS_VENV:-$root/.venv}/bin/python"
"$py" codegen/extract_descriptors.py "$tmp/descriptors.pb" >&2
"$py" codegen/extract_handler_schemas.py "$tmp/handler-schemas.json" >&2
npx tsx codegen/main.ts "$tmp/descriptors.pb" "$out" "$tmp/handler-schemas.json"
# The bundled model catalog's prices (cost of LLM spans), from the installed wheel.
"$py" codegen/model-catalog/extract_model_catalog.py "$out/model-catalog.ts" >&2
# src/gen/sql/ (the alembic head's DDL) has its own generator; it honours MLFLOW_TS_GEN_OUT too.
if [ -f scripts/generate-schema.sh ]; then
  MLFLOW_TS_GEN_OUT="$out" bash scripts/generate-schema.sh
fi
