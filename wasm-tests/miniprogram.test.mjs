// The mini-program build (miniprogram_dist/) in a WeChat-like sandbox, over real sockets.
//   node --test wasm-tests/miniprogram.test.mjs
//
// The package is loaded by a CommonJS require inside a `vm` context without eval, new Function,
// WebAssembly, TextDecoder/TextEncoder, fetch, document or window, with WXWebAssembly
// (support/miniprogram-sandbox.mjs). Its `wx` (support/fake-miniprogram-apis.mjs) runs each
// SocketTask on a real `ws` client, through the fault proxy to the test server, and imitates the
// platform: at most 5 live tasks, asynchronous events, the background cut (~5 s, scaled to 50 ms),
// network loss, and a close that waits for the closing handshake (600 ms: Chromium's 60 s, scaled
// like the ping interval). Time is scaled down (OPTIONS); bounds are the options plus MARGIN.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSandbox, PACKAGE_PREFIX } from './support/miniprogram-sandbox.mjs';
import { createRealWx } from './support/fake-miniprogram-apis.mjs';
import { startFaultProxy } from '../scripts/testbed/fault-proxy.mjs';
import { startTestServer } from '../scripts/testbed/test-server.mjs';

const ROOT = fileURLToPath(new URL('../miniprogram_dist', import.meta.url));
if (!fs.existsSync(`${ROOT}/index.js`)) {
  throw new Error('miniprogram_dist/ is missing: run `node scripts/build-miniprogram.mjs` (after scripts/build.sh)');
}

const OPTIONS = Object.freeze({
  pingInterval: 100,
  pongTimeout: 100,
  reconnectDelay: 50,
  maxReconnectDelay: 50,
  backoffFactor: 1,
  jitter: 0,
});
const { pingInterval, pongTimeout, reconnectDelay } = OPTIONS;
const MARGIN = 200; // scheduling allowance added to every upper bound
const GUARD = 5000; // timeout guard for what must happen (failure only)
const now = () => performance.now();

// --- helpers ---------------------------------------------------------------------------------------

async function waitFor(predicate, what = 'condition', timeoutMs = GUARD) {
  const deadline = now() + timeoutMs;
  for (;;) {
    const value = predicate();
    if (value) return value;
    if (now() > deadline) throw new Error(`${typeof what === 'function' ? what() : what}: not met within ${timeoutMs} ms`);
    await sleep(2);
  }
}

/** The next `type` event passing `filter`, stamped with `at`. Create it before the cause. */
function nextEvent(lifeline, type, filter = () => true, timeoutMs = GUARD) {
  const promise = new Promise((resolve, reject) => {
    const on = (event) => {
      if (!filter(event)) return;
      clearTimeout(timer);
      lifeline.removeEventListener(type, on);
      resolve(Object.assign({}, event, { at: now() }));
    };
    const timer = setTimeout(() => {
      lifeline.removeEventListener(type, on);
      reject(new Error(`no '${type}' event within ${timeoutMs} ms (state ${lifeline.state})`));
    }, timeoutMs);
    lifeline.addEventListener(type, on);
  });
  promise.catch(() => {});
  return promise;
}

const EVENT_TYPES = ['open', 'message', 'close', 'error', 'reconnecting', 'giveup', 'heartbeat', 'drop', 'statechange'];

/** Every event of `lifeline`, in order, as plain records stamped with `at`. */
function recordEvents(lifeline) {
  const events = [];
  for (const type of EVENT_TYPES) {
    lifeline.addEventListener(type, (e) => {
      const { target, ...fields } = e;
      events.push({ ...fields, type, at: now() });
    });
  }
  return events;
}

/**
 * A sandbox with the real-socket wx, a test server behind the fault proxy, the package loaded and
 * initialised. Everything is cleaned up after the test.
 */
async function setup(t, { wx: wxOptions = {}, init = true } = {}) {
  const server = await startTestServer();
  const proxy = await startFaultProxy({ targetPort: server.port });
  let fake;
  const sandbox = createSandbox({ root: ROOT, wx: (ctx) => (fake = createRealWx({ realm: ctx, ...wxOptions })).wx });
  const lib = sandbox.require('ws-lifeline');
  const lifelines = [];
  t.after(async () => {
    for (const l of lifelines) {
      try {
        l.close();
      } catch {
        // already closed
      }
    }
    await fake.dispose();
    await proxy.close();
    await server.close();
  });
  if (init) await lib.init();
  const open = (options = {}, url = proxy.url('/mp')) => {
    const l = new lib.Lifeline(url, options);
    lifelines.push(l);
    return l;
  };
  return { server, proxy, fake, sandbox, lib, open };
}

