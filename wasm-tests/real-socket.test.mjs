// The Lifeline over real sockets: a `ws` test server behind the fault-injecting TCP proxy.
//   node --test wasm-tests/real-socket.test.mjs
//
// Time is scaled down (OPTIONS) and every bound is computed from the options plus MARGIN, a
// generous allowance for scheduling on a busy 2-core machine: the point is to prove the bound (the
// client does not wait for ws's close timeout, does not back off past the cap, ...), not to measure
// speed. Waits are event-driven, or polled with a timeout guard (GUARD) that only matters on
// failure; the only fixed sleeps are the lengths of fault windows and of windows in which something
// must NOT happen.
//
// The server and the proxy live in this process, so a stall of the process (another test hogging
// both cores) also stalls the far end of every round trip: a 100 ms pong or connect deadline can
// then condemn a healthy link, exactly as the core documents (a timer late by less than timerSlack
// is trusted). So the 100 ms pong deadline is used only where it is under test (the half-open
// scenarios), the 300 ms connect deadline only in the hang scenario, and elsewhere both are 1000 ms
// (STEADY): pings still go out every 100 ms, and a stall cannot fake a dead link there.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { init, Lifeline } from '../js/index.js';
import { webSocketTransport } from '../js/transports/websocket.js';
import { startFaultProxy } from '../scripts/testbed/fault-proxy.mjs';
import { startTestServer } from '../scripts/testbed/test-server.mjs';

const OPTIONS = Object.freeze({
  pingInterval: 100,
  pongTimeout: 100,
  reconnectDelay: 50,
  maxReconnectDelay: 200,
  backoffFactor: 2,
  connectTimeout: 300,
  minUptime: 100,
  jitter: 0, // every delay below is exact
  platform: null, // no browser signals in Node
});
/** Where neither the pong deadline nor the connect deadline is under test. */
const STEADY = Object.freeze({ ...OPTIONS, pongTimeout: 1000, connectTimeout: 1000 });
const { pingInterval, pongTimeout, reconnectDelay, maxReconnectDelay, connectTimeout } = OPTIONS;
const MARGIN = 250; // scheduling allowance added to every upper bound
const EARLY = 25; // tolerance of "not before" checks (the test stamps events a little after the core)
const GUARD = 5000; // timeout guard for what must happen (failure only)

/** The exact backoff schedule with jitter 0: delay of the n-th consecutive failed attempt. */
const backoff = (n) => Math.min(maxReconnectDelay, reconnectDelay * OPTIONS.backoffFactor ** n);

const now = () => performance.now();

await init();

// --- helpers ---------------------------------------------------------------------------------------

const EVENT_TYPES = ['open', 'message', 'close', 'error', 'reconnecting', 'giveup', 'heartbeat', 'drop', 'statechange'];

/** Polls `predicate` every 5 ms; resolves with its first truthy value, rejects after `timeoutMs`. */
async function waitFor(predicate, timeoutMs = GUARD, what = 'condition') {
  const deadline = now() + timeoutMs;
  for (;;) {
    const value = predicate();
    if (value) return value;
    if (now() > deadline) throw new Error(`${typeof what === 'function' ? what() : what}: not met within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/**
 * Resolves with the next `type` event of `lifeline` that passes `filter`, stamped with `at`
 * (performance.now() when it was emitted); rejects after `timeoutMs`. Create it before the action
 * that causes the event.
 */
function waitForEvent(lifeline, type, timeoutMs = GUARD, filter = () => true) {
  const promise = new Promise((resolve, reject) => {
    const onEvent = (event) => {
      if (!filter(event)) return;
      clearTimeout(timer);
      lifeline.removeEventListener(type, onEvent);
      resolve({ ...event, at: now() });
    };
    const timer = setTimeout(() => {
      lifeline.removeEventListener(type, onEvent);
      reject(new Error(`no '${type}' event within ${timeoutMs} ms (state ${lifeline.state})`));
    }, timeoutMs);
    lifeline.addEventListener(type, onEvent);
  });
  promise.catch(() => {}); // a waiter left behind by an earlier failure must not crash the run
  return promise;
}

/** Every event of `lifeline`, in order, each as { type, at, ...fields }. */
function record(lifeline) {
  const log = [];
  for (const type of EVENT_TYPES) {
    lifeline.addEventListener(type, (event) => {
      const { target: _target, type: _type, ...fields } = event;
      log.push({ type, at: now(), ...fields });
    });
  }
  return log;
}

/** A readable event log for assertion messages. */
function show(log, from = log[0]?.at ?? 0) {
  return log
    .map(({ type, at, error: _e, data, ...rest }) => {
      const extra = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'number' ? Math.round(v) : v}`);
      if (data !== undefined) extra.push(`data=${String(data).slice(0, 20)}`);
      return `  +${Math.round(at - from)}ms ${type} ${extra.join(' ')}`;
    })
    .join('\n');
}

