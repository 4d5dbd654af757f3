#!/usr/bin/env bash
# Installs the OpenFeature web SDK, the OFREP web provider and playwright-core for the browser test of
# azconf serve (tests/interop/ofrep-web/package-lock.json), unless the locked versions are installed.
# Chromium itself is Debian's (/usr/bin/chromium, installed by .ci/run); playwright downloads nothing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
node_dir="$here/ofrep-web"
installed="$node_dir/node_modules/@openfeature/ofrep-web-provider/package.json"

if ! command -v npm >/dev/null 2>&1; then
  echo "install-ofrep-web.sh: npm is not installed (apt-get install nodejs npm)" >&2
  exit 1
fi
locked="$(node -p "require('$node_dir/package-lock.json').packages['node_modules/@openfeature/ofrep-web-provider'].version")"
if [ ! -f "$installed" ] || [ "$(node -p "require('$installed').version")" != "$locked" ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$node_dir" --no-audit --no-fund --loglevel=error
fi
echo "install-ofrep-web.sh: @openfeature/ofrep-web-provider $(node -p "require('$installed').version") ready in $node_dir"
