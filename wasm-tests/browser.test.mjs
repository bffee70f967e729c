// ws-lifeline in a real browser (Debian's Chromium through playwright-core):
//   node --test wasm-tests/browser.test.mjs
//
// The repository root is served over http://127.0.0.1 with
// `Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'` on every response, so /js/index.js
// and /dist/wasm/... resolve exactly as for a plain <script type="module"> page of the package.
// The page (wasm-tests/fixtures/browser-page/) calls `await init()` with no configuration and
// exposes window.harness. Every Lifeline call goes through harness.call(), which runs it in a page
// task of its own: code run by DevTools evaluation is exempt from the CSP eval check.
//
// WebSockets go page -> fault proxy -> `ws` test server, all on 127.0.0.1, with time scaled down.
// Every duration below is a generous upper bound or a quiet window, never a speed measurement.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';
import { startStaticServer } from './support/static-server.mjs';
import { CHROMIUM, CSP } from './support/chromium.mjs';
import { startTestServer } from '../scripts/testbed/test-server.mjs';
import { startFaultProxy } from '../scripts/testbed/fault-proxy.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PAGE = '/wasm-tests/fixtures/browser-page/index.html';

const FAST = { pingInterval: 150, pongTimeout: 150, reconnectDelay: 50, jitter: 0 };
// For tests that count connections on a healthy link: a 150 ms pong deadline can condemn a healthy
// link when the CPU is starved (everything runs on 2 cores, server and proxy included).
const STEADY = { ...FAST, pongTimeout: 2000 };
const MARGIN = 3000; // slack on top of any computed bound (2 cores, other tests running)
const WAIT = 8000; // guard for things that must happen
const QUIET = 600; // window in which nothing may happen (12 reconnect delays)

// Chromium logs a failed WebSocket handshake (refused, reset) as a console error: expected noise
// in the fault tests. Anything else is a finding.
const EXPECTED_CONSOLE = /^WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/[^']*' failed/;

let browser;
let web;

before(async () => {
  web = await startStaticServer({ root: ROOT, headers: { 'Content-Security-Policy': CSP } });
  browser = await chromium.launch(CHROMIUM);
});

after(async () => {
  await browser?.close();
  await web?.close();
});

async function until(predicate, ms = WAIT, what = 'condition') {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not met within ${ms} ms`);
    await sleep(20);
  }
}

/** A fresh test server, fault proxy, browser context and page for one test (closed after it). */
async function setup(t) {
  const server = await startTestServer();
  const proxy = await startFaultProxy({ targetPort: server.port });
  const context = await browser.newContext();
  t.after(async () => {
    await context.close();
    await proxy.close();
    await server.close();
  });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.stack ?? e}`));
  const responses = [];
  page.on('response', (r) => responses.push({ url: r.url(), status: r.status(), headers: r.headers() }));
  const response = await page.goto(web.url(PAGE));
  await page.waitForFunction(() => window.harness && window.harness.status !== 'loading', null, { timeout: WAIT });
  const { status, error } = await page.evaluate(() => ({ status: harness.status, error: harness.error }));
  assert.equal(status, 'ready', `init() failed in the page: ${error}`);

  const call = (method, ...args) => page.evaluate(([m, a]) => window.harness.call(m, ...a), [method, args]);
  const ctx = {
    server,
    proxy,
    context,
    page,
    response,
    responses,
    consoleErrors,
    call,
    stats: (name) => call('stats', name),
    events: (name, type) => call('events', name, type),
    state: (name) => call('state', name),
    /** Creates a Lifeline through the proxy and waits until it is open. */
    async open(name, options, path = `/${name}`) {
      await call('create', name, proxy.url(path), options);
      await until(async () => (await call('state', name)) === 'open', WAIT, `${name} open`);
    },
    /** No CSP violation, no uncaught error, no unexpected console error. */
    async assertClean({ strictConsole = false } = {}) {
      const watch = await page.evaluate(() => window.__pageWatch);
      assert.deepEqual(watch.violations, [], 'CSP violations');
      assert.deepEqual(watch.errors, [], 'uncaught errors in the page');
      const unexpected = strictConsole ? consoleErrors : consoleErrors.filter((m) => !EXPECTED_CONSOLE.test(m));
      assert.deepEqual(unexpected, [], 'console errors');
    },
  };
  return ctx;
}

