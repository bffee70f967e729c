// The Lifeline's EventTarget surface against fakes: events that are `Event`s where the runtime has
// `Event` (Node 20 has) and the plain shape where it has not (mini-programs), dispatchEvent,
// listener objects, and addEventListener's options (once, signal, capture).
//   node --test wasm-tests/events.test.mjs

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { init, Lifeline } from '../js/index.js';
import { TYPES, rig, opened, captureReported } from './support/rig.mjs';

before(async () => {
  await init();
});

/** Makes the Lifeline emit one event of each type (message included), on an opened rig. */
function everyEvent(r) {
  const { ll, transport, time } = r;
  transport.last.message('m'); // message
  time.advance(10000); // heartbeat: a ping
  transport.last.message('pong'); // heartbeat
  transport.last.error('boom'); // error, close, reconnecting, statechange
  time.advance(2000); // an attempt
  transport.last.remoteClose(1006); // close (the attempt), reconnecting
}

/** Each event's kind, own string keys and targets, as seen by a listener and after dispatch. */
function observe(ll) {
  const seen = [];
  for (const type of TYPES) {
    ll.addEventListener(type, (e) => {
      const EventClass = globalThis.Event; // gone in some tests
      seen.push({
        e,
        type: e.type,
        isEvent: typeof EventClass === 'function' && e instanceof EventClass,
        keys: Object.keys(e).sort(),
        target: e.target === ll,
        currentTarget: e.currentTarget === ll,
        phase: e.eventPhase,
      });
    });
  }
  return seen;
}

const FIELDS = {
  open: [],
  close: ['cause', 'code', 'reason', 'wasClean', 'willReconnect'],
  error: ['error', 'message'],
  reconnecting: ['attempt', 'delay'],
  giveup: ['attempts'],
  heartbeat: ['rtt'],
  drop: ['data', 'reason'],
  statechange: ['from', 'to'],
};

