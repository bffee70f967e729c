#!/usr/bin/env bash
# The demo, from a fresh Debian machine: installs what is missing, builds the package, and runs a
# local echo server behind a fault-injecting proxy with a Lifeline riding through the faults.
#   scripts/demo.sh [--duration SECONDS] [--seed-pattern]      (Ctrl-C stops it otherwise)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --all
scripts/build.sh
exec node examples/demo.mjs "$@"
