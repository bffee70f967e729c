// Restarts that clients can plan for: the retry hint of a 1012/1013 close (the reason text the
// core parses, src/lifeline/hint.hpp), closing every client of a `ws` server with one, and the 503
// (with Retry-After) that answers upgrades while the server is not ready. The key names, the codes,
// the headrooms and the clients' defaults (reconnectDelay, maxHintDelay) come from the contract
// (contract-data.js, printed from the C++ at build time), so this file and the core cannot
// disagree on them; it does not load the core.
import { CONTRACT } from '../contract-data.js';

const HINT = CONTRACT.hint;
const CLIENT_DEFAULTS = Object.fromEntries(CONTRACT.fields.map((/** @type {any} */ f) => [f.js, f.default]));
const REASON_BYTES = 123; // a close frame's reason, at most (RFC 6455, 5.5)
const OPEN = 1; // WebSocket readyState
const MAX_MS = 10 ** HINT.maxDigits - 1; // the longest value a hint can carry (clients read at most maxDigits digits)
const MAX_SECONDS = Math.floor(MAX_MS / 1000); // a Retry-After the clients read as a hint's value

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
  const retryAfter = whole(number('retryAfter', hint.retryAfter, 0, true, MAX_MS));
  const window = whole(number('window', hint.window, 0, true, MAX_MS));
  return `${HINT.retryAfterKey}=${retryAfter} ${HINT.windowKey}=${window}`;
}

/**
 * One hint for all `clients` clients of a server that is back `downtimeMs` from now and then
 * accepts `acceptPerSecond` new connections a second, for a server that cannot tell its clients
 * apart: the core's restart_hint (window = clients / rate x 1000 x the contract's sharedHeadroom),
 * in whole ms rounded up. It starts at the later of `downtimeMs` and the clients' `reconnectDelay`
 * (they never come sooner: a hint starting sooner would bunch them there). Independent draws
 * bunch, hence the headroom; restartSlotHint() spreads evenly and needs less. A window reaching
 * past the clients' maxHintDelay is shortened to fit (capped: true).
 * @param {{ clients: number, acceptPerSecond: number, downtimeMs?: number, maxHintDelay?: number, reconnectDelay?: number }} options
 */
export function restartHint(options) {
  checkObject('restartHint', options, ['clients', 'acceptPerSecond', 'downtimeMs', 'maxHintDelay', 'reconnectDelay']);
  const clients = count('clients', options.clients);
  const { rate, start, cap } = plan(options);
  const retryAfter = whole(start);
  const wanted = whole((clients / rate) * 1000 * HINT.sharedHeadroom);
  const room = Math.max(0, cap - retryAfter);
  const window = Math.min(wanted, room);
  return { retryAfter, window, reason: formatRetryHint({ retryAfter, window }), capped: window < wanted };
}

/**
 * The hint for the `index`-th (0-based) of `clients` clients: the core's restart_slot_hint, a
 * slot of its own, retry-after = start + index x slot and window = slot, slot = the contract's
 * headroom / rate (whole ms, rounded up), start = the later of `downtimeMs` and the clients'
 * `reconnectDelay`. Clients come back evenly spaced, at the rate the server gave. When the last
 * slot would end past the clients' maxHintDelay, the slots are narrowed to fit (capped: true).
 * @param {{ index: number, clients: number, acceptPerSecond: number, downtimeMs?: number, maxHintDelay?: number, reconnectDelay?: number }} options
 */
export function restartSlotHint(options) {
  checkObject('restartSlotHint', options, ['index', 'clients', 'acceptPerSecond', 'downtimeMs', 'maxHintDelay', 'reconnectDelay']);
  const clients = count('clients', options.clients);
  const index = count('index', options.index);
  if (!(index < clients)) throw new RangeError(`index: expected less than clients (${clients}), got ${index}`);
  return slotHint(index, clients, plan(options));
}

/** @param {number} index @param {number} clients @param {{ rate: number, start: number, cap: number }} plan */
function slotHint(index, clients, { rate, start, cap }) {
  const wanted = (HINT.headroom / rate) * 1000;
  // Narrowed to fit: 2 ms kept for the rounding up of each client's retry-after and window.
  const slot = Math.max(0, Math.min(wanted, (cap - start - 2) / clients));
  const retryAfter = whole(start + index * slot);
  const window = whole(slot);
  return { retryAfter, window, reason: formatRetryHint({ retryAfter, window }), capped: slot < wanted };
}

/**
 * The rate, the start (the later of downtimeMs and the clients' reconnectDelay) and the clients'
 * cap (their maxHintDelay, and at most the hint's digits) that both hints share, checked.
 */
