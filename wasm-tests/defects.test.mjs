// Regression tests for issue 8: one per defect found with hostile but legal use of the public API
// ("defect N: ..."), the JavaScript items of its "Tests that can fail" (mutants that survived the
// old suites), and the guards around every user callback.
//   node --test wasm-tests/defects.test.mjs
//
// Time is fake everywhere (FakeTime): nothing sleeps, nothing asserts on the wall clock. A defect
// that "starves the event loop" or "loops synchronously" is measured by counting provider or
// transport calls per synchronous step, per macrotask or per fake timer turn, with a guard that
// stops a runaway loop after a bounded number of calls: a test fails fast, it never hangs.
// The few tests that need a process of their own (init() with a bad .wasm, a runtime without
// `performance`, a listener that throws) run a child `node` with a timeout.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { init, Lifeline, socketTaskTransport } from '../js/index.js';
import { FakeTime, FakeTransport, FakePlatform, makeFakeWebSocket, flush } from './support/fakes.mjs';
import { createMemoryApi } from './support/fake-miniprogram-apis.mjs';
import { URL_, record, rig as baseRig, started as baseStarted, opened as baseOpened, captureReported } from './support/rig.mjs';

const INDEX = new URL('../js/index.js', import.meta.url).href;
const FAKES = new URL('./support/fakes.mjs', import.meta.url).href;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** How many calls a runaway loop may make before the guard stops it. */
const GUARD = 1000;

before(async () => {
  await init();
});

// --- helpers -------------------------------------------------------------------------------------

// The shared rig (support/rig.mjs), loose: these tests leave a Lifeline in any state, and a
// spinning timer fails them instead of hanging them.
const LOOSE = { strict: false, limit: 10 * GUARD };
const rig = (/** @type {any} */ t, /** @type {any} */ options) => baseRig(t, options, LOOSE);
const started = (/** @type {any} */ t, /** @type {any} */ options) => baseStarted(t, options, LOOSE);
const opened = (/** @type {any} */ t, /** @type {any} */ options) => baseOpened(t, options, LOOSE);

function closeQuietly(/** @type {any} */ ll) {
  try {
    ll.close();
  } catch {
    // a test that failed may leave it in any state
  }
}

/** One turn of the real event loop: every pending microtask has run by then. */
const macrotask = () => new Promise((resolve) => setImmediate(resolve));

/** Error events whose message matches `re` (for "names the option"). */
const errorsNaming = (events, re) => events.of('error').filter((e) => re.test(String(e.message)));
/** Error events whose message or error matches `re` (for "says what failed"). */
const errorsAbout = (events, re) =>
  events.of('error').filter((e) => re.test(String(e.message)) || re.test(String(e.error?.message ?? e.error)));
const show = (v) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));

/**
 * Runs `script` (an ES module) in a child node, from the package root. A child that does not end
 * within `timeout` ms is killed: the result says so (timedOut), so that a hang fails the test.
 */
