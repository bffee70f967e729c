// Restarts that clients can plan for: the retry hint of a 1012/1013 close (the reason text the
// core parses, src/lifeline/hint.hpp), closing every client of a `ws` server with one, and the 503
// (with Retry-After) that answers upgrades while the server is not ready. The key names, the codes
// and the headroom come from the contract (contract-data.js, printed from the C++ at build time),
// so this file and the core cannot disagree on them; it does not load the core.
import { CONTRACT } from '../contract-data.js';

const HINT = CONTRACT.hint;
const CLIENT_DEFAULTS = Object.fromEntries(CONTRACT.fields.map((/** @type {any} */ f) => [f.js, f.default]));
const REASON_BYTES = 123; // a close frame's reason, at most (RFC 6455, 5.5)
const OPEN = 1; // WebSocket readyState

/** The close codes that carry a retry hint: 1012 (Service Restart) and 1013 (Try Again Later). */
export const HINT_CODES = Object.freeze([...HINT.codes]);

/**
 * The reason text of a retry hint, exactly as the core's format_retry_hint writes it:
 * "retry-after=<ms> window=<ms>", whole milliseconds rounded up (clients read at most the
 * contract's maxDigits digits: longer values are refused here).
 * @param {{ retryAfter: number, window: number }} hint
 */
export function formatRetryHint(hint) {
  checkObject('formatRetryHint', hint, ['retryAfter', 'window']);
  const max = 10 ** HINT.maxDigits - 1;
  const retryAfter = whole(number('retryAfter', hint.retryAfter, 0, true, max));
  const window = whole(number('window', hint.window, 0, true, max));
  return `${HINT.retryAfterKey}=${retryAfter} ${HINT.windowKey}=${window}`;
}

/**
 * One hint for all `clients` clients of a server that is back `downtimeMs` from now and then
 * accepts `acceptPerSecond` new connections a second, for a server that cannot tell its clients
 * apart: the core's restart_hint (retry-after = downtime, window = clients / rate x 1000 x the
 * contract's sharedHeadroom), in whole ms rounded up. Independent draws bunch, hence the headroom;
 * restartSlotHint() spreads evenly and needs less. A window reaching past the clients'
 * maxHintDelay is shortened to fit (capped: true).
 * @param {{ clients: number, acceptPerSecond: number, downtimeMs?: number, maxHintDelay?: number }} options
 */
export function restartHint(options) {
  checkObject('restartHint', options, ['clients', 'acceptPerSecond', 'downtimeMs', 'maxHintDelay']);
  const clients = count('clients', options.clients);
  const { rate, downtime, cap } = plan(options);
  const retryAfter = whole(downtime);
  const wanted = whole((clients / rate) * 1000 * HINT.sharedHeadroom);
  const room = Math.max(0, Math.floor(cap) - retryAfter);
  const window = Math.min(wanted, room);
  return { retryAfter, window, reason: formatRetryHint({ retryAfter, window }), capped: window < wanted };
}

/**
 * The hint for the `index`-th (0-based) of `clients` clients: the core's restart_slot_hint, a
 * slot of its own, retry-after = downtime + index x slot and window = slot, slot = the contract's
 * headroom / rate (whole ms, rounded up). Clients come back evenly spaced, at the rate the server
 * gave. When the last slot would end past the clients' maxHintDelay, the slots are narrowed to fit
 * (capped: true).
 * @param {{ index: number, clients: number, acceptPerSecond: number, downtimeMs?: number, maxHintDelay?: number }} options
 */
export function restartSlotHint(options) {
  checkObject('restartSlotHint', options, ['index', 'clients', 'acceptPerSecond', 'downtimeMs', 'maxHintDelay']);
  const clients = count('clients', options.clients);
  const index = count('index', options.index);
  if (!(index < clients)) throw new RangeError(`index: expected less than clients (${clients}), got ${index}`);
  const { rate, downtime, cap } = plan(options);
  const wanted = (HINT.headroom / rate) * 1000;
  const slot = Math.min(wanted, (Math.floor(cap) - downtime) / clients);
  const retryAfter = whole(downtime + index * slot);
  const window = whole(slot);
  return { retryAfter, window, reason: formatRetryHint({ retryAfter, window }), capped: slot < wanted };
}

