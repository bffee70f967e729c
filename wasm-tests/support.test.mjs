// Proves that the fault-injection support really behaves as documented:
//   node --test wasm-tests/support.test.mjs
// Every "within N ms" below is a timeout guard (or the length of a window in which an event
// must NOT happen), never a measurement.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import WebSocket from 'ws';
import { startFaultProxy } from '../scripts/testbed/fault-proxy.mjs';
import { startTestServer } from '../scripts/testbed/test-server.mjs';

const QUIET_MS = 300; // window in which nothing must happen
const GUARD_MS = 1000; // "quickly"
const OPEN_MS = 3000; // generous guard for things that must happen

// Resolves with the event's arguments, rejects if it does not come within `ms`.
function waitFor(emitter, event, ms = OPEN_MS) {
  return new Promise((resolve, reject) => {
    const onEvent = (...args) => {
      clearTimeout(timer);
      resolve(args);
    };
    const timer = setTimeout(() => {
      emitter.off(event, onEvent);
      reject(new Error(`no '${event}' within ${ms} ms`));
    }, ms);
    emitter.once(event, onEvent);
  });
}

// Resolves if none of `events` is emitted within `ms`, rejects naming the one that was.
function expectQuiet(emitter, events, ms = QUIET_MS) {
  return new Promise((resolve, reject) => {
    const handlers = events.map((event) => {
      const handler = (...args) => {
        finish();
        reject(new Error(`unexpected '${event}' (${args.map(String).join(', ')}) within ${ms} ms`));
      };
      emitter.on(event, handler);
      return [event, handler];
    });
    const timer = setTimeout(() => {
      finish();
      resolve();
    }, ms);
    function finish() {
      clearTimeout(timer);
      for (const [event, handler] of handlers) emitter.off(event, handler);
    }
  });
}

