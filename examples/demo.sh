#!/usr/bin/env bash
# The main job on the bundled example: validate every environment, then look inside one.
# Usage: examples/demo.sh [AZCONF]   (default: azconf on PATH)
set -uo pipefail
AZCONF=${1:-azconf}
EXAMPLE=$(cd "$(dirname "$0")/azora" && pwd)
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { step "azconf $*"; "$AZCONF" -C "$EXAMPLE" "$@"; }

run validate || exit 1
run show --env prod services.payments
run explain --env prod services.payments.replicas
run explain --env dev flags.new-checkout.targeting
run validate --env prod --format json | head -n 12
printf '\nThe example lives in %s; docs/config-model.md describes its files.\n' "$EXAMPLE"
