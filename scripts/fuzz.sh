#!/usr/bin/env bash
# The coverage-guided fuzz runs of the core: builds build/fuzz with clang (-DLIFELINE_FUZZ=ON:
# -fsanitize=fuzzer,address,undefined) and runs, side by side, each for a fixed number of runs with
# a fixed seed:
#   lifeline_fuzz         Connection (native-tests/fuzz_connection.cpp), from a copy of the
#                         checked-in corpus (native-tests/fuzz-corpus, written by
#                         scripts/fuzz-seeds.mjs; never written to here);
#   lifeline_fuzz_client  Client with resume and a server peer (native-tests/fuzz_client.cpp), from
#                         the seed conversations it writes itself (LIFELINE_FUZZ_WRITE_SEEDS).
# Fails on any crash, sanitizer report or broken rule, leaving the input in build/fuzz/artifacts/.
#   scripts/fuzz.sh                          200,000 runs each, seed 1
#   FUZZ_RUNS=1000000 FUZZ_SEED=7 scripts/fuzz.sh
#   scripts/fuzz.sh -max_total_time=600      more libFuzzer flags are passed on (to both)
# Replay a failure step by step:
#   LIFELINE_FUZZ_TRACE=1 build/fuzz/lifeline_fuzz build/fuzz/artifacts/crash-...
#   LIFELINE_FUZZ_TRACE=1 build/fuzz/lifeline_fuzz_client build/fuzz/artifacts/crash-...
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
cmake --build build/fuzz -j"$(nproc)" --target lifeline_fuzz lifeline_fuzz_client

echo "== fuzz run ($runs runs each, seed $seed)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r native-tests/fuzz-corpus "$work/corpus"
mkdir -p "$work/client-corpus" build/fuzz/artifacts
LIFELINE_FUZZ_WRITE_SEEDS="$work/client-corpus" build/fuzz/lifeline_fuzz_client 2>/dev/null
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# One target: its corpus, its log.
fuzz() {
  LIFELINE_FUZZ_STATS=1 "build/fuzz/$1" -runs="$runs" -seed="$seed" -max_len=512 -timeout=10 \
    -print_final_stats=1 -artifact_prefix=build/fuzz/artifacts/ "${flags[@]}" "$2" 2>"$3"
}
flags=("$@")
# Side by side: the two runs together stay within CI's minute.
fuzz lifeline_fuzz "$work/corpus" "$work/log" &
conn=$!
fuzz lifeline_fuzz_client "$work/client-corpus" "$work/client-log" &
client=$!
failed=0
for target in lifeline_fuzz lifeline_fuzz_client; do
  pid=$conn log="$work/log"
  [ "$target" = lifeline_fuzz ] || pid=$client log="$work/client-log"
  if wait "$pid"; then
    echo "-- $target"
    grep -E "^(#[0-9]+\s+(INITED|DONE)|Done|stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|$target:)" "$log" || true
  else
    tail -n 60 "$log"
    echo "fuzz: $target FAILED; the input is in build/fuzz/artifacts/ (replay it with LIFELINE_FUZZ_TRACE=1)"
    failed=1
  fi
done
exit "$failed"
