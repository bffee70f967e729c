// Property-based test of the shim (issue 8, "Proven like the core"): random sequences of API calls
// (sends of every kind and size, close(), reconnect(), binaryType, listeners that call the API),
// transport events on the live socket and on stale ones, transports that fail before they return,
// URL providers that throw / reject / never settle / return a thenable whose then() throws,
// platform signals, timer firings and clock jumps, all on the fakes of support/fakes.mjs, with the
// invariants below (INVARIANTS) checked after every step and inside every listener.
//
//   node --test wasm-tests/property.test.mjs
//   PROPERTY_SEED=123 PROPERTY_RUNS=5000 node --test wasm-tests/property.test.mjs
//   PROPERTY_SEED=<seed> PROPERTY_PATH="<path>" PROPERTY_ONLY=<invariant> node --test wasm-tests/property.test.mjs
//   (also PROPERTY_STEPS: the most steps in one sequence, 40 by default)
//
// Each invariant is its own test (same generator, same seed) so that each reports its own shrunk
// counterexample; a scenario is run once and its violations are shared between the tests (cache).
// On failure fast-check prints the seed and the path that replay it; the error names the
// invariant, the step that broke it, and the last steps and events before it.
//
// A loop in the shim must fail the test, not hang it: past a fuse (FUSE_*) the harness makes the
// transport inert, the provider never settle and the listeners do nothing, and ends the run.
// While the properties run, unhandled rejections are routed to the run that caused them (node:test's
// own listeners are set aside and put back), and the shim's reportLater (a real setTimeout from js/)
// is run at once and recorded. Listeners here never throw (that is a separate concern).

import { test, before } from 'node:test';
import fc from 'fast-check';
import { init, Lifeline } from '../js/index.js';
import { FakeTime, FakeSocket, FakePlatform } from './support/fakes.mjs';

const URL_ = 'wss://example.test/live';
const TYPES = ['open', 'message', 'close', 'error', 'reconnecting', 'giveup', 'heartbeat', 'drop', 'statechange'];
const JS_DIR = new URL('../js/', import.meta.url).pathname;

const env = process.env;
const SEED = env.PROPERTY_SEED !== undefined ? Number(env.PROPERTY_SEED) : 0x5eed8;
const RUNS = env.PROPERTY_RUNS !== undefined ? Number(env.PROPERTY_RUNS) : 1000;
const PATH = env.PROPERTY_PATH;
const ONLY = env.PROPERTY_ONLY; // run one invariant's test only
const MAX_STEPS = env.PROPERTY_STEPS !== undefined ? Number(env.PROPERTY_STEPS) : 40;

// Fuses: past these the harness cuts the loop (inert transport, provider and listeners) and ends
// the run, so that a loop in the shim fails the test instead of hanging it.
const FUSE_CALLS = 40; // transport or provider calls in one synchronous step / one turn
const FUSE_LISTENER = 200; // hostile listener actions in one synchronous step
const MAX_FIRES = 200; // timers run by one advance() step (beyond: the advance stops short)

/** The invariants, by id: each is one test below. */
const INVARIANTS = {
  bounded: 'every API call, transport event, platform signal and timer returns after at most 2 transport calls and 2 URL-provider calls (no synchronous loop)',
  turn: 'between two attempts the event loop gets a turn (a timer fired or a new task from outside; microtasks do not count)',
  source: 'an attempt starts only from the start, a timer, a resume (online, shown), or a call made once the clock passed an armed deadline (which it may run first): never from reconnect(), close(), a transport event or a failure (a lost socket is not replaced within the input that lost it)',
  'one-live': 'at most one live socket (not closed by the Lifeline, not closed by the remote side) at any time',
  'after-close': "once the state is 'closed': no transport or provider call, no timer left, nothing queued, and no event but drop(reason 'closed'), one statechange to closed, one close; no 'reconnecting' event once close() was called",
  accounting: "nothing stays queued while open on a socket that takes writes; each send() is accepted (true) or dropped (false, with its 'drop' event during the call); each accepted message is exactly one of written once / still queued / dropped once (reported); stats agree (messagesSent, dropped, queued, queuedBytes within the budget, maybeLost = messages written since the last sign of life on sockets lost without a clean close); writes are in send order",
  'ready-state': 'readyState matches state (idle/connecting/backoff/paused 0, open 1, gave-up/closed 3) after every step and inside every listener',
  'no-throw': 'nothing thrown out of an API call, a transport handler or a timer; no unhandled rejection; nothing reported through the shim\'s reportLater',
  writes: 'data is written only to the live socket, after it opened and before either side closed it',
  stale: 'an event on a stale socket (abandoned, closed, or replaced) changes nothing: no event, no transport call, same state and stats',
  timers: 'at most one timer of the shim armed at a time, with a finite delay in [0, 2^31-1]',
  wedge: "never stuck: after the start the state is not 'idle'; in 'backoff' (and in 'connecting' with a finite connectTimeout) a timer is armed",
  'close-events': "close events never outnumber attempts: close() from idle, backoff, paused or gave-up fires none",
  'event-state': "events carry the state after the change: a statechange listener reads the new state (unless a listener already called the API in this task), 'open' is seen in state 'open', 'close' never in state 'open'; heartbeat rtt finite and >= 0",
};

before(async () => {
  await init();
});

// --- generators ----------------------------------------------------------------------------------

/** A value that prints as `text` in fast-check's reports. */
function labelled(value, text) {
  return Object.assign(value, { [fc.toStringMethod]: () => text });
}

