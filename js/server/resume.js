// The server side of lossless resume (PROTOCOL.md) for `ws`'s WebSocketServer: the session table
// (ids, connection ordinals, principals) and the payloads kept for a resend, keyed by seq. The
// numbering, bounds, ack timing, window, gap check and frame texts are the core's (one server
// ResumeState per session, src/wasm/session_binding.cpp), so it needs the core loaded:
// `await init()` from 'ws-lifeline' first, or `await ResumeServer.create(options)`.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { core, init } from '../loader.js';
import { contract } from '../contract.js';
import { describe } from '../options.js';
import { guardedClock } from '../clock.js';

/** @type {any} the contract's resume part (its server keys too: superseded, textFrames, maxAckEvery, maxAckBytes) */
const R = contract().resume;
const names = (/** @type {string[]} */ list) => Object.fromEntries(list.map((n, i) => [n, i]));
const CONTROL = names(R.controls);
const OUTPUT = R.outputs;
const CAUSE = R.causes;
const OUTCOME = R.outcomes;
const TEXT = R.textFrames;
const RESULT = names(contract().results);
const FIELD = names(contract().outputFields);
const STATS = names(contract().statsFields);
const PREFIX = Buffer.from(R.prefix, 'latin1');
const ESCAPE_VERB = R.escape.slice(R.prefix.length).trimEnd();
const SESSION_ID_BYTES = 16; // 128 bits (PROTOCOL.md, Security): 22 characters of base64url
const OPEN = 1; // ws's WebSocket.OPEN (not imported: `ws` is the app's, whichever copy it uses)
const TRY_AGAIN_LATER = contract().hint.codes[1]; // 1013: a refused `new` (maxSessions)
const field = (/** @type {string} */ js) => /** @type {{ default: number }} */ (contract().fields.find((f) => f.js === js)).default;

/**
 * @typedef {{ send(data: any, options?: { binary?: boolean }, cb?: (err?: Error) => void): void, close(code?: number, reason?: string): void, readonly readyState: number, on(event: string, fn: (...args: any[]) => void): any, off(event: string, fn: (...args: any[]) => void): any }} ServerSocket
 * @typedef {{ setTimeout(fn: () => void, ms: number): any, clearTimeout(id: any): void }} Timers
 * @typedef {{ data: string | Buffer, binary: boolean, bytes: number }} KeptMessage
 */

/**
 * One accepted connection. mode: 'first' (its first frame awaited), 'session' (attached to
 * `session`), 'expired' (it said or heard expired: the old session's frames are ignored until
 * `new`), 'closed' (closed or abandoned: nothing on it counts), 'legacy' (handed to the app).
 */
class Connection {
  constructor(/** @type {ServerSocket} */ ws, /** @type {unknown} */ req, /** @type {number} */ ordinal, /** @type {string | undefined} */ principal) {
    this.ws = ws;
    this.req = req;
    this.ordinal = ordinal;
    this.principal = principal;
    /** @type {'first' | 'session' | 'expired' | 'closed' | 'legacy'} */
    this.mode = 'first';
    /** @type {ResumeSession | null} */
    this.session = null;
    /** @type {Array<[string, (...args: any[]) => void]>} */
    this.listeners = [];
    /** the heartbeat (options.pingInterval): when a frame last arrived, when a ping went out */
    this.lastIn = 0;
    this.pingAt = -Infinity;
    /** @type {any} */
    this.beat = undefined;
  }
}

/**
 * A session: its id, the connection it is attached to (if any), and the messages this side sent
 * and keeps until the client has them. Events: 'message' (data, isBinary), each client message
 * once, in order; 'resumed' (a new connection took the session over); 'detached' (its connection
 * went away; it waits `window` ms for a resume); 'drop' (data, seq) a kept message that will
 * never be resent (a bound, its age, the expiry); 'expired' (cause).
 */
