// The Lifeline class: a WebSocket that notices when its link is dead and comes back.
// It owns the clock, the one timer and the sockets; the WebAssembly core decides everything else.
// Per inbound data message there is no call into the core: arrival times are kept here and
// reported (handle_activity) just before the next core call.
import { Emitter, reportLater } from './events.js';
import { core as loadedCore, defaultWebSocket } from './loader.js';
import { checkPongAndBinaryType, checkUrl, coreConfig, describe, globalObject, isBinary, resolveOptions } from './options.js';
import { defaultPlatform, defaultTransport, runtimeDefaults } from './runtime.js';
import { webSocketTransport } from './transports/websocket.js';

/**
 * @typedef {(url: string, protocols: string[] | undefined, handlers: TransportHandlers, binaryType: string) => TransportSocket} Transport
 * @typedef {{ open(): void, message(data: any): void, error(detail: any): void, close(code: number, reason: string, wasClean: boolean): void }} TransportHandlers
 * @typedef {{ send(data: any): void, close(code: number, reason: string, abandon: boolean): void, readonly bufferedAmount: number, readonly protocol: string, readonly extensions: string }} TransportSocket
 * @typedef {{ initial?(): { online?: boolean, foreground?: boolean }, subscribe(h: { network(online: boolean): void, foreground(shown: boolean): void }): () => void }} Platform
 */

// lifeline::OutputKind
const OPEN_SOCKET = 0;
const SEND_PING = 1;
const SEND_PONG = 2;
const CLOSE_SOCKET = 3;
const FLUSH_QUEUE = 4;
const OPENED = 5;
const CLOSED = 6;
const RECONNECTING = 7;
const GAVE_UP = 8;
const HEARTBEAT = 9;
const STATE_CHANGED = 10;

/** lifeline::State, by number */
export const STATES = ['idle', 'connecting', 'open', 'backoff', 'paused', 'gave-up', 'closed'];
/** lifeline::CloseCause, by number */
export const CAUSES = ['explicit', 'remote', 'error', 'pong-timeout', 'connect-timeout', 'forced', 'final'];
const CAUSE_EXPLICIT = 0;
const CAUSE_REMOTE = 1;
const CAUSE_FORCED = 5;
const CAUSE_FINAL = 6;

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED_STATE = 3;

// What _write did with a message.
const SENT = 0;
const NOT_OPEN = 1;
const REFUSED = 2;

// Browsers cap setTimeout at 2^31-1 ms; a longer wait wakes early and re-arms (harmless).
const MAX_TIMER = 2147483647;

// A Lifeline dropped without close(), once nothing holds it (no socket and no timer: it gave
// up), still frees its core and its platform listeners.
const registry =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry((/** @type {{ core: any, unsubscribe: () => void }} */ held) => {
        held.unsubscribe();
        try {
          held.core.delete();
        } catch {
          // already deleted
        }
      })
    : null;
const weakRef = (/** @type {object} */ target) =>
  typeof WeakRef === 'function' ? new WeakRef(target) : { deref: () => target };

export class Lifeline extends Emitter {
  /**
   * @param {string | URL | ((info: { attempt: number }) => string | URL | Promise<string | URL>)} url
   * @param {import('./index.js').LifelineOptions} [options]
   */
  constructor(url, options) {
    super();
    const mod = loadedCore();
    if (typeof url !== 'function') url = checkUrl(url);
    const o = resolveOptions(options, mod, runtimeDefaults);
    this._urlSource = url;
    this._url = typeof url === 'string' ? url : '';
    this._o = o;
    this._clock = o.clock ?? defaultClock();
    this._timers = o.timers ?? {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (t) => clearTimeout(t),
    };
    let transport = o.transport ?? (o.WebSocket ? undefined : defaultTransport?.());
    if (!transport) {
      const WebSocketImpl = o.WebSocket ?? defaultWebSocket();
      if (typeof WebSocketImpl !== 'function') {
        throw new TypeError(
          'options.WebSocket: no WebSocket implementation here; pass one (e.g. `WebSocket` from the "ws" package) or install "ws" and call `await init()`',
        );
      }
      transport = webSocketTransport(WebSocketImpl);
    }
    this._transport = transport;
    this._isPong = o.isPong ?? equalsMessage(o.pongMessage);
    this._protocols = o.protocols === undefined ? undefined : [].concat(o.protocols);
    this._binaryType = o.binaryType;

    this._core = new mod.Core(coreConfig({ ...o, seed: o.seed ?? Math.floor(Math.random() * 2 ** 32) }));
    this._held = { core: this._core, unsubscribe: () => {} };
    registry?.register(this, this._held, this);
    /** @type {any} */
    this._finalStats = null;
    this._state = 'idle';
    this._readyState = CONNECTING;
    /** @type {TransportSocket | null} */
    this._socket = null;
    this._socketId = 0; // the live socket's generation, 0 if none
    this._lastActivity = -Infinity; // latest inbound data on the live socket
    this._reportedActivity = -Infinity; // what the core has been told
    this._sentSinceLife = 0; // sent on the live socket since its last sign of life
    this._remoteClose = { code: 1006, reason: '' };
    this._closeReason = '';
    this._closedByApp = false;
    /** @type {Array<{ data: any, bytes: number }>} */
    this._queue = [];
    this._queuedBytes = 0;
    this._counters = { messagesSent: 0, messagesReceived: 0, dropped: 0, maybeLost: 0 };
    this._timer = null;
    this._timerAt = Infinity;
    this._deadline = Infinity;
    this._draining = false;
    /** @type {{ id: number, error: unknown } | null} an attempt's failure, reported by the timer */
    this._deferredFailure = null;
    /** @type {Platform | null} */
    this._platform = o.platform === undefined ? defaultPlatform : o.platform;
    this._unsubscribe = () => {};

    // Like a WebSocket, it starts connecting by itself; a microtask later, so that listeners
    // attached right after construction see every event.
    Promise.resolve().then(() => this._start());
  }