const ms = (x) => `${Math.round(x)} ms`;
const isLive = (ws) => ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN;
const texts = (server) => server.received.map((r) => r.data);

/**
 * A test server behind a fault proxy, and factories for Lifelines and bare `ws` clients through
 * the proxy; everything is closed after the test.
 */
async function rig(t, serverOptions = {}) {
  const server = await startTestServer(serverOptions);
  const proxy = await startFaultProxy({ targetPort: server.port });
  const lifelines = [];
  const bares = [];
  t.after(async () => {
    for (const c of lifelines) c.l.close();
    for (const ws of bares) ws.terminate();
    await proxy.close();
    await server.close();
  });

  /**
   * A Lifeline to the proxy with `options` (complete: OPTIONS or STEADY, plus changes). `via`:
   * 'WebSocket' passes a `ws` subclass that records every socket (options.WebSocket); 'transport'
   * also records the handlers the Lifeline gave each socket (the same webSocketTransport the
   * Lifeline uses by default); 'default' passes nothing (the `ws` that init() found).
   */
  function client(options = STEADY, via = 'WebSocket') {
    const sockets = []; // { ws, handlers } per socket the Lifeline created, in order
    let maxLive = 0; // most sockets live (connecting or open) at once, seen at each creation
    class Recorded extends WebSocket {
      constructor(...args) {
        super(...args);
        sockets.push({ ws: this, handlers: null });
        maxLive = Math.max(maxLive, sockets.filter((s) => isLive(s.ws)).length);
      }
    }
    let how = {};
    if (via === 'WebSocket') how = { WebSocket: Recorded };
    if (via === 'transport') {
      const real = webSocketTransport(Recorded);
      how = {
        transport: (url, protocols, handlers, binaryType) => {
          const socket = real(url, protocols, handlers, binaryType);
          sockets[sockets.length - 1].handlers = handlers;
          return socket;
        },
      };
    }
    const l = new Lifeline(proxy.url('/lifeline'), { ...options, ...how });
    const c = {
      l,
      log: record(l),
      sockets,
      get maxLive() {
        return maxLive;
      },
      lastLife: -Infinity, // when inbound data (a pong, a message) last arrived
      count: (type, from = 0) => c.log.slice(from).filter((e) => e.type === type).length,
    };
    for (const type of ['heartbeat', 'message']) l.addEventListener(type, () => (c.lastLife = now()));
    lifelines.push(c);
    return c;
  }

  async function bareClient() {
    const ws = new WebSocket(proxy.url('/bare'));
    ws.on('error', () => {});
    bares.push(ws);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('close', () => reject(new Error('bare ws client closed before opening')));
    });
    return ws;
  }

  return { server, proxy, client, bareClient };
}

/** Opens `c`, then waits for a first pong: the link is proven and has lived at least minUptime. */
async function openAndProven(c) {
  await waitForEvent(c.l, 'open');
  await waitForEvent(c.l, 'heartbeat');
}

// --- 1. half-open ------------------------------------------------------------------------------------

