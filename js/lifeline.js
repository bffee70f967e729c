// The Lifeline class: a WebSocket that notices when its link is dead and comes back. This file is
// the API (the WebSocket-style surface and its events) and carries out the core's outputs; the
// driver (driver.js) feeds the core and arms its timer; the outbox (outbox.js) holds what the app
// sends. Every decision (when to attempt, which events the app sees, in which state) is the core's.
import { Emitter } from './events.js';
import { guardedClock, defaultClock } from './clock.js';
import { contract, coreStats, isAppCloseCode, readFrame, sentSeq, writeFrame, writeReason } from './contract.js';
import { Driver } from './driver.js';
import { core as loadedCore, defaultWebSocket } from './loader.js';
import { checkPongAndBinaryType, checkUrl, createCore, describe, isBinary, resolveOptions } from './options.js';
import { byteLength, Outbox, utf8Length } from './outbox.js';
import { Kept } from './resume.js';
import { defaultPlatform, defaultTransport, runtimeDefaults } from './runtime.js';
import { webSocketTransport } from './transports/websocket.js';

/**
 * @typedef {(url: string, protocols: string[] | undefined, handlers: TransportHandlers, binaryType: string) => TransportSocket} Transport
 * @typedef {{ open(): void, message(data: any): void, error(detail: any, retryAfter?: number): void, close(code: number, reason: string, wasClean: boolean): void, activity?(batch?: boolean): void, activityDone?(): void }} TransportHandlers
 * @typedef {{ send(data: any): boolean | void, close(code: number, reason: string, abandon: boolean): void, readonly bufferedAmount: number, readonly protocol: string, readonly extensions: string, setBinaryType?(type: string): void }} TransportSocket
 * @typedef {{ initial?(): { online?: boolean, foreground?: boolean }, subscribe(h: { network(online: boolean): void, foreground(shown: boolean): void }): () => void }} Platform
 */

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2; // never reported: close() is final at once (see readyState)
const CLOSED = 3;