function runChild(script, { timeout = 20000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeout);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** The last line of a child's stdout that is JSON. */
function lastJson(stdout) {
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  return line ? JSON.parse(line) : null;
}

const childReport = (r) =>
  `exit code ${r.code}${r.signal ? ` (signal ${r.signal})` : ''}${r.timedOut ? ', killed after its timeout (a hang)' : ''}` +
  `${r.code === 13 ? ' (13: a top-level await never settled)' : ''}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

// --- the defects ---------------------------------------------------------------------------------

describe('the defects found', () => {
  test('defect 1: an async url provider that rejects, with reconnectDelay 0, makes one attempt per timer turn (the event loop is not starved)', async (t) => {
    const time = new FakeTime();
    time.limit = GUARD;
    const transport = FakeTransport({ now: () => time.now() });
    let calls = 0;
    const ll = new Lifeline(
      async () => {
        calls++;
        if (calls > GUARD) return new Promise(() => {}); // the guard: stop a runaway loop here
        throw new Error('no token');
      },
      { ...time.options(), transport, platform: null, reconnectDelay: 0, seed: 1 },
    );
    const events = record(ll);
    t.after(() => closeQuietly(ll));
    await macrotask(); // every microtask has run: the first attempt and its rejection
    assert.equal(calls, 1, `the provider was called ${calls} times in microtasks, with no timer run (the event loop is starved)`);
    assert.equal(transport.calls, 0);
    assert.equal(errorsAbout(events, /no token/).length, 1, 'the failure is reported with an error event');
    assert.equal(events.of('close').at(-1)?.cause, 'error');
    assert.equal(ll.state, 'backoff');
    assert.equal(time.pending(), 1, 'the next attempt waits for a timer');
    for (let turn = 2; turn <= 4; turn++) {
      assert.ok(time.runNext(), `a timer for attempt ${turn}`);
      await macrotask();
      assert.equal(calls, turn, `one attempt per timer turn (after turn ${turn - 1}: ${calls} calls)`);
    }
  });

  test('defect 2: init() with a .wasm that is not the core rejects with a clear Error, and a later init() succeeds', async () => {
    const script = `
      const unhandled = [];
      process.on('unhandledRejection', (e) => {
        unhandled.push(String(e && e.stack ? e.stack : e));
        console.error('UNHANDLED REJECTION: ' + (e && e.message ? e.message : e));
      });
      const { init, Lifeline } = await import(${JSON.stringify(INDEX)});
      const out = { unhandled };
      console.log('step: init() with a bad .wasm');
      try {
        await init({ wasm: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]) });
        out.first = 'resolved';
      } catch (e) {
        out.first = { isError: e instanceof Error, name: e && e.name, message: String(e && e.message) };
      }
      console.log('step: init() with the default .wasm');
      await init();
      const ll = new Lifeline('ws://example.test/', {
        platform: null,
        transport: () => ({ send() {}, close() {}, bufferedAmount: 0, protocol: '', extensions: '' }),
        clock: () => 0,
        timers: { setTimeout: () => 0, clearTimeout() {} },
      });
      out.state = ll.state;
      ll.close();
      await new Promise((r) => setImmediate(r));
      console.log(JSON.stringify(out));
      process.exitCode = unhandled.length > 0 ? 3 : 0;
    `;
    const r = await runChild(script, { timeout: 20000 });
    assert.equal(r.timedOut, false, childReport(r));
    assert.doesNotMatch(r.stderr, /UNHANDLED REJECTION/, `an unhandled rejection in the child\n${childReport(r)}`);
    assert.equal(r.code, 0, childReport(r));
    const out = lastJson(r.stdout);
    assert.ok(out, childReport(r));
    assert.notEqual(out.first, 'resolved', 'init() with a bad .wasm must reject');
    assert.equal(out.first.isError, true, `an Error, got ${show(out.first)}`);
    assert.match(out.first.message, /ws-lifeline|core|wasm/i, `a clear message, got ${show(out.first.message)}`);
    assert.deepEqual(out.unhandled, []);
    assert.equal(out.state, 'idle', 'a Lifeline can be made after the good init()');
  });

  test('defect 3: a transport that reports an error before returning, with reconnectDelay 0, makes one attempt per timer turn', async (t) => {
    const { ll, transport, time, events } = rig(t, { reconnectDelay: 0 });
    transport.onCreate = (s) => {
      if (transport.calls <= GUARD) s.error('refused at once'); // past the guard, the socket stays connecting
    };
    await flush();
    assert.equal(transport.calls, 1, `${transport.calls} transport calls in one synchronous step (a synchronous loop)`);
    assert.equal(errorsAbout(events, /refused at once/).length, 1);
    assert.equal(ll.state, 'backoff');
    assert.equal(transport.sockets[0].closeCalls.length <= 1, true, 'the failed socket is closed at most once');
    for (let turn = 2; turn <= 4; turn++) {
      assert.ok(time.runNext(), `a timer for attempt ${turn}`);
      await flush();
      assert.equal(transport.calls, turn, `one attempt per timer turn (after turn ${turn - 1}: ${transport.calls} calls)`);
    }
  });

  test('defect 3: a wx.connectSocket whose fail is called synchronously, with reconnectDelay 0, makes one attempt per timer turn', async (t) => {
    let calls = 0;
    const api = {
      connectSocket(params) {
        calls++;
        if (calls <= GUARD) params.fail({ errMsg: 'connectSocket:fail refused' });
        const noop = () => {};
        return { onOpen: noop, onMessage: noop, onError: noop, onClose: noop, send: noop, close: noop };
      },
    };
    const time = new FakeTime();
    time.limit = GUARD;
    const transport = socketTaskTransport(api, { flavor: 'wx' });
    const ll = new Lifeline(URL_, { ...time.options(), transport, platform: null, reconnectDelay: 0, jitter: 0, seed: 1 });
    const events = record(ll);
    t.after(() => closeQuietly(ll));
    await flush();
    assert.equal(calls, 1, `${calls} connectSocket calls in one synchronous step (a synchronous loop)`);
    assert.equal(errorsAbout(events, /refused/).length, 1);
    assert.equal(ll.state, 'backoff');
    for (let turn = 2; turn <= 4; turn++) {
      assert.ok(time.runNext(), `a timer for attempt ${turn}`);
      await flush();
      assert.equal(calls, turn, `one attempt per timer turn (after turn ${turn - 1}: ${calls} calls)`);
    }
    assert.equal(transport.liveSockets(), 0, 'refused tasks do not count against the limit');
  });

  // With real sockets through a throttled proxy: wasm-tests/liveness.test.mjs. Here, the shim's
  // side: bytes reported by the transport (activity) keep a link alive that no message reaches.
  test('defect 4: a large message arriving slowly is life, not a dead link (bytes count as life)', async (t) => {
    const { ll, transport, time, events } = await opened(t, { pingInterval: 100, pongTimeout: 100 });
    const socket = transport.last;
    for (let ms = 0; ms < 3000; ms += 50) {
      socket.handlers.activity(); // a chunk of the big message arrived
      time.advance(50);
    }
    socket.message('the 4 MB message, complete');
    assert.equal(ll.stats.deadLinks, 0, 'not condemned while its bytes were arriving');
    assert.equal(ll.stats.pingsSent, 0, 'a link receiving bytes is not idle');
    assert.deepEqual(events.of('message').map((e) => e.data), ['the 4 MB message, complete']);
    assert.equal(transport.sockets.length, 1);
  });

  test('defect 5: the Date.now() fallback clock absorbs a step back: no negative rtt, no delayed verdict', async () => {
    // A runtime without `performance` (as mini-programs are), where Date.now() steps back when
    // the phone's time is corrected. Date.now() follows the fake time, plus the steps.
    const script = `
      void globalThis.fetch; // Node's own fetch needs performance: load it first
      void globalThis.Response;
      delete globalThis.performance;
      let follow = () => 0;
      let step = 0;
      Date.now = () => 1.7e12 + follow() + step;
      const { init, Lifeline } = await import(${JSON.stringify(INDEX)});
      const { FakeTime, FakeTransport, FakePlatform, flush } = await import(${JSON.stringify(FAKES)});
      await init();
      const out = { performance: typeof performance };

      // A: a pong that arrives just after a 1 s step back.
      {
        const time = new FakeTime();
        follow = () => time.now();
        step = 0;
        const transport = FakeTransport({ now: () => time.now() });
        const ll = new Lifeline('wss://example.test/', { timers: time, transport, platform: null, jitter: 0, seed: 1 });
        const rtts = [];
        ll.addEventListener('heartbeat', (e) => rtts.push(e.rtt));
        await flush();
        transport.last.open();
        time.advance(10000); // the ping
        time.advance(1);
        step -= 1000; // the clock is corrected: 1 s back
        transport.last.message('pong');
        out.rtts = rtts;
        out.lastRtt = ll.stats.lastRtt;
        ll.close();
      }

      // B: a 3 s step back while a ping is out, seen by the Lifeline (a send and a show), then
      // nothing: the verdict is due pongTimeout after the ping, at 20000.
      {
        const time = new FakeTime();
        follow = () => time.now();
        step = 0;
        const transport = FakeTransport({ now: () => time.now() });
        const platform = new FakePlatform();
        const ll = new Lifeline('wss://example.test/', { timers: time, transport, platform, jitter: 0, seed: 1 });
        let verdictAt = null;
        ll.addEventListener('close', (e) => {
          if (verdictAt === null && e.cause === 'pong-timeout') verdictAt = time.now();
        });
        await flush();
        transport.last.open();
        time.advance(10000); // the ping; its deadline at 20000
        time.advance(1);
        step -= 3000;
        ll.send('x'); // the Lifeline reads its clock: it is 3 s behind
        platform.show();
        while (verdictAt === null && time.now() < 40000) time.advance(1);
        out.verdictAt = verdictAt;
        ll.close();
      }
      console.log(JSON.stringify(out));
    `;
    const r = await runChild(script, { timeout: 20000 });
    assert.equal(r.code, 0, childReport(r));
    const out = lastJson(r.stdout);
    assert.ok(out, childReport(r));
    assert.equal(out.performance, 'undefined', 'the child has no performance global');
    const problems = [];
    if (out.rtts.length !== 1) problems.push(`one heartbeat expected, got ${show(out.rtts)}`);
    else if (!(out.rtts[0] >= 0)) problems.push(`heartbeat rtt ${out.rtts[0]}: negative after a 1 s step back`);
    if (!(out.lastRtt === null || out.lastRtt >= 0)) problems.push(`stats.lastRtt ${out.lastRtt}`);
    if (out.verdictAt === null) problems.push('no dead-link verdict by 40000');
    else if (out.verdictAt > 20010) problems.push(`dead-link verdict due at 20000 came at ${out.verdictAt}: delayed by the 3 s step back`);
    assert.deepEqual(problems, [], problems.join('; '));
  });

  test('defect 6: reconnect() inside a reconnecting listener does not recurse: the second call is ignored', async (t) => {
    const { ll, transport, time, events } = await opened(t);
    const results = [];
    ll.onreconnecting = () => {
      if (results.length < 50) results.push(ll.reconnect()); // the guard: at most 50 calls
    };
    transport.last.remoteClose(1006);
    assert.deepEqual(results, [true, false], `reconnect() from the listener returned ${show(results)}`);
    assert.equal(transport.sockets.length, 1, 'no socket is opened inside the call that lost one');
    // The close's own reconnecting (attempt 1), then reconnect()'s fresh run (attempt 0), once.
    assert.deepEqual(events.of('reconnecting').map((e) => e.attempt), [1, 0]);
    assert.equal(events.of('reconnecting')[0].delay, 1000);
    assert.equal(ll.state, 'backoff');
    time.runNext();
    assert.equal(transport.sockets.length, 2, 'the fresh attempt comes from the next timer');
    transport.last.open();
    assert.equal(ll.state, 'open');
    time.advance(5000);
    assert.equal(transport.sockets.length, 2, 'and only one');
  });

  test('defect 7: a url provider returning a thenable whose then() throws is a failed attempt, retried', async (t) => {
    let calls = 0;
    const broken = new Error('then is broken');
    const { ll, time, events } = rig(t, {
      url: () => {
        calls++;
        return {
          then() {
            throw broken;
          },
        };
      },
    });
    await flush();
    time.advance(0); // a failure may be reported from a timer of its own
    await flush();
    assert.equal(events.of('error').length, 1, `an error event, got ${show(events.types())}`);
    assert.equal(events.of('error')[0].error, broken);
    assert.equal(events.of('close').at(-1)?.cause, 'error');
    assert.equal(ll.state, 'backoff', `state ${ll.state}, ${time.pending()} timers`);
    assert.equal(time.pending(), 1, 'a timer for the next attempt');
    time.advance(1000);
    await flush();
    assert.equal(calls, 2, 'retried');
  });

  for (const option of ['isPong', 'isServerPing']) {
    test(`defect 8: a throwing ${option}: an error event naming it, and the data delivered as a message`, async (t) => {
      const bug = new Error(`${option} bug`);
      const { ll, transport, events } = await opened(t, {
        [option]: () => {
          throw bug;
        },
      });
      let thrown;
      const reported = captureReported(() => {
        try {
          transport.last.message('hello');
        } catch (error) {
          thrown = error;
        }
      });
      assert.equal(thrown, undefined, `the exception escaped into the transport's message handler: ${thrown}`);
      assert.deepEqual(reported, [], 'not rethrown from a fresh task either: an error event says it');
      assert.equal(errorsNaming(events, new RegExp(option)).length, 1, `an error event naming ${option}, got ${show(events.of('error'))}`);
      assert.equal(errorsNaming(events, new RegExp(option))[0].error, bug);
      assert.deepEqual(events.of('message').map((e) => e.data), ['hello'], 'the data is delivered as an ordinary message');
      assert.equal(ll.stats.messagesReceived, 1);
      assert.equal(ll.state, 'open');
    });
  }

  for (const [label, value] of [
    ['{}', {}],
    ['undefined', undefined],
    ['5', 5],
  ]) {
    test(`defect 9: a pingMessage function returning ${label}: an error event naming pingMessage, nothing sent`, async (t) => {
      const { transport, time, events } = await opened(t, { pingMessage: () => value });
      const reported = captureReported(() => time.advance(10000)); // the ping is due
      assert.deepEqual(reported, []);
      assert.equal(errorsNaming(events, /pingMessage/).length, 1, `an error event naming pingMessage, got ${show(events.of('error'))}`);
      assert.deepEqual(transport.last.sent, [], `nothing sent, got ${show(transport.last.sent.map(String))}`);
    });
  }

  test('defect 10: durations too small to move a double clock are refused, by name', () => {
    const cases = [];
    for (const key of ['pingInterval', 'pongTimeout', 'connectTimeout', 'timerSlack']) {
      for (const value of [5e-324, 1e-300, 0.5]) cases.push({ [key]: value });
    }
    for (const value of [5e-324, 1e-300, 0.5]) cases.push({ reconnectDelay: value });
    const wrong = [];
    for (const options of cases) {
      const [key] = Object.keys(options);
      let ll;
      try {
        ll = new Lifeline(URL_, { ...new FakeTime().options(), transport: FakeTransport(), platform: null, ...options });
      } catch (error) {
        if (!(error instanceof RangeError) || !error.message.includes(`options.${key}`)) wrong.push(`${show(options)}: ${error}`);
        continue;
      }
      closeQuietly(ll);
      wrong.push(`${key}: ${options[key]} accepted`);
    }
    assert.deepEqual(wrong, [], 'each must be a RangeError naming its option');
    // Still accepted: 1 ms, and reconnectDelay 0.
    for (const options of [{ pingInterval: 1, pongTimeout: 1, connectTimeout: 1, timerSlack: 1, reconnectDelay: 1 }, { reconnectDelay: 0 }]) {
      const ll = new Lifeline(URL_, { ...new FakeTime().options(), transport: FakeTransport(), platform: null, ...options });
      closeQuietly(ll);
    }
  });

  for (const [label, clock] of [
    ['NaN', () => NaN],
    ['undefined', () => undefined],
    ['a string', () => '5'],
    [
      'a throw',
      () => {
        throw new Error('clock broke');
      },
    ],
  ]) {
    test(`defect 11: an options.clock returning ${label}: one error event naming options.clock, and the Lifeline keeps working`, async (t) => {
      const time = new FakeTime();
      time.limit = GUARD;
      const transport = FakeTransport();
      const ll = new Lifeline(URL_, { clock, timers: time, transport, platform: null, jitter: 0, seed: 1 });
      const events = record(ll);
      t.after(() => closeQuietly(ll));
      await flush();
      let spin;
      try {
        time.advance(1000); // one simulated second of timers
      } catch (error) {
        spin = error;
      }
      assert.equal(spin, undefined, `the timer spins: ${spin?.message}`);
      assert.ok(time.fired <= 5, `${time.fired} timers ran in one simulated second`);
      assert.equal(transport.sockets.length, 1, `the first attempt is made (state ${ll.state})`);
      transport.last.open();
      assert.equal(ll.state, 'open');
      assert.equal(ll.send('x'), true);
      transport.last.message('hello');
      assert.deepEqual(transport.last.sent, ['x']);
      assert.deepEqual(events.of('message').map((e) => e.data), ['hello']);
      const named = errorsNaming(events, /options\.clock/);
      assert.equal(named.length, 1, `one error event naming options.clock, got ${show(events.of('error').map((e) => e.message))}`);
    });
  }

  test('defect 12: the close event from reconnect() reports the state after the change (backoff, CONNECTING)', async (t) => {
    const { ll, events } = await opened(t);
    const seen = [];
    ll.onclose = () => seen.push([ll.state, ll.readyState]);
    assert.equal(ll.reconnect(), true);
    assert.deepEqual(seen, [['backoff', Lifeline.CONNECTING]], `close seen in state/readyState ${show(seen)}`);
    const order = events.map((e) => (e.type === 'statechange' ? `${e.from}->${e.to}` : e.type));
    assert.ok(order.indexOf('open->backoff') >= 0 && order.indexOf('open->backoff') < order.indexOf('close'), `the state change comes first: ${order}`);
  });

  test('defect 13: a URL with a fragment is a TypeError at construction, and a failed attempt from a provider', async (t) => {
    assert.throws(
      () => new Lifeline('ws://example.test/#frag', { ...new FakeTime().options(), transport: FakeTransport(), platform: null }),
      (error) => error instanceof TypeError && /^url/.test(error.message),
      'a URL with a fragment must be refused at construction',
    );
    const { ll, transport, time, events } = rig(t, { url: () => 'wss://example.test/live#frag' });
    await flush();
    time.advance(0);
    assert.equal(transport.sockets.length, 0, `a URL with a fragment reached the transport: ${transport.sockets.map((s) => s.url)}`);
    assert.equal(events.of('error').length, 1);
    assert.ok(events.of('error')[0].error instanceof TypeError);
    assert.equal(ll.state, 'backoff');
  });

  test('defect 14: seed 10n is a TypeError naming options.seed', () => {
    assert.throws(
      () => new Lifeline(URL_, { ...new FakeTime().options(), transport: FakeTransport(), platform: null, seed: /** @type {any} */ (10n) }),
      (error) => {
        assert.ok(error instanceof TypeError, `a TypeError, got ${error}`);
        assert.match(error.message, /^options\.seed: /);
        return true;
      },
    );
  });

  test('defect 15: a 64 MB string sent while not open is dropped (queue-full) without counting its bytes', async (t) => {
    const { ll, events } = await started(t); // connecting: not open
    const big = 'x'.repeat(64 * 1024 * 1024);
    // The caller is blocked by reading the string one UTF-16 unit at a time: count those reads
    // (no timing), and stop after a bounded number.
    const charCodeAt = String.prototype.charCodeAt;
    let reads = 0;
    String.prototype.charCodeAt = function (i) {
      if (++reads > 100000) throw new Error('send() read more than 100,000 UTF-16 units of a string it must drop by its length');
      return charCodeAt.call(this, i);
    };
    let result;
    let thrown;
    try {
      result = ll.send(big);
    } catch (error) {
      thrown = error;
    } finally {
      String.prototype.charCodeAt = charCodeAt;
    }
    assert.equal(thrown, undefined, String(thrown));
    assert.equal(result, false);
    const drops = events.of('drop');
    assert.equal(drops.length, 1);
    assert.equal(drops[0].reason, 'queue-full');
    assert.ok(drops[0].data === big, 'the drop carries the message');
    assert.equal(ll.stats.queued, 0);
    assert.equal(ll.stats.queuedBytes, 0);
    assert.equal(ll.send('small'), true, 'a small message is still queued');
  });

  test('defect 16: a wrong-scheme URL is never echoed with its query or user info', async (t) => {
    const secretUrl = 'http://me:hunter2@h.test/?t=SECRET';
    let constructionError;
    try {
      new Lifeline(secretUrl, { ...new FakeTime().options(), transport: FakeTransport(), platform: null });
    } catch (error) {
      constructionError = error;
    }
    assert.ok(constructionError instanceof TypeError);
    assert.doesNotMatch(constructionError.message, /SECRET|hunter2/, `the constructor's error: ${constructionError.message}`);
    const { events, time } = rig(t, { url: () => secretUrl });
    await flush();
    time.advance(0);
    assert.equal(events.of('error').length, 1);
    const e = events.of('error')[0];
    assert.doesNotMatch(String(e.message), /SECRET|hunter2/, `the error event's message: ${e.message}`);
    assert.doesNotMatch(String(e.error?.message ?? e.error), /SECRET|hunter2/, `the error event's error: ${e.error}`);
  });
});

