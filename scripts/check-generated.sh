#!/usr/bin/env bash
# Fails when regenerating src/gen/ from the pinned release would change it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
[ -x scripts/generate.sh ] || [ -f scripts/generate.sh ] || { echo "check-generated: no generator yet"; exit 0; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
MLFLOW_TS_GEN_OUT="$tmp/gen" bash scripts/generate.sh >/dev/null
if ! diff -r "$tmp/gen" src/gen >"$tmp/diff.txt"; then
  echo "check-generated: src/gen/ is stale; run 'npm run generate' and commit:" >&2
  head -50 "$tmp/diff.txt" >&2
  exit 1
fi
echo "check-generated: src/gen/ matches the pinned release"
