// Liveness that matches the wire: a large message on a slow link, over real sockets.
//   node --test wasm-tests/liveness.test.mjs
//
// A `ws` test server behind the fault proxy, which throttles server->client bytes to RATE. The
// server sends one big message as soon as the first connection is up (so it starts arriving
// right after the open, the last sign of life), or when the first ping arrives; the pong for a
// ping sent meanwhile is queued behind it (TCP order). Time is scaled down: a "big" message here
// lasts hundreds of milliseconds.
//
// - `ws` transport: every TCP chunk is reported as activity (life), so a transfer much longer
//   than pingInterval + pongTimeout is not condemned.
// - A transport that cannot see bytes (BrowserLike: the same `ws` with its TCP socket out of
//   reach, as in a browser or a mini-program) sees life only at message boundaries: the link is
//   condemned when the message ends more than pingInterval + pongTimeout after the last sign of
//   life before it, and survives when it ends sooner. Where the message starts matters: one that
//   starts just as the ping reaches the server has only pongTimeout.
//
// Only outcomes are asserted (delivered or not, deadLinks), never durations. Each case sits far
// from its bound. The "condemned" cases end at least 100 ms after their verdict is due (twice
// the bound, or a 200 ms transfer that starts at the ping with pongTimeout 100): the throttle can
// never deliver early, and when this process stalls the proxy stalls with it. The "survives"
// cases end about 300 ms before their verdict would be due. timerSlack stays at its default
// (2000 ms), so a busy machine does not earn a fresh probe that would move the verdict.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { init, Lifeline } from '../js/index.js';
import { webSocketTransport } from '../js/transports/websocket.js';
import { startFaultProxy } from '../scripts/testbed/fault-proxy.mjs';
import { startTestServer } from '../scripts/testbed/test-server.mjs';

const RATE = 1_000_000; // bytes per second, server -> client
const KB = 1000;
const GUARD = 10_000; // timeout guard for what must happen (failure only)
const BASE = Object.freeze({
  reconnectDelay: 50,
  maxReconnectDelay: 200,
  connectTimeout: 2000,
  jitter: 0,
  platform: null, // no browser signals in Node
});

const now = () => performance.now();

await init();

/**
 * Node's `ws` WebSocket with its TCP socket out of reach: what a browser's WebSocket shows (only
 * complete messages). Every `ws` instance made is pushed to `created` (for the teardown).
 */
function browserLike(created) {
  return class BrowserLike {
    constructor(url, protocols) {
      const ws = protocols === undefined ? new WebSocket(url) : new WebSocket(url, protocols);
      created.push(ws);
      for (const name of ['readyState', 'bufferedAmount', 'protocol', 'extensions']) {
        Object.defineProperty(this, name, { get: () => ws[name] });
      }
      for (const name of ['binaryType', 'onopen', 'onmessage', 'onerror', 'onclose']) {
        Object.defineProperty(this, name, { get: () => ws[name], set: (value) => (ws[name] = value) });
      }
      this.send = (data) => ws.send(data);
      this.close = (code, reason) => ws.close(code, reason); // no terminate(), as in a browser
    }
  };
}