// --- the event loop gets a turn -----------------------------------------------------------------

describe('the event loop', () => {
  test('a timers.setTimeout that calls back synchronously gets an error event naming options.timers', async (t) => {
    let calls = 0;
    const timers = {
      setTimeout(fn) {
        calls++;
        if (calls <= 20) fn(); // the guard: past 20 calls, it behaves
        return calls;
      },
      clearTimeout() {},
    };
    const transport = FakeTransport();
    const ll = new Lifeline(URL_, { clock: () => 0, timers, transport, platform: null, jitter: 0, seed: 1 });
    const events = record(ll);
    t.after(() => closeQuietly(ll));
    await flush();
    assert.equal(errorsNaming(events, /options\.timers/).length >= 1, true, `an error naming options.timers, got ${show(events.of('error'))}`);
    assert.ok(calls <= 3, `setTimeout called ${calls} times in one step: a synchronous timer loops`);
    assert.equal(transport.sockets.length, 1);
  });
});

// --- section 9: tests that kill surviving mutants of the shim --------------------------------------

describe('tests that can fail', () => {
  test('a stale remote close after a reopen changes nothing (maybeLost, shouldReconnect not called)', async (t) => {
    const asked = [];
    const { ll, transport, time, events } = await opened(t, {
      shouldReconnect: (e) => {
        asked.push(e);
        return true;
      },
    });
    const s1 = transport.last;
    ll.send('a');
    s1.error('reset'); // abandoned: 'a' may be lost
    assert.equal(ll.stats.maybeLost, 1);
    time.advance(1000);
    const s2 = transport.last;
    assert.notEqual(s2, s1);
    s2.open();
    ll.send('b');
    events.clear();
    s1.remoteClose(1006, 'late', false); // the old socket's close, long after
    assert.equal(ll.stats.maybeLost, 1, 'maybeLost unchanged');
    assert.deepEqual(asked, [], 'shouldReconnect is not asked about a stale socket');
    assert.deepEqual(events, []);
    assert.equal(ll.state, 'open');
    assert.equal(s2.closed, null);
    assert.equal(ll.send('c'), true);
    assert.deepEqual(s2.sent, ['b', 'c']);
  });

  test('an errored SocketTask is closed with a code the platform accepts, and its slot is freed', async (t) => {
    const fake = createMemoryApi('wx');
    const time = new FakeTime();
    const transport = socketTaskTransport(fake.api, { flavor: 'wx' });
    const ll = new Lifeline(URL_, { ...time.options(), transport, platform: null, jitter: 0, seed: 1, pingInterval: Infinity });
    const events = record(ll);
    t.after(() => closeQuietly(ll));
    await macrotask();
    const task = fake.tasks[0];
    task.open();
    await macrotask();
    assert.equal(ll.state, 'open');
    task.error('boom');
    await macrotask();
    await macrotask();
    assert.equal(events.of('close')[0]?.cause, 'error');
    assert.equal(task.closeCalls.length, 1, 'the errored task is closed by the client');
    const { code } = task.closeCalls[0];
    assert.ok(code === undefined || code === 1000 || (code >= 3000 && code <= 4999), `close code ${code} is one the platform accepts`);
    assert.deepEqual(fake.problems, [], 'no call the platform would refuse');
    assert.equal(fake.liveTasks(), 0, 'the platform freed the slot');
    assert.equal(transport.liveSockets(), 0, 'and the transport counts it freed');
  });

  test('fail then onClose on one SocketTask leaves the live count at 0', async (t) => {
    /** @type {any} */
    let params = null;
    const closeListeners = [];
    const api = {
      connectSocket(p) {
        params = p;
        const noop = () => {};
        return { onOpen: noop, onMessage: noop, onError: noop, onClose: (cb) => closeListeners.push(cb), send: noop, close: noop };
      },
    };
    const transport = socketTaskTransport(api, { flavor: 'wx' });
    const time = new FakeTime();
    const ll = new Lifeline(URL_, { ...time.options(), transport, platform: null, jitter: 0, seed: 1 });
    t.after(() => closeQuietly(ll));
    await flush();
    assert.equal(transport.liveSockets(), 1);
    params.fail({ errMsg: 'connectSocket:fail refused' });
    for (const cb of closeListeners) cb({ code: 1006, reason: '' });
    assert.equal(transport.liveSockets(), 0);
    closeQuietly(ll);
    assert.equal(transport.liveSockets(), 0);
  });

  test('a ws-like socket without terminate() that errors while open is closed exactly once', async (t) => {
    const time = new FakeTime();
    const FakeWebSocket = makeFakeWebSocket({ withTerminate: false });
    const ll = new Lifeline(URL_, { ...time.options(), platform: null, jitter: 0, seed: 1, WebSocket: FakeWebSocket });
    const events = record(ll);
    t.after(() => closeQuietly(ll));
    await flush();
    const ws = FakeWebSocket.instances[0];
    ws.fireOpen();
    ws.fireError(new Error('ECONNRESET'));
    assert.equal(events.of('close')[0]?.cause, 'error');
    ws.fireClose(1006, '', false);
    time.advance(1000); // the next attempt
    assert.equal(FakeWebSocket.instances.length, 2);
    ll.close();
    assert.equal(ws.closeCalls.length, 1, `closed ${ws.closeCalls.length} times: ${show(ws.closeCalls)}`);
  });

  test('port 65536 is rejected where there is no global URL', () => {
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'URL');
    const opts = () => ({ ...new FakeTime().options(), transport: FakeTransport(), platform: null });
    let refused;
    let accepted;
    delete globalThis.URL;
    try {
      assert.equal(typeof URL, 'undefined');
      try {
        new Lifeline('ws://example.test:65536/', opts());
      } catch (error) {
        refused = error;
      }
      accepted = new Lifeline('ws://example.test:65535/', opts());
    } finally {
      Object.defineProperty(globalThis, 'URL', descriptor);
    }
    closeQuietly(accepted);
    assert.ok(refused instanceof TypeError, `port 65536 refused with a TypeError, got ${refused}`);
    assert.match(refused.message, /^url: /);
    assert.equal(accepted.url, 'ws://example.test:65535/');
  });
});