// In each list the first value is the default, the one shrinking goes to; the config prints only
// what differs from it.
const OPTION_CHOICES = {
  pingInterval: [10000, 1, 10, 100, 1000, Infinity],
  pongTimeout: [10000, 1, 10, 100, 1000, Infinity],
  connectTimeout: [10000, 1, 10, 100, 1000, Infinity],
  reconnectDelay: [1000, 0, 1, 10, 100],
  maxDelayExtra: [0, 10, 1000, 30000], // maxReconnectDelay = reconnectDelay + this
  backoffFactor: [2, 1, 1.5, 10],
  jitter: [0, 0.5, 1],
  maxRetries: [Infinity, 0, 1, 2, 3],
  minUptime: [5000, 0, 10, Infinity],
  timerSlack: [2000, 1, 10, Infinity],
  maxQueued: [1000, 0, 1, 2, 3],
  maxQueuedBytes: [1024, 0, 8, 16, 64, 256],
  binaryType: ['blob', 'arraybuffer'],
  pauseInBackground: [false, true],
};
const HARNESS_CHOICES = {
  url: ['static', 'sync', 'resolve', 'reject', 'throw', 'bad-then', 'never', 'late', 'late-reject', 'bad-url'],
  transport: ['ok', 'throw', 'error-sync', 'close-sync', 'error-close-sync', 'open-sync'],
  online: [true, false],
  foreground: [true, false],
  shouldReconnect: [false, true], // true: a shouldReconnect that refuses code 4001
};

/** One of `values`: the first (the default) about `defaultShare` of the time; shrinks to it. */
function choice(values, defaultShare) {
  if (values.length === 1) return fc.constant(values[0]);
  const rest = Math.round(((1 - defaultShare) / defaultShare) * 10);
  return fc.oneof(
    { withCrossShrink: true },
    { weight: 10, arbitrary: fc.constant(values[0]) },
    { weight: rest, arbitrary: fc.constantFrom(...values.slice(1)) },
  );
}

const configArb = fc
  .record({
    ...Object.fromEntries(Object.entries(OPTION_CHOICES).map(([k, v]) => [k, choice(v, 0.4)])),
    ...Object.fromEntries(Object.entries(HARNESS_CHOICES).map(([k, v]) => [k, choice(v, k === 'online' || k === 'foreground' ? 0.85 : 0.7)])),
    seed: fc.nat(1000),
  })
  .map((c) => {
    const shown = Object.entries(c)
      .filter(([k, v]) => k !== 'seed' && ({ ...OPTION_CHOICES, ...HARNESS_CHOICES })[k][0] !== v)
      .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : String(v)}`);
    if (c.jitter !== 0) shown.push(`seed: ${c.seed}`); // (only jitter draws from it)
    return labelled(c, `{ ${shown.join(', ')} }`);
  });

const SEND_KINDS = ['str', 'str-é', 'str-emoji', 'u8', 'arraybuffer', 'dataview', 'blob'];
const SEND_SIZES = ['small', 'small', 'small', 'budget', 'over', 'huge', 'empty'];
const CLOSE_CODES = [undefined, 1000, 3000, 4002, 4999];
const LISTENER_DOES = ['reconnect', 'send', 'reconnect', 'send', 'send(over)', 'binaryType', 'close', 'close(4000)'];
// (repeats weigh the choice)
const SOCKET_EVENTS = ['open', 'open', 'open', 'open', 'message', 'message', 'pong', 'pong', 'ping', 'error', 'close', 'close'];
const REMOTE_CODES = [1006, 1000, 1001, 1011, 4000, 4001];
const ADVANCES = [0, 1, 5, 10, 100, 1000, 10000, 60000, 1e6];

const actionArb = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .record({ kind: fc.constantFrom(...SEND_KINDS), size: fc.constantFrom(...SEND_SIZES) })
      .map(({ kind, size }) => labelled({ do: 'send', kind, size }, `send(${kind} ${size})`)),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ code: fc.constantFrom(...CLOSE_CODES), reason: fc.boolean() })
      .map(({ code, reason }) =>
        labelled({ do: 'close', code, reason }, `close(${[code, reason ? "'bye'" : undefined].filter((x) => x !== undefined).join(', ')})`),
      ),
  },
  { weight: 3, arbitrary: fc.constant(labelled({ do: 'reconnect' }, 'reconnect()')) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('blob', 'arraybuffer')
      .map((value) => labelled({ do: 'binaryType', value }, `binaryType = '${value}'`)),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ type: fc.constantFrom(...TYPES), does: fc.constantFrom(...LISTENER_DOES), once: fc.boolean() })
      // A 'drop' listener that sends again loops by itself wherever drops are reported at once
      // (a send after close() is dropped): the app's loop, not the shim's.
      .filter(({ type, does, once }) => once || !(type === 'drop' && does.startsWith('send')))
      .map(({ type, does, once }) =>
        labelled({ do: 'listen', type, does, once }, `on('${type}'${once ? ', once' : ''}) → ${does}`),
      ),
  },
  {
    weight: 20,
    arbitrary: fc
      .record({
        stale: choice([false, true], 0.7),
        pick: fc.nat(7),
        ev: fc.constantFrom(...SOCKET_EVENTS),
        code: fc.constantFrom(...REMOTE_CODES),
        clean: fc.boolean(),
      })
      .map(({ stale, pick, ev, code, clean }) => {
        const who = stale ? `stale[${pick}]` : 'live';
        const what = ev === 'close' ? `close(${code}${clean ? ', clean' : ''})` : ev;
        return labelled({ do: 'socket', stale, pick, ev, code, clean }, `${who}.${what}`);
      }),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('ok', 'false', 'throw')
      .map((mode) => labelled({ do: 'socketSend', mode }, `live socket's send() → ${mode}`)),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(...HARNESS_CHOICES.transport)
      .map((mode) => labelled({ do: 'transportMode', mode }, `transport → ${mode}`)),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(...HARNESS_CHOICES.url.filter((m) => m !== 'static'))
      .map((mode) => labelled({ do: 'providerMode', mode }, `provider → ${mode}`)),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom('offline', 'online', 'hide', 'show').map((s) => labelled({ do: 'platform', signal: s }, s)),
  },
  {
    weight: 10,
    arbitrary: fc
      .oneof(fc.constantFrom(...ADVANCES), fc.integer({ min: 0, max: 3000 }))
      .map((ms) => labelled({ do: 'advance', ms }, `advance(${ms})`)),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ how: fc.constantFrom('jump', 'freeze', 'unfreeze', 'back'), ms: fc.constantFrom(1000, 1, 60000, 1e6) })
      .map(({ how, ms }) =>
        labelled({ do: 'clock', how, ms }, how === 'jump' ? `clock jumps +${ms}` : how === 'back' ? `clock steps back ${ms}` : `clock ${how}s`),
      ),
  },
);