/** Resolves when `predicate` holds (polled every 5 ms); rejects after `timeoutMs`. */
async function waitFor(predicate, what, timeoutMs = GUARD) {
  const deadline = now() + timeoutMs;
  while (!predicate()) {
    if (now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/**
 * A throttled server and a Lifeline to it. `kind`: 'ws' (the `ws` package: bytes visible) or
 * 'browser-like'. Records when the link opened, when the big message arrived, the close events.
 */
async function rig(t, kind, options, { bigOnConnect = 0 } = {}) {
  const server = await startTestServer();
  if (bigOnConnect > 0) {
    server.on('connection', (ws, conn) => {
      if (conn === 0) ws.send('x'.repeat(bigOnConnect)); // the first connection only
    });
  }
  const proxy = await startFaultProxy({ targetPort: server.port, throttle: { bytesPerSecond: RATE } });
  const sockets = []; // every `ws` WebSocket the Lifeline used
  class Recorded extends WebSocket {
    constructor(...args) {
      super(...args);
      sockets.push(this);
    }
  }
  const Impl = kind === 'ws' ? Recorded : browserLike(sockets);
  const l = new Lifeline(proxy.url('/liveness'), { ...BASE, ...options, transport: webSocketTransport(Impl) });
  const c = { l, server, proxy, sockets, opens: [], closes: [], big: [], heartbeats: [] };
  l.addEventListener('open', () => c.opens.push(now()));
  l.addEventListener('close', (e) => c.closes.push({ at: now(), cause: e.cause, code: e.code }));
  l.addEventListener('heartbeat', () => c.heartbeats.push(now()));
  l.addEventListener('message', (e) => {
    if (typeof e.data === 'string' && e.data.length > 1000) c.big.push({ at: now(), length: e.data.length });
  });
  t.after(async () => {
    l.close();
    for (const ws of sockets) ws.terminate();
    await proxy.close();
    await server.close();
  });
  return c;
}

const ms = (x) => `${Math.round(x)} ms`;

/** What happened, for the test log (never asserted). */
function report(t, c, label, start) {
  const rel = (x) => ms(x - start);
  t.diagnostic(
    `${label}: delivered ${c.big.map((b) => rel(b.at)).join(', ') || 'never'}; ` +
      `closes ${c.closes.map((e) => `${e.cause}@${rel(e.at)}`).join(', ') || 'none'}; ` +
      `pings ${c.l.stats.pingsSent}, pongs ${c.l.stats.pongsReceived}, deadLinks ${c.l.stats.deadLinks}`,
  );
}

/** When the first connection opened. */
async function firstOpen(c) {
  await waitFor(() => c.opens.length > 0, 'open');
  return c.opens[0];
}

// --- bytes visible: the `ws` package ----------------------------------------------------------------

test('ws: a 400 kB message at 1 MB/s (2x pingInterval + pongTimeout) is delivered, no dead link', async (t) => {
  const options = { pingInterval: 100, pongTimeout: 100 };
  const c = await rig(t, 'ws', options, { bigOnConnect: 400 * KB });
  const opened = await firstOpen(c);
  const socket = c.sockets[0]._socket;
  assert.equal(socket.listenerCount('data'), 3, "ws's own 'data' listener and the transport's two around it");
  await waitFor(() => c.big.length > 0 || c.closes.length > 0, 'the message or a close');
  report(t, c, 'ws 400 kB, bound 200 ms', opened);
  assert.deepEqual(c.closes, [], 'no close');
  assert.equal(c.big.length, 1);
  assert.equal(c.big[0].length, 400 * KB);
  assert.equal(c.l.stats.deadLinks, 0);
  assert.equal(c.opens.length, 1);

  // The heartbeat goes on after the transfer, and close() removes the transport's listener.
  const pongs = c.l.stats.pongsReceived;
  await waitFor(() => c.l.stats.pongsReceived > pongs, 'a pong after the transfer');
  c.l.close();
  assert.ok(socket.listenerCount('data') <= 1, 'the transport stopped listening');
});

// --- bytes invisible: browser-like ------------------------------------------------------------------

test('browser-like: the same 400 kB message condemns the link (transfer > pingInterval + pongTimeout)', async (t) => {
  const options = { pingInterval: 100, pongTimeout: 100 };
  const c = await rig(t, 'browser-like', options, { bigOnConnect: 400 * KB });
  const opened = await firstOpen(c);
  await waitFor(() => c.closes.length > 0 || c.big.length > 0, 'a close or the message');
  // Let the condemned transfer run out: its bytes reach an abandoned socket, not the app.
  await waitFor(() => c.proxy.stats().bytesQueued === 0, 'the backlog delivered or dropped');
  await waitFor(() => c.opens.length >= 2, 'the reconnect');
  report(t, c, 'browser-like 400 kB, bound 200 ms', opened);
  assert.equal(c.closes[0]?.cause, 'pong-timeout', JSON.stringify(c.closes));
  assert.ok(c.l.stats.deadLinks >= 1);
  assert.deepEqual(c.big, [], 'the message never reached the app');
});

test('browser-like: a message ending within pingInterval + pongTimeout of the last sign of life survives, its pong queued behind it', async (t) => {
  // Bound 500 ms after the open; the message (200 kB: 200 ms > pingInterval) starts right after
  // the open, so the first ping goes out during the transfer and its pong waits behind it.
  const options = { pingInterval: 100, pongTimeout: 400 };
  const c = await rig(t, 'browser-like', options, { bigOnConnect: 200 * KB });
  const opened = await firstOpen(c);
  await waitFor(() => c.closes.length > 0 || c.big.length > 0, 'a close or the message');
  const pingsByThen = c.l.stats.pingsSent;
  await waitFor(() => c.heartbeats.length > 0 || c.closes.length > 0, 'the queued pong');
  report(t, c, 'browser-like 200 kB, bound 500 ms', opened);
  assert.deepEqual(c.closes, [], 'no close');
  assert.equal(c.big.length, 1);
  assert.equal(c.l.stats.deadLinks, 0);
  assert.ok(pingsByThen >= 1, 'a ping went out during the transfer');
  assert.ok(c.heartbeats[0] >= c.big[0].at, 'its pong came after the message');
});

test('browser-like: the same 1000 kB-at-1-MB/s transfer past pingInterval + pongTimeout is condemned', async (t) => {
  // Same options as above; 1000 ms is 2x the 500 ms bound.
  const options = { pingInterval: 100, pongTimeout: 400 };
  const c = await rig(t, 'browser-like', options, { bigOnConnect: 1000 * KB });
  const opened = await firstOpen(c);
  await waitFor(() => c.closes.length > 0 || c.big.length > 0, 'a close or the message');
  await waitFor(() => c.proxy.stats().bytesQueued === 0, 'the backlog delivered or dropped');
  report(t, c, 'browser-like 1000 kB, bound 500 ms', opened);
  assert.equal(c.closes[0]?.cause, 'pong-timeout', JSON.stringify(c.closes));
  assert.ok(c.l.stats.deadLinks >= 1);
  assert.deepEqual(c.big, []);
});

test('browser-like: where the message starts matters: one that starts as the ping reaches the server has only pongTimeout', async (t) => {
  // pingInterval 400, pongTimeout 100: a 200 ms transfer (longer than pongTimeout).
  const options = { pingInterval: 400, pongTimeout: 100 };

  await t.test('sent right after the open (last sign of life): ends before the ping is due, survives', async (t) => {
    const c = await rig(t, 'browser-like', options, { bigOnConnect: 200 * KB });
    const opened = await firstOpen(c);
    await waitFor(() => c.closes.length > 0 || c.big.length > 0, 'a close or the message');
    await sleep(options.pingInterval + options.pongTimeout); // a window for a verdict that must not come
    report(t, c, 'browser-like 200 kB after the open, bound 500 ms', opened);
    assert.deepEqual(c.closes, []);
    assert.equal(c.big.length, 1);
    assert.equal(c.l.stats.deadLinks, 0);
  });

  await t.test('sent by the server when the ping arrives (before its pong): condemned', async (t) => {
    const c = await rig(t, 'browser-like', options);
    let sentAt = null;
    c.server.on('ping', (_info, ws) => {
      // Listeners run before the server answers: the message goes out ahead of the pong.
      if (sentAt === null) {
        sentAt = now();
        ws.send('y'.repeat(200 * KB));
      }
    });
    await waitFor(() => c.closes.length > 0 || c.big.length > 0, 'a close or the message');
    await waitFor(() => c.proxy.stats().bytesQueued === 0, 'the backlog delivered or dropped');
    report(t, c, 'browser-like 200 kB behind the ping, pongTimeout 100 ms', c.opens[0]);
    assert.notEqual(sentAt, null);
    assert.equal(c.closes[0]?.cause, 'pong-timeout', JSON.stringify(c.closes));
    assert.ok(c.l.stats.deadLinks >= 1);
    assert.deepEqual(c.big, []);
  });
});

// --- the transport itself ----------------------------------------------------------------------------

test('transport: listens to the TCP socket only when the handlers take activity(); stops on close', async (t) => {
  const server = await startTestServer();
  const sockets = [];
  class Recorded extends WebSocket {
    constructor(...args) {
      super(...args);
      sockets.push(this);
    }
  }
  t.after(async () => {
    for (const ws of sockets) ws.terminate();
    await server.close();
  });
  const transport = webSocketTransport(Recorded);
  const open = (extra) =>
    new Promise((resolve) => {
      const handlers = { error() {}, close() {}, message() {}, ...extra, open: () => resolve(socket) };
      const socket = transport(server.url('/t'), undefined, handlers, 'nodebuffer');
    });

  const plain = await open({});
  assert.equal(sockets[0]._socket.listenerCount('data'), 1, "only ws's own listener");
  plain.close(1000, '', true);

  // Around ws's own listener: activity(true) before it parses a read, activityDone() after, so
  // the messages of one read are handed over between the two (and share its arrival time).
  let chunks = 0;
  const order = [];
  const tapped = await open({
    activity: (batch) => {
      chunks++;
      order.push(`activity ${batch}`);
    },
    activityDone: () => order.push('done'),
    message: (data) => order.push(`message ${data}`),
  });
  const tcp = sockets[1]._socket;
  assert.equal(tcp.listenerCount('data'), 3);
  const echoed = new Promise((resolve) => server.once('message', resolve));
  tapped.send('hello');
  await echoed;
  await waitFor(() => chunks > 0 && order.at(-1) === 'done', 'the echo reported as activity');
  assert.deepEqual(order, ['activity true', 'message hello', 'done']);
  tapped.close(1000, '', false); // a closing handshake: the TCP socket stays open a little
  assert.equal(tcp.listenerCount('data'), 1, 'the transport stopped listening at once');
  const reported = chunks;
  await waitFor(() => tcp.destroyed, 'the TCP socket closed');
  assert.equal(chunks, reported, 'no activity after close()');
});