  _start() {
    if (this._closedByApp || !this._core) return;
    const now = this._now();
    if (this._platform) {
      const initial = this._platform.initial?.() ?? {};
      if (initial.online === false) this._core.network(false, now);
      if (initial.foreground === false) this._core.foreground(false, now);
      // The platform's listeners must not keep a dropped Lifeline alive: they hold it weakly.
      const self = weakRef(this);
      const unsubscribe = this._platform.subscribe({
        network: (online) => self.deref()?._input((c, t) => c.network(!!online, t)),
        foreground: (shown) => self.deref()?._input((c, t) => c.foreground(!!shown, t)),
      });
      this._unsubscribe = typeof unsubscribe === 'function' ? unsubscribe : () => {};
      this._held.unsubscribe = this._unsubscribe;
    }
    this._core.open(now);
    this._drain();
  }

  // --- WebSocket-compatible surface -------------------------------------------------------------

  get readyState() {
    return this._readyState;
  }
  get url() {
    return this._url;
  }
  get protocol() {
    return this._socket?.protocol ?? '';
  }
  get extensions() {
    return this._socket?.extensions ?? '';
  }
  get bufferedAmount() {
    return (this._socket?.bufferedAmount ?? 0) + this._queuedBytes;
  }
  get binaryType() {
    return this._binaryType;
  }
  set binaryType(value) {
    if (value !== 'blob' && value !== 'arraybuffer') {
      throw new TypeError(`binaryType: expected "blob" or "arraybuffer", got ${describe(value)}`);
    }
    checkPongAndBinaryType(this._o, value);
    this._binaryType = value;
    this._socket?.setBinaryType?.(value);
  }

  /**
   * Sends now when open; otherwise queues (bounded by maxQueued and maxQueuedBytes) and sends in
   * order on the next open. Returns false when the message was not accepted (a 'drop' event
   * carries it).
   * @param {string | ArrayBuffer | ArrayBufferView | Blob} data
   */
  send(data) {
    if (typeof data !== 'string' && !isBinary(data)) {
      throw new TypeError(`send: expected a string, ArrayBuffer, typed array, DataView or Blob, got ${describe(data)}`);
    }
    // A deadline that is already due is handled first: the link may be known dead by now.
    if (this._core && this._now() >= this._deadline) this._input((c, t) => c.timeout(t));
    if (this._state === 'closed' || this._closedByApp) {
      this._drop(data, 'closed');
      return false;
    }
    if (this._state === 'open' && this._socket && this._queue.length === 0) {
      const written = this._write(data);
      if (written === SENT) return true;
      if (written === REFUSED) return false;
    }
    return this._enqueue(data);
  }