/** A raw GET (the path is sent as is, unlike fetch, which normalizes dot segments). */
function rawGet(port, rawPath) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: rawPath }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
  });
}

test('static server: content types, extra headers on every response, 404, no way out of root', async (t) => {
  const root = fileURLToPath(new URL('./fixtures/browser-page/', import.meta.url));
  const s = await startStaticServer({ root, headers: { 'Content-Security-Policy': CSP, 'X-Test': '1' } });
  t.after(() => s.close());
  const page = await rawGet(s.port, '/index.html');
  assert.equal(page.status, 200);
  assert.match(page.headers['content-type'], /^text\/html/);
  assert.equal(page.headers['content-security-policy'], CSP);
  assert.equal(page.headers['x-test'], '1');
  assert.match((await rawGet(s.port, '/')).headers['content-type'], /^text\/html/);
  assert.match((await rawGet(s.port, '/app.js')).headers['content-type'], /^text\/javascript/);
  const missing = await rawGet(s.port, '/nope.wasm');
  assert.equal(missing.status, 404);
  assert.equal(missing.headers['content-security-policy'], CSP);
  for (const escape of [
    '/../browser.test.mjs',
    '/../../package.json',
    '/%2e%2e/browser.test.mjs',
    '/..%2fbrowser.test.mjs',
    '/%2e%2e%2f%2e%2e%2fpackage.json',
    '/..\\browser.test.mjs',
    '/%00index.html',
    '//etc/passwd',
    '/%2fetc%2fpasswd',
  ]) {
    assert.equal((await rawGet(s.port, escape)).status, 404, escape);
  }
  const wasmRoot = await startStaticServer({ root: ROOT });
  t.after(() => wasmRoot.close());
  const wasm = await rawGet(wasmRoot.port, '/dist/wasm/lifeline-core.wasm');
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers['content-type'], 'application/wasm');
  assert.match((await rawGet(wasmRoot.port, '/dist/wasm/lifeline-core.mjs')).headers['content-type'], /^text\/javascript/);
});

test('(a) loads under a strict CSP with init() unconfigured: no eval, no violation', async (t) => {
  const c = await setup(t);
  assert.equal(c.response.status(), 200);
  assert.equal(c.response.headers()['content-security-policy'], CSP);
  // The page found the module graph and the .wasm where the package puts them, under the same CSP.
  const byPath = new Map(c.responses.map((r) => [new URL(r.url).pathname, r]));
  for (const p of ['/js/index.js', '/dist/wasm/lifeline-core.mjs', '/dist/wasm/lifeline-core.wasm']) {
    const r = byPath.get(p);
    assert.ok(r, `${p} was not requested; requested: ${[...byPath.keys()].join(', ')}`);
    assert.equal(r.status, 200, p);
    assert.equal(r.headers['content-security-policy'], CSP, p);
  }
  assert.equal(byPath.get('/dist/wasm/lifeline-core.wasm').headers['content-type'], 'application/wasm');
  assert.equal(c.responses.filter((r) => r.url.endsWith('.wasm')).length, 1, 'the .wasm is fetched once');

  // Use the library from page tasks (not DevTools evaluation) so any eval would be refused.
  await c.open('a', STEADY);
  assert.equal(await c.call('send', 'a', 'csp-echo'), true);
  await until(async () => (await c.call('messages', 'a')).includes('csp-echo'), WAIT, 'echo');
  await until(async () => (await c.events('a', 'heartbeat')).length >= 1, WAIT, 'heartbeat');
  await c.call('close', 'a');
  await c.assertClean({ strictConsole: true });

  // Positive control: the watch does see an eval refused by this CSP.
  const control = await c.call('tryEval');
  assert.equal(control.evaluated, false, 'the CSP must refuse eval in this page');
  const watch = await c.page.evaluate(() => window.__pageWatch);
  assert.equal(watch.violations.length, 1);
  assert.equal(watch.violations[0].blocked, 'eval');
});