/** Blackholes the live connection and lets new ones through: a half-open link. */
async function halfOpen(proxy) {
  await proxy.setMode('blackhole');
  await proxy.setMode('forward');
}

// --- loading ---------------------------------------------------------------------------------------

test('the package loads by require() in a WeChat-like sandbox and init() finds the .wasm at its default path', async (t) => {
  const { sandbox, lib, fake, open, proxy } = await setup(t, { init: false });
  // The sandbox is what a mini-program has (createSandbox checks these too).
  assert.equal(sandbox.run('typeof WebAssembly + typeof TextDecoder + typeof TextEncoder + typeof fetch + typeof document + typeof window'), 'undefined'.repeat(6));
  assert.throws(() => sandbox.run("eval('1')"), /code generation from strings disallowed/i);
  assert.throws(() => sandbox.run("new Function('')"), /code generation from strings disallowed/i);
  assert.equal(sandbox.run('typeof WXWebAssembly.RuntimeError + typeof WXWebAssembly.compile'), 'undefinedundefined');
  await assert.rejects(
    sandbox.run('WXWebAssembly.instantiate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]), {})'),
    /code-package path/,
    'the fake WXWebAssembly takes only a path, as the real one',
  );

  // The glue's WebAssembly: WXWebAssembly's, with the error classes it lacks.
  const W = sandbox.require('./wasm-global.js');
  assert.equal(typeof W.instantiate, 'function');
  for (const name of ['RuntimeError', 'CompileError', 'LinkError']) {
    const e = new W[name]('boom');
    assert.ok(e instanceof W[name] && e instanceof sandbox.run('Error'), name);
    assert.equal(e.name, name);
    assert.equal(e.message, 'boom');
  }

  for (const name of ['init', 'Lifeline', 'SEED_PATTERN', 'DEFAULTS', 'socketTaskTransport', 'detectMiniProgram', 'miniProgramPlatform']) {
    assert.ok(name in lib, `exports ${name}`);
  }
  assert.equal(lib.SOCKET_LIMIT, 5);
  assert.throws(() => new lib.Lifeline(proxy.url('/mp')), /await init\(\)/);

  await lib.init();
  await lib.init(); // idempotent
  assert.deepEqual(sandbox.wasmCalls, [{ rejected: '[object Uint8Array]' }, { path: `${PACKAGE_PREFIX}lifeline-core.wasm.br` }]);

  // No transport or platform given: wx's SocketTasks and signals are the defaults.
  const l = open(OPTIONS);
  const events = recordEvents(l);
  await nextEvent(l, 'open');
  assert.equal(l.readyState, 1);
  assert.equal(fake.stats.tasksCreated, 1);
  assert.equal(fake.tasks[0].url, proxy.url('/mp'));
  assert.deepEqual(fake.listenerCount(), { appShow: 1, appHide: 1, network: 1 });
  assert.deepEqual(
    events.filter((e) => e.type === 'statechange').map((e) => e.to),
    ['connecting', 'open'],
  );
});

test('on a base library that cannot read .wasm.br (2.13.x), init() says so and how to load a plain .wasm', async () => {
  // WXWebAssembly as 2.13.x has it: .wasm files only.
  const plainOnly = {
    instantiate: (p, imports) =>
      /\.br$/.test(p)
        ? Promise.reject(new Error('WXWebAssembly.instantiate: invalid path'))
        : WebAssembly.instantiate(fs.readFileSync(fileURLToPath(new URL('../dist/wasm/lifeline-core.wasm', import.meta.url))), imports),
    Memory: WebAssembly.Memory,
    Table: WebAssembly.Table,
    Global: WebAssembly.Global,
  };
  const sandbox = createSandbox({ root: ROOT, withWXWebAssembly: false, globals: { WXWebAssembly: plainOnly } });
  const lib = sandbox.require('ws-lifeline');
  await assert.rejects(lib.init(), (e) => /2\.14\.0/.test(e.message) && /invalid path/.test(e.message) && /wasmPath/.test(e.message));
  await lib.init({ wasmPath: '/lifeline-core.wasm' }); // the retry with a plain .wasm works
});

