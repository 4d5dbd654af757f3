#!/usr/bin/env bash
# Installs playwright-core and axe-core for the dashboard's browser tests and benchmark
# (tests/interop/dashboard/package-lock.json), unless the locked versions are installed.
# Chromium itself is Debian's (/usr/bin/chromium, installed by .ci/run); playwright downloads nothing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
node_dir="$here/dashboard"
installed="$node_dir/node_modules/axe-core/package.json"

if ! command -v npm >/dev/null 2>&1; then
  echo "install-dashboard.sh: npm is not installed (apt-get install nodejs npm)" >&2
  exit 1
fi
locked="$(node -p "require('$node_dir/package-lock.json').packages['node_modules/axe-core'].version")"
if [ ! -f "$installed" ] || [ "$(node -p "require('$installed').version")" != "$locked" ] \
  || [ ! -d "$node_dir/node_modules/playwright-core" ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$node_dir" --no-audit --no-fund --loglevel=error
fi
echo "install-dashboard.sh: axe-core $(node -p "require('$installed').version") ready in $node_dir"
