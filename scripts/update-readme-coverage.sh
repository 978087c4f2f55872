#!/usr/bin/env bash
# Refreshes the README's endpoint coverage table from `mlflow-ts endpoints --markdown`.
set -euo pipefail
cd "$(dirname "$0")/.."
table="$(npx tsx -e "import('./src/cli/main.ts').then((m) => m.main(['endpoints', '--markdown']))")"
python3 - "$table" <<'PY'
import re, sys
table = sys.argv[1].rstrip("\n")
readme = open("README.md").read()
new = re.sub(r"<!-- coverage:start -->.*<!-- coverage:end -->",
             "<!-- coverage:start -->\n" + table + "\n<!-- coverage:end -->", readme, flags=re.S)
open("README.md", "w").write(new)
PY