test("init({ wasmPath }) loads the brotli-compressed .wasm.br, and a wrong path is refused", async (t) => {
  const { sandbox, lib, open } = await setup(t, { init: false });
  await assert.rejects(lib.init({ wasmPath: 'lifeline-core.png' }), (e) => e.name === 'TypeError' && /wasmPath/.test(e.message));
  await assert.rejects(lib.init({ wasmPath: '/miniprogram_npm/other/missing.wasm' }), /no \.wasm|no such file/);
  await lib.init({ wasmPath: `${PACKAGE_PREFIX}lifeline-core.wasm.br` }); // a failed init may be retried
  assert.deepEqual(sandbox.wasmCalls.map((c) => c.path), ['/miniprogram_npm/other/missing.wasm', `${PACKAGE_PREFIX}lifeline-core.wasm.br`]);
  const l = open(OPTIONS);
  await nextEvent(l, 'open');
  l.send('hello');
  const echo = await nextEvent(l, 'message');
  assert.equal(echo.data, 'hello');
});

test('WXWebAssembly.instantiate resolving to a bare Instance (as its official typings say) works too', { timeout: 10000 }, async (t) => {
  const fake = createRealWx();
  const sandbox = createSandbox({ root: ROOT, wx: fake.wx, wasmResolvesToInstance: true });
  const lib = sandbox.require('ws-lifeline');
  await lib.init(); // before the fix: never settled
  const l = new lib.Lifeline('wss://example.com/');
  t.after(() => l.close());
  assert.equal(l.readyState, 0);
});

test('without WXWebAssembly (base library < 2.13.0) init() rejects with an error naming the version', async () => {
  const sandbox = createSandbox({ root: ROOT, withWXWebAssembly: false, wx: createRealWx().wx });
  assert.equal(sandbox.run('typeof WXWebAssembly'), 'undefined');
  let lib;
  assert.doesNotThrow(() => {
    lib = sandbox.require('ws-lifeline');
  }, 'loading the package must not fail: init() is where the error belongs');
  await assert.rejects(lib.init(), (e) => /WXWebAssembly/.test(e.message) && /base library/.test(e.message) && /2\.13\.0/.test(e.message));
  assert.throws(() => new lib.Lifeline('wss://example.com/'), /await init\(\)/);
});

// --- the heartbeat and dead links -------------------------------------------------------------------

test('the heartbeat: pings after pingInterval of silence, heartbeat events, pongs not delivered', async (t) => {
  const { lib, fake, server, open } = await setup(t);
  const l = open(OPTIONS);
  const events = recordEvents(l);
  await nextEvent(l, 'open');
  await waitFor(() => events.filter((e) => e.type === 'heartbeat').length >= 3, 'three heartbeats');
  const beats = events.filter((e) => e.type === 'heartbeat');
  for (const b of beats) assert.ok(b.rtt >= 0 && b.rtt < pongTimeout, `rtt ${b.rtt}`);
  assert.equal(events.filter((e) => e.type === 'message').length, 0, 'pongs are not messages');
  assert.ok(fake.tasks[0].sent.filter((d) => d === 'ping').length >= 3);
  assert.ok(server.pingsReceived >= 3);
  assert.equal(fake.stats.tasksCreated, 1, 'one healthy socket the whole time');
  assert.ok(l.stats.pongsReceived >= 3);
  assert.equal(l.stats.deadLinks, 0);
  // Traffic proves life: no pings while messages flow.
  const pingsBefore = server.pingsReceived;
  for (let i = 0; i < 6; i++) {
    l.send(`busy ${i}`);
    await sleep(pingInterval / 2);
  }
  assert.ok(server.pingsReceived - pingsBefore <= 1, `pings while busy: ${server.pingsReceived - pingsBefore}`);
  assert.equal(lib.SOCKET_LIMIT, 5);
});

test('a half-open link is abandoned and replaced within pingInterval + pongTimeout + reconnectDelay', async (t) => {
  const { fake, proxy, open } = await setup(t);
  const l = open(OPTIONS);
  const events = recordEvents(l);
  await nextEvent(l, 'open');
  await nextEvent(l, 'heartbeat');
  const reopened = nextEvent(l, 'open');
  const cutAt = now();
  await halfOpen(proxy);
  const { at } = await reopened;
  const bound = pingInterval + pongTimeout + reconnectDelay + MARGIN;
  assert.ok(at - cutAt <= bound, `recovered in ${Math.round(at - cutAt)} ms (bound ${bound})`);
  const close = events.find((e) => e.type === 'close');
  assert.equal(close.cause, 'pong-timeout');
  assert.equal(close.willReconnect, true);
  assert.equal(l.stats.deadLinks, 1);
  // The abandoned task was closed (freeing its slot once the platform is done with it).
  assert.equal(fake.tasks[0].closeRequested?.code, 4000);
  assert.equal(fake.stats.tasksCreated, 2);
  l.send('after');
  assert.equal((await nextEvent(l, 'message')).data, 'after');
});

