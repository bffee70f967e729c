// Option checking: every wrong option is a TypeError (wrong type) or a RangeError (wrong value)
// that names the option and what it accepts. Ranges of the core's own numbers are checked by the
// core itself (createCore), and their names come from the contract, so each rule lives in one place.

import { contract, DEFAULTS } from './contract.js';

// Options of the shim alone; the core's come from the contract.
const SHIM_OPTIONS = [
  'protocols',
  'pingMessage',
  'pongMessage',
  'isPong',
  'isServerPing',
  'pongReply',
  'shouldReconnect',
  'WebSocket',
  'maxQueued',
  'maxQueuedBytes',
  'binaryType',
  'clock',
  'timers',
  'platform',
  'transport',
];

/** The global object, also where `globalThis` is missing (older mini-program engines). */
export function globalObject() {
  if (typeof globalThis !== 'undefined') return globalThis;
  if (typeof self !== 'undefined') return self;
  if (typeof global !== 'undefined') return global;
  return /** @type {any} */ ({});
}

/** @param {unknown} v */
export function describe(v) {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'bigint') return `${v}n (a BigInt)`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? `an object (${Object.prototype.toString.call(v).slice(8, -1)})` : typeof v;
}

/** @param {unknown} v */
export function isBinary(v) {
  return (
    v instanceof ArrayBuffer ||
    ArrayBuffer.isView(v) ||
    (typeof Blob !== 'undefined' && v instanceof Blob)
  );
}

/** @param {unknown} v */
function isMessageData(v) {
  return typeof v === 'string' || v instanceof ArrayBuffer || ArrayBuffer.isView(v);
}

/**
 * A URL as errors may show it: scheme, host, port and path; never its user info or query, which
 * often carry credentials (a token in `?access_token=`).
 * @param {string} s
 */
export function redactUrl(s) {
  return s.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1…@').replace(/[?#][\s\S]*$/, (m) => `${m[0]}…`);
}

/**
 * @param {unknown} url
 * @returns {string}
 */
