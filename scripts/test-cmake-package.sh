#!/usr/bin/env bash
# The CMake package, as a native user takes it: the core installed into a fresh prefix and found
# with find_package(lifeline CONFIG REQUIRED), and the source tree taken with add_subdirectory().
# Each builds native-tests/cmake-consumer and runs it. Release, no tests, no bench, no GoogleTest.
set -euo pipefail
cd "$(dirname "$0")/.."

out=build/cmake-package
rm -rf "$out"
mkdir -p "$out"
prefix=$(mktemp -d "${TMPDIR:-/tmp}/lifeline-prefix.XXXXXX")
trap 'rm -rf "$prefix"' EXIT

step() { echo "-- $*"; }
quiet() { # runs a command, shows its output only if it fails
  local log
  log=$(mktemp)
  if ! "$@" >"$log" 2>&1; then
    cat "$log"
    rm -f "$log"
    echo "FAIL: $*" >&2
    exit 1
  fi
  rm -f "$log"
}

step "core: configure, build, install into $prefix"
quiet cmake -S . -B "$out/core" -DCMAKE_BUILD_TYPE=Release -DLIFELINE_TESTS=OFF -DLIFELINE_BENCH=OFF
quiet cmake --build "$out/core" -j2
quiet cmake --install "$out/core" --prefix "$prefix"

# Exactly the core: headers, the library and the package files; nothing of tests, bench, fuzzer.
installed=$(cd "$prefix" && find . -type f | sed 's|^\./||' | sed -E 's|^lib[^/]*/|LIB/|' | sort)
expected=$(cd src && printf 'include/%s\n' lifeline/*.hpp
  printf '%s\n' LIB/liblifeline_core.a LIB/cmake/lifeline/lifeline-config.cmake \
    LIB/cmake/lifeline/lifeline-config-version.cmake LIB/cmake/lifeline/lifeline-targets.cmake \
    LIB/cmake/lifeline/lifeline-targets-release.cmake)
expected=$(sort <<<"$expected")
if [ "$installed" != "$expected" ]; then
  echo "FAIL: installed files differ from the expected ones:" >&2
  diff <(echo "$expected") <(echo "$installed") >&2 || true
  exit 1
fi

step "consumer: find_package(lifeline CONFIG REQUIRED) with CMAKE_PREFIX_PATH"
quiet cmake -S native-tests/cmake-consumer -B "$out/installed" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix"
quiet cmake --build "$out/installed" -j2
"$out/installed/consumer"

step "consumer: add_subdirectory(../.. lifeline)"
quiet cmake -S native-tests/cmake-consumer -B "$out/subdirectory" -DCMAKE_BUILD_TYPE=Release \
  -DCONSUMER_VIA_SUBDIRECTORY=ON
quiet cmake --build "$out/subdirectory" -j2
"$out/subdirectory/consumer"

echo "PASS: CMake package (find_package from an install prefix, and add_subdirectory)"