test('half-open link: open again within pingInterval + pongTimeout + reconnectDelay of the last sign of life', async (t) => {
  const { server, proxy, client, bareClient } = await rig(t);
  const bare = await bareClient(); // for comparison: a plain `ws` client on the same link
  const c = client({ ...OPTIONS, connectTimeout: 1000 }, 'transport');
  const { l, log } = c;
  await waitForEvent(l, 'open');
  await waitForEvent(l, 'heartbeat');
  await waitForEvent(l, 'heartbeat');
  const lastLife = c.lastLife; // that pong's arrival (stamped before the waiter's own stamp)
  const before = l.stats;
  const old = c.sockets.at(-1); // the socket about to be half-open

  // The half-open link: established connections go silent for good (no data, no FIN, no RST);
  // connections made after 'forward' work, as after a NAT rebinding or a server failover.
  const closed = waitForEvent(l, 'close');
  const reopened = waitForEvent(l, 'open');
  await proxy.setMode('blackhole');
  await proxy.setMode('forward');
  assert.equal(c.lastLife, lastLife, 'no sign of life after the proof');

  const closeEvent = await closed;
  assert.equal(closeEvent.cause, 'pong-timeout', show(log));
  assert.equal(closeEvent.willReconnect, true);
  assert.ok(
    closeEvent.at - lastLife >= pingInterval + pongTimeout - EARLY,
    `condemned ${ms(closeEvent.at - lastLife)} after the last sign of life, before ping + pong deadline\n${show(log)}`,
  );
  const openEvent = await reopened;
  const bound = pingInterval + pongTimeout + reconnectDelay + MARGIN;
  assert.ok(
    openEvent.at - lastLife <= bound,
    `open again ${ms(openEvent.at - lastLife)} after the last sign of life, bound ${ms(bound)}\n${show(log)}`,
  );
  assert.equal(l.state, 'open');
  assert.equal(l.stats.deadLinks, before.deadLinks + 1);
  assert.equal(l.stats.connects, before.connects + 1);
  assert.equal(l.stats.attempts, before.attempts + 1);

  // Informational: a bare ws client on the same half-open link has noticed nothing (ws has no
  // heartbeat; its 30 s close timeout only starts once someone calls close()).
  assert.equal(bare.readyState, WebSocket.OPEN, 'the bare ws client is still OPEN');
  t.diagnostic(
    `Lifeline open again ${ms(openEvent.at - lastLife)} after the last sign of life; ` +
      `a bare ws client on the same half-open link is still OPEN (readyState ${bare.readyState})`,
  );

  // The abandoned socket was freed at once (terminate: no closing handshake to wait for) ...
  const fresh = c.sockets.at(-1);
  assert.equal(c.sockets.indexOf(fresh), c.sockets.indexOf(old) + 1);
  await waitFor(() => old.ws.readyState === WebSocket.CLOSED, GUARD, 'the abandoned socket is closed');
  assert.equal(fresh.ws.readyState, WebSocket.OPEN);
  // ... and its late events, as a browser delivers them a minute later, change nothing. Taken for
  // the live socket's, each would act at once: a 'message', an 'error', a 'close', a reconnect.
  const mark = log.length;
  const reopenedStats = l.stats;
  old.handlers.message('pong');
  old.handlers.message('late data');
  old.handlers.error(new Error('late error'));
  old.handlers.close(1006, '', false);
  old.handlers.open();
  assert.deepEqual(log.slice(mark), [], `the late events were ignored\n${show(log.slice(mark))}`);
  assert.deepEqual(l.stats, reopenedStats, 'the late events changed nothing');
  assert.equal(l.stats.messagesReceived, 0);

  // The new connection works: an echo, then a heartbeat.
  const echoed = waitForEvent(l, 'message', GUARD, (e) => e.data === 'after');
  assert.equal(l.send('after'), true);
  await echoed;
  await waitForEvent(l, 'heartbeat');
  assert.equal(l.state, 'open');
  assert.equal(l.stats.messagesReceived, 1, '"late data" was never delivered');
  assert.deepEqual(texts(server).filter((x) => x === 'after'), ['after']);
});

// --- 2. reset ------------------------------------------------------------------------------------------

test('reset: open again within reconnectDelay', async (t) => {
  const { proxy, client } = await rig(t);
  const c = client();
  const { l, log } = c;
  await openAndProven(c);

  const closed = waitForEvent(l, 'close');
  const reconnecting = waitForEvent(l, 'reconnecting');
  const reopened = waitForEvent(l, 'open');
  const resetAt = now();
  assert.equal(proxy.resetAll(), 1);

  const closeEvent = await closed;
  assert.equal(closeEvent.willReconnect, true);
  assert.ok(['error', 'remote'].includes(closeEvent.cause), `cause ${closeEvent.cause}`);
  assert.equal((await reconnecting).delay, reconnectDelay, 'a connection that lived minUptime starts over');
  const openEvent = await reopened;
  const bound = reconnectDelay + MARGIN;
  assert.ok(openEvent.at - resetAt <= bound, `open again ${ms(openEvent.at - resetAt)} after the reset, bound ${ms(bound)}\n${show(log)}`);
  assert.equal(l.stats.connects, 2);
  assert.equal(l.stats.attempts, 2);
  assert.equal(l.stats.deadLinks, 0);
  assert.ok(c.maxLive <= 1);
});