test("(a') the CSP is enforced: without 'wasm-unsafe-eval' init() rejects (no hang) naming the CSP", async (t) => {
  const strict = await startStaticServer({ root: ROOT, headers: { 'Content-Security-Policy': "script-src 'self'" } });
  const context = await browser.newContext();
  t.after(async () => {
    await context.close();
    await strict.close();
  });
  const page = await context.newPage();
  await page.goto(strict.url(PAGE));
  await page.waitForFunction(() => window.harness && window.harness.status !== 'loading', null, { timeout: WAIT });
  const { status, error, watch } = await page.evaluate(() => ({
    status: harness.status,
    error: harness.error,
    watch: window.__pageWatch,
  }));
  assert.equal(status, 'failed');
  assert.match(error, /Content Security Policy/);
  assert.ok(watch.violations.length >= 1, 'the refused compilation is reported as a violation');
  assert.equal(strict.requests.filter((r) => r.path.endsWith('.wasm')).length, 1);
});

test('(b) connects, heartbeats carry an rtt, messages echo', async (t) => {
  const c = await setup(t);
  await c.open('b', STEADY);
  const beats = await until(async () => {
    const h = await c.events('b', 'heartbeat');
    return h.length >= 2 && h;
  }, WAIT, 'two heartbeats');
  for (const h of beats) assert.ok(Number.isFinite(h.rtt) && h.rtt >= 0, `rtt ${h.rtt}`);

  assert.deepEqual(await c.call('sendAll', 'b', ['hello-1', 'hello-2', 'hello-3']), [true, true, true]);
  await until(async () => (await c.call('messages', 'b')).length >= 3, WAIT, 'echoes');
  assert.deepEqual(await c.call('messages', 'b'), ['hello-1', 'hello-2', 'hello-3']); // pongs are not messages
  assert.deepEqual(
    c.server.received.map((r) => r.data),
    ['hello-1', 'hello-2', 'hello-3'],
  );

  const s = await c.stats('b');
  assert.equal(s.state, 'open');
  assert.equal(s.connects, 1);
  assert.equal(s.attempts, 1);
  assert.ok(s.pingsSent >= 2 && s.pongsReceived >= 2, JSON.stringify(s));
  assert.ok(Number.isFinite(s.lastRtt), `lastRtt ${s.lastRtt}`);
  assert.equal(s.messagesSent, 3);
  assert.equal(s.messagesReceived, 3);
  assert.equal(s.deadLinks, 0);
  assert.equal(await c.call('readyState', 'b'), 1);
  assert.equal(c.server.pingsReceived, s.pingsSent);
  await c.call('close', 'b');
  await c.assertClean();
});

test('(c) half-open link: abandoned within the heartbeat bound; queued messages delivered once, in order', async (t) => {
  const c = await setup(t);
  await c.open('c', FAST);
  await until(async () => (await c.events('c', 'heartbeat')).length >= 1, WAIT, 'first heartbeat');

  // Half-open: the live connection goes silent both ways (no FIN, no RST), new ones go through.
  const t0 = await c.call('now');
  await c.proxy.setMode('blackhole');
  await c.proxy.setMode('forward');
  const opens = await until(async () => {
    const o = await c.events('c', 'open');
    return o.length >= 2 && o;
  }, FAST.pingInterval + FAST.pongTimeout + FAST.reconnectDelay + MARGIN + 2000, 'reopen after the half-open link');
  const bound = FAST.pingInterval + FAST.pongTimeout + FAST.reconnectDelay + MARGIN;
  t.diagnostic(`half-open link replaced ${Math.round(opens[1].t - t0)} ms after it died (bound ${bound} ms)`);
  assert.ok(opens[1].t - t0 <= bound, `reopened ${Math.round(opens[1].t - t0)} ms after the link died (bound ${bound})`);
  const [closed] = await c.events('c', 'close');
  assert.equal(closed.cause, 'pong-timeout');
  assert.equal(closed.willReconnect, true);
  assert.ok(closed.t >= t0 && closed.t <= opens[1].t);
  let s = await c.stats('c');
  assert.equal(s.deadLinks, 1);
  assert.equal(s.connects, 2);
  assert.equal(c.server.connections, 2);

  // Down for good for a while: the new link dies too, and attempts fail (refused) meanwhile.
  await c.proxy.setMode('blackhole');
  await until(async () => (await c.events('c', 'close')).length >= 2, WAIT, 'second dead link');
  await c.proxy.setMode('refuse');
  const queuedList = ['q-1', 'q-2', 'q-3', 'q-4', 'q-5'];
  assert.deepEqual(await c.call('sendAll', 'c', queuedList), [true, true, true, true, true]);
  s = await c.stats('c');
  assert.notEqual(s.state, 'open');
  assert.equal(s.queued, queuedList.length);
  await sleep(200); // some refused attempts
  assert.equal((await c.stats('c')).queued, queuedList.length, 'still queued while down');

  await c.proxy.setMode('forward');
  await until(
    () => c.server.received.filter((r) => r.data.startsWith('q-')).length >= queuedList.length,
    WAIT + MARGIN,
    'queued messages delivered',
  );
  await sleep(300); // nothing more may arrive (no duplicates)
  const delivered = c.server.received.filter((r) => r.data.startsWith('q-'));
  assert.deepEqual(
    delivered.map((r) => r.data),
    queuedList,
  );
  assert.equal(new Set(delivered.map((r) => r.conn)).size, 1, 'all on the one recovered connection');
  assert.equal(delivered[0].conn, c.server.connections - 1);
  await until(async () => (await c.call('messages', 'c')).length >= queuedList.length, WAIT, 'echoes');
  assert.deepEqual(await c.call('messages', 'c'), queuedList);
  s = await c.stats('c');
  assert.equal(s.state, 'open');
  assert.equal(s.queued, 0);
  assert.equal(s.dropped, 0);
  assert.equal(s.deadLinks, 2);
  await c.call('close', 'c');
  await c.assertClean();
});