describe('events are Events where the runtime has Event', () => {
  test('every event but message: an Event whose target and currentTarget are the Lifeline, its fields its own properties', async (t) => {
    const r = await opened(t, { maxQueued: 0, maxRetries: 1 });
    const seen = observe(r.ll);
    everyEvent(r);
    r.ll.send('dropped'); // drop: maxQueued 0
    const types = new Set(seen.map((s) => s.type));
    for (const type of ['message', 'heartbeat', 'error', 'close', 'reconnecting', 'statechange', 'drop']) {
      assert.ok(types.has(type), `saw a '${type}' event`);
    }
    for (const s of seen) {
      assert.equal(s.target, true, `${s.type}: target`);
      assert.equal(s.currentTarget, true, `${s.type}: currentTarget while dispatched`);
      assert.equal(s.e.currentTarget, null, `${s.type}: currentTarget null once dispatched`);
      assert.equal(s.e.target, r.ll, `${s.type}: target kept once dispatched`);
      if (s.type === 'message') {
        assert.equal(s.isEvent, false, 'message: the plain shape');
        assert.deepEqual(s.keys, ['currentTarget', 'data', 'target', 'type']);
        continue;
      }
      assert.equal(s.isEvent, true, `${s.type}: an Event`);
      assert.deepEqual(s.keys, FIELDS[s.type], `${s.type}: its fields are its own keys`);
      assert.equal(s.phase, Event.AT_TARGET, `${s.type}: AT_TARGET while dispatched`);
      assert.equal(s.e.eventPhase, Event.NONE);
      assert.equal(s.e.isTrusted, false);
      assert.equal(s.e.cancelable, false);
      assert.equal(s.e.bubbles, false);
      assert.equal(typeof s.e.timeStamp, 'number');
      assert.deepEqual(s.e.composedPath(), []);
    }
  });

  test('open and giveup are Events too; on<type> runs first, with the Lifeline as this', async (t) => {
    const { ll, transport } = rig(t, { maxRetries: 0 });
    const order = [];
    ll.addEventListener('open', (e) => order.push(['listener', e instanceof Event]));
    ll.onopen = function (e) {
      order.push(['onopen', e instanceof Event, this === ll, e.target === ll]);
    };
    let giveup;
    ll.ongiveup = (e) => (giveup = e);
    await Promise.resolve();
    await Promise.resolve();
    transport.last.open();
    transport.last.remoteClose(1006);
    assert.deepEqual(order, [
      ['onopen', true, true, true],
      ['listener', true],
    ]);
    assert.ok(giveup instanceof Event);
    assert.equal(giveup.attempts, 0);
  });

  test('JSON.stringify gives an event\'s fields (not its target)', async (t) => {
    const { ll, transport } = await opened(t);
    let close;
    ll.onclose = (e) => (close = e);
    transport.last.remoteClose(4000, 'bye', true);
    assert.deepEqual(JSON.parse(JSON.stringify(close)), {
      code: 4000,
      reason: 'bye',
      wasClean: true,
      willReconnect: true,
      cause: 'remote',
    });
  });

  test('an event can be forwarded to an EventTarget once dispatched: there, its target is the EventTarget', async (t) => {
    const { ll, transport } = await opened(t);
    let close;
    ll.onclose = (e) => (close = e);
    transport.last.remoteClose(4000, 'bye', true);
    const et = new EventTarget();
    let during;
    et.addEventListener('close', (e) => {
      during = [e === close, e.target === et, e.currentTarget === et, e.code];
    });
    assert.equal(et.dispatchEvent(close), true);
    assert.deepEqual(during, [true, true, true, 4000]);
    assert.equal(close.currentTarget, null);
  });

  test('close fires once per socket: one for each connection and failed attempt, none from close() after giveup', async (t) => {
    const { ll, transport, time, events } = await opened(t, { maxRetries: 2 });
    transport.last.remoteClose(1006); // the first connection's close
    time.advance(1000);
    transport.last.open();
    transport.last.remoteClose(1006); // the second's
    time.advance(2000);
    transport.last.error('refused'); // an attempt that fails before it opens (error, then close)
    transport.last.remoteClose(1006); // the same socket: nothing more
    assert.equal(ll.state, 'gave-up');
    assert.equal(transport.sockets.length, 3);
    assert.deepEqual(
      events.of('close').map((e) => [e.cause, e.willReconnect]),
      [['remote', true], ['remote', true], ['error', false]],
    );
    ll.close();
    assert.equal(events.of('close').length, 3, 'close() after giveup: no close event');
  });
});