// --- 3. refused beyond the backoff cap -----------------------------------------------------------------

test('refused for 4x maxReconnectDelay: attempts keep coming, capped, open within maxReconnectDelay of the return', async (t) => {
  const { proxy, server, client } = await rig(t);
  const c = client();
  const { l, log } = c;
  await openAndProven(c);

  const mark = log.length;
  const closed = waitForEvent(l, 'close');
  await proxy.setMode('refuse');
  const downAt = now();
  await closed;
  await sleep(4 * maxReconnectDelay); // the outage
  const reopened = waitForEvent(l, 'open');
  await proxy.setMode('forward'); // settles once the listener is back
  const backAt = now();
  const openEvent = await reopened;

  const episode = log.slice(mark);
  const bound = maxReconnectDelay + MARGIN;
  assert.ok(openEvent.at - backAt <= bound, `open ${ms(openEvent.at - backAt)} after the server returned, bound ${ms(bound)}\n${show(episode)}`);

  const delays = episode.filter((e) => e.type === 'reconnecting').map((e) => e.delay);
  const attempts = episode.filter((e) => e.type === 'statechange' && e.to === 'connecting').map((e) => e.at);
  assert.ok(delays.length >= 4, `at least 4 reconnects scheduled during the outage\n${show(episode)}`);
  assert.ok(delays.every((d) => d <= maxReconnectDelay), `delays capped: ${delays}`);
  assert.deepEqual(delays, delays.map((_, n) => backoff(n)), 'the exact schedule (jitter 0): 50, 100, 200, 200, ...');
  assert.equal(attempts.length, delays.length, 'each scheduled reconnect made an attempt');
  // Attempts kept coming for the whole outage: none of its gaps is longer than the cap allows.
  const marks = [downAt, ...attempts.filter((a) => a < backAt), backAt];
  const longest = Math.max(...marks.slice(1).map((a, i) => a - marks[i]));
  assert.ok(longest <= maxReconnectDelay + MARGIN, `longest gap without an attempt ${ms(longest)}\n${show(episode)}`);
  assert.ok(
    episode.filter((e) => e.type === 'close').every((e) => e.willReconnect && (e.cause === 'error' || e.cause === 'remote')),
    show(episode),
  );
  assert.equal(l.state, 'open');
  assert.equal(server.connections, 2, 'refused attempts never reached the server');
  assert.ok(c.maxLive <= 1);
});

// --- 4. handshake never answered -----------------------------------------------------------------------

test('handshake never answered (hang): each attempt abandoned at connectTimeout, open after forward', async (t) => {
  const { proxy, server, client } = await rig(t);
  await proxy.setMode('hang');
  const c = client({ ...OPTIONS, pongTimeout: 1000 });
  const { l, log } = c;
  const timeouts = () => log.filter((e) => e.type === 'close' && e.cause === 'connect-timeout');
  await waitFor(() => timeouts().length >= 2, GUARD, () => `two connect timeouts\n${show(log)}`);

  const reopened = waitForEvent(l, 'open');
  await proxy.setMode('forward');
  const backAt = now();
  const openEvent = await reopened;
  // An attempt hung when the server came back must time out first, then wait its backoff.
  const bound = connectTimeout + maxReconnectDelay + MARGIN;
  assert.ok(openEvent.at - backAt <= bound, `open ${ms(openEvent.at - backAt)} after forward, bound ${ms(bound)}\n${show(log)}`);

  // Each abandoned attempt lasted connectTimeout: not less, not much more.
  for (const timeout of timeouts()) {
    const started = log.filter((e) => e.type === 'statechange' && e.to === 'connecting' && e.at <= timeout.at).at(-1);
    const lasted = timeout.at - started.at;
    assert.ok(
      lasted >= connectTimeout - EARLY && lasted <= connectTimeout + MARGIN,
      `attempt abandoned after ${ms(lasted)}, connectTimeout ${ms(connectTimeout)}\n${show(log)}`,
    );
    assert.equal(timeout.willReconnect, true);
  }
  assert.equal(server.connections, 1, 'hung handshakes never reached the server');
  assert.ok(proxy.stats().accepted >= 3);
  // The abandoned attempts were freed on the client side. (The proxy cannot show it: a hung
  // connection ignores the client's FIN by design, so proxy.stats().open still counts them.)
  assert.ok(c.maxLive <= 1);
  await waitFor(
    () => c.sockets.slice(0, -1).every((s) => s.ws.readyState === WebSocket.CLOSED),
    GUARD,
    'abandoned attempts closed',
  );
  assert.equal(c.sockets.at(-1).ws.readyState, WebSocket.OPEN);
});