/** The rate, downtime and clients' cap that restartHint and restartSlotHint share, checked. */
function plan(/** @type {any} */ options) {
  const rate = number('acceptPerSecond', options.acceptPerSecond, 0, false);
  const downtime = number('downtimeMs', options.downtimeMs ?? 0, 0);
  const cap = number('maxHintDelay', options.maxHintDelay ?? CLIENT_DEFAULTS.maxHintDelay, 1);
  if (!(downtime < cap)) {
    throw new RangeError(
      `downtimeMs: expected less than maxHintDelay (${cap}: clients would fit the whole hint into less than the downtime), got ${downtime}`,
    );
  }
  return { rate, downtime, cap };
}

/**
 * Closes every open client of a `ws` WebSocketServer (or of an iterable of its WebSockets) with
 * `code` (1012 by default) and a retry hint in the reason. `spread: 'slots'` (the default) gives
 * each client a slot of its own (restartSlotHint): they come back evenly at `acceptPerSecond`;
 * `'shared'` gives all one reason (restartHint). Nothing is closed when an argument is wrong.
 * Returns what was sent: the first client's reason, its retry-after and window, and `until`, when
 * the last client's window ends (ms from now).
 * @param {any} server a WebSocketServer (clientTracking on: its `clients`) or an iterable of WebSockets
 * @param {{ acceptPerSecond: number, downtimeMs?: number, maxHintDelay?: number, code?: number, prefix?: string, clients?: number, spread?: 'slots' | 'shared' }} options
 */
export function closeForRestart(server, options) {
  const sockets = socketsOf(server);
  checkObject('closeForRestart', options, ['acceptPerSecond', 'downtimeMs', 'maxHintDelay', 'code', 'prefix', 'clients', 'spread']);
  const code = options.code ?? HINT_CODES[0];
  if (!HINT_CODES.includes(code)) {
    throw new RangeError(`code: expected one of ${HINT_CODES.join(', ')} (the codes whose reason clients read), got ${describe(code)}`);
  }
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string') throw new TypeError(`prefix: expected a string, got ${describe(prefix)}`);
  const spread = options.spread ?? 'slots';
  if (spread !== 'slots' && spread !== 'shared') throw new RangeError(`spread: expected 'slots' or 'shared', got ${describe(spread)}`);
  const open = [];
  for (const socket of sockets) if (socket && socket.readyState === OPEN) open.push(socket);
  const clients = options.clients ?? open.length;
  const common = { acceptPerSecond: options.acceptPerSecond, downtimeMs: options.downtimeMs, maxHintDelay: options.maxHintDelay };
  const hintFor = (/** @type {number} */ i) =>
    spread === 'shared' ? restartHint({ clients, ...common }) : restartSlotHint({ index: Math.min(i, Math.max(clients, 1) - 1), clients: Math.max(clients, 1), ...common });
  // The hint last: a token of the prefix that looks like a key is overridden by it.
  const reasonOf = (/** @type {string} */ hint) => (prefix === '' ? hint : `${prefix} ${hint}`);
  const first = hintFor(0);
  const last = hintFor(Math.max(open.length, clients) - 1);
  const longest = reasonOf(last.reason);
  const bytes = new TextEncoder().encode(longest).length;
  if (bytes > REASON_BYTES) {
    throw new RangeError(`prefix: the reason "${longest}" is ${bytes} bytes of UTF-8, over a close frame's ${REASON_BYTES}: shorten the prefix`);
  }
  open.forEach((socket, i) => socket.close(code, reasonOf(hintFor(i).reason)));
  return {
    code,
    spread,
    reason: reasonOf(first.reason),
    retryAfter: first.retryAfter,
    window: first.window,
    until: last.retryAfter + last.window,
    capped: first.capped || last.capped,
    clients: open.length,
  };
}

