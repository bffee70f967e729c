#!/usr/bin/env bash
# The demo, from a fresh Debian machine: installs what is missing, builds the package, and runs a
# local echo server behind a fault-injecting proxy with a Lifeline riding through the faults.
#   scripts/demo.sh [--duration SECONDS] [--seed-pattern]      (Ctrl-C stops it otherwise)
#   scripts/demo.sh --web [--port N] [--duration SECONDS]      the same in a browser: a live timeline of
#                                                              ws-lifeline and the classic pattern, with
#                                                              fault buttons (examples/timeline/); prints
#                                                              its http://127.0.0.1 URL
set -euo pipefail
cd "$(dirname "$0")/.."
web=false
args=()
for arg in "$@"; do
  if [[ "$arg" == "--web" ]]; then web=true; else args+=("$arg"); fi
done
scripts/setup.sh --all
scripts/build.sh
if $web; then
  exec node examples/timeline/server.mjs ${args[@]+"${args[@]}"}
fi
exec node examples/demo.mjs ${args[@]+"${args[@]}"}