export class ResumeSession extends EventEmitter {
  constructor(/** @type {ResumeServer} */ server, /** @type {string} */ id, /** @type {number} */ address, /** @type {string | undefined} */ principal) {
    super();
    /** @internal */
    this._server = server;
    /** The session id (22 characters of base64url). */
    this.id = id;
    /** The principal the session is bound to (options.principal's answer for its first connection). */
    this.principal = principal;
    /** @internal the core's ResumeState; 0 once the session ended */
    this._p = address;
    /** @internal @type {Connection | null} */
    this._conn = null;
    /** @internal the ordinal of the newest connection it was attached to */
    this._ordinal = 0;
    /** @internal kept messages, seqs _first.. in order (releases and drops are always the oldest) */
    /** @type {KeptMessage[]} */
    this._kept = [];
    this._head = 0;
    this._first = 1;
    this._keptBytes = 0;
    this._sent = 0;
    this._received = 0;
    this._acked = 0;
    /** @internal */
    this._timer = /** @type {any} */ (undefined);
    this._deadline = Infinity;
    /** @type {string | null} why it ended (a contract cause), null while it lives */
    this.expiredCause = null;
  }

  /** Whether a connection is attached (messages go out now; otherwise they wait for a resume). */
  get connected() {
    return this._conn !== null;
  }

  /** Whether the session ended (expired): send() refuses, nothing more happens. */
  get ended() {
    return this._p === 0;
  }

  /**
   * Sends an application message: a string as a text frame (escaped if it starts with the
   * control prefix), a Buffer, ArrayBuffer or typed array as a binary frame. It is kept until
   * the client acknowledges it and resent after a resume. False when refused: the session ended,
   * or the message alone is larger than maxBufferedBytes (the oldest kept messages make room
   * otherwise: 'drop' events).
   * @param {string | Buffer | ArrayBuffer | ArrayBufferView} data
   */
  send(data) {
    if (this._p === 0) return false;
    /** @type {KeptMessage} */
    let m;
    if (typeof data === 'string') {
      const wire = data.startsWith(R.prefix) ? R.escape + data : data;
      m = { data: wire, binary: false, bytes: Buffer.byteLength(wire) };
    } else if (Buffer.isBuffer(data) || data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
      // A copy: the app may reuse its buffer once send() returns (as ws.send allows), and a
      // resend must carry what was sent.
      const view = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      m = { data: Buffer.from(view), binary: true, bytes: view.byteLength };
    } else {
      throw new TypeError(`session.send: expected a string, Buffer, ArrayBuffer or typed array, got ${describe(data)}`);
    }
    const mod = core();
    const outcome = OUTCOME[mod.sessionSend(this._p, m.bytes, this._server._now())];
    let ok = false;
    if (outcome === 'write' || outcome === 'hold') {
      this._sent = readField('first');
      this._kept.push(m);
      this._keptBytes += m.bytes;
      if (outcome === 'write' && this._conn) writeFrame(this._server, this._conn, m.data, m.binary);
      ok = true;
    }
    this._server._drain(this);
    return ok;
  }

  /** Ends the session from this side (the app's own fallback): 'expired' (cause 'explicit'). */
  expire() {
    if (this._p === 0) return;
    core().sessionExpire(this._p, this._server._now());
    this._server._drain(this);
  }

  /**
   * sent/received: the last seq each way; acked: what the client acknowledged; kept and
   * keptBytes: the messages kept for a resend (the core's count and bytes).
   */
  get stats() {
    let kept = 0;
    let keptBytes = 0;
    if (this._p !== 0) {
      core().sessionStats(this._p);
      kept = readStats('unacked');
      keptBytes = readStats('unackedBytes');
    }
    return { sent: this._sent, received: this._received, acked: this._acked, kept, keptBytes, connected: this.connected };
  }

  /** @internal the kept message `seq`, or undefined */
  _at(/** @type {number} */ seq) {
    return this._kept[this._head + seq - this._first];
  }

  /** @internal forgets the oldest kept messages up to `last`; returns them */
  _forget(/** @type {number} */ last) {
    const gone = [];
    while (this._first <= last && this._head < this._kept.length) {
      const m = this._kept[this._head];
      this._kept[this._head++] = /** @type {any} */ (undefined);
      this._keptBytes -= m.bytes;
      gone.push(m);
      this._first++;
    }
    // Compact now and then: the array never holds more than twice what is kept.
    if (this._head > 64 && this._head * 2 > this._kept.length) {
      this._kept = this._kept.slice(this._head);
      this._head = 0;
    }
    return gone;
  }
}

