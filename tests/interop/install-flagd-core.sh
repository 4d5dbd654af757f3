#!/usr/bin/env bash
# Installs @openfeature/flagd-core for the flagd interop tests (tests/interop/flagd-core/package-lock.json),
# unless the locked version is installed already. Safe to run any number of times.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
node_dir="$here/flagd-core"
installed="$node_dir/node_modules/@openfeature/flagd-core/package.json"

if ! command -v npm >/dev/null 2>&1; then
  echo "install-flagd-core.sh: npm is not installed (apt-get install nodejs npm)" >&2
  exit 1
fi
locked="$(node -p "require('$node_dir/package-lock.json').packages['node_modules/@openfeature/flagd-core'].version")"

if [ ! -f "$installed" ] || [ "$(node -p "require('$installed').version")" != "$locked" ]; then
  npm ci --prefix "$node_dir" --no-audit --no-fund --loglevel=error
fi
echo "install-flagd-core.sh: @openfeature/flagd-core $(node -p "require('$installed').version") ready in $node_dir"