test('(d) a reset link (proxy resetAll) reconnects', async (t) => {
  const c = await setup(t);
  await c.open('d', STEADY);
  assert.equal(c.proxy.resetAll(), 1);
  await until(async () => (await c.events('d', 'open')).length >= 2, WAIT, 'reopen after reset');
  const [closed] = await c.events('d', 'close');
  assert.equal(closed.willReconnect, true);
  assert.ok(['remote', 'error'].includes(closed.cause), `cause ${closed.cause}`);
  assert.equal(closed.wasClean, false);
  const s = await c.stats('d');
  assert.equal(s.connects, 2);
  assert.equal(c.server.connections, 2);
  assert.equal(await c.call('send', 'd', 'after-reset'), true);
  await until(async () => (await c.call('messages', 'd')).includes('after-reset'), WAIT, 'echo after reset');
  await c.call('close', 'd');
  await c.assertClean();
});

test('(e) offline: a probe, then no attempts; online: reconnects at once', async (t) => {
  const c = await setup(t);
  // pingInterval long: every ping below is a probe caused by a signal.
  await c.open('e', { ...FAST, pingInterval: 60000 });
  assert.equal((await c.stats('e')).pingsSent, 0);

  await c.context.setOffline(true);
  await until(async () => (await c.call('windowEvents')).some((e) => e.type === 'offline'), WAIT, 'offline event');
  assert.equal(await c.page.evaluate(() => navigator.onLine), false);
  await until(async () => (await c.stats('e')).pingsSent === 1, WAIT, 'probe on going offline');
  // Whatever the emulation does to the live socket, make it die for sure.
  c.proxy.resetAll();
  await until(async () => (await c.state('e')) === 'paused', WAIT, 'paused while offline');
  const before = await c.stats('e');
  const connections = c.server.connections;
  await sleep(QUIET);
  const quiet = await c.stats('e');
  assert.equal(quiet.state, 'paused');
  assert.equal(quiet.attempts, before.attempts, 'no attempt while offline');
  assert.equal(c.server.connections, connections);

  await c.context.setOffline(false);
  await until(async () => (await c.state('e')) === 'open', WAIT, 'open after online');
  const online = (await c.call('windowEvents')).find((e) => e.type === 'online');
  assert.ok(online, 'online event');
  const events = await c.events('e');
  const resumed = events.find((e) => e.type === 'statechange' && e.from === 'paused');
  assert.equal(resumed.to, 'connecting');
  assert.ok(resumed.t >= online.t && resumed.t - online.t <= MARGIN, 'attempt right on the online event');
  const reconnecting = events.filter((e) => e.type === 'reconnecting' && e.t >= online.t);
  assert.equal(reconnecting[0]?.delay, 0, 'no backoff after online');
  const s = await c.stats('e');
  assert.equal(s.attempts, before.attempts + 1);
  assert.equal(s.connects, 2);
  await c.call('close', 'e');
  await c.assertClean();
});

