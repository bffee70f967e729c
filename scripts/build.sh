#!/usr/bin/env bash
# Builds the package: the WebAssembly core (dist/wasm), the CommonJS entry (dist/cjs, transpiled
# from the ES-module sources in js/ by TypeScript; ws-lifeline/server too), and the mini-program
# build (miniprogram_dist).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-wasm.sh >/dev/null
rm -rf dist/cjs
node_modules/.bin/tsc -p tsconfig.cjs.json
cp js/runtime.cjs dist/cjs/runtime.js
cp js/index.d.ts dist/cjs/index.d.ts
cp js/server/index.d.ts dist/cjs/server/index.d.ts
echo '{ "type": "commonjs" }' > dist/cjs/package.json
node scripts/build-miniprogram.mjs
