// A Lifeline on fakes, and a log of its events: what the shim tests and the defect tests share.
import assert from 'node:assert/strict';
import { Lifeline } from '../../js/index.js';
import { FakeTime, FakeTransport, flush } from './fakes.mjs';

export const URL_ = 'wss://example.test/live';
export const TYPES = ['open', 'message', 'close', 'error', 'reconnecting', 'giveup', 'heartbeat', 'drop', 'statechange', 'expired'];

/**
 * Records every event of `ll`, in order, each as a plain { type, ...fields }: its target and
 * currentTarget are checked to be `ll`. The fields are the event's own string keys, whether it is
 * an Event (whose type and target are the prototype's) or the plain shape.
 */
export function record(ll) {
  /** @type {any[] & { of(type: string): any[], types(): string[], clear(): void }} */
  const log = /** @type {any} */ ([]);
  for (const type of TYPES) {
    ll.addEventListener(type, (/** @type {any} */ e) => {
      assert.equal(e.target, ll);
      assert.equal(e.currentTarget, ll);
      /** @type {any} */
      const fields = { type: e.type };
      for (const key of Object.keys(e)) if (key !== 'type' && key !== 'target' && key !== 'currentTarget') fields[key] = e[key];
      log.push(fields);
    });
  }
  // Helpers not enumerable, so that assert.deepEqual(log, [...]) compares the events only.
  const helpers = {
    of: (/** @type {string} */ type) => log.filter((e) => e.type === type),
    types: () => log.map((e) => e.type),
    clear: () => {
      log.length = 0;
    },
  };
  for (const [name, value] of Object.entries(helpers)) Object.defineProperty(log, name, { value });
  return log;
}

/** The backoff the rig pins (see rig()). */
export const PINNED_BACKOFF = Object.freeze({ reconnectDelay: 1000, backoffFactor: 2, maxReconnectDelay: 30000, jitter: 0 });

/**
 * A Lifeline on fakes (jitter 0 unless given), closed when the test ends.
 * `strict`: the test's end also checks the one-timer rule (at most one timer armed at a time, none
 * left after close()); off for tests that leave the Lifeline in any state on purpose.
 * `limit`: how many fake timers may run before FakeTime calls it a loop.
 * @param {any} t the node:test context
 * @param {any} [options] Lifeline options, and `url` and `platform`
 * @param {{ strict?: boolean, limit?: number }} [how]
 */
export function rig(t, { url = URL_, platform = null, ...options } = {}, { strict = true, limit } = {}) {
  const time = new FakeTime();
  if (limit !== undefined) time.limit = limit;
  const transport = FakeTransport({ now: () => time.now() });
  // The backoff pinned (1 s * 2^n up to 30 s, no jitter), as the native tests' fixed_delays(): exact
  // delays that do not move when the defaults are re-tuned (bench/herd --sweep).
  const ll = new Lifeline(url, { ...time.options(), transport, platform, ...PINNED_BACKOFF, seed: 7, ...options });
  const events = record(ll);
  t.after(() => {
    if (!strict) {
      try {
        ll.close();
      } catch {
        // a test that failed may leave it in any state
      }
      return;
    }
    ll.close();
    assert.ok(time.maxPending <= 1, `at most one timer armed at a time (saw ${time.maxPending})`);
    assert.equal(time.pending(), 0, 'no timer left after close()');
  });
  return { time, transport, ll, events };
}

/** rig() after its first attempt started. */
export async function started(/** @type {any} */ t, /** @type {any} */ options, /** @type {any} */ how) {
  const r = rig(t, options, how);
  await flush();
  return r;
}

/** rig() with its first socket open (at time 0), and the events so far cleared. */
export async function opened(/** @type {any} */ t, /** @type {any} */ options, /** @type {any} */ how) {
  const r = await started(t, options, how);
  assert.ok(r.transport.last, 'a socket was created');
  r.transport.last.open();
  assert.equal(r.ll.state, 'open');
  r.events.clear();
  return r;
}

/** An event without its type, for comparisons. */
export const withoutType = (/** @type {any} */ e) => {
  const { type, ...rest } = e;
  return rest;
};

/**
 * Runs fn with the global setTimeout captured: the errors the Lifeline reports "later" (a throwing
 * listener's error is rethrown from a fresh task) are returned instead of being thrown at the test
 * process. What fn itself throws propagates.
 * @param {() => void} fn
 * @returns {unknown[]}
 */
export function captureReported(fn) {
  const realSetTimeout = globalThis.setTimeout;
  /** @type {Function[]} */
  const callbacks = [];
  globalThis.setTimeout = /** @type {any} */ ((/** @type {Function} */ cb) => {
    callbacks.push(cb);
    return 0;
  });
  try {
    fn();
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
  return callbacks.map((cb) => {
    try {
      cb();
      return new Error('the reported callback did not throw');
    } catch (error) {
      return error;
    }
  });
}