  /**
   * Final: closes the socket and cancels any reconnect.
   * @param {number} [code] 1000 or 3000-4999
   * @param {string} [reason] at most 123 bytes of UTF-8
   */
  close(code, reason) {
    if (code !== undefined && !(Number.isInteger(code) && (code === 1000 || (code >= 3000 && code <= 4999)))) {
      throw new RangeError(`close: code must be 1000 or a whole number from 3000 to 4999, got ${describe(code)}`);
    }
    if (reason !== undefined && typeof reason !== 'string') {
      throw new TypeError(`close: reason must be a string, got ${describe(reason)}`);
    }
    if (reason !== undefined && utf8Length(reason) > 123) {
      throw new RangeError('close: reason must be at most 123 bytes of UTF-8');
    }
    if (this._closedByApp || this._state === 'closed') return;
    this._closedByApp = true;
    this._closeReason = reason ?? '';
    const c = code ?? 1000;
    if (this._state === 'idle') {
      // Closed before it started: no socket existed, but the app still hears the close.
      this._state = 'closed';
      this._readyState = CLOSED_STATE;
      this._emit('close', { code: c, reason: this._closeReason, wasClean: true, willReconnect: false, cause: 'explicit' });
      this._dispose();
      return;
    }
    // Inside a listener the close takes effect once the current event is done: until then the
    // socket is CLOSING (and send() drops).
    if (this._draining) this._readyState = CLOSING;
    this._input((core, t) => core.close(t, c));
  }

  /** A fresh attempt now, whatever the backoff; also restarts after 'giveup'. False after close(). */
  reconnect() {
    if (!this._core || this._closedByApp) return false;
    let result = 1;
    this._input((c, t) => {
      result = c.reconnect(t);
    });
    return result === 0;
  }

  /** 'idle' | 'connecting' | 'open' | 'backoff' | 'paused' | 'gave-up' | 'closed' */
  get state() {
    return this._state;
  }

  get stats() {
    const s = this._core ? this._core.stats() : this._finalStats;
    return {
      attempts: s.attempts,
      connects: s.connects,
      pingsSent: s.pingsSent,
      pongsReceived: s.pongsReceived,
      deadLinks: s.deadLinks,
      lateTimers: s.lateTimers,
      retries: s.retries,
      lastRtt: s.lastRtt < 0 ? null : s.lastRtt,
      state: this._state,
      ...this._counters,
      queued: this._queue.length,
      queuedBytes: this._queuedBytes,
    };
  }

  // --- driving the core ---------------------------------------------------------------------------

  _now() {
    return this._clock();
  }

  /** Feeds one input to the core (after the batched activity), then carries out what follows. */
  _input(/** @type {(core: any, now: number) => void} */ fn) {
    if (!this._core) return;
    const now = this._now();
    if (this._socketId !== 0 && this._lastActivity > this._reportedActivity) {
      this._core.activity(this._socketId, this._lastActivity);
      this._reportedActivity = this._lastActivity;
    }
    fn(this._core, now);
    this._drain();
  }

  _drain() {
    // Re-entrant calls (an event listener that sends or closes) only feed the core; the outer
    // loop polls what they produced, in order.
    if (this._draining || !this._core) return;
    this._draining = true;
    try {
      for (let out = this._core.poll(); out.kind >= 0; out = this._core.poll()) {
        this._carryOut(out);
        if (!this._core) break;
      }
    } finally {
      this._draining = false;
    }
    if (this._state === 'closed') this._dispose();
    else this._arm();
  }

  _arm() {
    const deadline = this._deferredFailure ? this._now() : this._core.pollTimeout();
    this._deadline = deadline;
    if (deadline === this._timerAt) return;
    if (this._timer !== null) this._timers.clearTimeout(this._timer);
    this._timer = null;
    this._timerAt = deadline;
    if (deadline === Infinity) return;
    const delay = Math.min(MAX_TIMER, Math.max(0, deadline - this._now()));
    this._timer = this._timers.setTimeout(() => {
      this._timer = null;
      this._timerAt = Infinity;
      const failure = this._deferredFailure;
      this._deferredFailure = null;
      if (failure && failure.id === this._socketId) this._attemptFailed(failure.id, failure.error);
      else this._input((c, t) => c.timeout(t)); // (early is harmless: it re-arms)
    }, delay);
  }

  _dispose() {
    if (this._timer !== null) this._timers.clearTimeout(this._timer);
    this._timer = null;
    this._timerAt = this._deadline = Infinity;
    this._unsubscribe();
    this._unsubscribe = () => {};
    for (const { data } of this._queue.splice(0)) this._drop(data, 'closed');
    this._queuedBytes = 0;
    if (this._core) {
      this._finalStats = this._core.stats();
      registry?.unregister(this);
      this._core.delete();
      this._core = null;
    }
  }