const actionsArb = fc
  .array(actionArb, { maxLength: MAX_STEPS, size: 'max' })
  .map((list) => labelled(list, list.length === 0 ? '[]' : `[\n    ${list.map((a) => a[fc.toStringMethod]()).join(',\n    ')}\n  ]`));

// --- the harness -----------------------------------------------------------------------------------

// Where an attempt may start (see INVARIANTS.source), besides a step taken with a deadline overdue.
const ATTEMPT_SOURCES = new Set(['start', 'timer', 'online', 'show']);

/** A violation: stops nothing by itself (the run goes on) unless the harness had to cut a loop. */
class Violation {
  constructor(inv, message, step) {
    this.inv = inv;
    this.message = message;
    this.step = step;
  }
}

/** The run under way (for the process-wide hooks: reportLater, unhandled rejections). */
let current = null;

const stateReadyState = (s) =>
  ({ idle: 0, connecting: 0, backoff: 0, paused: 0, open: 1, 'gave-up': 3, closed: 3 })[s];

class Harness {
  constructor(cfg) {
    this.cfg = cfg;
    this.time = new FakeTime(1000);
    this.time.limit = Infinity; // the advance step bounds itself
    this.skew = 0;
    this.frozen = null;
    this.platform = new FakePlatform({ online: cfg.online, foreground: cfg.foreground });
    this.transportMode = cfg.transport;
    this.providerMode = cfg.url;
    /** @type {Violation[]} */
    this.violations = [];
    this.seen = new Set(); // "inv|message" already recorded
    this.stepLabel = 'construction';
    this.stepIndex = -1;
    this.log = []; // what happened, for the report
    this.defused = false;

    // turns and synchronous steps
    this.turn = 0;
    this.source = 'start'; // what started the current task: 'start', 'timer', 'provider timer' or a step
    this.segment = { transport: 0, provider: 0, listener: 0 };
    this.lastAttemptTurn = -1;
    this.attemptsInTurn = 0;
    this.attempts = 0;
    this.transportCalls = 0;
    this.providerCalls = 0;

    // sockets and messages
    /** @type {Array<FakeSocket & { n: number, writesSinceLife: number }>} */
    this.sockets = [];
    this.messages = new Map(); // data -> record
    this.sendOrder = [];
    this.nextMessage = 1;
    this.lastWrittenId = 0;
    this.expectedMaybeLost = 0;
    this.drops = 0;

    // events
    this.events = 0;
    this.closedSeen = false;
    this.closeCalled = false;
    this.afterClosed = { close: 0, statechange: 0 };
    this.closeEvents = 0;
    this.toConnecting = 0;
    this.started = false;

    // the shim's timers
    this.shimTimers = new Map(); // id -> { at: when it fires, due: the deadline on the Lifeline's clock }
    this.overdue = false;

    const timers = {
      setTimeout: (fn, ms) => this.shimSetTimeout(fn, ms),
      clearTimeout: (id) => {
        this.shimTimers.delete(id);
        this.time.clearTimeout(id);
      },
    };
    const { maxDelayExtra, url, transport, online, foreground, shouldReconnect, ...opts } = cfg;
    const options = {
      ...opts,
      maxReconnectDelay: cfg.reconnectDelay + maxDelayExtra,
      clock: () => this.clock(),
      timers,
      transport: (u, protocols, handlers, binaryType) => this.transportCall(u, protocols, handlers, binaryType),
      platform: this.platform,
      isServerPing: (d) => d === 'sping',
    };
    if (shouldReconnect) options.shouldReconnect = ({ code }) => code !== 4001;
    const urlSource = url === 'static' ? URL_ : (info) => this.providerCall(info);
    this.ll = new Lifeline(urlSource, options);
    for (const type of TYPES) this.ll.addEventListener(type, (e) => this.onEvent(e));
  }

  // --- reporting ---

  fail(inv, message) {
    const key = `${inv}|${message.replace(/\d+/g, '#')}`; // one of each kind per run
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.violations.push(new Violation(inv, message, this.stepIndex));
    this.note(`!! [${inv}] ${message}`);
  }

  note(line) {
    this.log.push(line);
    if (this.log.length > 400) this.log.splice(0, 100);
  }

