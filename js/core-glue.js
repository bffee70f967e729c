// The ES-module build's way to the core: the Emscripten glue, and where its .wasm lies (beside it,
// found through import.meta.url, which Vite and other bundlers follow and emit as an asset).
// The CommonJS build has its own version of this file (core-glue.cjs).
import createLifelineCore from '../dist/wasm/lifeline-core.mjs';

export { createLifelineCore };
export const defaultWasmLocation = new URL('../dist/wasm/lifeline-core.wasm', import.meta.url);
export const loadOptionalModule = (name) => import(name);