// --- section 4: every user callback guarded ----------------------------------------------------------

describe('every user callback guarded', () => {
  test('url provider that throws: an error event saying what failed, a failed attempt, retried', async (t) => {
    let n = 0;
    const { ll, transport, time, events } = rig(t, {
      url: () => {
        if (n++ === 0) throw new Error('no token');
        return URL_;
      },
    });
    await flush();
    time.advance(0);
    assert.equal(events.of('error').length, 1);
    assert.equal(errorsAbout(events, /no token/).length, 1, 'the error event says what failed');
    assert.equal(events.of('close').at(-1)?.cause, 'error');
    assert.equal(ll.state, 'backoff');
    time.advance(1000);
    assert.equal(transport.sockets.length, 1);
  });

  test('url provider that rejects: an error event, a failed attempt, retried', async (t) => {
    let n = 0;
    const { ll, transport, time, events } = rig(t, {
      url: async () => {
        if (n++ === 0) throw new Error('token service down');
        return URL_;
      },
    });
    await flush();
    time.advance(0);
    assert.equal(events.of('error').length, 1);
    assert.equal(errorsAbout(events, /token service down/).length, 1, 'the error event says what failed');
    assert.equal(ll.state, 'backoff');
    time.advance(1000);
    await flush();
    assert.equal(transport.sockets.length, 1);
  });

  test('url provider that never settles: the connect timeout abandons the attempt, and the next one asks again', async (t) => {
    let calls = 0;
    const { ll, time, events } = rig(t, {
      connectTimeout: 2000,
      url: () => {
        calls++;
        return new Promise(() => {});
      },
    });
    await flush();
    time.advance(2000);
    assert.equal(events.of('close')[0]?.cause, 'connect-timeout');
    assert.equal(ll.state, 'backoff');
    time.advance(1000);
    await flush();
    assert.equal(calls, 2);
  });

  test('a throwing shouldReconnect: an error event naming it, and the close reconnects', async (t) => {
    const bug = new Error('predicate bug');
    const { transport, time, events } = await opened(t, {
      shouldReconnect: () => {
        throw bug;
      },
    });
    const reported = captureReported(() => transport.last.remoteClose(1006));
    assert.deepEqual(reported, [], 'reported with an error event, not rethrown');
    const named = errorsNaming(events, /shouldReconnect/);
    assert.equal(named.length, 1, `an error event naming shouldReconnect, got ${show(events.of('error'))}`);
    assert.equal(named[0].error, bug);
    assert.equal(events.of('close')[0]?.willReconnect, true);
    time.advance(1000);
    assert.equal(transport.sockets.length, 2);
  });

  test('a pingMessage function that throws: an error event naming pingMessage, nothing sent', async (t) => {
    const bug = new Error('cannot build ping');
    const { transport, time, events } = await opened(t, {
      pingMessage: () => {
        throw bug;
      },
    });
    const reported = captureReported(() => time.advance(10000));
    assert.deepEqual(reported, [], 'reported with an error event, not rethrown');
    const named = errorsNaming(events, /pingMessage/);
    assert.equal(named.length, 1, `an error event naming pingMessage, got ${show(events.of('error'))}`);
    assert.equal(named[0].error, bug);
    assert.deepEqual(transport.last.sent, []);
  });

  for (const [label, reply] of [
    [
      'throws',
      () => {
        throw new Error('cannot build pong');
      },
    ],
    ['returns {}', () => ({})],
    ['returns 5', () => 5],
  ]) {
    test(`a pongReply function that ${label}: an error event naming pongReply, nothing sent`, async (t) => {
      const { transport, events } = await opened(t, { isServerPing: (d) => d === 'server-ping', pongReply: reply });
      const reported = captureReported(() => transport.last.message('server-ping'));
      assert.deepEqual(reported, [], 'reported with an error event, not rethrown');
      assert.equal(errorsNaming(events, /pongReply/).length, 1, `an error event naming pongReply, got ${show(events.of('error'))}`);
      assert.deepEqual(transport.last.sent, [], `nothing sent, got ${show(transport.last.sent.map(String))}`);
      assert.deepEqual(events.of('message'), [], 'a server ping is not a message');
    });
  }

  test('an error event has the shape { type, error, message }', async (t) => {
    const { transport, events } = await opened(t);
    const boom = new Error('boom');
    transport.last.error(boom);
    const [e] = events.of('error');
    assert.deepEqual(Object.keys(e).sort(), ['error', 'message', 'type']);
    assert.equal(e.error, boom);
    assert.equal(typeof e.message, 'string');
  });

  test('a throwing listener in Node: rethrown from a fresh task (the process exits without an uncaughtException handler; with one, the Lifeline goes on)', async () => {
    const scenario = (withHandler) => `
      const { init, Lifeline } = await import(${JSON.stringify(INDEX)});
      const { FakeTime, FakeTransport, flush } = await import(${JSON.stringify(FAKES)});
      await init();
      const caught = [];
      if (${withHandler}) process.on('uncaughtException', (e) => caught.push(e.message));
      const time = new FakeTime();
      const transport = FakeTransport({ now: () => time.now() });
      const ll = new Lifeline('wss://example.test/', { ...time.options(), transport, platform: null });
      const calls = [];
      ll.addEventListener('open', () => { throw new Error('listener bug'); });
      ll.addEventListener('open', () => calls.push('second listener'));
      await flush();
      let threw = false;
      try { transport.last.open(); } catch { threw = true; }
      const sync = { threw, calls: [...calls], caughtSync: caught.length, state: ll.state };
      console.log(JSON.stringify(sync));
      await new Promise((r) => setTimeout(r, 0));
      await new Promise((r) => setImmediate(r));
      ll.send('after');
      console.log(JSON.stringify({ ...sync, caught, sent: transport.last.sent }));
      ll.close();
    `;
    const without = await runChild(scenario(false));
    assert.equal(without.timedOut, false, childReport(without));
    assert.notEqual(without.code, 0, `the process must exit on the rethrown error\n${childReport(without)}`);
    assert.match(without.stderr, /listener bug/, childReport(without));
    const first = lastJson(without.stdout);
    assert.deepEqual(first, { threw: false, calls: ['second listener'], caughtSync: 0, state: 'open' }, childReport(without));

    const withHandler = await runChild(scenario(true));
    assert.equal(withHandler.code, 0, childReport(withHandler));
    const out = lastJson(withHandler.stdout);
    assert.deepEqual(out, {
      threw: false,
      calls: ['second listener'],
      caughtSync: 0,
      state: 'open',
      caught: ['listener bug'],
      sent: ['after'],
    });
  });
});

