// Test doubles for the Lifeline shim: a fake clock with fake timers, a fake transport whose
// sockets the test drives by hand, a fake platform (network / foreground signals), and a fake
// WebSocket constructor for the built-in transport. Nothing here reads the real clock or arms a
// real timer: time moves only when a test says so.

// --- time --------------------------------------------------------------------------------------

/**
 * A manual clock and the timers that run on it.
 *
 *   const time = new FakeTime();
 *   new Lifeline(url, { ...time.options(), ... });   // { clock, timers }
 *   time.advance(1000);   // runs every timer due within the next second, in time order
 *   time.jump(60000);     // moves the clock only: the timers are now overdue but have not run
 *   time.runDue();        // runs the overdue ones, late, at the current time
 */
export class FakeTime {
  constructor(start = 0) {
    this._now = start;
    /** @type {Map<number, { id: number, at: number, fn: () => void, seq: number }>} */
    this._timers = new Map();
    this._nextId = 1;
    this._seq = 0;
    /** Every delay passed to setTimeout, in order. */
    this.delays = [];
    /** How many timers have run. */
    this.fired = 0;
    /** The most timers ever pending at once. */
    this.maxPending = 0;
    /** Guard against a runaway loop of zero-delay timers. */
    this.limit = 100000;
  }

  now() {
    return this._now;
  }

  setTimeout(fn, ms = 0) {
    if (typeof fn !== 'function') throw new TypeError('FakeTime.setTimeout: fn must be a function');
    const delay = Math.max(0, Number(ms) || 0);
    this.delays.push(delay);
    const id = this._nextId++;
    this._timers.set(id, { id, at: this._now + delay, fn, seq: this._seq++ });
    this.maxPending = Math.max(this.maxPending, this._timers.size);
    return id;
  }

  clearTimeout(id) {
    this._timers.delete(id);
  }

  /** Number of armed timers. */
  pending() {
    return this._timers.size;
  }

  /** When the next timer is due (Infinity if none). */
  nextAt() {
    const next = this._next();
    return next ? next.at : Infinity;
  }

  /** The armed timers' due times, earliest first. */
  dueTimes() {
    return [...this._timers.values()].sort(order).map((t) => t.at);
  }

  _next() {
    let best = null;
    for (const t of this._timers.values()) if (!best || order(t, best) < 0) best = t;
    return best;
  }

  _fire(t) {
    if (++this.fired > this.limit) throw new Error(`FakeTime: more than ${this.limit} timers ran (a loop?)`);
    this._timers.delete(t.id);
    this._now = Math.max(this._now, t.at);
    t.fn();
  }

  /** Moves the clock forward by ms, running each timer due on the way at its own time. */
  advance(ms) {
    if (!(ms >= 0)) throw new RangeError(`FakeTime.advance: ms must be >= 0, got ${ms}`);
    return this.advanceTo(this._now + ms);
  }

  /** Moves the clock to `at`, running each timer due by then (timers set meanwhile included). */
  advanceTo(at) {
    for (let next = this._next(); next && next.at <= at; next = this._next()) this._fire(next);
    this._now = Math.max(this._now, at);
    return this;
  }

  /** Moves the clock without running any timer: what a frozen tab or a sleeping phone sees. */
  jump(ms) {
    if (!(ms >= 0)) throw new RangeError(`FakeTime.jump: ms must be >= 0, got ${ms}`);
    this._now += ms;
    return this;
  }

  /** Runs, at the current time, every timer already due (late if the clock jumped past them). */
  runDue() {
    return this.advanceTo(this._now);
  }

  /** Runs the next timer (moving the clock to its time if that is later). False if none. */
  runNext() {
    const next = this._next();
    if (!next) return false;
    this._fire(next);
    return true;
  }

  /** Runs timers until none is left (or `max` have run: then throws). Returns how many ran. */
  runUntilIdle(max = 10000) {
    let n = 0;
    while (this.runNext()) {
      if (++n > max) throw new Error(`FakeTime.runUntilIdle: still busy after ${max} timers`);
    }
    return n;
  }