// --- platform signals --------------------------------------------------------------------------------

test('background: the cut closes sockets with 1000 "interrupted", no attempts while hidden, show reconnects at once', async (t) => {
  const { fake, open } = await setup(t);
  // A long reconnectDelay, so that "at once" is distinguishable from a scheduled retry.
  const l = open({ ...OPTIONS, reconnectDelay: 400, maxReconnectDelay: 400 });
  const events = recordEvents(l);
  await nextEvent(l, 'open');
  const closed = nextEvent(l, 'close');
  const hiddenAt = now();
  fake.hide();
  const close = await closed;
  assert.ok(close.at - hiddenAt >= 40, 'the platform cuts ~backgroundCutMs after hiding');
  assert.equal(close.code, 1000);
  assert.equal(close.reason, 'interrupted');
  assert.equal(close.willReconnect, true);
  assert.equal(fake.stats.cut, 1);
  await waitFor(() => l.state === 'paused', () => `paused (state ${l.state})`);

  const calls = fake.stats.connectCalls;
  await sleep(600); // longer than the reconnect delay
  assert.equal(fake.stats.connectCalls, calls, 'no connectSocket while hidden');
  assert.equal(fake.stats.refusedHidden, 0);
  assert.equal(l.state, 'paused');

  const reopened = nextEvent(l, 'open');
  const shownAt = now();
  fake.show();
  await waitFor(() => fake.stats.connectCalls > calls, 'an attempt after show');
  const attemptAfter = now() - shownAt;
  assert.ok(attemptAfter < 150, `attempt ${Math.round(attemptAfter)} ms after show, not after the 400 ms delay`);
  await reopened;
  assert.equal(l.readyState, 1);
  assert.equal(fake.liveTasks(), 1);
  assert.ok(!events.some((e) => e.type === 'error'), 'no failed attempt');
});

test('a short trip to the background (shown before the cut) keeps the socket', async (t) => {
  const { fake, open } = await setup(t, { wx: { backgroundCutMs: 150 } });
  const l = open(OPTIONS);
  const events = recordEvents(l);
  await nextEvent(l, 'open');
  fake.hide();
  await sleep(40);
  fake.show();
  await sleep(300);
  assert.equal(fake.stats.cut, 0);
  assert.equal(fake.stats.connectCalls, 1);
  assert.equal(l.state, 'open');
  assert.equal(events.filter((e) => e.type === 'close').length, 0);
  assert.ok(events.filter((e) => e.type === 'heartbeat').length >= 1, 'still answering');
});

test('offline: no attempts while offline, online reconnects at once', async (t) => {
  const { fake, open } = await setup(t);
  const l = open({ ...OPTIONS, reconnectDelay: 400, maxReconnectDelay: 400 });
  recordEvents(l);
  await nextEvent(l, 'open');
  const closed = nextEvent(l, 'close');
  fake.setNetwork(false);
  const close = await closed;
  assert.equal(close.willReconnect, true);
  await waitFor(() => l.state === 'paused', () => `paused (state ${l.state})`);
  const calls = fake.stats.connectCalls;
  await sleep(600);
  assert.equal(fake.stats.connectCalls, calls, 'no connectSocket while offline');
  assert.equal(fake.stats.refusedOffline, 0);

  const reopened = nextEvent(l, 'open');
  const onlineAt = now();
  fake.setNetwork(true);
  await waitFor(() => fake.stats.connectCalls > calls, 'an attempt after online');
  assert.ok(now() - onlineAt < 150, 'at once, not after the reconnect delay');
  await reopened;
  assert.equal(fake.liveTasks(), 1);
});

