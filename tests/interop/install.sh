#!/usr/bin/env bash
# Installs the external validators the interop tests drive (tests/interop/node/package-lock.json),
# unless they are installed already. Safe to run any number of times; used by .ci/run and make.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
node_dir="$here/node"
tool="$node_dir/node_modules/@microsoft/sarif-multitool/package.json"

if ! command -v npm >/dev/null 2>&1; then
  echo "install.sh: npm is not installed (apt-get install nodejs npm)" >&2
  exit 1
fi
if [ ! -f "$tool" ]; then
  npm ci --prefix "$node_dir" --no-audit --no-fund --loglevel=error
fi
# npm 11 does not run the platform package's postinstall (chmod u+x) unless allowed; the packed
# binary is already executable, and this keeps it so either way.
for binary in "$node_dir"/node_modules/@microsoft/sarif-multitool-*/Sarif.Multitool; do
  if [ -f "$binary" ]; then chmod u+x "$binary"; fi
done
echo "install.sh: sarif-multitool $(node -p "require('$tool').version") ready in $node_dir"

# The other interop tools, each with its own pinned npm folder and installer.
for installer in "$here"/install-*.sh; do
  if [ -f "$installer" ]; then bash "$installer"; fi
done