const platformTimers = {
  setTimeout: (/** @type {() => void} */ fn, /** @type {number} */ ms) => setTimeout(fn, ms),
  clearTimeout: (/** @type {any} */ t) => clearTimeout(t),
};

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
    const c = contract();
    if (typeof url !== 'function') url = checkUrl(url);
    const o = resolveOptions(options, runtimeDefaults);
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
    const core = createCore(mod, o); // last: nothing after it may throw and leak the core

    this._c = c;
    this._urlSource = url;
    this._url = typeof url === 'string' ? url : '';
    this._o = o;
    this._transport = transport;
    this._isPong = o.isPong ?? equalsMessage(o.pongMessage);
    this._protocols = o.protocols === undefined ? undefined : [].concat(o.protocols);
    this._binaryType = o.binaryType;
    /** @type {TransportSocket | null} */
    this._socket = null;
    this._creating = 0; // the socket id whose transport call is under way
    this._remoteClose = { code: c.codes.abnormal, reason: '' };
    this._closeReason = '';
    this._finalStats = null;
    this._outbox = new Outbox(o, (data, reason, error) =>
      this._emit('drop', error === undefined ? { data, reason } : { data, reason, error }),
    );
    // Resume: the session's payloads, oldest first; the outbox's queue is not used.
    this._kept = o.resume ? new Kept() : null;
    /** @type {Array<{ next: number, last: number, socket: number }>} resume: seqs to write, in order */
    this._toWrite = [];
    this._writing = false;
    const report = (/** @type {Error} */ error) => this._reportLater(error);
    this._driver = new Driver(
      core,
      {
        clock: o.clock ? guardedClock(o.clock, report) : defaultClock(),
        timers: o.timers ?? platformTimers,
        fallbackTimers: platformTimers,
        closedState: c.state.closed,
      },
      { carryOut: (out) => this._carryOut(out), closed: () => this._dispose(), error: report },
    );
    this._held = { core, unsubscribe: () => {} };
    registry?.register(this, this._held, this);
    /** @type {Platform | null} */
    this._platform = o.platform === undefined ? defaultPlatform : o.platform;
    this._unsubscribe = () => {};

    // Like a WebSocket, it starts connecting by itself; a microtask later, so that listeners
    // attached right after construction see every event.
    Promise.resolve().then(() => this._start());
  }

  _start() {
    const d = this._driver;
    if (!d.core || d.state !== this._c.state.idle) return; // closed before it started
    if (this._platform) {
      let initial = {};
      try {
        initial = this._platform.initial?.() ?? {};
      } catch (error) {
        this._report('options.platform.initial', error);
      }
      if (initial.online === false) d.input((core, t) => core.network(false, t));
      if (initial.foreground === false) d.input((core, t) => core.foreground(false, t));
      // The platform's listeners must not keep a dropped Lifeline alive: they hold it weakly.
      const self = weakRef(this);
      try {
        const unsubscribe = this._platform.subscribe({
          network: (online) => self.deref()?._driver.input((core, t) => core.network(!!online, t)),
          foreground: (shown) => self.deref()?._driver.input((core, t) => core.foreground(!!shown, t)),
        });
        this._unsubscribe = typeof unsubscribe === 'function' ? unsubscribe : () => {};
      } catch (error) {
        this._report('options.platform.subscribe', error);
      }
      this._held.unsubscribe = this._unsubscribe;
      if (!d.core) return; // closed by a listener of those reports
    }
    d.input((core, t) => core.open(t));
  }

  // --- WebSocket-compatible surface -------------------------------------------------------------

  /** Derived from the core's state: open 1; gave-up and closed 3; any other 0. */
  get readyState() {
    const s = this._driver.state;
    const { state } = this._c;
    return s === state.open ? OPEN : s === state.closed || s === state['gave-up'] ? CLOSED : CONNECTING;
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
    return (this._socket?.bufferedAmount ?? 0) + (this._kept ? this._kept.heldBytes : this._outbox.queuedBytes);
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
    const d = this._driver;
    if (d.state === this._c.state.closed) {
      this._outbox.drop(data, 'closed');
      return false;
    }
    if (this._kept) return this._sendNumbered(data);
    if (d.core && d.clock() >= d.deadline) {
      // A deadline that is already due is handled first: the link may be known dead by now. The
      // message waits in the queue meanwhile, so that what listeners send during that step goes
      // behind it.
      if (!this._outbox.hold(data)) return false;
      d.input((core, t) => core.timeout(t));
      if (d.state === this._c.state.open && this._socket) this._outbox.flush(this._socket);
      return true;
    }
    return this._outbox.accept(data, d.state === this._c.state.open ? this._socket : null);
  }

  /** Resume: the core numbers the message and says whether it goes now or waits for the
   * session (a resend writes it); refused beyond maxQueued / maxQueuedBytes kept. */
  _sendNumbered(/** @type {any} */ data) {
    const d = this._driver;
    // A deadline already due is handled first: the link may be known dead by now.
    if (d.core && d.clock() >= d.deadline) d.input((core, t) => core.timeout(t));
    const { outcome: O } = this._c;
    const bytes = byteLength(data);
    let seq = 0;
    const outcome = d.input((core, t) => {
      const r = core.send(bytes, t);
      seq = sentSeq(); // before the outputs are polled: they reuse the record
      if (r === O.write || r === O.hold) this._kept?.add(seq, data, bytes);
      return r;
    });
    if (outcome === O.write) {
      this._writeNumbered(seq);
      return true;
    }
    if (outcome === O.hold) return true;
    this._outbox.drop(data, outcome === O.full ? 'queue-full' : 'closed');
    return false;
  }

  /** Writes kept messages first..last on `socket` (if it is still the live one), in order, after
   * whatever is already being written: a listener that sends from inside a write (a transport
   * that calls its handlers synchronously) must not overtake a resend. */
  _writeNumbered(/** @type {number} */ first, /** @type {number} */ last = first, socket = this._driver.socketId) {
    this._toWrite.push({ next: first, last, socket });
    if (this._writing) return;
    this._writing = true;
    try {
      while (this._toWrite.length > 0) {
        const run = this._toWrite[0];
        if (run.next > run.last) {
          this._toWrite.shift();
        } else if (run.socket !== this._driver.socketId || !this._writeKept(run.next++)) {
          this._toWrite.length = 0; // the socket is gone: the next handshake resends from there
        }
      }
    } finally {
      this._writing = false;
    }
  }

  /** One kept message on the live socket; false when the socket could not take it. */
  _writeKept(/** @type {number} */ seq) {
    const kept = /** @type {Kept} */ (this._kept);
    const item = kept.find(seq);
    if (!item) return true; // released meanwhile
    const { prefix, escape } = this._c.resume;
    const data = item.data;
    const wire = typeof data === 'string' && data.startsWith(prefix) ? escape + data : data;
    if (!this._writeFrame(wire, item)) return false;
    if (!item.written) this._outbox.counters.messagesSent++; // resends are not counted again
    kept.written(item);
    return true;
  }

  /** Writes on the live socket, or abandons it: the peer's count of what it got is known only
   * from the next handshake (which resends from there). The core hears of it before any listener
   * runs, so that nothing more is written on that socket. A message the transport refuses (its
   * send throws) cannot be taken out of the numbering: the session ends (expired, cause
   * 'explicit'), the message dropped with reason 'refused'.
   * @param {any} data
   * @param {import('./resume.js').KeptItem} [item] the kept message being written */
  _writeFrame(data, item) {
    const d = this._driver;
    const id = d.socketId;
    /** @type {unknown} */
    let failure = null;
    let threw = false;
    try {
      if (this._socket && this._socket.send(data) !== false) return true;
    } catch (error) {
      failure = error;
      threw = true;
    }
    if (id === 0 || id !== d.socketId) return false;
    d.input((core, t) => core.error(id, t));
    if (threw && item) {
      item.refused = { error: failure };
      d.input((core, t) => core.expire(t));
    }
    const detail = failure instanceof Error ? failure.message : threw ? String(failure) : 'the socket did not take a message';
    this._emit('error', { error: failure, message: `send: ${detail}` });
    return false;
  }

  /** Resume: an inbound message; the core counts it and says whether the app gets it. */
  _receiveNumbered(/** @type {number} */ id, /** @type {any} */ data, /** @type {number} */ now) {
    const d = this._driver;
    const { prefix, escape } = this._c.resume;
    const ok = this._c.result.ok;
    // The first character first: most texts are told apart without a startsWith.
    if (typeof data === 'string' && data.charCodeAt(0) === prefix.charCodeAt(0) && data.startsWith(prefix)) {
      if (d.input((core) => core.control(id, now, writeFrame(data), utf8Length(data))) === ok) this._deliver(data.slice(escape.length));
    } else if (d.input((core) => core.message(id, byteLength(data), now)) === ok) {
      this._deliver(data);
    }
  }

  _deliver(/** @type {any} */ data) {
    this._outbox.counters.messagesReceived++;
    this._emit('message', { data });
  }

  /**
   * Final: closes the socket and cancels any reconnect.
   * @param {number} [code] 1000 or 3000-4999
   * @param {string} [reason] at most 123 bytes of UTF-8
   */
  close(code, reason) {
    if (code !== undefined && !isAppCloseCode(code)) {
      const [normal, min, max] = this._c.appCloseCodes;
      throw new RangeError(`close: code must be ${normal} or a whole number from ${min} to ${max}, got ${describe(code)}`);
    }
    if (reason !== undefined && typeof reason !== 'string') {
      throw new TypeError(`close: reason must be a string, got ${describe(reason)}`);
    }
    if (reason !== undefined && utf8Length(reason) > 123) {
      throw new RangeError('close: reason must be at most 123 bytes of UTF-8');
    }
    const d = this._driver;
    if (!d.core || d.state === this._c.state.closed) return;
    this._closeReason = reason ?? '';
    d.input((core, t) => core.close(t, code ?? this._c.codes.normal));
  }

  /** A fresh attempt, whatever the backoff; also restarts after 'giveup'. False when there is
   * nothing to do: before the start, after close(), or while a fresh attempt is already due. */
  reconnect() {
    return this._driver.input((core, t) => core.reconnect(t)) === this._c.result.ok;
  }

  /** Resume: ends the session from this side (see the types). False when there is none. */
  expireSession() {
    if (!this._kept) return false;
    return this._driver.input((core, t) => core.expire(t)) === this._c.result.ok;
  }

  /** 'idle' | 'connecting' | 'open' | 'backoff' | 'paused' | 'gave-up' | 'closed' */
  get state() {
    return this._c.states[this._driver.state];
  }

  get stats() {
    const s = this._driver.core ? coreStats(this._driver.core) : this._finalStats;
    return {
      attempts: s.attempts,
      connects: s.connects,
      pingsSent: s.pingsSent,
      pongsReceived: s.pongsReceived,
      deadLinks: s.deadLinks,
      lateTimers: s.lateTimers,
      deadlineMisses: s.deadlineMisses,
      retries: s.retries,
      lastRtt: s.lastRtt < 0 ? null : s.lastRtt,
      smoothedRtt: s.smoothedRtt < 0 ? null : s.smoothedRtt,
      pongWait: s.pongWait,
      resumes: s.resumes,
      expiries: s.expiries,
      protocolErrors: s.protocolErrors,
      state: this.state,
      ...this._outbox.counters,
      // Resume: the messages kept for a resend (written and not yet acknowledged, or waiting).
      queued: this._kept ? this._kept.size : this._outbox.queued,
      queuedBytes: this._kept ? s.unackedBytes : this._outbox.queuedBytes,
    };
  }

  // --- carrying out the core's outputs ---------------------------------------------------------

  /** @param {any} out */
  _carryOut(out) {
    const { output: K, cause: C, causes } = this._c;
    const d = this._driver;
    switch (out.kind) {
      case K['open-socket']:
        this._openSocket(out.socket, out.attempt);
        break;
      case K['send-ping']:
        if (out.socket !== d.socketId) break;
        if (out.frame > 0) this._writeFrame(readFrame(out.frame)); // resume: the protocol's ping
        else this._sendControl('pingMessage');
        break;
      case K['send-pong']:
        if (out.socket === d.socketId) this._sendControl('pongReply');
        break;
      case K['close-socket']:
        if (out.socket === d.socketId) {
          const socket = this._socket;
          // A dead link gets no closing handshake (abandon); the app's close and reconnect() do,
          // and what was sent before them is delivered by it.
          // A protocol error is the server's: the link works, and 4010 tells it why.
          const handshake = out.cause === C.explicit || out.cause === C.forced || out.cause === C['protocol-error'];
          this._outbox.socketGone(handshake);
          this._socket = null;
          d.setSocket(0);
          const reason = out.cause === C.explicit ? this._closeReason : causes[out.cause];
          try {
            socket?.close(out.code, reason, !handshake);
          } catch {
            // the core has already moved on from this socket; a failing close changes nothing
          }
        }
        break;
      case K['flush-queue']:
        if (out.socket === d.socketId && this._socket) this._outbox.flush(this._socket);
        break;
      case K.opened:
        this._emit('open', {});
        break;
      case K.closed: {
        if (out.socket === d.socketId) {
          this._socket = null; // gone by itself (a remote close): nothing to close
          d.setSocket(0);
        }
        const remote = out.cause === C.remote || out.cause === C.final;
        const reason = remote ? this._remoteClose.reason : out.cause === C.explicit ? this._closeReason : causes[out.cause];
        this._emit('close', { code: out.code, reason, wasClean: out.wasClean === 1, willReconnect: out.willReconnect === 1, cause: causes[out.cause] });
        break;
      }
      case K.reconnecting:
        this._emit('reconnecting', { attempt: out.attempt, delay: out.value });
        break;
      case K['gave-up']:
        this._emit('giveup', { attempts: out.attempt });
        break;
      case K.heartbeat:
        this._emit('heartbeat', { rtt: out.value });
        break;
      case K.state:
        this._emit('statechange', { from: this._c.states[out.from], to: this._c.states[out.to] });
        break;
      default:
        this._carryOutResume(out);
    }
  }

  /** @param {any} out a resume output (contract().resumeOutput) */
  _carryOutResume(out) {
    const R = this._c.resumeOutput;
    const kept = /** @type {Kept} */ (this._kept);
    const d = this._driver;
    switch (out.kind) {
      case R['send-control']:
        if (out.socket !== 0 && out.socket === d.socketId) this._writeFrame(readFrame(out.frame));
        break;
      case R.resend:
        // In order, before anything new; a failed write abandons the socket, and the next
        // handshake resends from what the server got.
        if (out.socket !== 0) this._writeNumbered(out.first, out.last, out.socket);
        break;
      case R.release:
        kept.shift(out.last - out.first + 1);
        break;
      case R.drop:
        // Taken out first, then reported: a listener may send (into the next session).
        for (const item of kept.shift(out.last - out.first + 1)) {
          if (item.refused) this._outbox.drop(item.data, 'refused', item.refused.error);
          else this._outbox.drop(item.data, 'expired');
        }
        break;
      case R.expired:
        this._emit('expired', { cause: this._c.resume.causes[out.expiry] });
        break;
    }
  }

  _dispose() {
    const core = this._driver.core;
    if (core) {
      this._finalStats = coreStats(core);
      registry?.unregister(this);
    }
    this._driver.dispose();
    this._unsubscribe();
    this._unsubscribe = () => {};
    this._outbox.dropAll('closed');
    // Resume: what was written and not acknowledged may have arrived (maybeLost); what was never
    // written is dropped.
    for (const item of this._kept?.shift(Infinity) ?? []) {
      if (item.written) this._outbox.counters.maybeLost++;
      else this._outbox.drop(item.data, 'closed');
    }
  }

  // --- one attempt -------------------------------------------------------------------------------

  _openSocket(/** @type {number} */ id, /** @type {number} */ attempt) {
    this._driver.setSocket(id);
    this._socket = null;
    this._outbox.lifeSeen(); // a new socket has taken nothing yet
    let url = this._urlSource;
    if (typeof url === 'function') {
      /** @type {any} */
      let got;
      try {
        got = url({ attempt });
      } catch (error) {
        this._attemptFailed(id, 'url: ', error);
        return;
      }
      let thenable = false;
      try {
        thenable = !!got && typeof got.then === 'function';
      } catch (error) {
        this._attemptFailed(id, 'url: ', error); // a `then` getter that throws
        return;
      }
      if (thenable) {
        // Promise.resolve adopts any thenable, one whose `then` throws included (a rejection).
        Promise.resolve(got).then(
          (u) => this._driver.hold(() => this._connect(id, u)),
          (error) => this._attemptFailed(id, 'url: ', error),
        );
        return;
      }
      url = got;
    }
    this._connect(id, url);
  }

  /** Creates the socket; runs with the outputs held (see Driver.hold). */
  _connect(/** @type {number} */ id, /** @type {any} */ url) {
    // Abandoned while the URL was on its way (or by the provider itself, calling close() or
    // reconnect(): its close-socket is still held): never created.
    if (id !== this._driver.socketId || this._driver.core?.liveSocket() !== id) return;
    let checked;
    try {
      checked = checkUrl(url, 'url()');
    } catch (error) {
      this._attemptFailed(id, '', error); // its message names url()
      return;
    }
    this._url = checked;
    this._creating = id;
    /** @type {TransportSocket | null} */
    let socket = null;
    try {
      socket = this._transport(checked, this._protocols, this._handlers(id), this._binaryType);
    } catch (error) {
      this._creating = 0;
      this._attemptFailed(id, 'transport: ', error);
      return;
    }
    this._creating = 0;
    // It may have failed before returning: its close-socket (held) then finds it.
    if (id === this._driver.socketId) this._socket = socket;
  }

  /** The attempt failed before its socket could open: an error event (its message names what
   * failed, `prefix`), then the core's input. */
  _attemptFailed(/** @type {number} */ id, /** @type {string} */ prefix, /** @type {unknown} */ error) {
    if (id !== this._driver.socketId) return;
    const detail = error instanceof Error ? error.message : String(error);
    this._emit('error', { error, message: prefix + detail });
    this._driver.input((core, t) => core.attemptFailed(id, t));
  }

  /** @returns {TransportHandlers} */
  _handlers(/** @type {number} */ id) {
    const d = this._driver;
    return {
      open: () => {
        if (id === d.socketId) d.input((core, t) => core.opened(id, t));
      },
      activity: (batch) => {
        // Bytes arrived (a message may not be complete yet): life, batched like a message. With
        // `batch`, the messages parsed from these bytes, until activityDone(), came at this time.
        if (id !== d.socketId) return;
        d.lastActivity = d.clock();
        if (batch === true) d.chunkAt = d.lastActivity;
        this._outbox.lifeSeen();
      },
      activityDone: () => {
        d.chunkAt = NaN;
      },
      message: (data) => {
        if (id !== d.socketId) return;
        const now = d.chunkAt === d.chunkAt ? d.chunkAt : d.clock();
        this._outbox.lifeSeen();
        if (this._kept) this._receiveNumbered(id, data, now);
        else if (this._matches('isPong', this._isPong, data)) {
          d.input((core) => core.pong(id, now));
        } else if (this._o.isServerPing && this._matches('isServerPing', this._o.isServerPing, data)) {
          d.input((core) => core.serverPing(id, now));
        } else {
          d.lastActivity = now;
          this._outbox.counters.messagesReceived++;
          this._emit('message', { data });
        }
      },
      error: (detail, retryAfter) => {
        if (id !== d.socketId) return;
        this._emit('error', { error: detail, message: typeof detail === 'string' ? detail : (detail?.message ?? 'error') });
        // A server's Retry-After (ms), for the core to weigh; NaN: none. Infinity is very long
        // (as a huge header is, retryAfterMs), not none: the largest finite number.
        const after = typeof retryAfter !== 'number' ? NaN : retryAfter === Infinity ? Number.MAX_VALUE : retryAfter;
        if (this._creating === id) d.input((core, t) => core.attemptFailed(id, t, after));
        else d.input((core, t) => core.error(id, t, after));
      },
      close: (code, reason, wasClean) => {
        if (id !== d.socketId) return;
        const c = Number.isInteger(code) ? code : this._c.codes.abnormal;
        this._remoteClose = { code: c, reason: typeof reason === 'string' ? reason : '' };
        if (!wasClean) this._outbox.socketGone(false);
        let allowed = true;
        if (this._o.shouldReconnect) {
          try {
            allowed = !!this._o.shouldReconnect({ code: c, reason: this._remoteClose.reason, wasClean: !!wasClean });
          } catch (error) {
            this._report('options.shouldReconnect', error); // a broken predicate must not strand the client
          }
        }
        const told = this._remoteClose.reason;
        d.input((core, t) => core.closed(id, t, c, !!wasClean, allowed, writeReason(told)));
      },
    };
  }

  /** Calls the app's isPong / isServerPing; one that throws is reported and means "no". */
  _matches(/** @type {string} */ name, /** @type {Function} */ fn, /** @type {any} */ data) {
    try {
      return !!fn(data);
    } catch (error) {
      this._report(`options.${name}`, error);
      return false;
    }
  }

  /** Sends a ping or a pong reply: the option's value, or what its function returns. */
  _sendControl(/** @type {'pingMessage' | 'pongReply'} */ name) {
    const message = this._o[name];
    let data;
    try {
      data = typeof message === 'function' ? message() : message;
    } catch (error) {
      this._report(`options.${name}`, error);
      return;
    }
    if (typeof data !== 'string' && !(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) {
      this._report(`options.${name}`, new TypeError(`expected the function to return a string, ArrayBuffer or typed array, got ${describe(data)}`));
      return;
    }
    try {
      this._socket?.send(data);
    } catch {
      // A ping that cannot be written is judged by its deadline like any unanswered ping.
    }
  }

  /** An 'error' event for an app callback that failed; the message names it. */
  _report(/** @type {string} */ name, /** @type {unknown} */ error) {
    const detail = error instanceof Error ? error.message : String(error);
    this._emit('error', { error, message: `${name}: ${detail}` });
  }

  /** An 'error' event from a task of its own, for failures found in the middle of a step (the
   * clock, the timers), so that its listeners never run inside the driver. */
  _reportLater(/** @type {Error} */ error) {
    Promise.resolve().then(() => {
      // Closed meanwhile: the app is done with this Lifeline, and no event follows its close.
      if (this._driver.core) this._emit('error', { error, message: error.message });
    });
  }
}

for (const [name, value] of /** @type {const} */ ([
  ['CONNECTING', CONNECTING],
  ['OPEN', OPEN],
  ['CLOSING', CLOSING],
  ['CLOSED', CLOSED],
])) {
  Object.defineProperty(Lifeline, name, { value, enumerable: true });
  Object.defineProperty(Lifeline.prototype, name, { value, enumerable: true });
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