function plan(/** @type {any} */ options) {
  const rate = number('acceptPerSecond', options.acceptPerSecond, 0, false);
  const downtime = number('downtimeMs', options.downtimeMs ?? 0, 0, true, MAX_MS);
  const floor = number('reconnectDelay', options.reconnectDelay ?? CLIENT_DEFAULTS.reconnectDelay, 0, true, MAX_MS);
  const maxHintDelay = number('maxHintDelay', options.maxHintDelay ?? CLIENT_DEFAULTS.maxHintDelay, 1);
  for (const [name, v] of /** @type {const} */ ([['downtimeMs', downtime], ['reconnectDelay', floor]])) {
    if (!(v < maxHintDelay)) {
      throw new RangeError(
        `${name}: expected less than maxHintDelay (${maxHintDelay}: clients would fit the whole hint into less than the ${name === 'downtimeMs' ? 'downtime' : 'delay they wait anyway'}), got ${v}` +
          (name === 'reconnectDelay' && options.reconnectDelay === undefined
            ? ' (the clients\' default reconnectDelay: pass reconnectDelay and maxHintDelay as your clients have them)'
            : ''),
      );
    }
  }
  return { rate, start: Math.max(downtime, floor), cap: Math.min(Math.floor(maxHintDelay), MAX_MS) };
}

/**
 * Closes every open client of a `ws` WebSocketServer (or of an iterable of its WebSockets) with
 * `code` (1012 by default) and a retry hint in the reason. `spread: 'slots'` (the default) gives
 * each client a slot of its own (restartSlotHint), slot `offset + i` of `clients`: they come back
 * evenly at `acceptPerSecond`; `'shared'` gives all one reason (restartHint). Nothing is closed
 * when an argument is wrong. A socket whose close() throws is reported in `failed`, and the others
 * are closed all the same. Returns what was sent: the first client's reason, its retry-after and
 * window, and `until`, when the last client's window ends (ms from now); with no open socket,
 * nothing is sent: reason '', window 0, retryAfter and until the start.
 * @param {any} server a WebSocketServer (clientTracking on: its `clients`) or an iterable of WebSockets
 * @param {{ acceptPerSecond: number, downtimeMs?: number, maxHintDelay?: number, reconnectDelay?: number, code?: number, prefix?: string, clients?: number, offset?: number, spread?: 'slots' | 'shared' }} options
 */
export function closeForRestart(server, options) {
  const sockets = socketsOf(server);
  checkObject('closeForRestart', options, ['acceptPerSecond', 'downtimeMs', 'maxHintDelay', 'reconnectDelay', 'code', 'prefix', 'clients', 'offset', 'spread']);
  const code = options.code ?? HINT_CODES[0];
  if (!HINT_CODES.includes(code)) {
    throw new RangeError(`code: expected one of ${HINT_CODES.join(', ')} (the codes whose reason clients read), got ${describe(code)}`);
  }
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string') throw new TypeError(`prefix: expected a string, got ${describe(prefix)}`);
  const spread = options.spread ?? 'slots';
  if (spread !== 'slots' && spread !== 'shared') throw new RangeError(`spread: expected 'slots' or 'shared', got ${describe(spread)}`);
  const planned = plan(options);
  /** @type {any[]} */
  const open = [];
  for (const socket of sockets) if (socket && socket.readyState === OPEN) open.push(socket);
  const clients = options.clients === undefined ? open.length : count('clients', options.clients);
  if (clients < open.length) {
    throw new RangeError(
      `clients: expected a whole number >= ${open.length} (the open sockets: each needs a slot of its own; with several processes, the whole fleet), got ${clients}`,
    );
  }
  const offset = options.offset === undefined ? 0 : count('offset', options.offset);
  if (offset > clients - open.length) {
    throw new RangeError(`offset: expected at most clients - the open sockets (${clients - open.length}), got ${offset}`);
  }
  if (open.length === 0) {
    const start = whole(planned.start);
    return { code, spread, reason: '', retryAfter: start, window: 0, until: start, capped: false, clients: 0, failed: [] };
  }
  const shared = spread === 'shared' ? restartHint({ clients, acceptPerSecond: options.acceptPerSecond, downtimeMs: options.downtimeMs, maxHintDelay: options.maxHintDelay, reconnectDelay: options.reconnectDelay }) : null;
  const hintFor = (/** @type {number} */ i) => shared ?? slotHint(offset + i, clients, planned);
  // The hint last: a token of the prefix that looks like a key is overridden by it.
  const reasonOf = (/** @type {string} */ hint) => (prefix === '' ? hint : `${prefix} ${hint}`);
  const first = hintFor(0);
  const last = hintFor(open.length - 1);
  const longest = reasonOf(last.reason); // the last slot's retry-after has the most digits
  const bytes = new TextEncoder().encode(longest).length;
  if (bytes > REASON_BYTES) {
    throw new RangeError(`prefix: the reason "${longest}" is ${bytes} bytes of UTF-8, over a close frame's ${REASON_BYTES}: shorten the prefix`);
  }
  // Every socket is closed, whatever one of them throws: the restart must not leave clients
  // without their hint because another socket's close() failed.
  /** @type {{ index: number, socket: any, error: unknown }[]} */
  const failed = [];
  open.forEach((socket, i) => {
    try {
      socket.close(code, reasonOf(hintFor(i).reason));
    } catch (error) {
      failed.push({ index: i, socket, error });
    }
  });
  return {
    code,
    spread,
    reason: reasonOf(first.reason),
    retryAfter: first.retryAfter,
    window: first.window,
    until: last.retryAfter + last.window,
    capped: first.capped || last.capped,
    clients: open.length,
    failed,
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
  // At most what a hint can say (its 10 digits of ms): a larger number would be written as
  // "1e+21", which is not delay-seconds.
  const seconds = whole(number('retryAfterSeconds', options.retryAfterSeconds, 0, true, MAX_SECONDS));
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
