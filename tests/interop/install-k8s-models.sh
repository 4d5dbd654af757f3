#!/usr/bin/env bash
# Installs the npm validators of rendered Kubernetes custom resources (@kubernetes-models/gateway-api
# and @kubernetes-models/external-secrets, pinned by tests/interop/k8s-models/package-lock.json)
# unless the pinned versions are installed already. Safe to run any number of times.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
models_dir="$here/k8s-models"
want="2.0.0"

installed() {
  local package="$models_dir/node_modules/@kubernetes-models/$1/package.json"
  [ -f "$package" ] && [ "$(node -p "require('$package').version")" = "$want" ]
}

if ! command -v npm >/dev/null 2>&1; then
  echo "install-k8s-models.sh: npm is not installed (apt-get install nodejs npm)" >&2
  exit 1
fi
if ! installed gateway-api || ! installed external-secrets; then
  # The packages declare node >= 22 but run on the node 20 of the machine image; npm only warns.
  npm ci --prefix "$models_dir" --no-audit --no-fund --loglevel=error
fi
echo "install-k8s-models.sh: @kubernetes-models/gateway-api and external-secrets $want ready in $models_dir"