// --- time discipline through options.clock ---------------------------------------------------------

describe('time discipline', () => {
  test('an options.clock that steps back: no negative rtt (time going backwards is no time passing)', async (t) => {
    const time = new FakeTime();
    let step = 0;
    const transport = FakeTransport({ now: () => time.now() });
    const ll = new Lifeline(URL_, { clock: () => time.now() + step, timers: time, transport, platform: null, jitter: 0, seed: 1 });
    const events = record(ll);
    t.after(() => closeQuietly(ll));
    await flush();
    transport.last.open();
    time.advance(10000); // the ping
    time.advance(1);
    step = -5000;
    transport.last.message('pong');
    const rtts = events.of('heartbeat').map((e) => e.rtt);
    assert.equal(rtts.length, 1);
    assert.ok(rtts[0] >= 0, `rtt ${rtts[0]}`);
    assert.ok(ll.stats.lastRtt === null || ll.stats.lastRtt >= 0, `lastRtt ${ll.stats.lastRtt}`);
  });
});

// --- found by the hostile review of the rewrite --------------------------------------------------

describe('the hostile review', () => {
  test('send() inside a drop listener during a flush: nothing lost, nothing dropped twice, queuedBytes never negative', async (t) => {
    const { ll, transport } = await started(t);
    const drops = [];
    ll.addEventListener('drop', (e) => {
      drops.push(e.data);
      if (drops.length === 1) ll.send('x');
    });
    for (const m of ['bad', 'm2', 'm3', 'm4']) ll.send(m);
    const s = transport.last;
    const send = s.send.bind(s);
    let full = true; // 'bad' is refused; the buffer is momentarily full when m3 first comes
    s.send = (d) => {
      if (d === 'bad') throw new Error('refused');
      if (d === 'm3' && full) {
        full = false;
        return false;
      }
      return send(d);
    };
    s.open();
    assert.deepEqual(drops, ['bad']);
    assert.deepEqual(s.sent, ['m2']);
    assert.equal(ll.stats.queued, 3, 'm3, m4 and x wait, in order');
    assert.ok(ll.stats.queuedBytes >= 0 && ll.bufferedAmount >= 0);
    ll.send('y'); // the socket takes writes again
    assert.deepEqual(s.sent, ['m2', 'm3', 'm4', 'x', 'y']);
    assert.equal(ll.stats.queuedBytes, 0);
    assert.equal(ll.stats.messagesSent + ll.stats.dropped, 6);
  });

  test('a socket that fails inside its own send(): the message is kept for the next connection', async (t) => {
    const { ll, transport, time, events } = await opened(t);
    const first = transport.last;
    first.send = () => {
      first.handlers.error('SocketTask.send:fail'); // a synchronous `fail`
    };
    assert.equal(ll.send('keep me'), true);
    assert.equal(ll.stats.messagesSent, 0);
    assert.equal(ll.stats.queued, 1);
    time.advance(1000);
    transport.last.open();
    assert.deepEqual(transport.last.sent, ['keep me']);
    assert.equal(ll.stats.maybeLost, 0);
    assert.equal(events.of('drop').length, 0);
  });

  test('statechange to connecting comes before the attempt; close() there means the socket is never created', async (t) => {
    const { ll, transport, events } = rig(t);
    const seen = [];
    ll.addEventListener('statechange', (e) => {
      seen.push([e.to, ll.state, transport.sockets.length]);
      if (e.to === 'connecting') ll.close();
    });
    await flush();
    assert.deepEqual(seen, [
      ['connecting', 'connecting', 0],
      ['closed', 'closed', 0],
    ]);
    assert.equal(transport.sockets.length, 0);
    assert.equal(events.of('close').length, 0, 'no socket, no close event');
    assert.equal(ll.stats.attempts, 0, 'the attempt was never made');
  });

  test('reconnect() in the listener of a reconnecting brought forward by online: no attempt counted that was never made', async (t) => {
    const platform = new FakePlatform();
    const { ll, transport, time } = await started(t, { platform });
    transport.last.error('gone'); // backoff
    let once = true;
    ll.addEventListener('reconnecting', (e) => {
      if (e.delay === 0 && once) {
        once = false;
        assert.equal(ll.reconnect(), true);
      }
    });
    const attempts = ll.stats.attempts;
    platform.goOnline();
    assert.equal(ll.stats.attempts, attempts, 'the withdrawn attempt is not counted');
    assert.equal(transport.sockets.length, 1);
    time.advance(1);
    assert.equal(transport.sockets.length, 2);
    assert.equal(ll.stats.attempts, attempts + 1);
  });

  test('a timers.clearTimeout that throws: an error event naming it, and close() still frees everything', async (t) => {
    const time = new FakeTime();
    const timers = {
      setTimeout: (/** @type {any} */ f, /** @type {number} */ ms) => time.setTimeout(f, ms),
      clearTimeout: () => {
        throw new Error('clearTimeout failed');
      },
    };
    const transport = FakeTransport();
    const ll = new Lifeline(URL_, { clock: () => time.now(), timers, transport, platform: null, pingInterval: 1000 });
    const errors = [];
    ll.onerror = (e) => errors.push(e.message);
    await flush();
    transport.last.open(); // re-arms: the connect timer must be cleared
    await flush();
    assert.deepEqual(errors, ['options.timers.clearTimeout threw: clearTimeout failed']);
    ll.close();
    assert.equal(ll.state, 'closed');
    assert.equal(ll._driver.core, null, 'the core is deleted');
    t.after(() => {
      for (let i = 0; i < 10 && time.pending() > 0; i++) time.advance(1e9); // stray timers find nothing to do
    });
  });

  test('a clock reading beyond 2^53 is a clock failure (an error event), not a Lifeline frozen at 1e300', async (t) => {
    const time = new FakeTime();
    let glitch = false;
    const clock = () => {
      if (!glitch) return time.now();
      glitch = false;
      return 1e300;
    };
    const transport = FakeTransport();
    const ll = new Lifeline(URL_, { clock, timers: time, transport, platform: null, pingInterval: 1000, pongTimeout: 1000 });
    t.after(() => closeQuietly(ll));
    const errors = [];
    ll.onerror = (e) => errors.push(e.message);
    await flush();
    transport.last.open();
    time.advance(500);
    glitch = true;
    ll.send('hello');
    await flush();
    time.advance(60000); // the server never answers
    assert.equal(errors.length, 1);
    assert.match(errors[0], /^options\.clock: /);
    assert.ok(ll.stats.deadLinks >= 1, 'the dead link is still found');
  });

  test('a clock failure found during close() is not reported after the close', async () => {
    const time = new FakeTime();
    let broken = false;
    const transport = FakeTransport();
    const clock = () => {
      if (broken) throw new Error('clock broke');
      return time.now();
    };
    const ll = new Lifeline(URL_, { clock, timers: time, transport, platform: null });
    await flush();
    transport.last.open();
    const seen = [];
    for (const type of ['error', 'close', 'statechange']) ll.addEventListener(type, () => seen.push(type));
    broken = true;
    ll.close();
    await flush();
    assert.deepEqual(seen, ['statechange', 'close']);
  });

  test('a url provider that calls close() or reconnect() before returning: its socket is never created', async (t) => {
    for (const call of ['close', 'reconnect']) {
      const time = new FakeTime();
      const transport = FakeTransport();
      /** @type {any} */
      let ll;
      let n = 0;
      ll = new Lifeline(
        () => {
          if (n++ === 0) ll[call]();
          return URL_;
        },
        { ...time.options(), transport, platform: null },
      );
      t.after(() => closeQuietly(ll));
      await flush();
      assert.equal(transport.calls, 0, `${call}(): the abandoned attempt's socket was not created`);
      time.advance(1);
      assert.equal(transport.calls, call === 'reconnect' ? 1 : 0);
    }
  });
});