  /** The Lifeline options that put it on this clock. */
  options() {
    return { clock: () => this.now(), timers: this };
  }
}

function order(a, b) {
  return a.at - b.at || a.seq - b.seq;
}

// --- transport -----------------------------------------------------------------------------------

/** One socket of a FakeTransport: the TransportSocket the Lifeline sees, plus test controls. */
export class FakeSocket {
  constructor(transport, url, protocols, handlers, binaryType) {
    this.transport = transport;
    this.url = url;
    this.protocols = protocols;
    this.handlers = handlers;
    this.binaryType = binaryType;
    this.createdAt = transport.now();
    /** Everything the Lifeline sent, in order. */
    this.sent = [];
    /** [{ data, at }] */
    this.sentAt = [];
    /** The Lifeline's close: { code, reason, abandon }, or null. */
    this.closed = null;
    /** Every close() call (a second one would be a bug worth seeing). */
    this.closeCalls = [];
    /** The remote side's close, as the test delivered it: { code, reason, wasClean }, or null. */
    this.remoteClosed = null;
    this.isOpen = false;
    /** Set to an Error to make send() / close() throw it (send: this message is refused). */
    this.sendThrows = null;
    /** Set to true to make send() return false (the socket cannot take messages now). */
    this.notOpen = false;
    this.closeThrows = null;
    this._bufferedAmount = 0;
    this._protocol = '';
    this._extensions = '';
  }

  // TransportSocket side -------------------------------------------------------------------------

  send(data) {
    if (this.notOpen) return false;
    if (this.sendThrows) throw this.sendThrows;
    this.sent.push(data);
    this.sentAt.push({ data, at: this.transport.now() });
  }

  close(code, reason, abandon) {
    this.closeCalls.push({ code, reason, abandon });
    if (this.closed === null) this.closed = { code, reason, abandon };
    if (this.closeThrows) throw this.closeThrows;
  }

  get bufferedAmount() {
    return this._bufferedAmount;
  }
  get protocol() {
    return this._protocol;
  }
  get extensions() {
    return this._extensions;
  }

  // test controls -------------------------------------------------------------------------------

  /** Not closed by either side. */
  get live() {
    return this.closed === null && this.remoteClosed === null;
  }

  setBufferedAmount(n) {
    this._bufferedAmount = n;
    return this;
  }

  /** The handshake completed (optionally with a negotiated subprotocol / extensions). */
  open({ protocol = '', extensions = '' } = {}) {
    this._protocol = protocol;
    this._extensions = extensions;
    this.isOpen = true;
    this.handlers.open();
    return this;
  }

  /** An inbound message. */
  message(data) {
    this.handlers.message(data);
    return this;
  }

  error(detail = 'error') {
    this.handlers.error(detail);
    return this;
  }

  /** The socket closed from the other side (server, proxy or platform). */
  remoteClose(code = 1006, reason = '', wasClean = code !== 1006) {
    this.remoteClosed = { code, reason, wasClean };
    this.isOpen = false;
    this.handlers.close(code, reason, wasClean);
    return this;
  }

  /** Data sent that is not a ping (by default: not the string 'ping'). */
  appData(isPing = (d) => d === 'ping') {
    return this.sent.filter((d) => !isPing(d));
  }
}

/**
 * A transport: `(url, protocols, handlers, binaryType) => socket`, usable as the `transport`
 * option, that records every socket it makes. `new FakeTransport({ now })` stamps sends with `now()`.
 * @returns {((url: string, protocols: string[] | undefined, handlers: any, binaryType: string) => FakeSocket) & {
 *   sockets: FakeSocket[], last: FakeSocket | null, liveCount: number, live(): FakeSocket[], calls: number,
 *   failNext(error: unknown): void, onCreate: ((s: FakeSocket) => void) | null, now(): number }}
 */
