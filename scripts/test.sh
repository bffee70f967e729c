#!/usr/bin/env bash
# Every test of ws-lifeline, from a fresh Debian machine: installs what is missing, checks the
# formatting, builds the core and its tests with warnings as errors under ASan+UBSan, and runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/setup.sh

echo "== clang-format"
mapfile -t cpp < <(git ls-files -co --exclude-standard 'src/*.cpp' 'src/*.hpp' 'native-tests/*.cpp' 'native-tests/*.hpp')
clang-format --dry-run --Werror "${cpp[@]}"

echo "== native build (g++, -Werror, ASan+UBSan)"
cmake -S . -B build/native-asan -DCMAKE_BUILD_TYPE=Debug -DLIFELINE_SANITIZE=ON -DLIFELINE_WERROR=ON >/dev/null
cmake --build build/native-asan -j"$(nproc)"

echo "== native tests"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build/native-asan --output-on-failure -j"$(nproc)"