describe('the plain shape where the runtime has no Event', () => {
  test('with globalThis.Event gone: every event is a plain { type, target, currentTarget, ...fields }', async (t) => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'Event');
    const r = await opened(t, { maxQueued: 0 });
    const seen = observe(r.ll);
    delete globalThis.Event;
    let dispatched;
    try {
      everyEvent(r);
      r.ll.send('dropped');
      const plain = { type: 'custom', detail: 1 };
      r.ll.addEventListener(/** @type {any} */ ('custom'), (e) => (dispatched = [e === plain, e.target === r.ll, e.currentTarget === r.ll]));
      assert.equal(r.ll.dispatchEvent(plain), true);
      assert.equal(plain.currentTarget, null);
      plain.defaultPrevented = true; // a listener's way to cancel in the plain shape
      assert.equal(r.ll.dispatchEvent(plain), false);
    } finally {
      Object.defineProperty(globalThis, 'Event', saved);
    }
    assert.deepEqual(dispatched, [true, true, true]);
    assert.ok(seen.length >= 7);
    for (const s of seen) {
      assert.equal(s.isEvent, false, `${s.type}: not an Event`);
      assert.equal(Object.getPrototypeOf(s.e), Object.prototype, `${s.type}: a plain object`);
      assert.deepEqual(s.keys, ['currentTarget', 'target', 'type', ...(s.type === 'message' ? ['data'] : FIELDS[s.type])].sort());
      assert.ok(s.target && s.currentTarget, `${s.type}: targets while dispatched`);
      assert.equal(s.e.currentTarget, null);
    }
  });

  test('a process without Event from the start: the module loads, events are plain (as in mini-programs)', () => {
    const index = new URL('../js/index.js', import.meta.url).href;
    const fakes = new URL('./support/fakes.mjs', import.meta.url).href;
    // Node's fetch classes (undici, loaded on first use: the loader reads Response) need Event
    // themselves: loaded first.
    const script = `
      void globalThis.Response;
      delete globalThis.Event;
      const { init, Lifeline } = await import(${JSON.stringify(index)});
      const { FakeTransport, flush } = await import(${JSON.stringify(fakes)});
      await init();
      const transport = FakeTransport();
      const ll = new Lifeline('wss://example.test/', { transport, platform: null });
      const got = [];
      for (const type of ['open', 'message', 'close']) ll.addEventListener(type, (e) => got.push([e.type, Object.keys(e).sort(), e.target === ll]));
      await flush();
      transport.last.open();
      transport.last.message('hi');
      ll.close(4000, 'done');
      process.stdout.write(JSON.stringify({ hasEvent: typeof globalThis.Event, got, ok: ll.dispatchEvent({ type: 'open' }) }));
    `;
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) });
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout), {
      hasEvent: 'undefined',
      got: [
        ['open', ['currentTarget', 'target', 'type'], true],
        ['message', ['currentTarget', 'data', 'target', 'type'], true],
        ['close', ['cause', 'code', 'currentTarget', 'reason', 'target', 'type', 'wasClean', 'willReconnect'], true],
        ['open', ['currentTarget', 'target', 'type'], true],
      ],
      ok: true,
    });
  });
});

describe('dispatchEvent', () => {
  test('calls on<type>, then the listeners, with the Lifeline as target; true when not canceled', async (t) => {
    const { ll, events } = await opened(t);
    const calls = [];
    ll.onclose = function (e) {
      calls.push(['onclose', this === ll, e.target === ll, e.currentTarget === ll, e.eventPhase]);
    };
    ll.addEventListener('close', (e) => calls.push(['listener', e.code]));
    const e = Object.assign(new Event('close'), { code: 4001 });
    assert.equal(ll.dispatchEvent(e), true);
    assert.deepEqual(calls, [
      ['onclose', true, true, true, Event.AT_TARGET],
      ['listener', 4001],
    ]);
    assert.equal(e.target, ll, 'the target stays');
    assert.equal(e.currentTarget, null);
    assert.equal(events.of('close').length, 1, 'the rig saw it too');
    assert.equal(ll.state, 'open', 'a dispatched event changes nothing in the Lifeline');
  });

  test('false when a listener calls preventDefault() on a cancelable event, true for one that is not cancelable', async (t) => {
    const { ll } = await opened(t);
    ll.addEventListener('error', (e) => e.preventDefault());
    assert.equal(ll.dispatchEvent(new Event('error', { cancelable: true })), false);
    assert.equal(ll.dispatchEvent(new Event('error')), true);
  });

  test('an event type of its own: its listeners run, no on<type> property is called', async (t) => {
    const { ll } = await opened(t);
    const got = [];
    ll.oncustom = () => got.push('oncustom');
    ll.addEventListener('custom', (e) => got.push(e.detail));
    assert.equal(ll.dispatchEvent(new CustomEvent('custom', { detail: 'x' })), true);
    assert.deepEqual(got, ['x']);
  });

  test('a listener that throws: the others still run, its error is rethrown from a fresh task', async (t) => {
    const { ll } = await opened(t);
    const boom = new Error('boom');
    const got = [];
    ll.addEventListener('open', () => {
      throw boom;
    });
    ll.addEventListener('open', () => got.push('second'));
    let result;
    const reported = captureReported(() => (result = ll.dispatchEvent(new Event('open'))));
    assert.equal(result, true);
    assert.deepEqual(got, ['second']);
    assert.deepEqual(reported, [boom]);
  });

  test('stopImmediatePropagation() stops the listeners after it, for its own events and for others', async (t) => {
    const { ll, transport } = await opened(t);
    const got = [];
    ll.addEventListener('close', (e) => {
      got.push('first');
      e.stopImmediatePropagation();
    });
    ll.addEventListener('close', () => got.push('second'));
    ll.dispatchEvent(new Event('close'));
    transport.last.remoteClose(1000, '', true);
    assert.deepEqual(got, ['first', 'first']);
  });

  test('an event being dispatched cannot be dispatched again (InvalidStateError); once dispatched, it can', async (t) => {
    const { ll, transport } = await opened(t);
    const other = rig(t).ll;
    let thrown;
    let kept;
    ll.onclose = (e) => {
      kept = e;
      try {
        other.dispatchEvent(e);
      } catch (error) {
        thrown = error;
      }
    };
    transport.last.remoteClose(1000, '', true);
    assert.equal(thrown?.name, 'InvalidStateError');
    let seenBy;
    other.addEventListener('close', (e) => (seenBy = e.target));
    assert.equal(other.dispatchEvent(kept), true);
    assert.equal(seenBy, other);
    assert.equal(kept.target, other);
  });

  test('takes an Event or an object with a string type; anything else is a TypeError', async (t) => {
    const { ll } = await opened(t);
    for (const bad of [undefined, null, 'open', 42, {}, { type: 1 }]) {
      assert.throws(() => ll.dispatchEvent(/** @type {any} */ (bad)), TypeError, String(bad));
    }
    let got;
    ll.onmessage = (e) => (got = e);
    const plain = { type: 'message', data: 'synthetic' };
    assert.equal(ll.dispatchEvent(plain), true);
    assert.equal(got, plain);
    assert.equal(plain.target, ll);
  });
});

