#!/usr/bin/env bash
# The main job on the bundled example: validate every environment, look inside one, compare two,
# and render prod for deploy. Usage: examples/demo.sh [AZCONF]   (default: azconf on PATH)
set -uo pipefail
AZCONF=${1:-azconf}
EXAMPLE=$(cd "$(dirname "$0")/azora" && pwd)
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { step "azconf $*"; "$AZCONF" -C "$EXAMPLE" "$@"; }

run validate || exit 1
run show --env prod services.payments
run explain --env prod services.payments.replicas
run explain --env dev flags.new-checkout.targeting
run diff staging prod --only services,flags
run diff dev prod --stat
run render --env prod || exit 1
run render --env prod --check || exit 1
printf '\nRendered files for prod are in %s:\n' "$EXAMPLE/deploy/prod"
(cd "$EXAMPLE/deploy/prod" && find . -type f ! -name '.azconf-rendered.json' | sort | sed 's|^\./|  |' | head -n 60)
printf '\nThe example lives in %s; docs/config-model.md describes its files.\n' "$EXAMPLE"
