// Option checking: every wrong option is a TypeError (wrong type) or a RangeError (wrong value)
// that names the option and what it accepts. Ranges of the core's own numbers are checked by the
// core itself (validateMask), so the rules live in one place.

/** The core's numeric fields, in the order of lifeline::Field. */
export const CORE_FIELDS = /** @type {const} */ ([
  'pingInterval',
  'pongTimeout',
  'connectTimeout',
  'reconnectDelay',
  'maxReconnectDelay',
  'backoffFactor',
  'jitter',
  'maxRetries',
  'minUptime',
  'timerSlack',
]);

export const DEFAULTS = Object.freeze({
  pingInterval: 10000,
  pongTimeout: 10000,
  connectTimeout: 10000,
  reconnectDelay: 1000,
  maxReconnectDelay: 30000,
  backoffFactor: 2,
  jitter: 1,
  maxRetries: Infinity,
  minUptime: 5000,
  timerSlack: 2000,
  pingMessage: 'ping',
  pongMessage: 'pong',
  pongReply: 'pong',
  maxQueued: 1000,
  maxQueuedBytes: 1024 * 1024,
  binaryType: 'blob',
  pauseInBackground: false,
});

const KNOWN = new Set([
  ...CORE_FIELDS,
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
  'pauseInBackground',
  'seed',
  'clock',
  'timers',
  'platform',
  'transport',
]);

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
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
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
 * @param {unknown} url
 * @returns {string}
 */
export function checkUrl(url, what = 'url') {
  if (typeof url !== 'string' && !(typeof URL !== 'undefined' && url instanceof URL)) {
    throw new TypeError(`${what}: expected a ws:// or wss:// URL string (or a function returning one), got ${describe(url)}`);
  }
  const s = String(url);
  const bad = () => new TypeError(`${what}: expected a ws:// or wss:// URL, got ${describe(s)}`);
  // scheme://host[:port] with a plain host, checked the same with or without a URL class (which
  // some mini-program engines lack).
  const m = /^(wss?):\/\/(\[[0-9a-fA-F:.]+\]|[^\s/?#:@[\]]+)(?::(\d{1,5}))?(?:[/?#]\S*)?$/i.exec(s);
  if (!m || (m[3] !== undefined && Number(m[3]) > 65535)) throw bad();
  if (typeof URL === 'function') {
    try {
      const parsed = new URL(s);
      if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') throw bad();
    } catch {
      throw bad();
    }
  }
  return s;
}

/**
 * Checks the options and returns them complete (defaults filled in).
 * @param {any} options
 * @param {{ validateMask: (c: object) => number, fieldExpected: (i: number) => string }} core
 * @param {object} [base] the runtime's own defaults, over DEFAULTS
 */
export function resolveOptions(options, core, base = {}) {
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`options: expected an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new TypeError(`options.${key}: unknown option`);
  }
  const o = { ...DEFAULTS, ...base };
  for (const key of Object.keys(options)) if (options[key] !== undefined) o[key] = options[key];

  for (const key of CORE_FIELDS) {
    if (typeof o[key] !== 'number') throw new TypeError(`options.${key}: expected a number, got ${describe(o[key])}`);
  }
  const config = coreConfig(o);
  const mask = core.validateMask(config);
  if (mask !== 0) {
    const i = CORE_FIELDS.findIndex((_, bit) => mask & (1 << bit));
    const expected = core.fieldExpected(i).replace('reconnect_delay', 'reconnectDelay').replace('infinity', 'Infinity');
    throw new RangeError(`options.${CORE_FIELDS[i]}: expected ${expected}, got ${describe(o[CORE_FIELDS[i]])}`);
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
  if (typeof o.pauseInBackground !== 'boolean') {
    throw new TypeError(`options.pauseInBackground: expected a boolean, got ${describe(o.pauseInBackground)}`);
  }
  if (o.seed !== undefined && typeof o.seed !== 'number') {
    throw new TypeError(`options.seed: expected a number, got ${describe(o.seed)}`);
  }
  if (o.seed !== undefined && !(Number.isInteger(o.seed) && o.seed >= 0 && o.seed < 2 ** 32)) {
    throw new RangeError(`options.seed: expected a whole number from 0 to 2^32-1, got ${describe(o.seed)}`);
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

/** The record the core's constructor takes. */
export function coreConfig(o) {
  return {
    pingInterval: o.pingInterval,
    pongTimeout: o.pongTimeout,
    connectTimeout: o.connectTimeout,
    reconnectDelay: o.reconnectDelay,
    maxReconnectDelay: o.maxReconnectDelay,
    backoffFactor: o.backoffFactor,
    jitter: o.jitter,
    maxRetries: o.maxRetries,
    minUptime: o.minUptime,
    timerSlack: o.timerSlack,
    answerServerPings: true,
    pauseInBackground: !!o.pauseInBackground,
    seed: o.seed ?? 0,
  };
}