// --- 5. flapping ---------------------------------------------------------------------------------------

test('flapping: ends open, never more than one live socket, attempts bounded', async (t) => {
  const { proxy, server, client } = await rig(t);
  const c = client();
  const { l, log } = c;
  await waitForEvent(l, 'open');

  let maxServer = 0;
  let maxProxy = 0;
  const sample = () => {
    maxServer = Math.max(maxServer, server.open());
    maxProxy = Math.max(maxProxy, proxy.stats().open);
  };
  server.on('connection', sample);
  const sampler = setInterval(sample, 2);
  t.after(() => clearInterval(sampler));

  const cycles = 3;
  const startAt = now();
  const attemptsBefore = l.stats.attempts;
  await proxy.flap({ upMs: 250, downMs: 150, cycles });
  const backAt = now();
  await waitFor(() => l.state === 'open', GUARD, () => `open after the flapping\n${show(log)}`);
  const openAt = now();
  await waitFor(() => server.open() === 1, GUARD, 'server sees the connection');
  clearInterval(sampler);
  sample();

  const bound = maxReconnectDelay + MARGIN;
  assert.ok(openAt - backAt <= bound, `open ${ms(openAt - backAt)} after the last 'forward', bound ${ms(bound)}\n${show(log)}`);
  assert.equal(c.maxLive, 1, 'never more than one socket connecting or open (client side)');
  assert.equal(maxServer, 1, 'never more than one open connection at the server');
  assert.equal(maxProxy, 1, 'never more than one connection through the proxy');
  // Every attempt but the first waited at least reconnectDelay (jitter 0), which bounds them.
  const attempts = l.stats.attempts - attemptsBefore;
  const most = Math.floor((openAt - startAt) / reconnectDelay);
  assert.ok(attempts <= most, `${attempts} attempts in ${ms(openAt - startAt)}, at most ${most}\n${show(log)}`);
  const delays = log.filter((e) => e.type === 'reconnecting').map((e) => e.delay);
  assert.equal(delays.length, attempts, 'every attempt was announced');
  assert.ok(delays.every((d) => d >= reconnectDelay && d <= maxReconnectDelay), `delays ${delays}`);
  assert.ok(l.stats.connects >= 2);
  assert.ok(server.connections >= l.stats.connects);
  t.diagnostic(`${cycles} cycles: ${attempts} attempts, ${l.stats.connects - 1} reconnections, delays ${delays.join(',')}`);

  const echoed = waitForEvent(l, 'message', GUARD, (e) => e.data === 'steady');
  l.send('steady');
  await echoed;
});

// --- 6. close codes --------------------------------------------------------------------------------------

test('server close codes 1000, 1001, 1011, 4000, 4999: all reconnect by default', async (t) => {
  const { server, client } = await rig(t);
  const c = client();
  const { l, log } = c;
  await waitForEvent(l, 'open');
  const codes = [1000, 1001, 1011, 4000, 4999];
  for (const code of codes) {
    await waitFor(() => server.open() === 1, GUARD, 'the server side is open');
    const closed = waitForEvent(l, 'close');
    const reopened = waitForEvent(l, 'open');
    server.closeAll(code, `bye ${code}`);
    const { code: got, reason, wasClean, willReconnect, cause, at } = await closed;
    assert.deepEqual(
      { code: got, reason, wasClean, willReconnect, cause },
      { code, reason: `bye ${code}`, wasClean: true, willReconnect: true, cause: 'remote' },
    );
    const openEvent = await reopened;
    const bound = maxReconnectDelay + MARGIN;
    assert.ok(openEvent.at - at <= bound, `code ${code}: open ${ms(openEvent.at - at)} after the close, bound ${ms(bound)}\n${show(log)}`);
  }
  assert.equal(l.stats.connects, codes.length + 1);
  assert.equal(server.connections, codes.length + 1);
  assert.ok(c.maxLive <= 1);
});

