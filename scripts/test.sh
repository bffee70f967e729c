#!/usr/bin/env bash
# Every test of ws-lifeline, from a fresh Debian machine: installs what is missing (apt and npm),
# checks formatting and types, builds and runs the native suite (g++, -Werror, ASan+UBSan), fuzzes
# the core (clang's libFuzzer, a fixed number of runs), builds the WebAssembly package and runs the
# wasm suite (parity, shim, property tests, real sockets, Chromium, Vite and webpack builds, Taro and
# uni-app projects built by their real toolchains and WeChat's npm build, each run in the WeChat-like
# vm). The framework projects are installed once into ~/.cache/ws-lifeline/fixtures (one folder per
# lock file; WS_LIFELINE_FIXTURE_CACHE moves it); a fresh machine installs them (a few minutes).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --all

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

echo "== CMake package (find_package from an install prefix, and add_subdirectory)"
scripts/test-cmake-package.sh

echo "== fuzz (libFuzzer, clang, ASan+UBSan: a fixed number of runs from the checked-in corpus)"
scripts/fuzz.sh

echo "== WebAssembly build (emcc, -Werror) and CommonJS entry"
scripts/build.sh

echo "== types (tsc --noEmit)"
node_modules/.bin/tsc -p wasm-tests/types

echo "== the packed package's types in three strict consumers; attw and publint"
scripts/test-types.sh

echo "== wasm tests (node --test)"
node --test --test-concurrency=1 wasm-tests/*.test.mjs wasm-tests/*.test.cjs