async function until(predicate, ms = OPEN_MS, what = 'condition') {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function echo(ws, text) {
  const reply = waitFor(ws, 'message');
  ws.send(text);
  const [data] = await reply;
  return data.toString();
}

// A test server behind a fault proxy, plus a client factory; all torn down after the test.
async function rig(t, serverOptions = {}, proxyOptions = {}) {
  const clients = new Set();
  const server = await startTestServer(serverOptions);
  const proxy = await startFaultProxy({ targetPort: server.port, ...proxyOptions });
  t.after(async () => {
    await closeClients(clients);
    await proxy.close();
    await server.close();
  });
  const client = (url = proxy.url()) => {
    const ws = new WebSocket(url);
    ws.on('error', () => {}); // asserted explicitly where expected
    clients.add(ws);
    return ws;
  };
  const connected = async (url) => {
    const ws = client(url);
    await waitFor(ws, 'open');
    return ws;
  };
  return { server, proxy, client, connected };
}

async function closeClients(clients) {
  await Promise.all(
    [...clients].map((ws) => {
      if (ws.readyState === WebSocket.CLOSED) return undefined;
      const closed = new Promise((resolve) => ws.once('close', resolve));
      ws.terminate();
      return closed;
    }),
  );
}

test('forward: echo, ping/pong and recording through the proxy', async (t) => {
  const { server, proxy, connected } = await rig(t);
  const ws = await connected();
  assert.equal(await echo(ws, 'hello'), 'hello');
  assert.equal(await echo(ws, 'ping'), 'pong');
  const reply = waitFor(ws, 'message');
  ws.send(Buffer.from([0x01, 0x02, 0xff]));
  const [data, isBinary] = await reply;
  assert.equal(isBinary, true);
  assert.deepEqual([...data], [0x01, 0x02, 0xff]);
  assert.deepEqual(server.received, [
    { conn: 0, data: 'hello' },
    { conn: 0, data: 'bin:0102ff' },
  ]);
  assert.equal(server.pingsReceived, 1);
  assert.equal(server.connections, 1);
  assert.equal(server.open(), 1);
  const stats = proxy.stats();
  assert.equal(stats.accepted, 1);
  assert.equal(stats.open, 1);
  assert.ok(stats.bytesUp > 0 && stats.bytesDown > 0, JSON.stringify(stats));
  assert.equal(proxy.url('/x'), `ws://127.0.0.1:${proxy.port}/x`);
});

test('blackhole: open link goes silent but stays open, and is not revived by forward', async (t) => {
  const { server, proxy, client, connected } = await rig(t);
  const ws = await connected();
  assert.equal(await echo(ws, 'before'), 'before');

  await proxy.setMode('blackhole');
  const quiet = expectQuiet(ws, ['message', 'close']);
  ws.send('lost');
  await quiet;
  assert.equal(ws.readyState, WebSocket.OPEN);
  assert.equal(server.open(), 1, 'server side is still open too');
  assert.ok(proxy.stats().bytesDropped > 0);

  // A new connection made while blackholed never completes its handshake.
  const late = client();
  await expectQuiet(late, ['open', 'error', 'close', 'unexpected-response']);

  await proxy.setMode('forward');
  const stillQuiet = expectQuiet(ws, ['message', 'close']);
  ws.send('still lost');
  await stillQuiet;
  assert.equal(ws.readyState, WebSocket.OPEN);
  assert.deepEqual(
    server.received.map((r) => r.data),
    ['before'],
  );

  // Only new connections forward again.
  const fresh = await connected();
  assert.equal(await echo(fresh, 'after'), 'after');
});

test('refuse: existing link reset, new ones refused, same port afterwards', async (t) => {
  const { proxy, client, connected } = await rig(t);
  const port = proxy.port;
  const ws = await connected();
  const closed = waitFor(ws, 'close', GUARD_MS);

  await proxy.setMode('refuse');
  const [code] = await closed;
  assert.equal(code, 1006);
  assert.equal(proxy.listening, false);

  const refused = client();
  const [err] = await waitFor(refused, 'error', GUARD_MS);
  assert.equal(proxy.refuseStrategy, 'close');
  assert.equal(err.code, 'ECONNREFUSED');
  assert.equal(proxy.port, port);

  await proxy.setMode('forward');
  assert.equal(proxy.port, port);
  const again = await connected(`ws://127.0.0.1:${port}/`);
  assert.equal(await echo(again, 'back'), 'back');
});

test('refuse fallback: port taken while refusing -> accept-and-reset, port unchanged', async (t) => {
  const { proxy, client, connected } = await rig(t, {}, { relistenRetries: 2, relistenDelayMs: 5 });
  const port = proxy.port;
  await proxy.setMode('refuse');

  // Someone else grabs the port while the proxy's listener is closed.
  const blocker = net.createServer();
  await new Promise((resolve, reject) => {
    blocker.once('error', reject);
    blocker.listen({ port, host: '127.0.0.1' }, resolve);
  });
  t.after(() => new Promise((resolve) => blocker.close(() => resolve())));

  await assert.rejects(proxy.setMode('forward'), /could not re-listen/);
  assert.equal(proxy.refuseStrategy, 'reset');
  assert.equal(proxy.port, port);

  await new Promise((resolve) => blocker.close(() => resolve()));
  await until(() => proxy.listening, OPEN_MS, 'proxy listening again');
  assert.equal(proxy.port, port);
  const ws = await connected();
  assert.equal(await echo(ws, 'x'), 'x');

  const closed = waitFor(ws, 'close', GUARD_MS);
  await proxy.setMode('refuse');
  assert.equal((await closed)[0], 1006);
  const reset = client();
  const [err] = await waitFor(reset, 'error', GUARD_MS);
  assert.equal(err.code, 'ECONNRESET');
  assert.equal(proxy.listening, true);
  assert.equal(proxy.port, port);
});

test('hang: handshake never completes, existing link unaffected', async (t) => {
  const { server, proxy, client, connected } = await rig(t);
  const ws = await connected();

  await proxy.setMode('hang');
  const hung = client();
  await expectQuiet(hung, ['open', 'error', 'close', 'unexpected-response']);
  assert.equal(hung.readyState, WebSocket.CONNECTING);
  assert.equal(server.connections, 1, 'the hung connection never reached the server');
  assert.equal(proxy.stats().accepted, 2);
  assert.equal(await echo(ws, 'alive'), 'alive');
});

test('resetAll: open client sees 1006 quickly, server notices too', async (t) => {
  const { server, proxy, connected } = await rig(t);
  const ws = await connected();
  await until(() => server.open() === 1);
  const closed = waitFor(ws, 'close', GUARD_MS);
  assert.equal(proxy.resetAll(), 1);
  const [code] = await closed;
  assert.equal(code, 1006);
  await until(() => server.open() === 0, GUARD_MS, 'server-side close');
  assert.equal(proxy.mode, 'forward');
});

test('flap: two short cycles of forward/refuse, forward at the end', async (t) => {
  const { proxy, client, connected } = await rig(t);
  const ws = await connected();
  const closed = waitFor(ws, 'close', OPEN_MS);
  const modes = [];
  const refusals = [];
  proxy.on('mode', (mode) => {
    modes.push(mode);
    // Try to connect during each down phase: it must be refused.
    if (mode === 'refuse') {
      const attempt = client();
      refusals.push(waitFor(attempt, 'error', GUARD_MS).then(([err]) => err.code));
    }
  });

  await proxy.flap({ upMs: 50, downMs: 200, cycles: 2 });
  assert.equal((await closed)[0], 1006);
  assert.deepEqual(modes, ['refuse', 'forward', 'refuse', 'forward']);
  assert.deepEqual(await Promise.all(refusals), ['ECONNREFUSED', 'ECONNREFUSED']);
  assert.equal(proxy.mode, 'forward');
  const fresh = await connected();
  assert.equal(await echo(fresh, 'up'), 'up');
});

test('test-server: closeAll(4001) and terminateAll reach the client', async (t) => {
  const { server, connected } = await rig(t);
  const a = await connected();
  const closedA = waitFor(a, 'close', GUARD_MS);
  server.closeAll(4001, 'bye');
  const [code, reason] = await closedA;
  assert.equal(code, 4001);
  assert.equal(reason.toString(), 'bye');

  const b = await connected();
  const closedB = waitFor(b, 'close', GUARD_MS);
  server.terminateAll();
  assert.equal((await closedB)[0], 1006);
  assert.equal(server.connections, 2);
});

test('test-server: setAcceptConnections(false) fails the handshake with 503', async (t) => {
  const { server, client, connected } = await rig(t);
  server.setAcceptConnections(false);
  const denied = client(server.url());
  const [err] = await waitFor(denied, 'error', GUARD_MS);
  assert.match(err.message, /503/);
  assert.equal(server.connections, 0);

  server.setAcceptConnections(true);
  const ws = await connected(server.url());
  assert.equal(await echo(ws, 'ok'), 'ok');
});

test('test-server: answerPings off, server pings, sendAll', async (t) => {
  const { server, connected } = await rig(t, { answerPings: false, serverPingEveryMs: 50 });
  const ws = await connected();
  const [first] = await waitFor(ws, 'message', GUARD_MS);
  assert.equal(first.toString(), 'server-ping');

  // Unanswered pings: no pong (server-pings keep coming, so filter them out).
  const replies = [];
  const onMessage = (data) => data.toString() !== 'server-ping' && replies.push(data.toString());
  ws.on('message', onMessage);
  ws.send('ping');
  await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
  assert.deepEqual(replies, []);
  assert.deepEqual(server.received, [{ conn: 0, data: 'ping' }]);

  server.setAnswerPings(true);
  ws.send('ping');
  await until(() => replies.length === 1, GUARD_MS, 'pong');
  assert.deepEqual(replies, ['pong']);

  server.sendAll('broadcast');
  await until(() => replies.length === 2, GUARD_MS, 'broadcast');
  assert.equal(replies[1], 'broadcast');
  ws.off('message', onMessage);
});

test('close() leaves no TCP handles behind, whatever the connections were doing', async () => {
  const server = await startTestServer();
  const proxy = await startFaultProxy({ targetPort: server.port });
  const clients = new Set();
  const open = async () => {
    const ws = new WebSocket(proxy.url());
    ws.on('error', () => {});
    clients.add(ws);
    await waitFor(ws, 'open');
    return ws;
  };
  await open();
  await proxy.setMode('blackhole');
  clients.add(new WebSocket(proxy.url()).on('error', () => {})); // blackholed handshake
  await proxy.setMode('hang');
  clients.add(new WebSocket(proxy.url()).on('error', () => {})); // hung handshake
  await until(() => proxy.stats().accepted === 3);

  await proxy.close();
  await server.close();
  await closeClients(clients);
  // Node updates this list a little after a handle's close callback, hence the polling.
  const tcp = () => process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP'));
  await until(() => tcp().length === 0, GUARD_MS, `no TCP handles (still: ${tcp()})`);
});

// --- throttle (server->client bytes) -------------------------------------------------------------
// Durations below are lower bounds only (a throttle cannot deliver faster than its rate; a loaded
// machine only makes it slower), or timeout guards.

const KB = 1000;

/** Sends `text` and resolves with the echo and how the client's TCP socket received it. */
async function echoTimed(ws, text) {
  const socket = ws._socket; // ws sets it before 'open'
  let chunks = 0;
  const onData = () => chunks++;
  socket.on('data', onData);
  const started = performance.now();
  const reply = waitFor(ws, 'message', 20_000);
  ws.send(text);
  const [data] = await reply;
  socket.off('data', onData);
  return { data: data.toString(), ms: performance.now() - started, chunks };
}

test('throttle: server->client bytes at the set rate, in many chunks, intact', async (t) => {
  const { proxy, connected } = await rig(t, {}, { throttle: { bytesPerSecond: 1000 * KB } });
  assert.deepEqual(proxy.throttle, { bytesPerSecond: 1000 * KB, latencyMs: 0, jitterMs: 0, chunkBytes: 10 * KB });
  const ws = await connected();
  const big = 'x'.repeat(200 * KB);
  const { data, ms, chunks } = await echoTimed(ws, big);
  assert.equal(data, big);
  assert.ok(ms >= 0.95 * 200, `200 kB at 1 MB/s took ${Math.round(ms)} ms, less than 200 ms`);
  assert.ok(chunks >= 10, `arrived in ${chunks} chunks (10 kB pieces: ~20 expected)`);
  assert.equal(proxy.stats().bytesQueued, 0);
});

test('throttle: latency with jitter delays every reply, keeps the byte order; a pong waits behind a big message', async (t) => {
  const { proxy, connected } = await rig(t);
  const ws = await connected();
  const settings = proxy.setThrottle({ latencyMs: 30, jitterMs: 20 });
  assert.deepEqual(settings, { bytesPerSecond: Infinity, latencyMs: 30, jitterMs: 20, chunkBytes: Infinity });
  const started = performance.now();
  const replies = [];
  const all = new Promise((resolve) =>
    ws.on('message', (d) => {
      replies.push(d.toString());
      if (replies.length === 21) resolve(performance.now());
    }),
  );
  for (let i = 0; i < 20; i++) ws.send(`m${i}`);
  ws.send('ping');
  const ended = await all;
  assert.deepEqual(replies, [...Array.from({ length: 20 }, (_, i) => `m${i}`), 'pong']);
  assert.ok(ended - started >= 30, `latency 30 ms, the replies took ${Math.round(ended - started)} ms`);

  // A pong answered while a big message is on its way arrives after it (TCP order).
  proxy.setThrottle({ bytesPerSecond: 500 * KB });
  const order = [];
  const both = new Promise((resolve) =>
    ws.on('message', (d) => {
      order.push(d.length > 10 ? 'big' : d.toString());
      if (order.length === 2) resolve();
    }),
  );
  ws.send('y'.repeat(100 * KB));
  ws.send('ping');
  await both;
  assert.deepEqual(order, ['big', 'pong']);
});

test('throttle: setThrottle(null) flushes the backlog at once; emits throttle; bad settings throw', async (t) => {
  const { proxy, connected } = await rig(t);
  const ws = await connected();
  const events = [];
  proxy.on('throttle', (now, before) => events.push([now?.bytesPerSecond ?? null, before?.bytesPerSecond ?? null]));
  proxy.setThrottle({ bytesPerSecond: 10 * KB }); // 100 kB would take 10 s
  const reply = waitFor(ws, 'message', OPEN_MS);
  ws.send('z'.repeat(100 * KB));
  await until(() => proxy.stats().bytesQueued > 50 * KB, GUARD_MS, 'a backlog');
  assert.equal(proxy.setThrottle(null), null);
  const [data] = await reply;
  assert.equal(data.length, 100 * KB);
  assert.equal(proxy.stats().bytesQueued, 0);
  assert.equal(proxy.throttle, null);
  assert.deepEqual(events, [[10 * KB, null], [null, 10 * KB]]);
  assert.equal(await echo(ws, 'after'), 'after');

  for (const bad of [{ bytesPerSecond: 0 }, { bytesPerSecond: NaN }, { latencyMs: -1 }, { jitterMs: Infinity }, { chunkBytes: 1.5 }, 5]) {
    assert.throws(() => proxy.setThrottle(bad), TypeError, JSON.stringify(bad));
  }
  assert.equal(proxy.throttle, null, 'a rejected setting changes nothing');
  await assert.rejects(startFaultProxy({ targetPort: proxy.port, throttle: { latencyMs: -1 } }), TypeError);
});

test('throttle: the server close and FIN wait behind the backlog; blackhole drops the backlog', async (t) => {
  const { server, proxy, connected } = await rig(t, {}, { throttle: { bytesPerSecond: 1000 * KB } });
  const ws = await connected();
  await until(() => server.open() === 1);
  const seen = [];
  ws.on('message', (d) => seen.push(d.length));
  const closed = waitFor(ws, 'close', OPEN_MS);
  server.sendAll('a'.repeat(100 * KB));
  server.closeAll(4001, 'bye');
  const [code] = await closed;
  assert.equal(code, 4001);
  assert.deepEqual(seen, [100 * KB], 'the message, then the close');

  // The server's FIN (no close frame) while the message is still held: passed on after it.
  const ws1 = await connected();
  await until(() => server.open() === 1);
  const seen1 = [];
  ws1.on('message', (d) => seen1.push(d.length));
  const closed1 = waitFor(ws1, 'close', OPEN_MS);
  const down = proxy.stats().bytesDown;
  server.sendAll('c'.repeat(100 * KB));
  await until(() => proxy.stats().bytesDown - down >= 100 * KB, GUARD_MS, 'the message at the proxy');
  assert.ok(proxy.stats().bytesQueued > 0);
  server.terminateAll();
  assert.equal((await closed1)[0], 1006);
  assert.deepEqual(seen1, [100 * KB], 'the message, then the FIN');

  const ws2 = await connected();
  await until(() => server.open() === 1);
  proxy.setThrottle({ bytesPerSecond: 10 * KB });
  const got = [];
  ws2.on('message', (d) => got.push(d.length));
  server.sendAll('b'.repeat(100 * KB));
  await until(() => proxy.stats().bytesQueued > 50 * KB, GUARD_MS, 'a backlog');
  const dropped = proxy.stats().bytesDropped;
  await proxy.setMode('blackhole');
  assert.equal(proxy.stats().bytesQueued, 0);
  assert.ok(proxy.stats().bytesDropped - dropped > 50 * KB);
  await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
  assert.deepEqual(got, []);
});

test('throttle: a backlog over 1 MiB stops reading from the server (backpressure), then catches up', async (t) => {
  const { proxy, connected } = await rig(t, {}, { throttle: { bytesPerSecond: 10_000 * KB } });
  const ws = await connected();
  const size = 3 * 1024 * 1024;
  let most = 0;
  const sampler = setInterval(() => (most = Math.max(most, proxy.stats().bytesQueued)), 2);
  t.after(() => clearInterval(sampler));
  const { data } = await echoTimed(ws, 'q'.repeat(size));
  clearInterval(sampler);
  assert.equal(data.length, size);
  assert.ok(most > 0, 'a backlog was seen');
  assert.ok(most <= 1024 * 1024 + 65536, `backlog peaked at ${most} bytes`);
});