test('shouldReconnect false for 4403: that close is final', async (t) => {
  const { server, proxy, client } = await rig(t);
  const asked = [];
  const c = client({
    ...STEADY,
    shouldReconnect: (e) => {
      asked.push(e);
      return e.code !== 4403;
    },
  });
  const { l, log } = c;
  await waitForEvent(l, 'open');

  // Another code still reconnects.
  await waitFor(() => server.open() === 1);
  const reopened = waitForEvent(l, 'open');
  server.closeAll(4000, 'again');
  await reopened;

  await waitFor(() => server.open() === 1);
  const closed = waitForEvent(l, 'close');
  server.closeAll(4403, 'forbidden');
  const { code, reason, wasClean, willReconnect, cause } = await closed;
  assert.deepEqual(
    { code, reason, wasClean, willReconnect, cause },
    { code: 4403, reason: 'forbidden', wasClean: true, willReconnect: false, cause: 'final' },
  );
  assert.equal(l.state, 'closed');
  assert.equal(l.readyState, Lifeline.CLOSED);

  const connections = server.connections;
  const accepted = proxy.stats().accepted;
  const mark = log.length;
  await sleep(1000); // nothing may happen now
  assert.equal(server.connections, connections, 'no new connection at the server');
  assert.equal(proxy.stats().accepted, accepted, 'no new attempt at the proxy');
  assert.deepEqual(log.slice(mark), [], `no events after the final close\n${show(log.slice(mark))}`);
  assert.equal(l.state, 'closed');
  assert.deepEqual(asked, [
    { code: 4000, reason: 'again', wasClean: true },
    { code: 4403, reason: 'forbidden', wasClean: true },
  ]);
  assert.equal(l.send('too late'), false);
});

// --- 7. delivery ---------------------------------------------------------------------------------------

test('delivery: messages sent while down (after a reset, during refuse) arrive once, in order', async (t) => {
  const { server, proxy, client } = await rig(t);
  const c = client();
  const { l, log } = c;
  await openAndProven(c);
  const states = []; // the Lifeline's state at each send while down
  const sendDown = (text) => {
    states.push(l.state);
    assert.equal(l.send(text), true, `${text} accepted`);
  };

  l.send('a1');
  l.send('a2');
  await waitFor(() => l.stats.messagesReceived === 2, GUARD, 'echoes of a1, a2');

  // After a reset: sent once the client knows the link is down.
  let closed = waitForEvent(l, 'close');
  let reopened = waitForEvent(l, 'open');
  proxy.resetAll();
  await closed;
  for (const text of ['q1', 'q2', 'q3', 'q4', 'q5']) sendDown(text);
  assert.equal(l.stats.queued, 5);
  await reopened;
  await waitFor(() => l.stats.messagesReceived === 7, GUARD, () => `echoes of q1..q5\n${show(log)}`);
  assert.equal(l.stats.queued, 0);

  // During a refusal: sent across the outage, in backoff and while attempts are refused.
  closed = waitForEvent(l, 'close');
  await proxy.setMode('refuse');
  await closed;
  sendDown('r1');
  sendDown('r2');
  await sleep(2 * maxReconnectDelay);
  sendDown('r3');
  sendDown('r4');
  await sleep(2 * maxReconnectDelay);
  sendDown('r5');
  assert.equal(l.stats.queued, 5);
  reopened = waitForEvent(l, 'open');
  await proxy.setMode('forward');
  await reopened;
  await waitFor(() => l.stats.messagesReceived === 12, GUARD, () => `echoes of r1..r5\n${show(log)}`);

  assert.ok(states.every((s) => s === 'backoff' || s === 'connecting'), `sent while down: ${states}`);
  assert.deepEqual(texts(server), ['a1', 'a2', 'q1', 'q2', 'q3', 'q4', 'q5', 'r1', 'r2', 'r3', 'r4', 'r5']);
  const conns = server.received.map((r) => r.conn);
  assert.deepEqual(conns, [0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2], 'each batch on the connection after its outage');
  const stats = l.stats;
  assert.equal(stats.messagesSent, 12);
  assert.equal(stats.queued, 0);
  assert.equal(stats.dropped, 0);
  assert.equal(stats.maybeLost, 0, 'everything sent on a socket was echoed before it died');
});

