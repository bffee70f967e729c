// What differs between the package's builds, in one place. This is the ES-module build's
// (browsers, bundlers, Node ESM): the Emscripten glue, and the .wasm beside it, found through
// import.meta.url (which Vite and other bundlers follow and emit as an asset).
// The CommonJS build has runtime.cjs; the mini-program build has miniprogram/runtime.js.
import createLifelineCore from '../dist/wasm/lifeline-core.mjs';
import { browserPlatform } from './platform/browser.js';

export { createLifelineCore };
export const defaultWasmLocation = new URL('../dist/wasm/lifeline-core.wasm', import.meta.url);
// Bundlers must leave this alone: it only ever runs in Node (`ws`, node:fs).
export const loadOptionalModule = (/** @type {string} */ name) => import(/* webpackIgnore: true */ /* @vite-ignore */ name);
/** Instantiates the core without the generic loader (null: the generic loader does it). */
export const instantiateOverride = null;
/** The transport when neither options.transport nor options.WebSocket is given (null: WebSocket). */
export const defaultTransport = null;
export const defaultPlatform = browserPlatform;
/** Option defaults of this runtime, over DEFAULTS. */
export const runtimeDefaults = {};
