// Each mini-program platform's SocketTask difference, on in-memory fakes, with a fake clock.
//   node --test wasm-tests/miniprogram-adapters.test.mjs
//
// Every test runs against both builds: the ES modules in js/ (in Node) and miniprogram_dist/ (in
// the WeChat-like sandbox, support/miniprogram-sandbox.mjs). The fakes (support/fake-miniprogram-
// apis.mjs, createMemoryApi) deliver every event asynchronously; the test plays the remote side.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSandbox } from './support/miniprogram-sandbox.mjs';
import { ALIPAY_WS_REFUSED, createMemoryApi, LIMIT_ERRMSG } from './support/fake-miniprogram-apis.mjs';

const ROOT = fileURLToPath(new URL('../miniprogram_dist', import.meta.url));
if (!fs.existsSync(`${ROOT}/index.js`)) {
  throw new Error('miniprogram_dist/ is missing: run `node scripts/build-miniprogram.mjs` (after scripts/build.sh)');
}

const URL_ = 'wss://example.com/feed';
const RECONNECT = 100;

/** A clock and timers that move only when told. */
class FakeClock {
  t = 1000;
  #timers = new Map();
  #next = 1;
  now = () => this.t;
  setTimeout = (fn, ms) => {
    const id = this.#next++;
    this.#timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  };
  clearTimeout = (id) => {
    this.#timers.delete(id);
  };
  pending() {
    return this.#timers.size;
  }
  /** Moves time forward, firing due timers in order (each at its own time). */
  advance(ms) {
    const end = this.t + ms;
    for (;;) {
      let due = null;
      for (const [id, timer] of this.#timers) if (timer.at <= end && (!due || timer.at < due[1].at)) due = [id, timer];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
    }
    this.t = end;
  }
}

/** Lets the fakes' asynchronous events (setImmediate) and the shim's microtasks run. */
async function turn(rounds = 4) {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

const EVENT_TYPES = ['open', 'message', 'close', 'error', 'reconnecting', 'giveup', 'drop', 'statechange'];
function recordEvents(lifeline) {
  const events = [];
  for (const type of EVENT_TYPES) {
    lifeline.addEventListener(type, (e) => {
      const { target, ...fields } = e;
      events.push({ ...fields, type });
    });
  }
  return events;
}
const ofType = (events, type) => events.filter((e) => e.type === type);

// --- the two builds -----------------------------------------------------------------------------------

const jsLib = await import('../js/index.js');
await jsLib.init();

function sandboxLib(globals = {}) {
  const sandbox = createSandbox({ root: ROOT, globals });
  return { sandbox, lib: sandbox.require('ws-lifeline') };
}
const mpSandbox = sandboxLib();
const mpLib = mpSandbox.lib;
await mpLib.init();

const BUILDS = [
  ['js', jsLib],
  ['miniprogram_dist', mpLib],
];

// --- the flavours ---------------------------------------------------------------------------------------

const FLAVORS = [
  { name: 'wx', fake: 'wx', flavor: 'wx' },
  { name: 'tt', fake: 'tt', flavor: 'tt' },
  { name: 'qq', fake: 'qq', flavor: 'qq' },
  { name: 'swan', fake: 'swan', flavor: 'swan' },
  { name: 'my (multiple: true)', fake: 'my', flavor: 'my' },
  { name: 'my without SocketTask (global socket)', fake: 'my-legacy', flavor: 'my', global: true },
  { name: 'uni', fake: 'uni', flavor: 'uni' },
  { name: 'Taro', fake: 'taro', flavor: 'taro' },
  { name: 'legacy wx (global socket)', fake: 'wx-legacy', flavor: 'wx', global: true },
];

/** The n-th socket the fake has seen: a SocketTask record, or a global socket. */
const socketOf = (fake, spec, n) => (spec.global ? fake.globals[n] : fake.tasks[n]);
const sentOf = (socket) => socket.sent;

function makeLifeline(lib, fake, spec, clock, extra = {}) {
  const transport = lib.socketTaskTransport(fake.api, { flavor: spec.flavor });
  const lifeline = new lib.Lifeline(URL_, {
    transport,
    clock: clock.now,
    timers: clock,
    platform: null,
    pingInterval: Infinity,
    reconnectDelay: RECONNECT,
    jitter: 0,
    protocols: ['chat'],
    ...extra,
  });
  return { transport, lifeline };
}

for (const [build, lib] of BUILDS) {
  for (const spec of FLAVORS) {
    test(`[${build}] ${spec.name}: open, message, send, remote close, reconnect, explicit close`, async () => {
      const fake = createMemoryApi(spec.fake);
      const clock = new FakeClock();
      const { transport, lifeline: l } = makeLifeline(lib, fake, spec, clock);
      const events = recordEvents(l);
      await turn();

      // The call, with each platform's difference.
      assert.equal(fake.calls.length, 1);
      const params = fake.calls[0].params;
      assert.equal(params.url, URL_);
      assert.deepEqual([...params.protocols], ['chat']);
      if (spec.flavor === 'my') assert.equal(params.multiple, true, 'Alipay: multiple: true, for a SocketTask');
      if (spec.fake === 'uni') {
        assert.equal(typeof params.success, 'function', 'uni-app: a callback, so that a SocketTask is returned');
        assert.equal(fake.calls[0].returned, 'task');
      }
      if (spec.fake === 'taro') assert.equal(fake.calls[0].returned, 'promise');
      if (spec.global) assert.equal(fake.calls[0].returned, 'undefined');

      const first = socketOf(fake, spec, 0);
      assert.ok(first, 'a socket was started');
      first.open();
      await turn();
      assert.equal(l.state, 'open');
      assert.equal(ofType(events, 'open').length, 1);
      assert.equal(transport.liveSockets(), 1);

      first.message('hello');
      await turn();
      assert.deepEqual(ofType(events, 'message').map((e) => e.data), ['hello']);

      assert.equal(l.send('out'), true);
      await turn();
      assert.deepEqual(sentOf(first), ['out']);

      first.remoteClose(1001, 'going away');
      await turn();
      const close = ofType(events, 'close')[0];
      assert.deepEqual(
        { code: close.code, reason: close.reason, cause: close.cause, willReconnect: close.willReconnect },
        { code: 1001, reason: 'going away', cause: 'remote', willReconnect: true },
      );
      assert.equal(l.state, 'backoff');
      assert.equal(transport.liveSockets(), 0);

      clock.advance(RECONNECT);
      await turn();
      assert.equal(fake.calls.length, 2, 'the reconnect');
      const second = socketOf(fake, spec, 1);
      second.open();
      await turn();
      assert.equal(l.state, 'open');
      l.send('again');
      await turn();
      assert.deepEqual(sentOf(second), ['again']);
      assert.deepEqual(sentOf(first), ['out'], 'nothing on the closed socket');

      l.close(1000, 'done');
      await turn();
      assert.equal(l.state, 'closed');
      assert.deepEqual([...second.closeCalls].map((c) => ({ code: c.code, reason: c.reason })), [{ code: 1000, reason: 'done' }]);
      assert.equal(ofType(events, 'close').at(-1).cause, 'explicit');
      clock.advance(60_000);
      await turn();
      assert.equal(fake.calls.length, 2, 'no reconnection after close()');
      assert.equal(transport.liveSockets(), 0);
      assert.deepEqual(fake.problems, [], 'no call the platform would refuse');
      assert.equal(ofType(events, 'error').length, 0);
    });
  }

  // --- tt -------------------------------------------------------------------------------------------

  test(`[${build}] tt: nothing is called on a task before success; a close asked for before it is carried out after`, async () => {
    const fake = createMemoryApi('tt', { autoAccept: false });
    const clock = new FakeClock();
    const { transport, lifeline: l } = makeLifeline(lib, fake, { flavor: 'tt' }, clock);
    await turn();
    const task = fake.tasks[0];
    assert.equal(task.accepted, false);
    assert.doesNotThrow(() => l.close(1000, 'early'));
    await turn();
    assert.deepEqual(fake.problems, []);
    assert.equal(task.closeCalls.length, 0, 'held until success');
    task.accept();
    await turn();
    assert.deepEqual(task.closeCalls.map((c) => c.code), [1000]);
    assert.deepEqual(fake.problems, []);
    await turn();
    assert.equal(transport.liveSockets(), 0);
  });

  test(`[${build}] tt: a connect timeout before success closes the task once it is accepted`, async () => {
    const fake = createMemoryApi('tt', { autoAccept: false });
    const clock = new FakeClock();
    const { lifeline: l } = makeLifeline(lib, fake, { flavor: 'tt' }, clock, { connectTimeout: 500 });
    const events = recordEvents(l);
    await turn();
    clock.advance(500);
    await turn();
    assert.equal(ofType(events, 'close')[0]?.cause, 'connect-timeout');
    assert.deepEqual(fake.problems, []);
    fake.tasks[0].accept();
    await turn();
    assert.deepEqual(fake.tasks[0].closeCalls.map((c) => c.code), [4001]);
    clock.advance(RECONNECT);
    await turn();
    assert.equal(fake.tasks.length, 2);
    l.close();
    await turn();
    fake.tasks[1].accept();
    await turn();
    assert.deepEqual(fake.problems, []);
  });

  test(`[${build}] tt: a close code given as a string (Douyin's onClose) is read as its number`, async () => {
    const fake = createMemoryApi('tt', { closeCodeAsString: true });
    const clock = new FakeClock();
    const seen = [];
    const { lifeline: l } = makeLifeline(lib, fake, { flavor: 'tt' }, clock, {
      shouldReconnect: (e) => {
        seen.push(e.code);
        return e.code !== 4403; // the app's "final" code
      },
    });
    const events = recordEvents(l);
    await turn();
    fake.tasks[0].open();
    await turn();
    fake.tasks[0].remoteClose(4403, 'forbidden');
    await turn();
    const close = ofType(events, 'close')[0];
    assert.deepEqual(seen, [4403], 'shouldReconnect sees the server\'s code');
    assert.equal(close.code, 4403);
    assert.equal(close.willReconnect, false);
    assert.equal(l.state, 'closed');
  });

  // --- my ---------------------------------------------------------------------------------------------

  for (const fakeName of ['my', 'my-legacy']) {
    test(`[${build}] ${fakeName}: Alipay's refusal ({ error, errorMessage }) is reported with its message`, async () => {
      const fake = createMemoryApi(fakeName);
      const clock = new FakeClock();
      const transport = lib.socketTaskTransport(fake.api, { flavor: 'my' });
      const l = new lib.Lifeline('ws://example.com/feed', { transport, clock: clock.now, timers: clock, platform: null, reconnectDelay: RECONNECT, jitter: 0 });
      const events = recordEvents(l);
      await turn();
      const error = ofType(events, 'error')[0];
      assert.ok(error, 'an error event');
      assert.ok(
        error.message.includes(ALIPAY_WS_REFUSED.errorMessage),
        `the platform's message is kept, got ${JSON.stringify(error.message)}`,
      );
      l.close();
      await turn();
    });
  }

  // --- Taro -----------------------------------------------------------------------------------------

  test(`[${build}] Taro: the Promise is awaited; a close asked for before it resolves still closes the task`, async () => {
    const fake = createMemoryApi('taro', { autoResolve: false });
    const clock = new FakeClock();
    const { transport, lifeline: l } = makeLifeline(lib, fake, { flavor: 'taro' }, clock);
    const events = recordEvents(l);
    await turn();
    const record = fake.tasks[0];
    assert.equal(fake.calls[0].returned, 'promise');
    l.close(1000, 'before');
    await turn();
    assert.equal(record.closeCalls.length, 0);
    fake.resolve(record);
    await turn();
    assert.deepEqual(record.closeCalls.map((c) => ({ code: c.code, reason: c.reason })), [{ code: 1000, reason: 'before' }]);
    await turn();
    assert.equal(transport.liveSockets(), 0);
    assert.equal(fake.liveTasks(), 0);
    // Its events, if any, are ignored.
    assert.equal(ofType(events, 'open').length, 0);
  });

  // --- the socket limit ---------------------------------------------------------------------------

  test(`[${build}] wx: a refused connectSocket (the limit) is a failed attempt with a clear message, retried`, async () => {
    const fake = createMemoryApi('wx', { maxTasks: 0 });
    const clock = new FakeClock();
    const { transport, lifeline: l } = makeLifeline(lib, fake, { flavor: 'wx' }, clock);
    const events = recordEvents(l);
    await turn();
    const error = ofType(events, 'error')[0];
    assert.ok(error, 'an error event');
    assert.match(error.message, /socket limit \(5\)/);
    assert.ok(error.message.includes(LIMIT_ERRMSG));
    assert.equal(l.state, 'backoff');
    assert.equal(transport.liveSockets(), 0);
    clock.advance(RECONNECT);
    await turn();
    assert.equal(fake.calls.length, 2, 'retried');
    l.close();
    await turn();
  });

  // --- counting live sockets ------------------------------------------------------------------------

  test(`[${build}] wx: liveSockets() counts an errored task until its onClose, as the platform's limit does`, async () => {
    const fake = createMemoryApi('wx', { holdClose: true });
    const clock = new FakeClock();
    const { transport, lifeline: l } = makeLifeline(lib, fake, { flavor: 'wx' }, clock);
    const events = recordEvents(l);
    await turn();
    const task = fake.tasks[0];
    task.open();
    await turn();
    task.error('boom');
    await turn();
    assert.equal(ofType(events, 'close')[0]?.cause, 'error');
    assert.equal(task.closeCalls.length, 1, 'the errored task is closed by the client');
    assert.equal(fake.liveTasks(), 1, 'the platform still counts it (no onClose yet)');
    const countedAfterError = transport.liveSockets();
    task.finishClose();
    await turn();
    l.close();
    await turn();
    assert.equal(countedAfterError, 1, 'liveSockets() must match the platform until onClose fires');
  });

  // --- the global socket (legacy wx, my without SocketTask) ---------------------------------------

  test(`[${build}] global socket: one at a time; the next starts only after the previous one's close`, async () => {
    const fake = createMemoryApi('wx-legacy', { holdClose: true });
    const clock = new FakeClock();
    const { transport, lifeline: l } = makeLifeline(lib, fake, { flavor: 'wx', global: true }, clock);
    const events = recordEvents(l);
    await turn();
    const a = fake.globals[0];
    a.open();
    await turn();
    assert.equal(l.state, 'open');
    l.reconnect(); // closes A; the next attempt 1 ms later
    clock.advance(1);
    await turn();
    assert.equal(a.closeCalls.length, 1);
    assert.equal(fake.calls.length, 1, 'no second connectSocket while the first socket is closing');
    assert.equal(transport.liveSockets(), 1);
    a.finishClose();
    await turn();
    assert.equal(fake.calls.length, 2, 'started once the previous close came');
    const b = fake.globals[1];
    b.open();
    await turn();
    assert.equal(l.state, 'open');
    b.message('from b');
    await turn();
    assert.deepEqual(ofType(events, 'message').map((e) => e.data), ['from b']);
    l.send('to b');
    await turn();
    assert.deepEqual(b.sent, ['to b']);
    assert.equal(ofType(events, 'close').filter((e) => e.cause !== 'forced').length, 0, "A's close was not taken for B's");
    l.close();
    await turn();
  });

  test(`[${build}] global socket: after an error, the previous socket's late close is not taken for the next one`, async () => {
    const fake = createMemoryApi('wx-legacy', { holdClose: true });
    const clock = new FakeClock();
    const { lifeline: l } = makeLifeline(lib, fake, { flavor: 'wx', global: true }, clock);
    const events = recordEvents(l);
    await turn();
    const a = fake.globals[0];
    a.open();
    await turn();
    a.error('boom'); // a platform error: the socket's close usually follows, later
    await turn();
    assert.equal(ofType(events, 'close')[0]?.cause, 'error');
    clock.advance(RECONNECT);
    await turn();
    const startedBeforeClose = fake.calls.length;
    a.remoteClose(1006, ''); // A's late close
    await turn();
    const b = fake.globals[1]; // started before A's close, or (better) once it came
    assert.ok(b, 'a next socket');
    b.open();
    await turn();
    const closes = ofType(events, 'close');
    assert.equal(
      closes.length,
      1,
      `only the error's close; got ${JSON.stringify(closes.map((c) => [c.cause, c.code]))} (B started ${startedBeforeClose === 2 ? 'before' : 'after'} A's close)`,
    );
    assert.equal(l.state, 'open');
    l.close();
    await turn();
  });

  test(`[${build}] global socket: a close that comes later than the fallback wait is not taken for the next socket`, async () => {
    const fake = createMemoryApi('wx-legacy', { holdClose: true });
    const clock = new FakeClock();
    const { lifeline: l } = makeLifeline(lib, fake, { flavor: 'wx', global: true }, clock);
    const events = recordEvents(l);
    await turn();
    const a = fake.globals[0];
    a.open();
    await turn();
    l.reconnect();
    clock.advance(1); // the fresh attempt is due 1 ms later
    await sleep(1100); // the transport's own (real-time) wait for A's close is 1 s
    await turn();
    const b = fake.globals[1];
    assert.ok(b, 'B started after the wait');
    a.finishClose(); // A's close, late
    await turn();
    b.open();
    await turn();
    const closes = ofType(events, 'close').filter((c) => c.cause !== 'forced');
    assert.deepEqual(closes.map((c) => [c.cause, c.code]), [], "A's late close taken for B's");
    assert.equal(l.state, 'open');
    l.close();
    await turn();
  });

  test(`[${build}] global socket: a second Lifeline on the same transport does not take over the first one's socket`, async () => {
    const fake = createMemoryApi('wx-legacy');
    const clock = new FakeClock();
    const transport = lib.socketTaskTransport(fake.api, { flavor: 'wx' });
    const options = { transport, clock: clock.now, timers: clock, platform: null, pingInterval: Infinity, reconnectDelay: RECONNECT, jitter: 0 };
    const l1 = new lib.Lifeline(URL_, options);
    const e1 = recordEvents(l1);
    await turn();
    fake.globals[0].open();
    await turn();
    assert.equal(l1.state, 'open');
    const l2 = new lib.Lifeline(URL_, options);
    const e2 = recordEvents(l2);
    await turn();
    // Either the second one is refused (an error: one global socket), or it waits; the first keeps its socket.
    fake.globals[0].message('for l1');
    await turn();
    assert.deepEqual(ofType(e1, 'message').map((e) => e.data), ['for l1'], "l1's messages still reach l1");
    assert.deepEqual(ofType(e2, 'message').map((e) => e.data), [], 'and not l2');
    assert.equal(l1.send('from l1'), true);
    await turn();
    assert.equal(l1.stats.queued, 0, 'l1 can still send');
    l1.close();
    l2.close();
    await turn();
  });
}

// --- detectMiniProgram ------------------------------------------------------------------------------

const DETECT_CASES = [
  [{ wx: 'wx' }, 'wx'],
  [{ tt: 'tt', wx: 'wx' }, 'tt'],
  [{ qq: 'qq', wx: 'wx' }, 'qq'],
  [{ swan: 'swan' }, 'swan'],
  [{ my: 'my' }, 'my'],
  [{ uni: 'uni', wx: 'wx' }, 'wx'],
  [{ uni: 'uni' }, 'uni'],
  [{ Taro: 'taro' }, 'taro'],
  [{}, null],
];
const apiFor = (name) => ({ connectSocket() {}, name });

test('[miniprogram_dist] detectMiniProgram() picks the right global', () => {
  const { sandbox, lib } = mpSandbox;
  for (const [globals, expected] of DETECT_CASES) {
    const set = Object.keys(globals).map((name) => [name, apiFor(name)]);
    for (const [name, api] of set) sandbox.context[name] = api;
    try {
      const found = lib.detectMiniProgram();
      const label = JSON.stringify(Object.keys(globals));
      if (expected === null) assert.equal(found, null, label);
      else {
        assert.equal(found?.flavor, expected, label);
        assert.equal(found.api, sandbox.context[expected === 'taro' ? 'Taro' : expected], label);
      }
    } finally {
      for (const [name] of set) delete sandbox.context[name];
    }
  }
  sandbox.context.wx = {}; // no connectSocket: not a mini-program API
  try {
    assert.equal(lib.detectMiniProgram(), null);
  } finally {
    delete sandbox.context.wx;
  }
});

test('[js] detectMiniProgram() picks the right global', () => {
  for (const [globals, expected] of DETECT_CASES) {
    const set = Object.keys(globals).map((name) => [name, apiFor(name)]);
    for (const [name, api] of set) globalThis[name] = api;
    try {
      const found = jsLib.detectMiniProgram();
      if (expected === null) assert.equal(found, null);
      else assert.equal(found?.flavor, expected, JSON.stringify(Object.keys(globals)));
    } finally {
      for (const [name] of set) delete globalThis[name];
    }
  }
});

test('[miniprogram_dist] the defaults follow the detected platform: tt tasks, my with multiple, without transport or platform options', async (t) => {
  // Fake time, and every Lifeline closed however the test ends: a failing assert must fail the
  // test, not leave a Lifeline reconnecting on real timers (which would keep the suite running).
  const lifelines = [];
  t.after(() => {
    for (const l of lifelines) {
      try {
        l.close();
      } catch {
        // already closed
      }
    }
  });
  for (const [name, flavor, fakeName] of [
    ['tt', 'tt', 'tt'],
    ['my', 'my', 'my'],
  ]) {
    const fake = createMemoryApi(fakeName);
    const clock = new FakeClock();
    const { lib } = sandboxLib({ [name]: fake.api });
    await lib.init();
    const l = new lib.Lifeline(URL_, { pingInterval: Infinity, clock: clock.now, timers: clock });
    lifelines.push(l);
    await turn();
    assert.equal(fake.calls.length, 1, `${flavor}: connectSocket on the detected API`);
    if (flavor === 'my') assert.equal(fake.calls[0].params.multiple, true);
    fake.tasks[0].open();
    await turn();
    assert.equal(l.state, 'open', `${flavor}: the task opened the Lifeline`);
    assert.deepEqual(fake.listenerCount(), { appShow: 1, appHide: 1, network: 1 }, 'its signals are followed');
    l.send('x');
    l.close();
    await turn();
    assert.deepEqual(fake.problems, []);
    assert.deepEqual(fake.listenerCount(), { appShow: 0, appHide: 0, network: 0 });
    // The transport guessed the flavour from the global it is.
    const transport = lib.socketTaskTransport(fake.api);
    const l2 = new lib.Lifeline(URL_, { transport, pingInterval: Infinity, platform: null, clock: clock.now, timers: clock });
    lifelines.push(l2);
    await turn();
    if (flavor === 'my') assert.equal(fake.calls[1].params.multiple, true, 'guessed flavour my');
    l2.close();
    await turn();
    assert.deepEqual(fake.problems, []);
    assert.equal(clock.pending(), 0, 'no timer left');
  }
});

// --- miniProgramPlatform ------------------------------------------------------------------------------

for (const [build, lib] of BUILDS) {
  test(`[${build}] miniProgramPlatform(api) maps network and show/hide, and unsubscribes with off*`, async () => {
    const fake = createMemoryApi('wx');
    const platform = lib.miniProgramPlatform(fake.api);
    assert.deepEqual({ ...platform.initial() }, { online: true, foreground: true });
    const calls = [];
    const unsubscribe = platform.subscribe({
      network: (online) => calls.push(['network', online]),
      foreground: (shown) => calls.push(['foreground', shown]),
    });
    assert.deepEqual(fake.listenerCount(), { appShow: 1, appHide: 1, network: 1 });
    await turn(); // getNetworkType: wifi, nothing to report
    assert.deepEqual(calls, []);
    fake.fireApp('network', { isConnected: false, networkType: 'none' });
    fake.fireApp('network', { isConnected: true, networkType: '4g' });
    fake.fireApp('network', { isConnected: true, networkType: 'none' });
    fake.fireApp('appHide', {});
    fake.fireApp('appShow', { scene: 1001 });
    await turn();
    assert.deepEqual(calls, [
      ['network', false],
      ['network', true],
      ['network', false],
      ['foreground', false],
      ['foreground', true],
    ]);
    unsubscribe();
    assert.deepEqual(fake.listenerCount(), { appShow: 0, appHide: 0, network: 0 });
    assert.deepEqual(fake.offCalls, { appShow: 1, appHide: 1, network: 1 });
  });

  test(`[${build}] miniProgramPlatform(api): offline at start (getNetworkType), and silence after unsubscribe without off*`, async () => {
    const listeners = { show: [], hide: [], network: [] };
    const api = {
      onAppShow: (cb) => listeners.show.push(cb),
      onAppHide: (cb) => listeners.hide.push(cb),
      onNetworkStatusChange: (cb) => listeners.network.push(cb),
      getNetworkType: ({ success }) => setImmediate(() => success({ networkType: 'none' })),
    };
    const calls = [];
    const unsubscribe = lib.miniProgramPlatform(api).subscribe({
      network: (online) => calls.push(['network', online]),
      foreground: (shown) => calls.push(['foreground', shown]),
    });
    await turn();
    assert.deepEqual(calls, [['network', false]]);
    unsubscribe();
    for (const cb of [...listeners.show, ...listeners.hide]) cb({});
    for (const cb of listeners.network) cb({ isConnected: true, networkType: 'wifi' });
    assert.deepEqual(calls, [['network', false]], 'nothing after unsubscribe');
    // An API without these methods at all is not an error.
    assert.doesNotThrow(() => lib.miniProgramPlatform({ connectSocket() {} }).subscribe({ network() {}, foreground() {} })());
  });
}
