#!/usr/bin/env bash
# The coverage-guided fuzz run of the core (native-tests/fuzz_connection.cpp): builds build/fuzz
# with clang (-DLIFELINE_FUZZ=ON: -fsanitize=fuzzer,address,undefined) and runs lifeline_fuzz for a
# fixed number of runs with a fixed seed, from a copy of the checked-in corpus
# (native-tests/fuzz-corpus, written by scripts/fuzz-seeds.mjs; never written to here). Fails on
# any crash, sanitizer report or broken rule, leaving the input in build/fuzz/artifacts/.
#   scripts/fuzz.sh                          200,000 runs, seed 1
#   FUZZ_RUNS=1000000 FUZZ_SEED=7 scripts/fuzz.sh
#   scripts/fuzz.sh -max_total_time=600      more libFuzzer flags are passed on
# Replay a failure step by step:
#   LIFELINE_FUZZ_TRACE=1 build/fuzz/lifeline_fuzz build/fuzz/artifacts/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${FUZZ_RUNS:-200000}"
seed="${FUZZ_SEED:-1}"

install() {
  echo "fuzz: installing $*"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

# clang, and libFuzzer's runtime (a separate Debian package: libclang-rt-N-dev).
need=()
command -v clang >/dev/null && command -v clang++ >/dev/null || need+=(clang)
command -v cmake >/dev/null || need+=(cmake)
[ "${#need[@]}" -eq 0 ] || install "${need[@]}"
runtime_dir="$(clang -print-runtime-dir)"
if [ ! -f "$runtime_dir/libclang_rt.fuzzer-$(uname -m).a" ] &&
   [ ! -f "$runtime_dir/libclang_rt.fuzzer.a" ]; then
  major="$(clang -dumpversion | cut -d. -f1)"
  install "libclang-rt-$major-dev"
fi

echo "== fuzz build (clang, -fsanitize=fuzzer,address,undefined)"
CC=clang CXX=clang++ cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLIFELINE_FUZZ=ON -DLIFELINE_TESTS=OFF -DLIFELINE_WERROR=ON >/dev/null
cmake --build build/fuzz -j"$(nproc)" --target lifeline_fuzz

echo "== fuzz run ($runs runs, seed $seed, from native-tests/fuzz-corpus)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r native-tests/fuzz-corpus "$work/corpus"
mkdir -p build/fuzz/artifacts
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
LIFELINE_FUZZ_STATS=1 build/fuzz/lifeline_fuzz -runs="$runs" -seed="$seed" -max_len=512 \
  -timeout=10 -print_final_stats=1 -artifact_prefix=build/fuzz/artifacts/ "$@" "$work/corpus" \
  2>"$work/log" || {
  tail -n 60 "$work/log"
  echo "fuzz: FAILED; the input is in build/fuzz/artifacts/ (replay it with LIFELINE_FUZZ_TRACE=1)"
  exit 1
}
grep -E '^(#[0-9]+\s+(INITED|DONE)|Done|stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|lifeline_fuzz:)' "$work/log" || true
