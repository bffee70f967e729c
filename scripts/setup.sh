#!/usr/bin/env bash
# Installs what ws-lifeline's build and tests need on a Debian machine, where it is missing.
#   scripts/setup.sh            native toolchain only (cmake, g++, GoogleTest, clang-format)
#   scripts/setup.sh --all      also Emscripten, Chromium and the npm dev dependencies
set -euo pipefail
cd "$(dirname "$0")/.."

want_all=0
[ "${1:-}" = "--all" ] && want_all=1

need=()
command -v cmake >/dev/null || need+=(cmake)
command -v g++ >/dev/null || need+=(g++)
command -v clang-format >/dev/null || need+=(clang-format)
[ -f /usr/include/gtest/gtest.h ] || need+=(libgtest-dev)
if [ "$want_all" = 1 ]; then
  command -v emcc >/dev/null || need+=(emscripten)
  command -v node >/dev/null || need+=(nodejs)
  command -v npm >/dev/null || need+=(npm)
  [ -x /usr/bin/chromium ] || need+=(chromium)
fi

if [ "${#need[@]}" -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ "$want_all" = 1 ] && [ -f package.json ]; then
  if [ ! -d node_modules ] || [ package.json -nt node_modules ] ||
     { [ -f package-lock.json ] && [ package-lock.json -nt node_modules ]; }; then
    echo "setup: npm install"
    npm install --no-audit --no-fund --loglevel=error
    touch node_modules
  fi
fi