/**
 * Answers an upgrade with 503 Service Unavailable and Retry-After (whole seconds, rounded up):
 * Lifelines in Node (`ws`) come back after it, spread over their restartWindow; browsers cannot see
 * the status and back off as for any failed attempt. `target` is one of:
 *   - the socket of an HTTP server's 'upgrade' event: the answer is written and the socket ended;
 *   - an http.ServerResponse (not yet answered);
 *   - the callback of `ws`'s verifyClient(info, callback).
 * @param {any} target
 * @param {{ retryAfterSeconds: number }} options
 */
export function rejectUpgrade(target, options) {
  checkObject('rejectUpgrade', options, ['retryAfterSeconds']);
  const seconds = whole(number('retryAfterSeconds', options.retryAfterSeconds, 0));
  const status = 503;
  const text = 'Service Unavailable';
  if (typeof target === 'function') {
    target(false, status, text, { 'Retry-After': String(seconds) });
  } else if (target && typeof target.writeHead === 'function') {
    if (target.headersSent) throw new TypeError('target: this response has already been answered');
    target.writeHead(status, text, { 'Retry-After': String(seconds), 'Content-Length': '0', Connection: 'close' });
    target.end();
  } else if (target && typeof target.write === 'function' && typeof target.end === 'function') {
    const head = `HTTP/1.1 ${status} ${text}\r\nRetry-After: ${seconds}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`;
    if (target.writable !== false) target.write(head);
    // Ended, then destroyed once written: a client that never closes its side holds nothing.
    if (typeof target.destroySoon === 'function') target.destroySoon();
    else target.end();
  } else {
    throw new TypeError(
      `target: expected the socket of an 'upgrade' event, an http.ServerResponse or ws's verifyClient callback, got ${describe(target)}`,
    );
  }
}

// --- arguments ---------------------------------------------------------------------------------

/** @returns {Iterable<any>} */
function socketsOf(/** @type {any} */ server) {
  if (server && typeof server === 'object' && 'clients' in server && !isIterable(server)) {
    if (isIterable(server.clients)) return server.clients;
    throw new TypeError('server: its `clients` is not a set of sockets (a WebSocketServer made with clientTracking: false? pass its sockets instead)');
  }
  if (isIterable(server) && typeof server !== 'string') return server;
  throw new TypeError(`server: expected a ws WebSocketServer or an iterable of its WebSockets, got ${describe(server)}`);
}

function isIterable(/** @type {any} */ v) {
  return v != null && typeof v[Symbol.iterator] === 'function';
}

function checkObject(/** @type {string} */ fn, /** @type {any} */ options, /** @type {string[]} */ known) {
  if (options === null || typeof options !== 'object') throw new TypeError(`${fn}: expected an options object, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new TypeError(`${fn}: unknown option "${key}" (known: ${known.join(', ')})`);
  }
}

/** A finite number >= min (> min when not `inclusive`), at most max. */
function number(/** @type {string} */ name, /** @type {unknown} */ v, /** @type {number} */ min, inclusive = true, max = Number.MAX_VALUE) {
  if (typeof v !== 'number') throw new TypeError(`${name}: expected a number, got ${describe(v)}`);
  if (!Number.isFinite(v) || (inclusive ? v < min : v <= min) || v > max) {
    const upTo = max < Number.MAX_VALUE ? ` and <= ${max}` : '';
    throw new RangeError(`${name}: expected a finite number ${inclusive ? '>=' : '>'} ${min}${upTo}, got ${v}`);
  }
  return v;
}

function count(/** @type {string} */ name, /** @type {unknown} */ v) {
  if (typeof v !== 'number') throw new TypeError(`${name}: expected a number, got ${describe(v)}`);
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name}: expected a whole number >= 0, got ${v}`);
  return v;
}

/** Whole milliseconds (or seconds), rounded up, as the core's format_retry_hint. */
const whole = (/** @type {number} */ v) => Math.max(0, Math.ceil(v));

function describe(/** @type {unknown} */ v) {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'undefined' || typeof v === 'bigint') return String(v);
  if (typeof v === 'function') return 'a function';
  return Array.isArray(v) ? 'an array' : `an object (${Object.prototype.toString.call(v).slice(8, -1)})`;
}