  /** Cuts a loop: from now on the transport makes inert sockets, the provider never settles and
   * the hostile listeners do nothing; the run ends after this step. */
  defuse(inv, message) {
    if (this.defused) return;
    this.fail(inv, `${message} (loop cut by the harness)`);
    this.defused = true;
  }

  newSegment() {
    this.segment = { transport: 0, provider: 0, listener: 0 };
  }

  newTurn() {
    this.turn++;
    this.newSegment();
  }

  // --- clock and timers ---

  clock() {
    return this.frozen ?? this.time.now() + this.skew;
  }

  shimSetTimeout(fn, ms) {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > 2 ** 31 - 1) {
      this.fail('timers', `setTimeout with delay ${String(ms)}`);
    }
    const id = this.time.setTimeout(() => {
      this.shimTimers.delete(id);
      this.newTurn();
      this.source = 'timer';
      this.overdue = false;
      this.note(`  (timer fires at ${this.time.now()})`);
      fn();
    }, ms);
    this.shimTimers.set(id, { at: this.time.now() + ms, due: this.clock() + ms });
    if (this.shimTimers.size > 1) this.fail('timers', `${this.shimTimers.size} timers of the shim armed at once`);
    return id;
  }

  /** A timer of the harness itself (a provider that settles later): a turn of its own. */
  harnessTimer(fn, ms) {
    this.time.setTimeout(() => {
      this.newTurn();
      this.source = 'the provider settling (a timer of the harness)';
      this.overdue = false;
      fn();
    }, ms);
  }

  // --- attempts ---

  attemptStarted(what) {
    this.attempts++;
    if (!ATTEMPT_SOURCES.has(this.source) && !this.overdue) this.fail('source', `an attempt (${what}) started from ${this.source}`);
    if (this.closedSeen) this.fail('after-close', `${what} called after the state became 'closed'`);
    if (this.turn === this.lastAttemptTurn) {
      this.attemptsInTurn++;
      this.fail('turn', `a new attempt (${what}) started with no event-loop turn since the previous one`);
      if (this.attemptsInTurn >= FUSE_CALLS) this.defuse('turn', `${this.attemptsInTurn} attempts within one turn`);
    } else {
      this.attemptsInTurn = 1;
    }
    this.lastAttemptTurn = this.turn;
  }

  providerCall(info) {
    this.providerCalls++;
    this.note(`  provider({ attempt: ${info?.attempt} }) → ${this.defused ? 'never (defused)' : this.providerMode}`);
    this.attemptStarted('the URL provider');
    if (++this.segment.provider > 2) {
      this.fail('bounded', `more than 2 URL-provider calls in one synchronous step`);
      if (this.segment.provider >= FUSE_CALLS) this.defuse('bounded', `${this.segment.provider} URL-provider calls in one synchronous step`);
    }
    if (this.defused) return new Promise(() => {});
    switch (this.providerMode) {
      case 'sync':
        return URL_;
      case 'resolve':
        return Promise.resolve(URL_);
      case 'reject':
        return Promise.reject(new Error('no token'));
      case 'throw':
        throw new Error('provider throws');
      case 'bad-then':
        return { then() { throw new Error('then throws'); } };
      case 'never':
        return new Promise(() => {});
      case 'late':
        return new Promise((resolve) => this.harnessTimer(() => resolve(URL_), 50));
      case 'late-reject':
        return new Promise((_, reject) => this.harnessTimer(() => reject(new Error('late no token')), 50));
      case 'bad-url':
        return 'https://user:secret@example.test/?token=secret';
      default:
        throw new Error(`harness: provider mode ${this.providerMode}`);
    }
  }

  transportCall(url, protocols, handlers, binaryType) {
    this.transportCalls++;
    const mode = this.defused ? 'ok' : this.transportMode;
    this.note(`  transport(#${this.sockets.length}) → ${this.defused ? 'inert (defused)' : mode}`);
    if (this.cfg.url === 'static') this.attemptStarted('the transport');
    else if (this.closedSeen) this.fail('after-close', "the transport called after the state became 'closed'");
    if (++this.segment.transport > 2) {
      this.fail('bounded', `more than 2 transport calls in one synchronous step`);
      if (this.segment.transport >= FUSE_CALLS) this.defuse('bounded', `${this.segment.transport} transport calls in one synchronous step`);
    }
    const live = this.sockets.filter((s) => s.live);
    if (live.length > 0) this.fail('one-live', `a socket is created while #${live.map((s) => s.n).join(', #')} still live`);
    if (mode === 'throw') throw new Error('transport refuses');
    const s = this.makeSocket(url, protocols, handlers, binaryType);
    const call = (what, fn) => {
      try {
        fn();
      } catch (error) {
        this.fail('no-throw', `handlers.${what} (called before the transport returned) threw: ${describeError(error)}`);
      }
    };
    if (mode === 'error-sync' || mode === 'error-close-sync') call('error', () => s.error('refused at once'));
    if (mode === 'close-sync' || mode === 'error-close-sync') call('close', () => this.remoteClose(s, 1006, false));
    if (mode === 'open-sync') call('open', () => s.open());
    return s;
  }

  makeSocket(url, protocols, handlers, binaryType) {
    const h = this;
    const s = /** @type {any} */ (new FakeSocket({ now: () => h.time.now() }, url, protocols, handlers, binaryType));
    s.n = this.sockets.length;
    s.writesSinceLife = 0;
    s.send = function (data) {
      const m = h.messages.get(data);
      const isLive = this === h.sockets.at(-1);
      if (!isLive || !this.isOpen || this.closed !== null || this.remoteClosed !== null) {
        const why = !isLive ? 'a socket that is not the latest' : !this.isOpen ? 'a socket not open yet' : this.closed !== null ? 'a socket the Lifeline closed' : 'a socket the remote side closed';
        h.fail('writes', `${m ? `message #${m.id}` : describeData(data)} written to ${why} (#${this.n})`);
      }
      const result = FakeSocket.prototype.send.call(this, data);
      if (result === false || !m) return result;
      if (m.written !== null) h.fail('accounting', `message #${m.id} written twice (#${m.written.socket}, #${this.n})`);
      if (m.dropped !== null) h.fail('accounting', `message #${m.id} written after its drop (${m.dropped})`);
      if (m.id < h.lastWrittenId) h.fail('accounting', `message #${m.id} written after #${h.lastWrittenId}: out of send order`);
      h.lastWrittenId = Math.max(h.lastWrittenId, m.id);
      m.written = { socket: this.n };
      this.writesSinceLife++;
      return result;
    };
    s.close = function (code, reason, abandon) {
      const wasLive = this.live;
      h.note(`  socket #${this.n}.close(${code}, ${JSON.stringify(reason)}, abandon ${abandon})`);
      if (wasLive && abandon === true) h.expectedMaybeLost += this.writesSinceLife;
      return FakeSocket.prototype.close.call(this, code, reason, abandon);
    };
    this.sockets.push(s);
    return s;
  }

  remoteClose(s, code, clean) {
    if (s.live && !clean) this.expectedMaybeLost += s.writesSinceLife;
    s.remoteClose(code, '', clean);
  }

  /** The latest socket, if still live. */
  liveSocket() {
    const s = this.sockets.at(-1);
    return s && s.live ? s : null;
  }

  // --- events ---

  onEvent(e) {
    this.events++;
    const ll = this.ll;
    const state = ll.state;
    const brief = describeEvent(e);
    this.note(`  event ${brief}   (state ${state}, readyState ${ll.readyState})`);
    if (ll.readyState !== stateReadyState(state)) {
      this.fail('ready-state', `inside a '${e.type}' listener readyState is ${ll.readyState} in state '${state}'`);
    }
    // after the close
    if (this.closedSeen || state === 'closed') {
      let allowed = false;
      if (e.type === 'drop') allowed = e.reason === 'closed';
      else if (e.type === 'close') allowed = ++this.afterClosed.close === 1 && e.willReconnect === false;
      else if (e.type === 'statechange') allowed = e.to === 'closed' && ++this.afterClosed.statechange === 1;
      if (!allowed) this.fail('after-close', `event ${brief} after the state became 'closed'`);
    }
    if (e.type === 'reconnecting' && this.closeCalled) this.fail('after-close', `event ${brief} after close() was called (close() withdraws it)`);
    if (e.type === 'statechange' && e.to === 'closed') this.closedSeen = true;
    if (state === 'closed') this.closedSeen = true;
    if (e.type === 'statechange' && e.to === 'connecting') this.toConnecting++;
    if (e.type === 'close') {
      this.closeEvents++;
      // Attempts, counted two ways that both fall short of the truth (a statechange to
      // 'connecting' may not come between two attempts; an attempt withdrawn before it started
      // calls no provider or transport): the larger of them.
      const attempts = Math.max(this.toConnecting, this.attempts);
      if (this.closeEvents > attempts) this.fail('close-events', `close event #${this.closeEvents} after only ${attempts} attempt(s)`);
      if (state === 'open') this.fail('event-state', `'close' event seen in state 'open' (${brief})`);
    }
    if (e.type === 'statechange' && e.to !== state && this.segment.listener === 0) {
      // (unless a listener of this task called the API: then the state may have moved on)
      this.fail('event-state', `a listener of statechange ${e.from}→${e.to} reads state '${state}'`);
    }
    if (e.type === 'open' && state !== 'open') this.fail('event-state', `'open' event seen in state '${state}'`);
    if (e.type === 'heartbeat' && !(Number.isFinite(e.rtt) && e.rtt >= 0)) this.fail('event-state', `heartbeat rtt ${e.rtt}`);
    if (e.type === 'drop') {
      this.drops++;
      const m = this.messages.get(e.data);
      if (!m) this.fail('accounting', `drop of data the app never sent: ${describeData(e.data)}`);
      else {
        if (m.dropped !== null) this.fail('accounting', `message #${m.id} dropped twice (${m.dropped}, ${e.reason})`);
        if (m.written !== null) this.fail('accounting', `message #${m.id} dropped (${e.reason}) after it was written to #${m.written.socket}`);
        m.dropped = e.reason;
      }
    }
  }

  addListener({ type, does, once }) {
    const fn = () => {
      if (this.defused) return;
      if (++this.segment.listener > FUSE_LISTENER) {
        this.defuse('bounded', `${FUSE_LISTENER} hostile listener calls in one synchronous step`);
        return;
      }
      this.note(`  listener on '${type}' → ${does}`);
      try {
        switch (does) {
          case 'reconnect':
            this.ll.reconnect();
            break;
          case 'close':
            this.closeCalled = true;
            this.ll.close();
            break;
          case 'close(4000)':
            this.closeCalled = true;
            this.ll.close(4000, 'from a listener');
            break;
          case 'send':
            this.send('str', 'small');
            break;
          case 'send(over)':
            this.send('u8', 'over');
            break;
          case 'binaryType':
            this.ll.binaryType = this.ll.binaryType === 'blob' ? 'arraybuffer' : 'blob';
            break;
        }
      } catch (error) {
        this.fail('no-throw', `${does} inside a '${type}' listener threw: ${describeError(error)}`);
      }
    };
    this.ll.addEventListener(type, fn, { once });
  }

  // --- sending ---

  makeData(kind, size) {
    const id = this.nextMessage++;
    const budget = this.cfg.maxQueuedBytes;
    const bytes = { empty: 0, small: 6, budget, over: budget + 1, huge: Math.max(budget + 1, 200000) }[size];
    let data;
    if (kind.startsWith('str')) {
      const tag = `#${id}:`;
      const unit = kind === 'str' ? 'x' : kind === 'str-é' ? 'é' : '😀';
      const unitBytes = kind === 'str' ? 1 : kind === 'str-é' ? 2 : 4;
      const pad = Math.max(0, Math.ceil((bytes - tag.length) / unitBytes));
      data = tag + unit.repeat(pad);
    } else {
      const buffer = new ArrayBuffer(bytes);
      data =
        kind === 'u8' ? new Uint8Array(buffer) : kind === 'dataview' ? new DataView(buffer) : kind === 'blob' ? new Blob([buffer]) : buffer;
    }
    return { id, data };
  }

  send(kind, size) {
    const { id, data } = this.makeData(kind, size);
    const m = { id, desc: `${kind} ${size}`, result: undefined, written: null, dropped: null };
    this.messages.set(data, m);
    this.sendOrder.push(m);
    let result;
    try {
      result = this.ll.send(data);
    } catch (error) {
      this.fail('no-throw', `send(#${id} ${m.desc}) threw: ${describeError(error)}`);
      m.result = 'threw';
      return;
    }
    m.result = result;
    this.note(`  send #${id} (${m.desc}) → ${result}`);
    if (result === false && m.dropped === null) this.fail('accounting', `send(#${id} ${m.desc}) returned false without a 'drop' event`);
    if (result !== true && result !== false) this.fail('accounting', `send() returned ${String(result)}`);
    if (this.closedSeen && result !== false) this.fail('after-close', `send(#${id}) after the close returned ${result}`);
  }

  // --- steps ---

  /** Lets every promise callback run (a real macrotask: the microtask queue drains first, and
   * unhandled rejections surface, inside this step). A microtask loop would never let it return:
   * the fuses cut such a loop at the provider. */
  async settle() {
    await new Promise((resolve) => setImmediate(resolve));
  }

  async start() {
    this.stepLabel = 'start';
    await this.settle();
    this.started = true;
    this.check();
  }

  async step(action, index) {
    this.stepIndex = index;
    this.stepLabel = action[fc.toStringMethod]();
    this.note(`${index}: ${this.stepLabel}`);
    this.newTurn();
    this.source = action.do === 'send' || action.do === 'platform' ? this.stepLabel : `'${this.stepLabel}'`;
    // A step taken after the clock passed an armed deadline may run that deadline first (a
    // handle_timeout: it may start an attempt).
    // (Overdue by the timers' time or by the clock the Lifeline reads: they part when it jumps.)
    this.overdue = [...this.shimTimers.values()].some((t) => t.at <= this.time.now() || t.due <= this.clock());
    try {
      await this.apply(action);
    } catch (error) {
      this.fail('no-throw', `${this.stepLabel} threw: ${describeError(error)}`);
    }
    await this.settle();
    this.check();
  }

  async apply(a) {
    const ll = this.ll;
    switch (a.do) {
      case 'send':
        return this.send(a.kind, a.size);
      case 'close':
        this.closeCalled = true;
        if (a.reason) ll.close(a.code ?? 1000, 'bye');
        else if (a.code === undefined) ll.close();
        else ll.close(a.code);
        return;
      case 'reconnect':
        return void ll.reconnect();
      case 'binaryType':
        ll.binaryType = a.value;
        return;
      case 'listen':
        return this.addListener(a);
      case 'socket':
        return this.socketEvent(a);
      case 'socketSend': {
        const s = this.liveSocket();
        if (s) {
          if (a.mode !== 'ok') s.refusedWrites = true;
          s.notOpen = a.mode === 'false';
          s.sendThrows = a.mode === 'throw' ? new Error('send refused') : null;
        }
        return;
      }
      case 'transportMode':
        this.transportMode = a.mode;
        return;
      case 'providerMode':
        if (this.cfg.url !== 'static') this.providerMode = a.mode;
        return;
      case 'platform':
        if (a.signal === 'offline') this.platform.goOffline();
        else if (a.signal === 'online') this.platform.goOnline();
        else if (a.signal === 'hide') this.platform.hide();
        else this.platform.show();
        return;
      case 'advance':
        return this.advance(a.ms);
      case 'clock':
        if (a.how === 'jump') this.time.jump(a.ms);
        else if (a.how === 'back') this.skew -= a.ms;
        else if (a.how === 'freeze') this.frozen ??= this.clock();
        else this.frozen = null;
        return;
    }
    throw new Error(`harness: unknown action ${a.do}`);
  }

  /** Runs the timers due within `ms`, one per task (promise callbacks run in between). */
  async advance(ms) {
    const target = this.time.now() + ms;
    for (let fired = 0; this.time.nextAt() <= target; fired++) {
      if (fired >= MAX_FIRES || this.defused) return; // a busy timer chain: stop short, no verdict
      try {
        this.time.runNext(); // (the callback starts a new turn)
      } catch (error) {
        this.fail('no-throw', `a timer callback threw: ${describeError(error)}`);
      }
      await this.settle();
    }
    this.time.advanceTo(target);
  }

  socketEvent({ stale, pick, ev, code, clean, only = null }) {
    let s = only;
    if (s) {
      // (the end of a run: every socket is stale)
    } else if (stale) {
      const live = this.liveSocket();
      const old = this.sockets.filter((x) => x !== live);
      if (old.length === 0) return;
      s = old[pick % old.length];
    } else {
      s = this.liveSocket();
      if (!s) return;
      // What a real live socket can do: open once, messages only once open.
      if (ev === 'open' && s.isOpen) return;
      if ((ev === 'message' || ev === 'pong' || ev === 'ping') && !s.isOpen) return;
    }
    if (stale || only) this.note(`  (${ev} on stale socket #${s.n})`);
    const before = stale || only ? this.snapshot() : null;
    const deliver = (what, fn) => {
      try {
        fn();
      } catch (error) {
        this.fail('no-throw', `handlers.${what} on socket #${s.n} threw: ${describeError(error)}`);
      }
    };
    const life = () => {
      if (s.live && s === this.sockets.at(-1)) s.writesSinceLife = 0;
    };
    switch (ev) {
      case 'open':
        deliver('open', () => s.open());
        break;
      case 'message':
        life();
        deliver('message', () => s.message(`srv:${this.time.now()}`));
        break;
      case 'pong':
        life();
        deliver('message', () => s.message('pong'));
        break;
      case 'ping':
        life();
        deliver('message', () => s.message('sping'));
        break;
      case 'error':
        deliver('error', () => s.error('boom'));
        break;
      case 'close':
        deliver('close', () => this.remoteClose(s, code, code === 1006 ? false : clean));
        break;
    }
    if (before) {
      const after = this.snapshot();
      for (const k of Object.keys(before)) {
        if (before[k] !== after[k]) this.fail('stale', `${ev} on stale socket #${s.n} changed ${k}: ${before[k]} → ${after[k]}`);
      }
    }
  }

  snapshot() {
    const st = this.ll.stats;
    return {
      events: this.events,
      'transport calls': this.transportCalls,
      'provider calls': this.providerCalls,
      state: this.ll.state,
      readyState: this.ll.readyState,
      stats: JSON.stringify(st),
    };
  }

  // --- checks after every step ---

  check() {
    const ll = this.ll;
    const state = ll.state;
    if (state === 'closed') this.closedSeen = true;
    if (ll.readyState !== stateReadyState(state)) this.fail('ready-state', `readyState ${ll.readyState} in state '${state}'`);
    const live = this.sockets.filter((s) => s.live);
    if (live.length > 1) this.fail('one-live', `${live.length} live sockets (#${live.map((s) => s.n).join(', #')})`);
    if (this.closedSeen) {
      if (this.shimTimers.size > 0) this.fail('after-close', `a timer still armed in state '${state}'`);
      if (live.length > 0) this.fail('after-close', `socket #${live[0].n} still live in state '${state}'`);
    }
    if (this.started && !this.defused) {
      if (state === 'idle') this.fail('wedge', "still 'idle' after the start");
      if (state === 'backoff' && this.shimTimers.size === 0) this.fail('wedge', "in 'backoff' with no timer armed");
      if (state === 'connecting' && this.cfg.connectTimeout !== Infinity && this.shimTimers.size === 0) {
        this.fail('wedge', "in 'connecting' with no timer armed (connectTimeout is finite)");
      }
    }
    // accounting
    const st = ll.stats;
    let written = 0;
    let queued = 0;
    for (const m of this.sendOrder) {
      if (m.written !== null) written++;
      if (m.result === true && m.written === null && m.dropped === null) queued++;
      if (m.result === false && m.dropped === null) this.fail('accounting', `message #${m.id} refused with no drop event`);
      if (m.result === false && m.written !== null) this.fail('accounting', `message #${m.id} refused (send() false) yet written`);
    }
    const expect = (what, got, want) => {
      if (got !== want) this.fail('accounting', `stats.${what} is ${got}, expected ${want}`);
    };
    expect('messagesSent', st.messagesSent, written);
    expect('dropped', st.dropped, this.drops);
    expect('queued', st.queued, queued);
    expect('maybeLost', st.maybeLost, this.expectedMaybeLost);
    const s = this.liveSocket();
    if (state === 'open' && s && s.isOpen && !s.refusedWrites && st.queued > 0) {
      this.fail('accounting', `${st.queued} message(s) still queued while open on socket #${s.n}, which takes every write`);
    }
    if (st.queued > this.cfg.maxQueued) this.fail('accounting', `stats.queued ${st.queued} over maxQueued ${this.cfg.maxQueued}`);
    if (st.queuedBytes > this.cfg.maxQueuedBytes) {
      this.fail('accounting', `stats.queuedBytes ${st.queuedBytes} over maxQueuedBytes ${this.cfg.maxQueuedBytes}`);
    }
  }

  /** After the actions: close(), then a send and an event on every socket, then a long wait. */
  async finish() {
    this.stepIndex = 'end';
    this.stepLabel = 'close() at the end';
    this.note(`end: close(), send, stale events, advance(1e6)`);
    this.newTurn();
    this.source = "'close()' at the end";
    this.overdue = false;
    try {
      this.closeCalled = true;
      this.ll.close();
    } catch (error) {
      this.fail('no-throw', `close() threw: ${describeError(error)}`);
    }
    await this.settle();
    this.check();
    if (this.ll.state !== 'closed') this.fail('after-close', `state '${this.ll.state}' after close()`);
    this.closedSeen = true;
    this.newTurn();
    this.source = 'send(str small)';
    this.send('str', 'small');
    for (const s of this.sockets) {
      for (const ev of ['message', 'error', 'close']) this.socketEvent({ stale: true, pick: 0, ev, code: 1006, clean: false, only: s });
    }
    await this.advance(1e6);
    await this.settle();
    this.check();
    const st = this.ll.stats;
    if (st.queued !== 0) this.fail('after-close', `${st.queued} messages still queued after close()`);
  }
}

