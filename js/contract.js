// The contract between the core and this shim (src/lifeline/contract.hpp): every configuration
// field with its JS name, kind, default and allowed range in words, and the names of states,
// causes, outputs, results and of the records the core leaves in memory. Nothing here is a copy of
// a C++ number or name: the build prints the C++ table into contract-data.js, and init() checks
// that the loaded core was compiled from the same one (its contractId()).
import { CONTRACT, CONTRACT_ID } from './contract-data.js';

/**
 * @typedef {{ index: number, cpp: string, js: string, kind: string, default: number, seedPattern: number, expected: string }} FieldSpec
 * @typedef {{
 *   fields: FieldSpec[], states: string[], causes: string[], outputs: string[], results: string[],
 *   codes: { normal: number, abnormal: number, pongTimeout: number, connectTimeout: number, reconnect: number },
 *   appCloseCodes: [number, number, number], minDuration: number, outputFields: string[], statsFields: string[],
 *   hint: { codes: number[], retryAfterKey: string, windowKey: string, headroom: number, sharedHeadroom: number, maxDigits: number },
 *   resume: { prefix: string, escape: string, protocolError: number, maxControlText: number, maxUnacked: number, controls: string[], outputs: string[], causes: string[], outcomes: string[], client: Record<string, number>, server: Record<string, number> },
 *   output: Record<string, number>, result: Record<string, number>, state: Record<string, number>, cause: Record<string, number>,
 *   resumeOutput: Record<string, number>, outcome: Record<string, number>,
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

const index = (/** @type {string[]} */ names) => Object.fromEntries(names.map((n, i) => [n, i]));

/** @type {Contract} */
const current = {
  ...CONTRACT,
  fields: CONTRACT.fields.map((/** @type {any} */ f, /** @type {number} */ i) => ({ ...f, index: i })),
  output: index(CONTRACT.outputs),
  result: index(CONTRACT.results),
  state: index(CONTRACT.states),
  cause: index(CONTRACT.causes),
  // poll() returns a resume output's kind after Connection's (lifeline/contract.hpp).
  resumeOutput: Object.fromEntries(CONTRACT.resume.outputs.map((/** @type {string} */ n, /** @type {number} */ i) => [n, CONTRACT.outputs.length + i])),
  outcome: index(CONTRACT.resume.outcomes),
};

/**
 * Every option's default: the core's fields from the contract (the seed excepted: each Lifeline
 * draws its own), then the shim's own.
 * @type {Record<string, any>}
 */
export const DEFAULTS = {};

/**
 * The classic heartCheck pattern as options: ping 10 s after open or each pong, close when no pong
 * within 10 s, reconnect every 5 s, at most 12 times over the client's life (the core's
 * Config::seed_pattern()).
 * @type {Record<string, number>}
 */
export const SEED_PATTERN = {};

for (const f of current.fields) {
  if (f.kind === 'seed') continue;
  DEFAULTS[f.js] = f.kind === 'flag' ? f.default === 1 : f.default;
  // Flags only where the seed differs from the default (it knows no server hints).
  if (f.kind !== 'flag' || f.seedPattern !== f.default) SEED_PATTERN[f.js] = f.kind === 'flag' ? f.seedPattern === 1 : f.seedPattern;
}
Object.assign(DEFAULTS, SHIM_DEFAULTS);
Object.freeze(DEFAULTS);
Object.freeze(SEED_PATTERN);

/** The loaded core module, and where its records are in its HEAPF64 (see readRecord). */
/** @type {any} */
let coreModule = null;
let recordsAt = 0;
let reasonAt = 0;
let frameAt = 0;
const REASON_BYTES = 123; // a close frame's reason, at most (src/wasm/binding.cpp's buffer)

/** The contract (the core's and this shim's: init() checks that they are the same). */
export function contract() {
  return current;
}

/**
 * Checks that a freshly loaded module is this package's core, built from this contract; throws a
 * clear error otherwise.
 * @param {any} mod
 */
export function checkCore(mod) {
  let id;
  try {
    id = mod.contractId();
  } catch (error) {
    throw new Error(`ws-lifeline: the loaded WebAssembly module is not this package's core (no contract: ${/** @type {Error} */ (error)?.message ?? error})`);
  }
  if (id !== CONTRACT_ID) {
    throw new Error(`ws-lifeline: the loaded core was built from another contract than this shim (core ${id}, shim ${CONTRACT_ID}): rebuild, or load the .wasm of this version`);
  }
  for (const name of ['createCore', 'recordsAddress', 'reasonAddress', 'frameAddress', 'poll', 'stats']) {
    if (typeof mod[name] !== 'function') throw new Error(`ws-lifeline: the loaded core does not match this shim (missing ${name})`);
  }
}

/** Makes `mod` (checked by checkCore) the core module whose records readRecord reads. */
export function adoptCore(/** @type {any} */ mod) {
  coreModule = mod;
  recordsAt = mod.recordsAddress() / 8;
  reasonAt = mod.reasonAddress();
  frameAt = mod.frameAddress();
}

/**
 * Leaves the start of an inbound text that begins with the control prefix where the core reads it
 * (control()'s size argument is the returned length): its first maxControlText characters, each
 * non-ASCII one as '?' (no valid control frame has one, so none can be mistaken for one).
 * @param {string} text
 */
export function writeFrame(text) {
  const n = Math.min(text.length, current.resume.maxControlText);
  const bytes = new Uint8Array(coreModule.HEAPF64.buffer, frameAt, n);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    bytes[i] = c < 128 ? c : 63;
  }
  return n;
}

/**
 * The text of a frame to write that the latest poll() left in the core's memory (ASCII).
 * @param {number} size the output's `frame`
 */
export function readFrame(size) {
  const bytes = new Uint8Array(coreModule.HEAPF64.buffer, frameAt, size);
  return String.fromCharCode.apply(null, /** @type {any} */ (bytes));
}

/** The seq the core gave the message of the latest send() (its record's `first`). */
export function sentSeq() {
  return coreModule.HEAPF64[recordsAt + current.outputFields.indexOf('first')];
}

/**
 * Leaves a close reason where the core reads it (closed()'s last argument is the returned
 * length). Only ASCII matters to the core (a retry hint, lifeline/hint.hpp); other characters are
 * written as '?'. No TextEncoder: not every mini-program runtime has one.
 * @param {string} reason
 */
export function writeReason(reason) {
  if (reason.length === 0) return 0;
  const bytes = new Uint8Array(coreModule.HEAPF64.buffer, reasonAt, REASON_BYTES);
  const n = Math.min(reason.length, REASON_BYTES);
  for (let i = 0; i < n; i++) {
    const c = reason.charCodeAt(i);
    bytes[i] = c < 128 ? c : 63;
  }
  return n;
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
  return kind < 0 ? null : readRecord(current.outputFields, { kind });
}

/**
 * A Core's statistics ({ attempts, connects, ..., state } as numbers).
 * @param {any} core
 * @returns {Record<string, number>}
 */
export function coreStats(core) {
  core.stats();
  return readRecord(current.statsFields, {});
}

/** Whether a client may send `code` in a close frame (1000, or 3000-4999). */
export function isAppCloseCode(/** @type {number} */ code) {
  const [normal, min, max] = contract().appCloseCodes;
  return code === normal || (Number.isInteger(code) && code >= min && code <= max);
}