test('(f) visibility: shown while open sends a probe at once; pauseInBackground waits for it', async (t) => {
  const c = await setup(t);
  await c.open('f', { ...FAST, pingInterval: 60000 });
  let all = await c.call('setVisibility', 'hidden');
  assert.equal(all.f.pingsSent, 0, 'hidden: no probe (pauseInBackground off)');
  assert.equal(all.f.state, 'open');
  all = await c.call('setVisibility', 'visible');
  assert.equal(all.f.pingsSent, 1, 'shown while open: a probe right away');
  await until(async () => (await c.events('f', 'heartbeat')).length === 1, WAIT, 'the probe answered');
  assert.equal((await c.stats('f')).pongsReceived, 1);
  await c.call('close', 'f');

  // pauseInBackground: a drop while hidden waits, uncounted; shown reconnects at once.
  await c.open('g', { ...STEADY, pauseInBackground: true });
  await c.call('setVisibility', 'hidden');
  c.proxy.resetAll();
  await until(async () => (await c.state('g')) === 'paused', WAIT, 'paused while hidden');
  const before = await c.stats('g');
  await sleep(QUIET);
  assert.equal((await c.stats('g')).attempts, before.attempts, 'no attempt while hidden');
  all = await c.call('setVisibility', 'visible');
  assert.equal(all.g.state, 'connecting', 'shown: an attempt at once');
  await until(async () => (await c.state('g')) === 'open', WAIT, 'open after shown');
  await c.call('close', 'g');
  await c.assertClean();
});

test('(g) close() is final', async (t) => {
  const c = await setup(t);
  await c.open('h', STEADY);
  await c.call('close', 'h', 1000, 'bye');
  const closes = await c.events('h', 'close');
  assert.equal(closes.length, 1);
  assert.equal(closes[0].cause, 'explicit');
  assert.equal(closes[0].willReconnect, false);
  assert.equal(closes[0].code, 1000);
  assert.equal(closes[0].reason, 'bye');
  assert.equal(await c.state('h'), 'closed');
  assert.equal(await c.call('readyState', 'h'), 3);
  await until(() => c.server.open() === 0, WAIT, 'server sees the close');
  const atClose = await c.stats('h');

  // Nothing brings it back: not time, not reconnect(), not send(), not platform signals.
  assert.equal(await c.call('reconnect', 'h'), false);
  assert.equal(await c.call('send', 'h', 'late'), false);
  const drops = await c.events('h', 'drop');
  assert.deepEqual(
    drops.map((d) => [d.data, d.reason]),
    [['late', 'closed']],
  );
  await c.call('setVisibility', 'hidden');
  await c.call('setVisibility', 'visible');
  await c.context.setOffline(true);
  await c.context.setOffline(false);
  await sleep(QUIET);
  const s = await c.stats('h');
  assert.equal(s.state, 'closed');
  assert.equal(s.attempts, 1);
  assert.equal(s.pingsSent, atClose.pingsSent, 'no probe after close');
  assert.equal(c.server.connections, 1);
  assert.equal((await c.events('h', 'close')).length, 1);
  assert.equal((await c.events('h', 'open')).length, 1);
  await c.assertClean();
});

test('(h) a server restart: a 1012 close with a retry hint is followed, no retry spent', async (t) => {
  const c = await setup(t);
  await c.open('r', { ...STEADY, seed: 3 });
  const reason = 'restarting; retry-after=300 window=200';
  c.server.closeAll(1012, reason);
  await until(async () => (await c.events('r', 'reconnecting')).length >= 1, WAIT, 'reconnecting');
  const [closed] = await c.events('r', 'close');
  assert.deepEqual([closed.code, closed.reason, closed.cause, closed.willReconnect], [1012, reason, 'remote', true]);
  const [r] = await c.events('r', 'reconnecting');
  assert.equal(r.attempt, 0, 'uncounted');
  assert.ok(r.delay >= 300 && r.delay < 500, `the core read the hint from Chromium's close reason: delay ${r.delay}`);
  await until(async () => (await c.events('r', 'open')).length >= 2, WAIT, 'back');
  assert.equal((await c.stats('r')).retries, 0);
  await c.assertClean();
});