describe('listeners', () => {
  test('listener objects: handleEvent is called with the object as this, looked up at each call; removable', async (t) => {
    const { ll, transport } = await opened(t);
    const got = [];
    const listener = {
      handleEvent(e) {
        got.push(['first', e.data, this === listener]);
      },
    };
    ll.addEventListener('message', listener);
    transport.last.message('1');
    listener.handleEvent = (e) => got.push(['replaced', e.data]);
    transport.last.message('2');
    ll.removeEventListener('message', { handleEvent: listener.handleEvent }); // another object: not it
    transport.last.message('3');
    ll.removeEventListener('message', listener);
    transport.last.message('4');
    assert.deepEqual(got, [
      ['first', '1', true],
      ['replaced', '2'],
      ['replaced', '3'],
    ]);
  });

  test('a listener object that lost its handleEvent: a TypeError reported, the others still run', async (t) => {
    const { ll, transport } = await opened(t);
    const listener = { handleEvent() {} };
    const got = [];
    ll.addEventListener('message', listener);
    ll.addEventListener('message', (e) => got.push(e.data));
    delete listener.handleEvent;
    const reported = captureReported(() => transport.last.message('x'));
    assert.deepEqual(got, ['x']);
    assert.equal(reported.length, 1);
    assert.ok(reported[0] instanceof TypeError);
    assert.throws(() => ll.addEventListener('message', /** @type {any} */ ({})), TypeError);
    assert.throws(() => ll.addEventListener('message', /** @type {any} */ ('f')), TypeError);
  });

  test('once: removed before its call, so an event dispatched from inside it does not call it again', async (t) => {
    const { ll, transport } = await opened(t);
    const got = [];
    const listener = { handleEvent: (e) => got.push(e.data) };
    ll.addEventListener('message', listener, { once: true });
    ll.addEventListener('message', (e) => {
      if (e.data === 'a') ll.dispatchEvent({ type: 'message', data: 'inner' });
    });
    transport.last.message('a');
    transport.last.message('b');
    assert.deepEqual(got, ['a']);
  });

  test('signal: aborted, it removes the listener; already aborted, nothing is added', async (t) => {
    const { ll, transport } = await opened(t);
    const got = [];
    const before = AbortSignal.abort();
    ll.addEventListener('message', (e) => got.push('never:' + e.data), { signal: before });
    const controller = new AbortController();
    const listener = (e) => got.push('a:' + e.data);
    ll.addEventListener('message', listener, { signal: controller.signal });
    ll.addEventListener('message', { handleEvent: (e) => got.push('obj:' + e.data) }, { signal: controller.signal, once: false });
    transport.last.message('1');
    controller.abort();
    transport.last.message('2');
    assert.deepEqual(got, ['a:1', 'obj:1']);
  });

  test('signal: an abort during a dispatch skips the listeners it removed; it removes only its own registration', async (t) => {
    const { ll, transport } = await opened(t);
    const got = [];
    const controller = new AbortController();
    ll.addEventListener('message', () => controller.abort());
    const listener = (e) => got.push(e.data);
    ll.addEventListener('message', listener, { signal: controller.signal });
    transport.last.message('1'); // aborted before the listener's turn
    assert.deepEqual(got, []);
    // The same function added again, without a signal: an old signal's abort leaves it.
    const second = new AbortController();
    ll.addEventListener('message', listener, { signal: second.signal });
    ll.removeEventListener('message', listener);
    ll.addEventListener('message', listener);
    second.abort();
    transport.last.message('2');
    assert.deepEqual(got, ['2']);
  });

  test('signal: anything but an AbortSignal is a TypeError', async (t) => {
    const { ll } = await opened(t);
    assert.throws(() => ll.addEventListener('open', () => {}, /** @type {any} */ ({ signal: {} })), TypeError);
    assert.throws(() => ll.addEventListener('open', () => {}, /** @type {any} */ ({ signal: 'abort' })), TypeError);
    ll.addEventListener('open', () => {}, { signal: undefined }); // absent: fine
  });

  test('capture (or true): part of the identity, so one function twice; capture listeners run first; removed by capture', async (t) => {
    const { ll, transport } = await opened(t);
    const got = [];
    const f = (e) => got.push('f:' + e.eventPhase);
    const g = () => got.push('g');
    const h = () => got.push('h:capture');
    ll.addEventListener('close', g);
    ll.addEventListener('close', f);
    ll.addEventListener('close', f, true);
    ll.addEventListener('close', f, { capture: true }); // the same as the one before: ignored
    ll.addEventListener('close', h, { capture: true });
    ll.dispatchEvent(new Event('close'));
    assert.deepEqual(got, ['f:2', 'h:capture', 'g', 'f:2']);
    got.length = 0;
    ll.removeEventListener('close', f); // the non-capture one
    ll.dispatchEvent(new Event('close'));
    assert.deepEqual(got, ['f:2', 'h:capture', 'g']);
    got.length = 0;
    ll.removeEventListener('close', f, { capture: true });
    ll.removeEventListener('close', h, true);
    transport.last.remoteClose(1000, '', true);
    assert.deepEqual(got, ['g']);
  });

  test('passive is accepted; null listeners are ignored; a non-string type is a TypeError', async (t) => {
    const { ll, transport } = await opened(t);
    const got = [];
    ll.addEventListener('message', (e) => got.push(e.data), { passive: true });
    ll.addEventListener('message', null, { once: true });
    ll.removeEventListener('message', null);
    transport.last.message('x');
    assert.deepEqual(got, ['x']);
    assert.throws(() => ll.addEventListener(/** @type {any} */ (1), () => {}), TypeError);
  });
});

describe('Lifeline', () => {
  test('is not an EventTarget (mini-programs have none) but has its methods', () => {
    assert.equal(typeof Lifeline.prototype.dispatchEvent, 'function');
    assert.equal(typeof Lifeline.prototype.addEventListener, 'function');
    assert.equal(typeof Lifeline.prototype.removeEventListener, 'function');
  });
});
