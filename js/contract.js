// The contract between the core and this shim, as the core exports it (src/lifeline/contract.hpp):
// every configuration field with its JS name, kind, default and allowed range in words, and the
// names of states, causes, outputs and results. Nothing here is a copy of a C++ number or name:
// DEFAULTS and SEED_PATTERN are filled from the core by init().

/**
 * @typedef {{ index: number, cpp: string, js: string, kind: string, default: number, seedPattern: number, expected: string }} FieldSpec
 * @typedef {{
 *   fields: FieldSpec[], states: string[], causes: string[], outputs: string[], results: string[],
 *   codes: { normal: number, abnormal: number, pongTimeout: number, connectTimeout: number, reconnect: number },
 *   appCloseCodes: [number, number, number], minDuration: number,
 *   output: Record<string, number>, result: Record<string, number>, state: Record<string, number>, cause: Record<string, number>,
 * }} Contract
 */

/** Options of the shim alone (the core never sees them), with their defaults. */
const SHIM_DEFAULTS = {
  pingMessage: 'ping',
  pongMessage: 'pong',
  pongReply: 'pong',
  maxQueued: 1000,
  maxQueuedBytes: 1024 * 1024,
  binaryType: 'blob',
};

/**
 * Every option's default: the core's fields from the contract (the seed excepted: each Lifeline
 * draws its own), then the shim's own. Filled and frozen by init().
 * @type {Record<string, any>}
 */
export const DEFAULTS = {};

/**
 * The classic heartCheck pattern as options: ping 10 s after open or each pong, close when no pong
 * within 10 s, reconnect every 5 s, at most 12 times over the client's life. Filled and frozen by
 * init(), from the core's Config::seed_pattern().
 * @type {Record<string, number>}
 */
export const SEED_PATTERN = {};

/** @type {Contract | null} */
let current = null;

/** The contract of the loaded core (init() has run). */
export function contract() {
  if (!current) throw new Error('ws-lifeline: the core is not loaded yet; call `await init()` first');
  return current;
}

/**
 * Reads the contract from a freshly loaded core module and checks that it is one this shim
 * understands; throws a clear error for a module that is not this package's core.
 * @param {any} mod
 * @returns {Contract}
 */
export function readContract(mod) {
  let raw;
  try {
    raw = JSON.parse(mod.contract());
  } catch (error) {
    throw new Error(`ws-lifeline: the loaded WebAssembly module is not this package's core (no contract: ${/** @type {Error} */ (error)?.message ?? error})`);
  }
  const need = ['open-socket', 'send-ping', 'send-pong', 'close-socket', 'flush-queue', 'opened', 'closed', 'reconnecting', 'gave-up', 'heartbeat', 'state'];
  const missing = need.filter((n) => !raw?.outputs?.includes(n));
  if (missing.length > 0 || !Array.isArray(raw.fields) || typeof mod.Core !== 'function') {
    throw new Error(`ws-lifeline: the loaded core does not match this shim (missing ${missing.join(', ') || 'Core'})`);
  }
  const index = (/** @type {string[]} */ names) => Object.fromEntries(names.map((n, i) => [n, i]));
  return {
    ...raw,
    fields: raw.fields.map((/** @type {any} */ f, /** @type {number} */ i) => ({ ...f, index: i })),
    output: index(raw.outputs),
    result: index(raw.results),
    state: index(raw.states),
    cause: index(raw.causes),
  };
}

/** Makes `c` the contract in force, and fills DEFAULTS and SEED_PATTERN from it (once). */
export function adoptContract(/** @type {Contract} */ c) {
  current = c;
  if (Object.isFrozen(DEFAULTS)) return;
  for (const f of c.fields) {
    if (f.kind === 'seed') continue;
    DEFAULTS[f.js] = f.kind === 'flag' ? f.default === 1 : f.default;
    if (f.kind !== 'flag') SEED_PATTERN[f.js] = f.seedPattern;
  }
  Object.assign(DEFAULTS, SHIM_DEFAULTS);
  Object.freeze(DEFAULTS);
  Object.freeze(SEED_PATTERN);
}

/** Whether a client may send `code` in a close frame (1000, or 3000-4999). */
export function isAppCloseCode(/** @type {number} */ code) {
  const [normal, min, max] = contract().appCloseCodes;
  return code === normal || (Number.isInteger(code) && code >= min && code <= max);
}