test('every message sent while down is delivered once, in order, after the reconnect', async (t) => {
  const { fake, server, sandbox, open } = await setup(t);
  const l = open(OPTIONS);
  const events = recordEvents(l);
  await nextEvent(l, 'open');
  const echoed = nextEvent(l, 'message');
  l.send('before');
  assert.equal((await echoed).data, 'before');

  const closed = nextEvent(l, 'close');
  fake.setNetwork(false);
  await closed;
  const expected = [];
  for (let i = 0; i < 20; i++) {
    assert.equal(l.send(`queued ${i}`), true);
    expected.push(`queued ${i}`);
  }
  // Binary data of the mini-program's realm, as an ArrayBuffer and as a typed array.
  assert.equal(l.send(sandbox.run('new Uint8Array([1, 2, 3]).buffer')), true);
  assert.equal(l.send(sandbox.run('new Uint8Array([9, 8, 7, 6]).subarray(1, 3)')), true);
  expected.push('bin:010203', 'bin:0807');
  assert.equal(l.stats.queued, 22);

  const reopened = nextEvent(l, 'open');
  fake.setNetwork(true);
  await reopened;
  await waitFor(() => server.received.length >= 1 + expected.length, () => `all messages (${server.received.length})`);
  await sleep(50); // anything duplicated would arrive by now
  assert.deepEqual(
    server.received.map((r) => r.data),
    ['before', ...expected],
  );
  const lastConn = server.received.at(-1).conn;
  assert.ok(server.received.slice(1).every((r) => r.conn === lastConn), 'all on the new connection');
  // The echoes: strings and ArrayBuffers of the sandbox's realm (never a Buffer).
  await waitFor(
    () => events.filter((e) => e.type === 'message').length >= 1 + expected.length,
    () => `every echo (got ${JSON.stringify(events.filter((e) => e.type !== 'statechange').map((e) => [e.type, typeof e.data === 'string' ? e.data : e.cause ?? e.message ?? '']))}; ${fake.stats.tasksCreated} tasks; sent ${JSON.stringify(fake.tasks.map((r) => r.sent))})`,
  );
  const echoes = events.filter((e) => e.type === 'message').map((e) => e.data);
  const SandboxArrayBuffer = sandbox.run('ArrayBuffer');
  const shown = echoes.map((d) => (typeof d === 'string' ? d : d instanceof SandboxArrayBuffer ? `bin:${Buffer.from(d).toString('hex')}` : `? ${Object.prototype.toString.call(d)}`));
  assert.deepEqual(shown, ['before', ...expected]);
  assert.equal(l.stats.dropped, 0);
  assert.equal(l.stats.maybeLost, 0);
  assert.equal(l.stats.queued, 0);
});

// --- the socket limit ----------------------------------------------------------------------------------

test('the 5-socket limit under repeated half-open links: abandoned tasks closed, never more than 5, a refused attempt is reported and retried', async (t) => {
  const closeTimeoutMs = 1500; // the platform's wait for each abandoned task's close
  const { fake, proxy, sandbox, open } = await setup(t, { wx: { closeTimeoutMs } });
  const l = open(OPTIONS);
  const events = recordEvents(l);
  let limitSeen = false;
  l.addEventListener('error', (e) => {
    if (/limit/.test(e.message)) limitSeen = true;
  });
  // Every connection dies half-open as soon as it opens, until the limit has been hit.
  l.addEventListener('open', () => {
    if (!limitSeen) halfOpen(proxy);
  });
  await waitFor(() => limitSeen, () => `a limit failure (tasks ${fake.stats.tasksCreated}, live ${fake.liveTasks()})`);
  const limitErrors = events.filter((e) => e.type === 'error' && /limit/.test(e.message));
  assert.match(limitErrors[0].message, /mini-program socket limit \(5\) reached: connectSocket:fail exceed max task count/);
  assert.equal(fake.stats.maxLive, 5);

  // The refused attempt is a failed attempt like any other: retried, and the client comes back once
  // the platform has released the abandoned tasks.
  const afterLimit = fake.stats.connectCalls;
  await nextEvent(l, 'open', () => true, closeTimeoutMs + GUARD);
  assert.ok(fake.stats.connectCalls > afterLimit, 'retried');
  assert.ok(events.some((e) => e.type === 'reconnecting' && e.at > limitErrors[0].at), 'a reconnecting event after the failure');
  assert.ok(fake.stats.limitFailures >= 1);
  assert.ok(fake.stats.maxLive <= 5);
  // Every abandoned (pong-timeout) task was closed by the client.
  const abandoned = fake.tasks.filter((r) => r.openedAt !== undefined && r !== fake.tasks.at(-1));
  assert.ok(abandoned.length >= 5);
  for (const r of abandoned) assert.equal(r.closeRequested?.code, 4000, `task ${r.id} closed as a dead link`);
  const pongTimeouts = events.filter((e) => e.type === 'close' && e.cause === 'pong-timeout').length;
  assert.equal(pongTimeouts, abandoned.length);

  // The transport's count of live sockets is the platform's.
  const transport = sandbox.require('./runtime.js').defaultTransport();
  assert.equal(transport.liveSockets(), fake.liveTasks());
  l.send('alive');
  assert.equal((await nextEvent(l, 'message')).data, 'alive');
});