/**
 * The resume session table for a `ws` WebSocketServer. Events: 'session' (session), a new
 * session; 'expired' (session, cause), a session ended (the app's fallback: the client reloads
 * its state; cause 'window', 'gap', 'peer' or 'explicit'); 'legacy' (ws, req, data, isBinary), a
 * client whose first frame was not `new` or `resume` (its first message passed along; without a
 * listener it is closed with 1008); 'error' (error), a listener threw or options.principal did
 * (the table is unharmed; without an 'error' listener the error is rethrown asynchronously, as an
 * uncaught exception).
 */
export class ResumeServer extends EventEmitter {
  /**
   * Loads the core if needed, then makes the server.
   * @param {import('./index.js').ResumeServerOptions} [options]
   */
  static async create(options) {
    await init();
    return new ResumeServer(options);
  }

  /** @param {import('./index.js').ResumeServerOptions} [options] Needs the core loaded: `await init()` first (or ResumeServer.create). */
  constructor(options = {}) {
    super();
    if (options === null || typeof options !== 'object') throw new TypeError(`ResumeServer: expected an options object, got ${describe(options)}`);
    const d = R.server;
    const o = {
      window: option(options, 'window', d.window, (v) => Number.isFinite(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER, 'a finite number of ms >= 0'),
      maxBuffered: option(options, 'maxBuffered', d.maxUnacked, (v) => Number.isInteger(v) && v >= 1 && v <= R.maxUnacked, `a whole number from 1 to ${R.maxUnacked}`),
      maxBufferedBytes: option(options, 'maxBufferedBytes', d.maxUnackedBytes, (v) => Number.isSafeInteger(v) && v >= 1, 'a whole number >= 1'),
      maxAge: option(options, 'maxAge', d.maxAge, (v) => v > 0, 'a number of ms > 0, or Infinity'),
      ackDelay: option(options, 'ackDelay', d.ackDelay, (v) => v >= 0, 'a number of ms >= 0, or Infinity'),
      ackEvery: option(options, 'ackEvery', d.ackEvery, (v) => Number.isInteger(v) && v >= 1 && v <= R.maxAckEvery, `a whole number from 1 to ${R.maxAckEvery}`),
      ackBytes: option(options, 'ackBytes', d.ackBytes, (v) => Number.isInteger(v) && v >= 1 && v <= R.maxAckBytes, `a whole number from 1 to ${R.maxAckBytes}`),
      // The server's own heartbeat, off by default: a Lifeline pings the server, and a connection
      // that dies with a close is noticed anyway; this catches one that goes silent (half-open).
      // On by default: a client gone half-open never closes its connection, and its session (with
      // what it keeps) would stay attached for ever. A healthy client pings after its own
      // pingInterval of silence, so three of those mean the link is gone.
      pingInterval: option(options, 'pingInterval', 3 * field('pingInterval'), (v) => v > 0, 'a number of ms > 0, or Infinity (no heartbeat)'),
      pongTimeout: option(options, 'pongTimeout', field('pongTimeout'), (v) => Number.isFinite(v) && v > 0, 'a finite number of ms > 0'),
      // Bytes ws may hold unsent for one connection before its client counts as not reading (and
      // is dropped): above the replay bound, so that a burst the client is reading is not turned
      // into a drop, a resume and (past the replay bound) an expiry.
      maxUnsent: option(options, 'maxUnsent', 4 * (options.maxBufferedBytes ?? d.maxUnackedBytes), (v) => Number.isSafeInteger(v) && v >= 1, 'a whole number of bytes >= 1'),
      // Sessions are memory for as long as their window: a flood of `new` must not take it all.
      // About 2 KB of the core's memory each (measured) plus their payloads, for as long as their
      // window: the default keeps a flood of `new` within about 200 MB of wasm memory, far from
      // its 2 GiB (at which the core would abort for every session of the process).
      maxSessions: option(options, 'maxSessions', 100000, (v) => v === Infinity || (Number.isInteger(v) && v >= 1), 'a whole number >= 1, or Infinity'),
    };
    const principal = options.principal;
    if (principal !== undefined && typeof principal !== 'function') throw new TypeError(`ResumeServer: options.principal: expected a function (req) => string | undefined, got ${describe(principal)}`);
    const clock = options.clock ?? (() => performance.now());
    if (typeof clock !== 'function') throw new TypeError(`ResumeServer: options.clock: expected a function returning ms, got ${describe(clock)}`);
    const timers = options.timers ?? globalThis;
    if (timers === null || typeof timers !== 'object' || typeof timers.setTimeout !== 'function' || typeof timers.clearTimeout !== 'function') {
      throw new TypeError(`ResumeServer: options.timers: expected { setTimeout, clearTimeout }, got ${describe(timers)}`);
    }
    const mod = core(); // throws a clear error when init() has not finished
    /** @internal the core's arguments, in sessionCreate's order */
    this._config = [o.maxBuffered, o.maxBufferedBytes, o.maxAge, o.ackDelay, o.ackEvery, o.ackBytes, o.window];
    const probe = mod.sessionCreate(...this._config);
    if (probe === 0) throw new RangeError(`ResumeServer: the core refused these options: ${JSON.stringify(o)}`);
    mod.sessionDelete(probe);
    /** The options in effect (defaults filled in). */
    this.options = Object.freeze(o);
    /** @internal */
    this._principal = /** @type {((req: any) => string | undefined) | undefined} */ (principal);
    // A clock that throws or goes non-finite is reported once and replaced by the runtime's (as
    // the client's is): a NaN time would make the core refuse every message without a word.
    this._clock = options.clock ? guardedClock(clock, (error) => this._report(error)) : clock;
    this._timers = /** @type {Timers} */ (timers);
    /** @internal @type {Map<string, ResumeSession>} */
    this._sessions = new Map();
    /** @internal @type {Set<Connection>} */
    this._conns = new Set();
    /** @internal every ws ever accepted (accept() twice would deliver every message twice) */
    this._accepted = new WeakSet();
    this._ordinal = 0;
    this._closed = false;
  }

  /** The live sessions. */
  get sessions() {
    return this._sessions.values();
  }

  /** sessions, connections (open, speaking resume or not decided yet), kept messages and their bytes, over all sessions. */
  get stats() {
    let kept = 0;
    let keptBytes = 0;
    for (const s of this._sessions.values()) {
      kept += s._kept.length - s._head;
      keptBytes += s._keptBytes;
    }
    return { sessions: this._sessions.size, connections: this._conns.size, kept, keptBytes };
  }

  /**
   * Takes a connection from `wss.on('connection', (ws, req) => resume.accept(ws, req))`. It is
   * numbered in accept order (a resume arriving on an older connection than its session's newest
   * one is stale).
   * @param {ServerSocket} ws
   * @param {unknown} [req] the upgrade request (passed to options.principal and 'legacy')
   */
  accept(ws, req) {
    if (ws === null || typeof ws !== 'object' || typeof ws.on !== 'function' || typeof ws.send !== 'function' || typeof ws.close !== 'function') {
      throw new TypeError(`ResumeServer.accept: expected a ws WebSocket, got ${describe(ws)}`);
    }
    if (this._closed) {
      ws.close(1001, 'server closed');
      return;
    }
    if (this._accepted.has(ws)) throw new TypeError('ResumeServer.accept: this ws was accepted already');
    if (typeof ws.readyState === 'number' && ws.readyState !== OPEN) return; // closed before it came
    let principal;
    try {
      principal = this._principal ? this._principal(req) : undefined;
      if (principal !== undefined && typeof principal !== 'string') {
        throw new TypeError(`options.principal: expected a string or undefined, got ${describe(principal)}`);
      }
    } catch (error) {
      this._report(error);
      ws.close(1011, 'principal');
      return;
    }
    this._accepted.add(ws);
    const c = new Connection(ws, req, ++this._ordinal, principal);
    const on = (/** @type {string} */ event, /** @type {(...args: any[]) => void} */ fn) => {
      ws.on(event, fn);
      c.listeners.push([event, fn]);
    };
    on('message', (/** @type {any} */ data, /** @type {boolean} */ isBinary) => this._message(c, data, isBinary));
    on('close', () => this._gone(c));
    // An error is followed by 'close'; this listener keeps it from being an uncaught one.
    on('error', () => this._gone(c));
    this._conns.add(c);
    c.lastIn = this._now();
    this._beat(c);
  }

  /** Closes every connection (1001) and frees every session and timer; no events follow. */
  close() {
    if (this._closed) return;
    this._closed = true;
    for (const c of this._conns) {
      this._abandon(c);
      c.ws.close(1001, 'server closed');
    }
    this._conns.clear();
    for (const s of this._sessions.values()) this._free(s);
    this._sessions.clear();
  }

  /** @internal */
  _now() {
    return this._clock();
  }

  /** @internal a listener's error: 'error', or an uncaught exception when no one listens */
  _report(/** @type {unknown} */ error) {
    if (this.listenerCount('error') > 0) {
      try {
        this.emit('error', error);
        return;
      } catch (e) {
        error = e;
      }
    }
    queueMicrotask(() => {
      throw error;
    });
  }

  /** @internal emits on `target` without letting a listener's exception through */
  _emit(/** @type {EventEmitter} */ target, /** @type {string} */ event, /** @type {any[]} */ ...args) {
    if (this._closed) return; // close() is final: no event follows it, even from a listener's step
    try {
      target.emit(event, ...args);
    } catch (error) {
      this._report(error);
    }
  }

  /**
   * @internal stops listening to a connection: nothing on it counts any more. One it closes
   * keeps a listener for 'error' (a bad frame still arriving on it must not be an uncaught
   * exception); a legacy one is the app's, as it is.
   */
  _abandon(/** @type {Connection} */ c, guard = true) {
    for (const [event, fn] of c.listeners) c.ws.off(event, fn);
    c.listeners = [];
    if (guard) c.ws.on('error', ignore);
    if (c.beat !== undefined) this._timers.clearTimeout(c.beat);
    c.beat = undefined;
    c.mode = 'closed';
    this._conns.delete(c);
  }

  /** @internal closes a connection with `code`; its session (if any) is detached */
  _closeWith(/** @type {Connection} */ c, /** @type {number} */ code) {
    const s = c.session;
    this._abandon(c);
    if (s) this._detach(s);
    try {
      c.ws.close(code);
    } catch (error) {
      this._report(error);
    }
  }

  /** @internal a connection of no use any more (silent, or not reading): detached at once, its
   * socket dropped without a closing handshake where ws allows (terminate). */
  _drop(/** @type {Connection} */ c, /** @type {number} */ code) {
    this._gone(c);
    if (typeof (/** @type {any} */ (c.ws).terminate) === 'function') /** @type {any} */ (c.ws).terminate();
    else c.ws.close(code);
  }

  /** @internal the connection closed or failed */
  _gone(/** @type {Connection} */ c) {
    if (c.mode === 'closed') return;
    const s = c.session;
    this._abandon(c);
    if (s) this._detach(s);
  }

  /** @internal */
  _detach(/** @type {ResumeSession} */ s) {
    const c = s._conn;
    if (c) c.session = null;
    s._conn = null;
    if (s._p === 0) return;
    core().sessionDisconnected(s._p, this._now());
    this._drain(s);
    if (s._p !== 0) this._emit(s, 'detached');
  }

  /** @internal */
  _message(/** @type {Connection} */ c, /** @type {any} */ data, /** @type {boolean} */ isBinary) {
    if (c.mode === 'closed' || c.mode === 'legacy') return;
    c.lastIn = this._now();
    if (isBinary) {
      this._app(c, data, true, byteLength(data));
      return;
    }
    const buf = toBuffer(data);
    if (buf.length < PREFIX.length || buf.compare(PREFIX, 0, PREFIX.length, 0, PREFIX.length) !== 0) {
      this._app(c, data, false, buf.length);
      return;
    }
    const mod = core();
    const n = Math.min(buf.length, R.maxControlText);
    new Uint8Array(mod.HEAPF64.buffer, mod.frameAddress(), n).set(buf.subarray(0, n));
    const kind = TEXT[mod.sessionParse(n)];
    if (kind === 'app') {
      this._app(c, data, false, buf.length);
    } else if (kind === 'escaped') {
      // Unescaped only in a session: a legacy client's first message is passed on as it came.
      this._app(c, c.mode === 'first' ? data : buf.subarray(R.escape.length), false, buf.length);
    } else if (kind === 'unknown') {
      // A later version's frame: ignored; as a first frame, the connection does not speak this
      // version (later versions still open with new or resume).
      if (c.mode === 'first') this._legacy(c, data, false);
    } else if (kind === 'malformed') {
      // A malformed new, resume or escape is a protocol error; anything else first is legacy.
      const verb = buf.toString('latin1', PREFIX.length, n).split(' ')[0];
      if (c.mode === 'first' && verb !== R.controls[CONTROL.new] && verb !== R.controls[CONTROL.resume] && verb !== ESCAPE_VERB) {
        this._legacy(c, data, false);
      } else {
        this._closeWith(c, R.protocolError);
      }
    } else {
      const control = readField('code');
      const seq = readField('first');
      const id = readText(readField('frame'));
      this._control(c, R.controls[control], seq, id, data);
    }
  }

  /** @internal an application message from the client */
  _app(/** @type {Connection} */ c, /** @type {any} */ data, /** @type {boolean} */ isBinary, /** @type {number} */ bytes) {
    if (c.mode === 'first') {
      this._legacy(c, data, isBinary);
      return;
    }
    const s = c.session;
    if (!s) return; // after expired, until new: the old session's, reported dropped by the client
    const result = core().sessionReceive(s._p, bytes, this._now());
    if (result === RESULT['invalid-argument']) {
      this._closeWith(c, R.protocolError);
      return;
    }
    const deliver = result === RESULT.ok;
    if (deliver) s._received = readField('first');
    this._drain(s);
    if (deliver) this._emit(s, 'message', data, isBinary);
  }

  /** @internal a first frame that was not new or resume: the app's, as it is */
  _legacy(/** @type {Connection} */ c, /** @type {any} */ data, /** @type {boolean} */ isBinary) {
    const handled = this.listenerCount('legacy') > 0;
    this._abandon(c, !handled);
    c.mode = 'legacy';
    if (!handled) {
      c.ws.close(1008, 'resume required');
      return;
    }
    this._emit(this, 'legacy', c.ws, c.req, data, isBinary);
  }

  /** @internal */
  _control(/** @type {Connection} */ c, /** @type {string} */ verb, /** @type {number} */ seq, /** @type {string} */ id, /** @type {any} */ data) {
    const first = c.mode === 'first';
    if (verb === 'hello' || verb === 'resumed') {
      this._closeWith(c, R.protocolError); // a server's frames, sent to a server
    } else if (verb === 'new') {
      if (c.session) {
        // The core refuses new on an attached session (no one said expired).
        this._dispatch(c, c.session, verb, seq);
      } else {
        this._new(c);
      }
    } else if (verb === 'resume') {
      if (first) this._resume(c, id, seq);
      else this._closeWith(c, R.protocolError); // only as the first frame
    } else if (first) {
      this._legacy(c, data, false); // no session frame opens a connection: not this protocol
    } else if (c.session) {
      this._dispatch(c, c.session, verb, seq);
    } else if (verb === 'ping') {
      // After expired, until new: the number means nothing, the ping is still answered.
      this._sendControl(c, 'pong', 0);
    }
    // ack, pong, expired there: the old session's, ignored.
  }

  /** @internal a control frame for the attached session */
  _dispatch(/** @type {Connection} */ c, /** @type {ResumeSession} */ s, /** @type {string} */ verb, /** @type {number} */ seq) {
    const result = core().sessionControl(s._p, CONTROL[verb], seq, this._now());
    if (result === RESULT['invalid-argument']) {
      this._closeWith(c, R.protocolError);
      return;
    }
    this._drain(s);
  }

  /** @internal the text of a session-less control frame, written on `c` */
  _sendControl(/** @type {Connection} */ c, /** @type {string} */ verb, /** @type {number} */ seq) {
    const n = core().sessionFormat(CONTROL[verb], seq);
    if (n > 0) writeFrame(this, c, readText(n), false);
  }

  /** @internal `new`: a session for this connection, answered with hello; at maxSessions, refused
   * with 1013 (Try Again Later: the client backs off and asks again, PROTOCOL.md) */
  _new(/** @type {Connection} */ c) {
    if (this._sessions.size >= this.options.maxSessions) {
      this._closeWith(c, TRY_AGAIN_LATER);
      return;
    }
    const mod = core();
    const id = randomBytes(SESSION_ID_BYTES).toString('base64url');
    const p = mod.sessionCreate(...this._config);
    if (p === 0) {
      this._closeWith(c, TRY_AGAIN_LATER); // the core could not make one (its memory)
      return;
    }
    new Uint8Array(mod.HEAPF64.buffer, mod.frameAddress(), id.length).set(Buffer.from(id, 'latin1'));
    mod.sessionNew(p, id.length, this._now());
    const s = new ResumeSession(this, id, p, c.principal);
    this._sessions.set(id, s);
    s._ordinal = c.ordinal;
    this._attach(c, s);
    this._drain(s); // hello, before anything the app sends
    this._emit(this, 'session', s);
  }

  /** @internal */
  _attach(/** @type {Connection} */ c, /** @type {ResumeSession} */ s) {
    c.mode = 'session';
    c.session = s;
    s._conn = c;
  }

  /** @internal `resume <id> <seq>` as a connection's first frame */
  _resume(/** @type {Connection} */ c, /** @type {string} */ id, /** @type {number} */ seq) {
    const s = this._sessions.get(id);
    if (s && s._ordinal > c.ordinal) {
      // Stale: the client has since resumed on a newer connection and gave this one up.
      this._closeWith(c, R.superseded);
      return;
    }
    if (!s || s.principal !== c.principal) {
      // Unknown (or ended) id, or someone else's session: which of them is not told, and the
      // session is left alone.
      c.mode = 'expired';
      this._sendControl(c, 'expired', 0);
      return;
    }
    const old = s._conn;
    if (old) {
      // Superseded: the server had not noticed that connection die; nothing on it counts now.
      s._conn = null;
      old.session = null;
      this._abandon(old);
      old.ws.close(R.superseded);
    }
    s._ordinal = c.ordinal;
    this._attach(c, s);
    core().sessionControl(s._p, CONTROL.resume, seq, this._now());
    this._drain(s); // resumed and the resend; or expired (a gap, or more than was sent)
    if (s._p !== 0 && s._conn === c) this._emit(s, 'resumed'); // not if the resend dropped it
  }

  /**
   * @internal the heartbeat of a connection (options.pingInterval): after that long with nothing
   * inbound, `ping <received>` (the client answers pong); nothing within pongTimeout more and
   * the connection is dead: dropped, its session detached. Before a session (a first frame
   * awaited, after expired) no ping is sent, and the silence alone decides.
   */
  _beat(/** @type {Connection} */ c) {
    const { pingInterval, pongTimeout } = this.options;
    if (pingInterval === Infinity || c.mode === 'closed' || c.mode === 'legacy') return;
    const now = this._now();
    let wait;
    if (c.pingAt > c.lastIn) {
      wait = c.pingAt + pongTimeout - now;
      if (wait <= 0) {
        this._drop(c, contract().codes.pongTimeout);
        return;
      }
    } else {
      wait = c.lastIn + pingInterval - now;
      if (wait <= 0) {
        const s = c.session;
        if (s && s._p !== 0) this._sendControl(c, 'ping', s._received);
        c.pingAt = now;
        wait = pongTimeout;
      }
    }
    // Re-armed lazily (a frame only moves lastIn), so a busy connection costs no timer churn.
    const timer = this._timers.setTimeout(() => {
      c.beat = undefined;
      this._beat(c);
    }, wait);
    if (timer && typeof timer.unref === 'function') timer.unref();
    c.beat = timer;
  }

  /** @internal carries out a session's outputs, then rearms its timer; events after */
  _drain(/** @type {ResumeSession} */ s) {
    if (s._p === 0) return;
    const mod = core();
    /** @type {Array<[string, any[]]>} */
    const events = [];
    const wantDrops = s.listenerCount('drop') > 0;
    /** @type {string | null} */
    let expired = null;
    for (let kind; (kind = mod.sessionPoll(s._p)) >= 0; ) {
      const out = OUTPUT[kind];
      const first = readField('first');
      const last = readField('last');
      if (out === 'send-control') {
        const text = readText(readField('frame'));
        if (s._conn && text.length > 0) writeFrame(this, s._conn, text, false);
      } else if (out === 'resend') {
        for (let seq = first; seq <= last; seq++) {
          const m = s._at(seq);
          if (m && s._conn) writeFrame(this, s._conn, m.data, m.binary);
        }
      } else if (out === 'release') {
        s._forget(last);
        if (last > s._acked) s._acked = last;
      } else if (out === 'drop') {
        const gone = s._forget(last);
        if (wantDrops) gone.forEach((m, i) => events.push(['drop', [m.binary ? m.data : unescape(/** @type {string} */ (m.data)), last - gone.length + 1 + i]]));
      } else if (out === 'expired') {
        expired = CAUSE[readField('expiry')];
      }
    }
    if (expired !== null) {
      s.expiredCause = expired;
      const c = s._conn;
      this._free(s);
      this._sessions.delete(s.id);
      // The connection stays: the client answers expired with new on it.
      if (c) {
        c.session = null;
        c.mode = 'expired';
      }
    } else {
      this._arm(s);
    }
    for (const [event, args] of events) this._emit(s, event, ...args);
    if (expired !== null) {
      this._emit(s, 'expired', expired);
      this._emit(this, 'expired', s, expired);
    }
  }

  /** @internal frees a session's core state, payloads and timer */
  _free(/** @type {ResumeSession} */ s) {
    if (s._p !== 0) core().sessionDelete(s._p);
    s._p = 0;
    s._kept = [];
    s._head = 0;
    s._keptBytes = 0;
    s._conn = null;
    if (s._timer !== undefined) this._timers.clearTimeout(s._timer);
    s._timer = undefined;
    s._deadline = Infinity;
  }

  /** @internal one timer per session, for the core's next deadline (acks, age, window) */
  _arm(/** @type {ResumeSession} */ s) {
    const at = core().sessionPollTimeout(s._p);
    if (at === s._deadline) return;
    if (s._timer !== undefined) this._timers.clearTimeout(s._timer);
    s._timer = undefined;
    s._deadline = Infinity;
    if (at === Infinity) return;
    /** @type {any} */
    let timer;
    const fire = () => {
      s._timer = undefined;
      s._deadline = Infinity;
      if (s._p === 0) return;
      core().sessionTimeout(s._p, this._now());
      this._drain(s);
    };
    try {
      timer = this._timers.setTimeout(fire, Math.max(0, at - this._now()));
    } catch (error) {
      // Reported; the runtime's timer keeps the session's deadlines (a window that never fired
      // would keep the session for ever).
      this._report(error);
      timer = setTimeout(fire, Math.max(0, at - this._now()));
    }
    s._deadline = at;
    // A session waiting for its client must not keep the process alive.
    if (timer && typeof timer.unref === 'function') timer.unref();
    s._timer = timer;
  }
}

/**
 * @param {Record<string, any>} options
 * @param {string} key
 * @param {number} fallback
 * @param {(v: number) => boolean} ok
 * @param {string} expected
 */
function option(options, key, fallback, ok, expected) {
  const v = options[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !ok(v)) throw new RangeError(`ResumeServer: options.${key}: expected ${expected}, got ${describe(v)}`);
  return v;
}

/** @param {string} name a field of the contract's outputFields */
function readField(name) {
  const mod = core();
  return mod.HEAPF64[mod.recordsAddress() / 8 + FIELD[name]];
}

/** @param {string} name a field of the contract's statsFields */
function readStats(name) {
  const mod = core();
  return mod.HEAPF64[mod.recordsAddress() / 8 + STATS[name]];
}

function ignore() {}

/** The ASCII text the core left in its frame buffer. */
function readText(/** @type {number} */ n) {
  const mod = core();
  return Buffer.from(mod.HEAPF64.buffer, mod.frameAddress(), n).toString('latin1');
}

/** Any frame (an app message, a control frame) on `c`. @param {ResumeServer} server @param {Connection} c @param {string | Buffer} data @param {boolean} binary */
function writeFrame(server, c, data, binary) {
  // A closing socket drops it (ws does not throw after close): the resume resends it.
  if (c.ws.readyState !== OPEN) return;
  c.ws.send(data, { binary });
  // A client that does not read would make ws queue every frame for ever (what is kept for a
  // resend is bounded; ws's copy is not, nor are the acks and pongs of a client that only
  // writes): past maxUnsent in ws's buffer, the connection is of no use. Dropped, the session
  // detaches; the client resumes from what it had read.
  const buffered = /** @type {any} */ (c.ws).bufferedAmount;
  if (typeof buffered === 'number' && buffered > server.options.maxUnsent) server._drop(c, 1008);
}

/** An app text as the app gave it (the kept copy is the escaped wire text). */
function unescape(/** @type {string} */ text) {
  return text.startsWith(R.escape) ? text.slice(R.escape.length) : text;
}

/** ws's message data (a Buffer, an ArrayBuffer or fragments, by binaryType) as one Buffer. */
function toBuffer(/** @type {any} */ data) {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return Buffer.from(String(data));
}

function byteLength(/** @type {any} */ data) {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  if (typeof Blob === 'function' && data instanceof Blob) return data.size; // binaryType 'blob'
  return data.byteLength ?? Buffer.byteLength(String(data));
}
