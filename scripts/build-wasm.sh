#!/usr/bin/env bash
# Compiles the core to WebAssembly with embind: one .wasm, and its glue as an ES module
# (browsers, Vite, Node ESM) and as CommonJS (Node require, mini-programs).
set -euo pipefail
cd "$(dirname "$0")/.."
out=dist/wasm
mkdir -p "$out" build/wasm
# Debian's emscripten needs Debian's acorn for its JS optimizer.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}

cxx=(-std=c++20 -Oz -flto -fno-exceptions -fno-rtti -DEMSCRIPTEN_HAS_UNBOUND_TYPE_NAMES=0 -Wall -Wextra -Werror -Isrc)

# The contract (lifeline/contract.hpp) as the shim reads it: js/contract-data.js, generated from
# the C++ table by a small Node build of it; its id (FNV-1a of the text) is compiled into the
# core, so init() refuses a core built from another contract.
em++ "${cxx[@]}" -sENVIRONMENT=node -sSINGLE_FILE=1 src/config.cpp src/contract.cpp src/hint.cpp src/resume.cpp src/client.cpp src/connection.cpp src/wasm/print_contract.cpp -o build/wasm/print-contract.cjs
node build/wasm/print-contract.cjs > build/wasm/contract.json
contract_id=$(node scripts/write-contract-data.mjs build/wasm/contract.json js/contract-data.js)

objs=()
for f in src/client.cpp src/config.cpp src/connection.cpp src/contract.cpp src/hint.cpp src/resume.cpp src/wasm/embind_types.cpp src/wasm/allocator.cpp src/wasm/session_binding.cpp; do
  o=build/wasm/$(basename "${f%.cpp}").o
  if [ ! -f "$o" ] || [ "$f" -nt "$o" ] || [ -n "$(find src/lifeline -newer "$o" -name '*.hpp')" ]; then
    em++ "${cxx[@]}" -DLIFELINE_NO_CONTRACT_TEXT -c "$f" -o "$o"
  fi
  objs+=("$o")
done
# Always: it carries the contract's id.
em++ "${cxx[@]}" -DLIFELINE_CONTRACT_ID="$contract_id" -c src/wasm/binding.cpp -o build/wasm/binding.o
objs+=(build/wasm/binding.o)

link=(
  -Oz -flto -fno-exceptions -fno-rtti
  # embind's JavaScript half. Its C++ half is src/wasm/embind_types.cpp, not libembind.a: --bind
  # links that whole, which registers every built-in type (and the glue then keeps their JS) and
  # pulls printf into the wasm.
  --js-library /usr/share/emscripten/src/embind/embind.js --js-library /usr/share/emscripten/src/embind/emval.js
  -sMODULARIZE=1 -sEXPORT_NAME=createLifelineCore
  # No eval / new Function: mini-programs and strict-CSP pages forbid them.
  -sDYNAMIC_EXECUTION=0
  # The loader hands the glue the instance (instantiateWasm), so the glue never fetches or reads
  # files itself and needs no Node-specific code.
  -sENVIRONMENT=web -sFILESYSTEM=0 -sTEXTDECODER=0
  -sMALLOC=none -sTOTAL_STACK=65536 -sINITIAL_MEMORY=262144 -sALLOW_MEMORY_GROWTH=1
  -sASSERTIONS=0 -sSUPPORT_ERRNO=0 -sINCOMING_MODULE_JS_API=[instantiateWasm,onAbort,print,printErr]
)
em++ "${objs[@]}" "${link[@]}" -sEXPORT_ES6=1 -sUSE_ES6_IMPORT_META=0 -o build/wasm/lifeline-core.mjs
em++ "${objs[@]}" "${link[@]}" -o build/wasm/lifeline-core.cjs
# Debian's emscripten cannot run closure; terser mangles the glue instead (12.1 -> 8.2 KB gzip).
node_modules/.bin/terser build/wasm/lifeline-core.mjs --module -c passes=2 -m -o "$out/lifeline-core.mjs"
node_modules/.bin/terser build/wasm/lifeline-core.cjs -c passes=2 -m -o "$out/lifeline-core.cjs"
cp build/wasm/lifeline-core.wasm "$out/lifeline-core.wasm"
ls -l "$out"