// --- closing -------------------------------------------------------------------------------------------

test('an explicit close is final: the task is closed, no reconnection, platform listeners removed with off*', async (t) => {
  const { fake, server, open } = await setup(t);
  const l = open(OPTIONS);
  const events = recordEvents(l);
  await nextEvent(l, 'open');
  assert.deepEqual(fake.listenerCount(), { appShow: 1, appHide: 1, network: 1 });
  l.close(1000, 'bye');
  assert.equal(l.state, 'closed');
  const close = events.find((e) => e.type === 'close');
  assert.equal(close.cause, 'explicit');
  assert.equal(close.willReconnect, false);
  assert.deepEqual(fake.tasks[0].closeRequested && { code: fake.tasks[0].closeRequested.code, reason: fake.tasks[0].closeRequested.reason }, { code: 1000, reason: 'bye' });
  assert.deepEqual(fake.listenerCount(), { appShow: 0, appHide: 0, network: 0 });
  assert.deepEqual(fake.offCalls, { appShow: 1, appHide: 1, network: 1 });
  await waitFor(() => fake.liveTasks() === 0 && server.open() === 0, 'the socket closed on both sides');
  assert.deepEqual({ code: fake.tasks[0].closed.code, reason: fake.tasks[0].closed.reason }, { code: 1000, reason: 'bye' });
  // Signals after close start nothing.
  fake.hide();
  fake.show();
  fake.setNetwork(false);
  fake.setNetwork(true);
  await sleep(200);
  assert.equal(fake.stats.connectCalls, 1);
  assert.equal(events.filter((e) => e.type === 'close').length, 1);
  assert.equal(l.send('late'), false);
});

// --- the seed pattern ---------------------------------------------------------------------------------

test("the seed pattern's configuration (scaled) recovers from a half-open link without waiting for the dead socket's close", async (t) => {
  const { lib, fake, proxy, open } = await setup(t);
  const seed = {
    ...lib.SEED_PATTERN,
    pingInterval: 100,
    pongTimeout: 100,
    reconnectDelay: 50,
    maxReconnectDelay: 50,
    maxRetries: 12,
    pingMessage: 'ping',
    pongMessage: 'pong',
  };
  const l = open(seed);
  const events = recordEvents(l);
  await nextEvent(l, 'open');
  await nextEvent(l, 'heartbeat');
  const old = fake.tasks[0];
  let oldClosedAtReopen;
  const reopened = nextEvent(l, 'open', () => {
    oldClosedAtReopen = old.closed; // what the seed pattern would be waiting for
    return true;
  });
  const cutAt = now();
  await halfOpen(proxy);
  const { at } = await reopened;
  const bound = seed.pingInterval + seed.pongTimeout + seed.reconnectDelay + MARGIN;
  assert.ok(at - cutAt <= bound, `recovered in ${Math.round(at - cutAt)} ms (bound ${bound})`);
  assert.equal(events.find((e) => e.type === 'close').cause, 'pong-timeout');
  assert.ok(old.closeRequested, 'the dead task was closed');
  assert.equal(oldClosedAtReopen, null, "the new socket opened before the dead task's onClose");
  // Information: when the dead task's onClose came (what close-then-wait would wait for).
  await waitFor(() => old.closed, "the dead task's onClose", GUARD);
  const closeLag = old.closed.at - old.closeRequested.at;
  t.diagnostic(
    `half-open at 0: new socket open at ${Math.round(at - cutAt)} ms; the dead task's onClose came ` +
      `${Math.round(old.closed.at - cutAt)} ms (its close waited ${Math.round(closeLag)} ms for the handshake); ` +
      `close-then-wait would have reconnected only after that`,
  );
  assert.ok(old.closed.at > at, "the dead task's onClose came after the replacement was open");
  assert.equal(l.stats.retries <= 1, true);
  l.send('x');
  assert.equal((await nextEvent(l, 'message')).data, 'x');
});