  /** @param {any} out */
  _carryOut(out) {
    switch (out.kind) {
      case OPEN_SOCKET:
        this._openSocket(out.socket, out.attempt);
        break;
      case SEND_PING:
        if (out.socket === this._socketId) this._sendControl(this._o.pingMessage);
        break;
      case SEND_PONG:
        if (out.socket === this._socketId) this._sendControl(this._o.pongReply);
        break;
      case CLOSE_SOCKET:
        if (out.socket === this._socketId) {
          const socket = this._socket;
          // A dead link gets no closing handshake (abandon); the app's close and reconnect() do,
          // and what was sent before them is delivered by it.
          const handshake = out.cause === CAUSE_EXPLICIT || out.cause === CAUSE_FORCED;
          if (!handshake) this._counters.maybeLost += this._sentSinceLife;
          this._socket = null;
          this._socketId = 0;
          const reason = out.cause === CAUSE_EXPLICIT ? this._closeReason : CAUSES[out.cause];
          try {
            socket?.close(out.code, reason, !handshake);
          } catch {
            // the core has already moved on from this socket; a failing close changes nothing
          }
        }
        break;
      case FLUSH_QUEUE:
        if (out.socket === this._socketId) this._flush();
        break;
      case OPENED:
        this._emit('open', {});
        break;
      case CLOSED: {
        if (out.socket !== 0 && out.socket === this._socketId) {
          this._socket = null;
          this._socketId = 0;
        }
        const remote = out.cause === CAUSE_REMOTE || out.cause === CAUSE_FINAL;
        const reason = remote
          ? this._remoteClose.reason
          : out.cause === CAUSE_EXPLICIT
            ? this._closeReason
            : CAUSES[out.cause];
        this._emit('close', {
          code: out.code,
          reason,
          wasClean: out.wasClean,
          willReconnect: out.willReconnect,
          cause: CAUSES[out.cause],
        });
        break;
      }
      case RECONNECTING:
        // Announced before a listener of this very close called close(): it will not happen.
        if (!this._closedByApp) this._emit('reconnecting', { attempt: out.attempt, delay: out.value });
        break;
      case GAVE_UP:
        this._emit('giveup', { attempts: out.attempt });
        break;
      case HEARTBEAT:
        this._emit('heartbeat', { rtt: out.value });
        break;
      case STATE_CHANGED: {
        const from = STATES[out.from];
        this._state = STATES[out.to];
        this._readyState =
          this._state === 'open' ? OPEN : this._state === 'closed' || this._state === 'gave-up' ? CLOSED_STATE : CONNECTING;
        this._emit('statechange', { from, to: this._state });
        break;
      }
    }
  }

  _openSocket(id, attempt) {
    this._socketId = id;
    this._socket = null;
    this._lastActivity = this._reportedActivity = -Infinity;
    this._sentSinceLife = 0;
    let url = this._urlSource;
    if (typeof url === 'function') {
      try {
        url = url({ attempt });
      } catch (error) {
        this._attemptFailedLater(id, error);
        return;
      }
      if (url && typeof (/** @type {any} */ (url).then) === 'function') {
        /** @type {Promise<any>} */ (url).then(
          (u) => this._connect(id, u),
          (error) => this._attemptFailed(id, error),
        );
        return;
      }
    }
    this._connect(id, url);
  }

  _connect(id, url) {
    if (id !== this._socketId || !this._core) return; // abandoned while the URL was on its way
    // A transport may report open or failure before it returns: hold the outputs until the
    // socket is known, so that they act on it (this runs outside the drain loop when the URL
    // came from a promise).
    const outer = this._draining;
    this._draining = true;
    try {
      this._url = checkUrl(url, 'url()');
      const socket = this._transport(this._url, this._protocols, this._handlers(id), this._binaryType);
      if (id === this._socketId) this._socket = socket;
      else socket.close(1000, 'abandoned', true); // it failed while being created
    } catch (error) {
      this._draining = outer;
      this._attemptFailedLater(id, error);
      return;
    }
    this._draining = outer;
    if (!outer) this._drain();
  }

  /** A failure found while the attempt was being made: reported from a task of its own, so that
   * an attempt that fails at once with no delay (reconnectDelay 0) cannot loop synchronously. */
  _attemptFailedLater(id, error) {
    this._deferredFailure = { id, error }; // the one timer fires for it at once (_arm)
    if (!this._draining) this._arm();
  }

  _attemptFailed(id, error) {
    if (id !== this._socketId) return;
    this._emit('error', { error, message: error instanceof Error ? error.message : String(error) });
    this._input((c, t) => c.error(id, t));
  }

