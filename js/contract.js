// The contract between the core and this shim, as the core exports it (src/lifeline/contract.hpp):
// every configuration field with its JS name, kind, default and allowed range in words, and the
// names of states, causes, outputs and results. Nothing here is a copy of a C++ number or name:
// DEFAULTS and SEED_PATTERN are filled from the core by init().

/**
 * @typedef {{ index: number, cpp: string, js: string, kind: string, default: number, seedPattern: number, expected: string }} FieldSpec
 * @typedef {{
 *   fields: FieldSpec[], states: string[], causes: string[], outputs: string[], results: string[],
 *   codes: { normal: number, abnormal: number, pongTimeout: number, connectTimeout: number, reconnect: number },
 *   appCloseCodes: [number, number, number], minDuration: number, outputFields: string[], statsFields: string[],
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
/** The loaded core module, and where its records are in its HEAPF64 (see readOutput). */
/** @type {any} */
let coreModule = null;
let recordsAt = 0;

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
    raw = JSON.parse(asciiAt(mod.HEAPU8, mod.contract()));
  } catch (error) {
    throw new Error(`ws-lifeline: the loaded WebAssembly module is not this package's core (no contract: ${/** @type {Error} */ (error)?.message ?? error})`);
  }
  const need = ['open-socket', 'send-ping', 'send-pong', 'close-socket', 'flush-queue', 'opened', 'closed', 'reconnecting', 'gave-up', 'heartbeat', 'state'];
  const missing = need.filter((n) => !raw?.outputs?.includes(n));
  if (
    missing.length > 0 ||
    !Array.isArray(raw.fields) ||
    !Array.isArray(raw.outputFields) ||
    !Array.isArray(raw.statsFields) ||
    typeof mod.createCore !== 'function' ||
    typeof mod.recordsAddress !== 'function'
  ) {
    throw new Error(`ws-lifeline: the loaded core does not match this shim (missing ${missing.join(', ') || 'createCore'})`);
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

/** A NUL-terminated ASCII string in the core's memory (the contract's JSON). */
function asciiAt(/** @type {Uint8Array} */ heap, /** @type {number} */ at) {
  if (!(heap instanceof Uint8Array) || !Number.isInteger(at) || at <= 0) throw new TypeError('no contract text');
  let end = at;
  while (end < heap.length && heap[end] !== 0) end++;
  let text = '';
  // In slices: String.fromCharCode takes its arguments on the stack.
  for (let i = at; i < end; i += 4096) text += String.fromCharCode.apply(null, /** @type {any} */ (heap.subarray(i, Math.min(end, i + 4096))));
  return text;
}

/**
 * Makes `c` the contract in force (with `mod`, the module it came from), and fills DEFAULTS and
 * SEED_PATTERN from it (once).
 */
export function adoptContract(/** @type {Contract} */ c, /** @type {any} */ mod) {
  current = c;
  coreModule = mod;
  recordsAt = mod.recordsAddress() / 8;
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

/**
 * The record the core left in its memory (poll() or stats() wrote it), with the contract's names.
 * HEAPF64 is read from the module each time: it is a new view after the memory grows.
 * @param {string[]} names
 * @param {Record<string, number>} into
 */
function readRecord(names, into) {
  const f = coreModule.HEAPF64;
  for (let i = 0; i < names.length; i++) into[names[i]] = f[recordsAt + i];
  return into;
}

/**
 * The core's next output ({ kind, socket, attempt, ... } as numbers; flags 0/1), or null.
 * @param {any} core a Core of the adopted module
 * @returns {Record<string, number> | null}
 */
export function pollOutput(core) {
  const kind = core.poll();
  return kind < 0 ? null : readRecord(contract().outputFields, { kind });
}

/**
 * A Core's statistics ({ attempts, connects, ..., state } as numbers).
 * @param {any} core
 * @returns {Record<string, number>}
 */
export function coreStats(core) {
  core.stats();
  return readRecord(contract().statsFields, {});
}

/** Whether a client may send `code` in a close frame (1000, or 3000-4999). */
export function isAppCloseCode(/** @type {number} */ code) {
  const [normal, min, max] = contract().appCloseCodes;
  return code === normal || (Number.isInteger(code) && code >= min && code <= max);
}