/** Runs one scenario; returns the harness (its violations and log). */
async function scenario(cfg, actions) {
  const h = new Harness(cfg);
  current = h;
  try {
    await h.start();
    for (const [i, a] of actions.entries()) {
      if (h.defused) break;
      await h.step(a, i);
    }
    if (!h.defused) await h.finish();
  } finally {
    current = null;
  }
  return h;
}

// A scenario is deterministic in (config, actions), and every test generates the same ones from
// the same seed: each is run once, and the other tests read its violations from here.
const cache = new Map();
async function cachedScenario(cfg, actions) {
  const key = `${cfg[fc.toStringMethod]()} ${actions[fc.toStringMethod]()}`;
  let result = cache.get(key);
  if (!result) {
    const h = await scenario(cfg, actions);
    result = { violations: h.violations, log: h.log };
    if (cache.size > 5000) cache.clear();
    cache.set(key, result);
  }
  return result;
}

// --- process-wide hooks for the duration of the properties ------------------------------------

/** Runs fn with the shim's reportLater (a real setTimeout from js/) and unhandled rejections
 * captured into the current run instead of reaching the process. */
async function withCapturedErrors(fn) {
  const realSetTimeout = globalThis.setTimeout;
  const saved = process.listeners('unhandledRejection');
  const onRejection = (reason) => {
    if (current) current.fail('no-throw', `unhandled rejection: ${describeError(reason)}`);
    else throw reason;
  };
  globalThis.setTimeout = /** @type {any} */ (
    function (cb, ms, ...args) {
      if (current && typeof cb === 'function' && (new Error().stack ?? '').includes(JS_DIR)) {
        // reportLater(error): its callback only rethrows; run it now, inside the run that caused it.
        try {
          cb(...args);
        } catch (error) {
          current.fail('no-throw', `reported through reportLater (a fresh task): ${describeError(error)}`);
        }
        return realSetTimeout.call(this, () => {}, 0);
      }
      return realSetTimeout.call(this, cb, ms, ...args);
    }
  );
  process.removeAllListeners('unhandledRejection');
  process.on('unhandledRejection', onRejection);
  try {
    return await fn();
  } finally {
    globalThis.setTimeout = realSetTimeout;
    process.off('unhandledRejection', onRejection);
    for (const l of saved) process.on('unhandledRejection', l);
  }
}

