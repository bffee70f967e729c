// What differs between the package's builds, in one place. This is the ES-module build's
// (browsers, bundlers, Node ESM): the Emscripten glue, and the .wasm beside it, found through
// import.meta.url (which Vite and other bundlers follow and emit as an asset).
// The CommonJS build has runtime.cjs; the mini-program build has miniprogram/runtime.js.
import createLifelineCore from '../dist/wasm/lifeline-core.mjs';
import { browserPlatform } from './platform/browser.js';

export { createLifelineCore };
export const defaultWasmLocation = new URL('../dist/wasm/lifeline-core.wasm', import.meta.url);
// Bundlers must leave this alone: it only ever runs in Node (`ws`, node:fs). A CommonJS package
// (`ws`) is loaded with require() where Node gives one without a static import
// (process.getBuiltinModule, Node 20.16+): import() of CommonJS goes through Node's ES-module
// bridge, which lexes every file first (37 -> 75 ms for `ws` in a cold start, bench/startup).
export const loadOptionalModule = (/** @type {string} */ name) => {
  const getBuiltin = /** @type {any} */ (globalThis).process?.getBuiltinModule;
  if (typeof getBuiltin === 'function' && !name.startsWith('node:')) {
    try {
      // Resolved from the package's own files (defaultWasmLocation: no bare import.meta.url, which
      // webpack would bake into a bundle as the build machine's path).
      return Promise.resolve(getBuiltin('node:module').createRequire(defaultWasmLocation)(name));
    } catch {
      // an ES-only package, or a bundle whose files are not on disk: import() below
    }
  }
  return import(/* webpackIgnore: true */ /* @vite-ignore */ name);
};
/** Instantiates the core without the generic loader (null: the generic loader does it). */
export const instantiateOverride = null;
/** The transport when neither options.transport nor options.WebSocket is given (null: WebSocket). */
export const defaultTransport = null;
export const defaultPlatform = browserPlatform;
/** Option defaults of this runtime, over DEFAULTS. */
export const runtimeDefaults = {};
