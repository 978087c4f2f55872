#!/usr/bin/env bash
# Installs Debian's chromium for the browser test (tests/browser) when it is missing. playwright's own
# browser download cannot work on these machines; Debian's package can. Prints the executable.
set -euo pipefail
for c in "${MLFLOW_TS_CHROMIUM:-}" chromium chromium-browser; do
  if [ -n "$c" ] && command -v "$c" >/dev/null 2>&1; then command -v "$c"; exit 0; fi
done
run() { if [ "$(id -u)" = 0 ]; then "$@"; elif sudo -n true 2>/dev/null; then sudo "$@"; else return 1; fi; }
echo "ensure-chromium: installing Debian's chromium (apt-get)" >&2
if ! { run apt-get update -qq && DEBIAN_FRONTEND=noninteractive run apt-get install -y -qq --no-install-recommends chromium >&2; }; then
  echo "ensure-chromium: could not install chromium (needs root or passwordless sudo, and Debian's package lists)" >&2
  exit 1
fi
command -v chromium