// --- formatting -------------------------------------------------------------------------------------

function describeError(error) {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return typeof error === 'string' ? JSON.stringify(error) : String(error);
}

function describeData(data) {
  if (typeof data === 'string') return JSON.stringify(data.length > 24 ? data.slice(0, 24) + '…' : data);
  if (data instanceof ArrayBuffer) return `ArrayBuffer(${data.byteLength})`;
  if (ArrayBuffer.isView(data)) return `${data.constructor.name}(${data.byteLength})`;
  if (typeof Blob !== 'undefined' && data instanceof Blob) return `Blob(${data.size})`;
  return String(data);
}

function describeEvent(e) {
  switch (e.type) {
    case 'statechange':
      return `statechange ${e.from}→${e.to}`;
    case 'close':
      return `close(${e.code}, ${e.cause}, willReconnect ${e.willReconnect})`;
    case 'reconnecting':
      return `reconnecting(attempt ${e.attempt}, delay ${e.delay})`;
    case 'drop':
      return `drop(${describeData(e.data)}, ${e.reason})`;
    case 'message':
      return `message(${describeData(e.data)})`;
    case 'error':
      return `error(${JSON.stringify(e.message)})`;
    case 'heartbeat':
      return `heartbeat(rtt ${e.rtt})`;
    case 'giveup':
      return `giveup(${e.attempts})`;
    default:
      return e.type;
  }
}