  /** @returns {TransportHandlers} */
  _handlers(id) {
    return {
      open: () => {
        if (id === this._socketId) this._input((c, t) => c.opened(id, t));
      },
      message: (data) => {
        if (id !== this._socketId) return;
        const now = this._now();
        this._sentSinceLife = 0;
        if (this._isPong(data)) {
          this._input((c) => c.pong(id, now));
        } else if (this._o.isServerPing?.(data)) {
          this._input((c) => c.serverPing(id, now));
        } else {
          this._lastActivity = now;
          this._counters.messagesReceived++;
          this._emit('message', { data });
        }
      },
      error: (detail) => {
        if (id !== this._socketId) return;
        this._emit('error', { error: detail, message: typeof detail === 'string' ? detail : (detail?.message ?? 'error') });
        if (id === this._socketId) this._input((c, t) => c.error(id, t));
      },
      close: (code, reason, wasClean) => {
        if (id !== this._socketId) return;
        this._remoteClose = { code: code ?? 1006, reason: reason ?? '' };
        if (!wasClean) this._counters.maybeLost += this._sentSinceLife;
        let allowed = true;
        if (this._o.shouldReconnect) {
          try {
            allowed = !!this._o.shouldReconnect({ code: code ?? 1006, reason: reason ?? '', wasClean: !!wasClean });
          } catch (error) {
            reportLater(error); // a broken predicate must not strand the client
          }
        }
        this._input((c, t) => c.closed(id, t, code ?? 1006, !!wasClean, allowed));
      },
    };
  }

  _sendControl(message) {
    let data;
    try {
      data = typeof message === 'function' ? message() : message;
    } catch (error) {
      reportLater(error); // the app's pingMessage/pongReply function is broken: say so
      return;
    }
    try {
      this._socket?.send(data);
    } catch {
      // A ping that cannot be written is judged by its deadline like any unanswered ping.
    }
  }

  /**
   * Writes one message: SENT; NOT_OPEN (the socket cannot take it now: keep it for the next
   * connection); REFUSED (the transport rejected this message: it was dropped with an event).
   */
  _write(data) {
    try {
      if (/** @type {TransportSocket} */ (this._socket).send(data) === false) return NOT_OPEN;
    } catch (error) {
      this._drop(data, 'refused', error);
      return REFUSED;
    }
    this._counters.messagesSent++;
    this._sentSinceLife++;
    return SENT;
  }

  _enqueue(data) {
    const bytes = byteLength(data);
    if (this._queue.length + 1 > this._o.maxQueued || this._queuedBytes + bytes > this._o.maxQueuedBytes) {
      this._drop(data, 'queue-full');
      return false;
    }
    this._queue.push({ data, bytes });
    this._queuedBytes += bytes;
    if (this._state === 'open' && this._socket) this._flush();
    return true;
  }

  _flush() {
    while (this._queue.length > 0 && this._socket) {
      const item = this._queue[0];
      if (this._write(item.data) === NOT_OPEN) break;
      this._queue.shift();
      this._queuedBytes -= item.bytes;
    }
  }

  _drop(data, reason, error) {
    this._counters.dropped++;
    this._emit('drop', error === undefined ? { data, reason } : { data, reason, error });
  }
}

for (const [name, value] of /** @type {const} */ ([
  ['CONNECTING', CONNECTING],
  ['OPEN', OPEN],
  ['CLOSING', CLOSING],
  ['CLOSED', CLOSED_STATE],
])) {
  Object.defineProperty(Lifeline, name, { value, enumerable: true });
  Object.defineProperty(Lifeline.prototype, name, { value, enumerable: true });
}

function defaultClock() {
  const perf = globalObject().performance;
  return perf && typeof perf.now === 'function' ? () => perf.now() : () => Date.now();
}

/** @param {string | ArrayBuffer | ArrayBufferView} expected */
function equalsMessage(expected) {
  if (typeof expected === 'string') return (/** @type {any} */ data) => data === expected;
  const want = toBytes(expected);
  return (/** @type {any} */ data) => {
    if (typeof data === 'string' || !(data instanceof ArrayBuffer || ArrayBuffer.isView(data))) return false;
    const got = toBytes(data);
    return got.length === want.length && got.every((b, i) => b === want[i]);
  };
}

/** @param {ArrayBuffer | ArrayBufferView} v */
function toBytes(v) {
  return v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/** @param {any} data */
function byteLength(data) {
  if (typeof data === 'string') return utf8Length(data);
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  return data.size ?? 0; // Blob
}

/** @param {string} s */
function utf8Length(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4; // a surrogate pair
      i++;
    } else n += 3; // includes a lone surrogate, sent as U+FFFD
  }
  return n;
}