export function FakeTransport({ now = () => NaN } = {}) {
  /** @type {any} */
  const transport = (url, protocols, handlers, binaryType) => {
    transport.calls++;
    if (transport._failures.length > 0) throw transport._failures.shift();
    const socket = new FakeSocket(transport, url, protocols, handlers, binaryType);
    transport.sockets.push(socket);
    transport.onCreate?.(socket);
    return socket;
  };
  transport.sockets = [];
  transport.calls = 0;
  transport.now = now;
  transport.onCreate = null;
  transport._failures = [];
  /** The next call throws `error` (the transport could not even create the socket). */
  transport.failNext = (error) => transport._failures.push(error);
  transport.live = () => transport.sockets.filter((s) => s.live);
  Object.defineProperty(transport, 'last', { get: () => transport.sockets.at(-1) ?? null });
  Object.defineProperty(transport, 'liveCount', { get: () => transport.live().length });
  return transport;
}

// --- platform ------------------------------------------------------------------------------------

/** Network and foreground signals under the test's control. */
export class FakePlatform {
  constructor({ online = true, foreground = true } = {}) {
    this.online = online;
    this.foreground = foreground;
    this.handlers = null;
    this.subscribeCalls = 0;
    this.unsubscribeCalls = 0;
  }

  initial() {
    return { online: this.online, foreground: this.foreground };
  }

  subscribe(handlers) {
    this.subscribeCalls++;
    this.handlers = handlers;
    return () => {
      this.unsubscribeCalls++;
      if (this.handlers === handlers) this.handlers = null;
    };
  }

  get subscribed() {
    return this.handlers !== null;
  }

  goOffline() {
    this.online = false;
    this.handlers?.network(false);
  }
  goOnline() {
    this.online = true;
    this.handlers?.network(true);
  }
  hide() {
    this.foreground = false;
    this.handlers?.foreground(false);
  }
  show() {
    this.foreground = true;
    this.handlers?.foreground(true);
  }
}

// --- a WebSocket constructor (for the built-in transport: the `WebSocket` option) ---------------

/** A class usable as the `WebSocket` option; `FakeWebSocket.instances` records every socket. */
export function makeFakeWebSocket({ withTerminate = false } = {}) {
  class FakeWebSocket {
    static CONNECTING = 0;
    static OPEN = 1;
    static CLOSING = 2;
    static CLOSED = 3;
    /** @type {FakeWebSocket[]} */
    static instances = [];

    constructor(url, protocols) {
      this.url = url;
      this.protocols = protocols;
      this.constructorArgs = arguments.length;
      this.readyState = 0;
      this.binaryType = 'blob';
      this.bufferedAmount = 0;
      this.protocol = '';
      this.extensions = '';
      this.sent = [];
      this.closeCalls = [];
      this.terminated = false;
      this.onopen = this.onmessage = this.onerror = this.onclose = null;
      FakeWebSocket.instances.push(this);
    }
    send(data) {
      if (this.readyState !== 1) throw new Error('InvalidStateError');
      this.sent.push(data);
    }
    close(code, reason) {
      // As browsers do: only 1000 and 3000-4999, and at most 123 bytes of reason.
      if (code !== undefined && code !== 1000 && !(code >= 3000 && code <= 4999)) {
        throw new Error(`InvalidAccessError: close code ${code}`);
      }
      if (reason !== undefined && new TextEncoder().encode(reason).length > 123) {
        throw new Error('SyntaxError: reason too long');
      }
      this.closeCalls.push({ code, reason });
      this.readyState = 2;
    }
    // test controls
    fireOpen() {
      this.readyState = 1;
      this.onopen?.({ type: 'open' });
    }
    fireMessage(data) {
      this.onmessage?.({ type: 'message', data });
    }
    fireError(error) {
      this.onerror?.({ type: 'error', error, message: error?.message ?? 'error' });
    }
    fireClose(code = 1006, reason = '', wasClean = false) {
      this.readyState = 3;
      this.onclose?.({ type: 'close', code, reason, wasClean });
    }
  }
  if (withTerminate) {
    /** @type {any} */ (FakeWebSocket.prototype).terminate = function () {
      this.terminated = true;
      this.readyState = 3;
    };
  }
  return FakeWebSocket;
}

// --- microtasks ----------------------------------------------------------------------------------

/** Lets pending promise callbacks run (no timers, no real time). */
export async function flush(rounds = 20) {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
