#!/usr/bin/env bash
# The package's types as consumers see them. Packs the package (no build: run it after
# scripts/build.sh), type-checks the strict consumer projects of wasm-tests/types-consumers/
# against the tarball, each resolving `ws-lifeline` from its own node_modules as an installed
# package, and runs @arethetypeswrong/cli and publint on the tarball. No network.
#   esm-bundler  module esnext, moduleResolution bundler, lib dom: alone (tsconfig.json) and with
#                @types/node as well (tsconfig.with-node.json, as in a Vite project)
#   esm-node16   .mts, node16, @types/node, no DOM lib
#   cjs-node16   .cts, node16, no DOM lib: with @types/node (tsconfig.json) and with no ambient
#                types at all (tsconfig.bare.json)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tsc=$root/node_modules/.bin/tsc

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

tarball=$tmp/$(npm pack --ignore-scripts --silent --pack-destination "$tmp" | tail -n 1)
[ -f "$tarball" ] || { echo "test-types: npm pack made no tarball" >&2; exit 1; }

echo "== tsc --noEmit (strict) in each consumer, against $(basename "$tarball")"
checks=()
for dir in wasm-tests/types-consumers/*/; do
  name=$(basename "$dir")
  work=$tmp/consumers/$name
  mkdir -p "$work/node_modules/ws-lifeline" "$work/node_modules/@types"
  cp -R "$dir". "$work/"
  tar -xzf "$tarball" -C "$work/node_modules/ws-lifeline" --strip-components=1
  # @types/node as the consumer's own dependency (found through its node_modules/@types).
  ln -s "$root/node_modules/@types/node" "$work/node_modules/@types/node"
  for config in "$work"/tsconfig*.json; do
    check=$name/$(basename "$config")
    log=$tmp/$name.$(basename "$config").log
    (cd "$work" && if "$tsc" -p "$(basename "$config")" --pretty false; then echo 0; else echo 1; fi) >"$log" 2>&1 &
    checks+=("$check:$log")
  done
done
wait

failed=0
for entry in "${checks[@]}"; do
  check=${entry%%:*}
  log=${entry#*:}
  if [ "$(tail -n 1 "$log")" = 0 ]; then
    echo "types: $check ok"
  else
    sed '$d' "$log"
    echo "types: $check FAILED" >&2
    failed=1
  fi
done

echo "== @arethetypeswrong/cli"
# .attw.json leaves out ./lifeline-core.wasm: an asset for bundlers and resolvers (require.resolve,
# import.meta.resolve), not a module, so it has no types to check.
if ! node_modules/.bin/attw "$tarball" --config-path .attw.json --format table-flipped --no-color; then
  echo "attw: FAILED" >&2
  failed=1
fi

echo "== publint"
if ! out=$(node_modules/.bin/publint run "$tarball" --strict --level suggestion 2>&1); then
  failed=1
fi
echo "$out"
if ! grep -q 'All good' <<<"$out"; then
  echo "publint: FAILED (an error, warning or suggestion)" >&2
  failed=1
fi

if [ "$failed" != 0 ]; then
  echo "test-types: FAIL" >&2
  exit 1
fi
echo "test-types: PASS (${#checks[@]} tsc runs in 3 consumer projects against the packed tarball; attw and publint clean)"