test('delivery across a half-open link: maybeLost counts what went into the dead socket; the rest arrives once, in order', async (t) => {
  const { server, proxy, client } = await rig(t);
  const c = client({ ...OPTIONS, connectTimeout: 1000 });
  const { l, log } = c;
  await openAndProven(c);

  const echoed = waitForEvent(l, 'message', GUARD, (e) => e.data === 'b1');
  l.send('b1');
  await echoed; // the last sign of life
  const closed = waitForEvent(l, 'close');
  const reopened = waitForEvent(l, 'open');
  await proxy.setMode('blackhole');
  await proxy.setMode('forward');

  // The client cannot know yet: these go into the dead socket.
  assert.equal(l.state, 'open');
  for (const text of ['h1', 'h2', 'h3']) assert.equal(l.send(text), true);
  assert.equal(l.stats.queued, 0, 'sent, not queued');

  const deadLinks = l.stats.deadLinks;
  const closeEvent = await closed;
  assert.equal(closeEvent.cause, 'pong-timeout', show(log));
  assert.equal(l.stats.deadLinks, deadLinks + 1);
  assert.equal(l.stats.maybeLost, 3, 'h1..h3 were sent after the last sign of life');
  // Sent while disconnected: queued, then delivered once, in order.
  for (const text of ['d1', 'd2', 'd3']) assert.equal(l.send(text), true);
  assert.equal(l.stats.queued, 3);
  await reopened;
  await waitFor(() => texts(server).includes('d3'), GUARD, () => `d3 delivered: ${texts(server)}`);
  await sleep(2 * pingInterval); // room for a duplicate to show up, if one were coming

  const got = texts(server);
  assert.equal(new Set(got).size, got.length, `no duplicates: ${got}`);
  assert.deepEqual(got.filter((x) => x[0] === 'd'), ['d1', 'd2', 'd3']);
  assert.deepEqual(
    server.received.filter((r) => r.data[0] === 'd').map((r) => r.conn),
    Array(3).fill(server.connections - 1),
    'on the new connection',
  );
  assert.deepEqual(got.filter((x) => x[0] !== 'h'), ['b1', 'd1', 'd2', 'd3']);
  const lost = ['h1', 'h2', 'h3'].filter((h) => !got.includes(h)).length;
  assert.ok(lost <= l.stats.maybeLost, 'every lost message is counted');
  t.diagnostic(`sent into the dead socket: 3, lost: ${lost}, maybeLost: ${l.stats.maybeLost}`);
  assert.equal(l.stats.messagesSent, 7);
  assert.equal(l.stats.queued, 0);
});

test('delivery: what is accepted while the server closes the link arrives after the reconnect, or is counted in maybeLost', async (t) => {
  const { server, client } = await rig(t);
  const c = client();
  const { l, log } = c;
  await openAndProven(c);

  // A careful app: it sends only while readyState is OPEN, as fast as the event loop turns.
  const accepted = [];
  const sentWhileClosing = []; // accepted while the underlying socket was already CLOSING
  let n = 0;
  let pumping = true;
  const pump = () => {
    if (!pumping) return;
    if (l.readyState === Lifeline.OPEN) {
      const text = `m${n++}`;
      const closing = c.sockets.at(-1).ws.readyState === WebSocket.CLOSING;
      if (l.send(text)) {
        accepted.push(text);
        if (closing) sentWhileClosing.push(text);
      }
    }
    setImmediate(pump);
  };
  t.after(() => (pumping = false));
  pump();

  // The server closes (a deploy, a load balancer): its close frame arrives, ws answers it and
  // goes CLOSING, and only a few turns later does the socket's 'close' reach the Lifeline.
  await sleep(20);
  const reopened = waitForEvent(l, 'open');
  server.closeAll(1001, 'going away');
  await reopened;
  await sleep(20);
  pumping = false;
  const last = accepted.at(-1);
  await waitFor(() => texts(server).includes(last), GUARD, `the last message (${last}) delivered`);

  const got = texts(server).filter((x) => x[0] === 'm');
  assert.equal(new Set(got).size, got.length, 'no duplicates');
  assert.deepEqual(got, [...got].sort((a, b) => a.slice(1) - b.slice(1)), 'in order');
  const lost = accepted.filter((text) => !got.includes(text));
  t.diagnostic(
    `accepted ${accepted.length}, of which while the socket was CLOSING ${sentWhileClosing.length}; ` +
      `lost ${lost.length}, maybeLost ${l.stats.maybeLost}`,
  );
  assert.ok(
    lost.length <= l.stats.maybeLost,
    `${lost.length} accepted messages silently lost (maybeLost ${l.stats.maybeLost}): ${lost.join(' ')}; ` +
      `accepted while the ws socket was CLOSING: ${sentWhileClosing.join(' ')}\n${show(log.filter((e) => e.type !== 'message'))}`,
  );
});