// --- the properties -----------------------------------------------------------------------------------

for (const [inv, text] of Object.entries(INVARIANTS)) {
  test(`property ${inv}: ${text}`, { skip: ONLY !== undefined && ONLY !== inv }, async () => {
    await withCapturedErrors(() =>
      fc.assert(
        fc.asyncProperty(configArb, actionsArb, async (cfg, actions) => {
          const h = await cachedScenario(cfg, actions);
          const mine = h.violations.filter((v) => v.inv === inv);
          if (mine.length === 0) return;
          const first = mine[0];
          const where = (step) =>
            step === 'end' ? 'the end (close(), a send, stale events)' : step === -1 ? 'the start' : `step ${step}: ${actions[step][fc.toStringMethod]()}`;
          const lines = [
            `[${inv}] ${first.message}`,
            `  at ${where(first.step)}`,
            ...mine.slice(1, 4).map((v) => `  also at ${where(v.step)}: ${v.message}`),
            '  log (last lines):',
            ...tail(h.log, first).map((l) => `    ${l}`),
          ];
          throw new Error(lines.join('\n'));
        }),
        { seed: SEED, numRuns: RUNS, path: PATH, endOnFailure: PATH !== undefined, includeErrorInReport: true },
      ),
    );
  });
}

/** The log up to (and a little after) the first violation. */
function tail(log, violation) {
  const i = log.findIndex((l) => l.startsWith('!!') && l.includes(violation.message));
  const end = i < 0 ? log.length : Math.min(log.length, i + 3);
  return log.slice(Math.max(0, end - 30), end);
}