export function checkUrl(url, what = 'url') {
  // The runtime's own URL class, read from the global object: a free `URL` may be a framework's
  // (Taro's ProvidePlugin replaces it in every module with a class that takes only http(s)).
  const URLClass = globalObject().URL;
  if (typeof url !== 'string' && !(typeof URLClass === 'function' && url instanceof URLClass)) {
    throw new TypeError(`${what}: expected a ws:// or wss:// URL string (or a function returning one), got ${describe(url)}`);
  }
  const s = String(url);
  const bad = () => new TypeError(`${what}: expected a ws:// or wss:// URL, got ${describe(redactUrl(s))}`);
  // scheme://host[:port] with a plain host, checked the same with or without a URL class (which
  // some mini-program engines lack).
  const m = /^(wss?):\/\/(\[[0-9a-fA-F:.]+\]|[^\s/?#:@[\]]+)(?::(\d{1,5}))?(?:[/?#]\S*)?$/i.exec(s);
  if (!m || (m[3] !== undefined && Number(m[3]) > 65535)) throw bad();
  // The WebSocket standard forbids fragments: every attempt with one would fail.
  if (s.includes('#')) throw new TypeError(`${what}: a WebSocket URL cannot have a fragment (#…), got ${describe(redactUrl(s))}`);
  if (typeof URLClass === 'function') {
    try {
      const parsed = new URLClass(s);
      if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') throw bad();
    } catch {
      throw bad();
    }
  }
  return s;
}

/**
 * Checks the options and returns them complete (defaults filled in, a seed drawn if none was
 * given). The ranges of the core's fields are checked by the core itself, in createCore().
 * @param {any} options
 * @param {object} [base] the runtime's own defaults, over DEFAULTS
 */
export function resolveOptions(options, base = {}) {
  const { fields } = contract();
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`options: expected an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!SHIM_OPTIONS.includes(key) && !fields.some((f) => f.js === key)) throw new TypeError(`options.${key}: unknown option`);
  }
  const o = { ...DEFAULTS, ...base };
  for (const key of Object.keys(options)) if (options[key] !== undefined) o[key] = options[key];

  for (const f of fields) {
    const v = o[f.js];
    if (f.kind === 'seed' && v === undefined) {
      o.seed = Math.floor(Math.random() * 2 ** 32); // each client its own jitter draws
    } else if (f.kind === 'flag' ? typeof v !== 'boolean' : typeof v !== 'number') {
      throw new TypeError(`options.${f.js}: expected ${f.kind === 'flag' ? 'a boolean' : 'a number'}, got ${describe(v)}`);
    }
  }

  if (o.protocols !== undefined) {
    const list = typeof o.protocols === 'string' ? [o.protocols] : o.protocols;
    if (!Array.isArray(list) || !list.every((p) => typeof p === 'string' && /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(p))) {
      throw new TypeError(`options.protocols: expected a subprotocol token or an array of them, got ${describe(o.protocols)}`);
    }
    if (new Set(list).size !== list.length) throw new TypeError('options.protocols: duplicate subprotocol');
  }
  if (!isMessageData(o.pingMessage) && typeof o.pingMessage !== 'function') {
    throw new TypeError(`options.pingMessage: expected a string, ArrayBuffer, typed array or function, got ${describe(o.pingMessage)}`);
  }
  if (!isMessageData(o.pongReply) && typeof o.pongReply !== 'function') {
    throw new TypeError(`options.pongReply: expected a string, ArrayBuffer, typed array or function, got ${describe(o.pongReply)}`);
  }
  if (typeof o.pongMessage !== 'string' && !(o.pongMessage instanceof ArrayBuffer) && !ArrayBuffer.isView(o.pongMessage)) {
    throw new TypeError(`options.pongMessage: expected a string or binary data, got ${describe(o.pongMessage)}`);
  }
  for (const key of ['isPong', 'isServerPing', 'shouldReconnect', 'clock']) {
    if (o[key] !== undefined && typeof o[key] !== 'function') {
      throw new TypeError(`options.${key}: expected a function, got ${describe(o[key])}`);
    }
  }
  if (o.WebSocket !== undefined && typeof o.WebSocket !== 'function') {
    throw new TypeError(`options.WebSocket: expected a WebSocket constructor, got ${describe(o.WebSocket)}`);
  }
  if (o.transport !== undefined && typeof o.transport !== 'function') {
    throw new TypeError(`options.transport: expected a function (url, protocols, handlers) => socket, got ${describe(o.transport)}`);
  }
  for (const key of ['maxQueued', 'maxQueuedBytes']) {
    if (typeof o[key] !== 'number') throw new TypeError(`options.${key}: expected a number, got ${describe(o[key])}`);
    if (!(o[key] >= 0) || (o[key] !== Infinity && !Number.isInteger(o[key]))) {
      throw new RangeError(`options.${key}: expected a whole number >= 0, or Infinity, got ${describe(o[key])}`);
    }
  }
  if (o.binaryType !== 'blob' && o.binaryType !== 'arraybuffer') {
    throw new TypeError(`options.binaryType: expected "blob" or "arraybuffer", got ${describe(o.binaryType)}`);
  }
  if (o.timers !== undefined) {
    if (typeof o.timers !== 'object' || o.timers === null || typeof o.timers.setTimeout !== 'function' || typeof o.timers.clearTimeout !== 'function') {
      throw new TypeError(`options.timers: expected { setTimeout, clearTimeout }, got ${describe(o.timers)}`);
    }
  }
  if (
    o.platform !== undefined &&
    o.platform !== null &&
    (typeof o.platform !== 'object' ||
      typeof o.platform.subscribe !== 'function' ||
      (o.platform.initial !== undefined && typeof o.platform.initial !== 'function'))
  ) {
    throw new TypeError(`options.platform: expected null or { initial?(), subscribe(handlers) => unsubscribe }, got ${describe(o.platform)}`);
  }
  if (o.resume) {
    // The protocol's ping and pong are the heartbeat, and every other message is numbered: an
    // app-level ping would be counted as a message.
    for (const key of ['pingMessage', 'pongMessage', 'isPong', 'isServerPing', 'pongReply']) {
      if (options[key] !== undefined) throw new TypeError(`options.${key}: not used with resume (the heartbeat is the protocol's ping and pong, PROTOCOL.md)`);
    }
    const limit = contract().resume.maxUnacked;
    if (o.maxQueued < 1 || o.maxQueued > limit) {
      throw new RangeError(`options.maxQueued: with resume, expected a whole number from 1 to ${limit} (the kept messages are counted in a ring allocated once), got ${describe(o.maxQueued)}`);
    }
    if (o.maxQueuedBytes < 1) throw new RangeError(`options.maxQueuedBytes: with resume, expected a whole number >= 1, or Infinity, got ${describe(o.maxQueuedBytes)}`);
  }
  checkPongAndBinaryType(o, o.binaryType);
  return o;
}

/**
 * A binary pongMessage cannot be recognized in a Blob (reading one is asynchronous): it needs
 * binaryType 'arraybuffer', or an isPong function.
 */
export function checkPongAndBinaryType(o, binaryType) {
  if (binaryType === 'blob' && typeof o.pongMessage !== 'string' && !o.isPong) {
    throw new TypeError(
      'options.pongMessage: a binary pongMessage needs binaryType "arraybuffer" (a Blob cannot be compared as it arrives), or an isPong function',
    );
  }
}

/**
 * The core for these options: each field set by its index in the contract, then checked by the
 * core; a RangeError names the first field it rejects and what it accepts.
 * @param {any} mod the loaded core module
 * @param {Record<string, any>} o resolved options
 */
export function createCore(mod, o) {
  const { fields } = contract();
  const core = new mod.Core();
  for (const f of fields) {
    const v = o[f.js];
    core.set(f.index, typeof v === 'boolean' ? Number(v) : v);
  }
  if (o.resume) core.bounds(o.maxQueued, o.maxQueuedBytes); // checked by resolveOptions
  const mask = core.configure();
  if (mask === 0) return core;
  core.delete();
  const f = fields.find((field) => mask & (1 << field.index));
  throw new RangeError(`options.${f?.js}: expected ${f?.expected}, got ${describe(o[f?.js ?? ''])}`);
}