// --- 8. heartbeat ------------------------------------------------------------------------------------

test('heartbeat over the real path: rtt >= 0, pongs are not messages', async (t) => {
  const { server, client } = await rig(t);
  const c = client(STEADY, 'default'); // the ws that init() found
  const { l, log } = c;
  await waitForEvent(l, 'open');
  await waitFor(() => c.count('heartbeat') >= 4, GUARD, () => `4 heartbeats\n${show(log)}`);

  const rtts = log.filter((e) => e.type === 'heartbeat').map((e) => e.rtt);
  assert.ok(rtts.every((rtt) => Number.isFinite(rtt) && rtt >= 0), `rtts ${rtts}`);
  const stats = l.stats;
  assert.equal(c.count('message'), 0, 'no pong delivered as a message');
  assert.equal(stats.messagesReceived, 0);
  assert.ok(stats.pongsReceived >= 4);
  assert.ok(stats.pingsSent >= stats.pongsReceived);
  assert.equal(stats.lastRtt, rtts.at(-1));
  assert.ok(server.pingsReceived >= 4);
  assert.deepEqual(server.received, [], 'pings are answered, not recorded');
  assert.equal(stats.deadLinks, 0);
  assert.equal(stats.connects, 1);
  assert.equal(l.state, 'open');
});

test('server pings are answered and not delivered', async (t) => {
  const { server, client } = await rig(t, { serverPingEveryMs: 40 });
  const c = client({ ...STEADY, isServerPing: (d) => d === 'server-ping' });
  const { l, log } = c;
  await waitForEvent(l, 'open');
  // The test server records the client's reply ('pong' is not its ping text) and echoes it.
  await waitFor(() => texts(server).filter((x) => x === 'pong').length >= 3, GUARD, () => `3 replies: ${texts(server)}`);

  assert.ok(texts(server).every((x) => x === 'pong'), `only replies: ${texts(server)}`);
  assert.ok(server.received.every((r) => r.conn === 0));
  assert.equal(c.count('message'), 0, `server pings (and echoed replies) are not messages\n${show(log)}`);
  assert.equal(l.stats.messagesReceived, 0);
  assert.equal(l.stats.messagesSent, 0, 'replies are not app messages');
  assert.equal(l.state, 'open');
  assert.equal(l.stats.deadLinks, 0);
});

// --- 9. explicit close ---------------------------------------------------------------------------------

test('close(): the server sees a clean close with the code; no reconnection', async (t) => {
  const { server, proxy, client } = await rig(t);
  const serverCloses = [];
  server.on('connection', (ws, conn) => ws.on('close', (code, reason) => serverCloses.push({ conn, code, reason: reason.toString() })));
  const c = client();
  const { l, log } = c;
  await openAndProven(c);

  const closed = waitForEvent(l, 'close');
  l.close(4321, 'bye');
  const { code, reason, wasClean, willReconnect, cause } = await closed;
  assert.deepEqual(
    { code, reason, wasClean, willReconnect, cause },
    { code: 4321, reason: 'bye', wasClean: true, willReconnect: false, cause: 'explicit' },
  );
  assert.equal(l.state, 'closed');
  assert.equal(l.readyState, Lifeline.CLOSED);
  await waitFor(() => serverCloses.length === 1, GUARD, 'the server sees the close');
  assert.deepEqual(serverCloses, [{ conn: 0, code: 4321, reason: 'bye' }]);
  await waitFor(() => server.open() === 0, GUARD, 'server side closed');

  const mark = log.length;
  await sleep(2 * maxReconnectDelay + pingInterval); // nothing may happen now
  assert.deepEqual(log.slice(mark), [], `no events after close()\n${show(log.slice(mark))}`);
  assert.equal(server.connections, 1);
  assert.equal(proxy.stats().accepted, 1);
  assert.equal(l.reconnect(), false);
  const dropped = waitForEvent(l, 'drop');
  assert.equal(l.send('after close'), false);
  assert.equal((await dropped).reason, 'closed');
});
