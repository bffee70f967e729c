// Servers steer the herd: a server's retry hint (a 1012/1013 close whose reason carries
// "retry-after=<ms> window=<ms>", or an HTTP 503 answer to the upgrade with Retry-After) through
// the shim to the core, and ws-lifeline/server, the helper that writes them.
//   node --test wasm-tests/hints.test.mjs
//
// The shim's side runs on fakes (FakeTime, FakeTransport): no sleeping. The real-socket tests use
// real `ws` servers and clients with the Lifeline's clock and timers still fake: the sockets are
// real, the delays are read from the core's `reconnecting` event and time is moved by hand, so no
// wall-clock duration is asserted.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket, WebSocketServer } from 'ws';
import { init, Lifeline, SEED_PATTERN, DEFAULTS } from '../js/index.js';
import { retryAfterMs } from '../js/transports/websocket.js';
import { core } from '../js/loader.js';
import { CONTRACT } from '../js/contract-data.js';
import { HINT_CODES, closeForRestart, formatRetryHint, rejectUpgrade, restartHint, restartSlotHint } from '../js/server/index.js';
import { FakePlatform, FakeTime } from './support/fakes.mjs';
import { record, opened, started } from './support/rig.mjs';
import { createSandbox } from './support/miniprogram-sandbox.mjs';
import { createMemoryApi } from './support/fake-miniprogram-apis.mjs';

before(async () => {
  await init();
});

const HINTED = { reconnectDelay: 1000, restartWindow: 4000, maxHintDelay: 20000 };

/** The delay of the one `reconnecting` event logged since `from`, checked to be hinted (attempt 0). */
function hintedDelay(events, from = 0) {
  const r = events.slice(from).filter((e) => e.type === 'reconnecting');
  assert.equal(r.length, 1, `one reconnecting event (${JSON.stringify(r)})`);
  assert.equal(r[0].attempt, 0, 'a hinted attempt is not counted');
  return r[0].delay;
}

/** Opens a rig, closes its socket from the server with `code` and `reason`; returns the delay event. */
async function closedWith(t, code, reason, options = {}) {
  const r = await opened(t, { ...HINTED, ...options });
  r.transport.last.remoteClose(code, reason, true);
  return { ...r, reconnecting: r.events.of('reconnecting') };
}

// --- the close hint, through the shim (fakes) -------------------------------------------------------

describe('a 1012/1013 close with a hint', () => {
  test('1012 with a hint: the next attempt at retry-after + u * window, and no retry spent', async (t) => {
    const { ll, transport, time, events } = await started(t, { ...HINTED, seed: 11 });
    transport.last.error(); // a failed attempt first: the next one is retry 1
    time.advance(HINTED.reconnectDelay);
    assert.equal(transport.sockets.length, 2);
    transport.last.open();
    assert.equal(ll.stats.retries, 1);
    events.clear();
    const reason = 'restarting; retry-after=5000; window=2000';
    transport.last.remoteClose(1012, reason, true);
    const close = events.of('close')[0];
    assert.deepEqual([close.code, close.reason, close.cause, close.willReconnect], [1012, reason, 'remote', true]);
    const delay = hintedDelay(events);
    assert.ok(delay >= 5000 && delay <= 7000, `delay ${delay} in [5000, 7000]`);
    assert.equal(ll.stats.retries, 1, 'no retry spent');
    time.advance(Math.ceil(delay) - 1); // the driver's timers are whole ms, rounded up
    assert.equal(transport.sockets.length, 2, 'not before the hinted time');
    time.advance(1);
    assert.equal(transport.sockets.length, 3, 'at the hinted time');
    assert.equal(ll.stats.retries, 1, 'the hinted attempt is not counted either');
  });

  test('the draws spread the clients over the window (one per seed)', async (t) => {
    const delays = [];
    for (let seed = 1; seed <= 24; seed++) {
      const { reconnecting } = await closedWith(t, 1012, 'retry-after=2000 window=10000', { seed });
      delays.push(reconnecting[0].delay);
    }
    for (const d of delays) assert.ok(d >= 2000 && d < 12000, `delay ${d} in [2000, 12000)`);
    assert.ok(Math.max(...delays) - Math.min(...delays) > 5000, `spread over the window: ${delays}`);
    assert.ok(new Set(delays).size > 20, 'different seeds, different draws');
  });

  test('1013 without a hint: the default spread, [reconnectDelay, reconnectDelay + restartWindow)', async (t) => {
    const delays = [];
    for (let seed = 1; seed <= 24; seed++) {
      const { reconnecting, ll } = await closedWith(t, 1013, 'overloaded', { seed, reconnectDelay: 500 });
      assert.equal(reconnecting[0].attempt, 0);
      assert.equal(ll.stats.retries, 0);
      delays.push(reconnecting[0].delay);
    }
    for (const d of delays) assert.ok(d >= 500 && d < 500 + HINTED.restartWindow, `delay ${d}`);
    assert.ok(Math.max(...delays) - Math.min(...delays) > 1000, `spread: ${delays}`);
  });

  // Each reason, and the range its delay must lie in (reconnectDelay 1000, restartWindow 4000,
  // maxHintDelay 20000). "default": no hint read, the 1012 default spread [1000, 5000).
  const DEFAULT = [1000, 5000];
  const HOSTILE = [
    ['retry-after=9999999999 window=9999999999', [1000, 20000.001], 'fitted into maxHintDelay: its window ends there'],
    ['retry-after=99999999999', DEFAULT, '11 digits: not a hint'],
    ['retry-after=1e5 window=1e5', DEFAULT, 'not digits'],
    ['retry-after=-5 window=abc', DEFAULT, 'not digits'],
    ['retry-after= window=', DEFAULT, 'no digits'],
    ['retry-after=５０００ window=１', DEFAULT, 'full-width digits are not digits'],
    ['redémarrage retry-after=3000 window=0', [3000, 3000], 'non-ASCII text around the hint'],
    ['retry-after=3000é window=0', [1000, 1000], 'a broken retry-after (0), window 0: floored at reconnectDelay'],
    ['retry-after=0 window=0', [1000, 1000], 'floored at reconnectDelay'],
    [' ;,retry-after=2500;window=0,', [2500, 2500], 'separators'],
    ['window=0 retry-after=100 retry-after=2500', [2500, 2500], 'the last token wins'],
    ['', DEFAULT, 'no reason'],
    ['\u0000retry-after=2500\u0000', DEFAULT, 'NUL is not a separator'],
    [`${'x'.repeat(118)} retry-after=2500`, DEFAULT, 'past 123 bytes: not read'],
  ];
  for (const [reason, [lo, hi], why] of HOSTILE) {
    test(`a hostile or odd hint: ${JSON.stringify(reason.slice(0, 50))} (${why})`, async (t) => {
      const { reconnecting, ll } = await closedWith(t, 1012, reason);
      assert.equal(reconnecting.length, 1);
      assert.equal(reconnecting[0].attempt, 0);
      const d = reconnecting[0].delay;
      assert.ok(d >= lo && (lo === hi ? d === hi : d < hi), `delay ${d} in [${lo}, ${hi}${lo === hi ? ']' : ')'}`);
      assert.equal(ll.stats.retries, 0);
    });
  }

  test('a server that closes with 1012 "retry-after=0" on every connect: the first hint is free, the next ones count, wait the backoff, and give up', async (t) => {
    const { ll, transport, time, events } = await started(t, { ...HINTED, maxRetries: 3 });
    const created = [];
    transport.onCreate = () => created.push(time.now());
    for (let i = 0; i < 10 && ll.state !== 'gave-up'; i++) {
      transport.last.open();
      transport.last.remoteClose(1012, 'retry-after=0 window=0', true);
      if (ll.state !== 'gave-up') time.advance(Math.ceil(events.of('reconnecting').at(-1).delay));
    }
    // Never sooner than reconnectDelay; the first hinted loss spends no retry, the ones after it
    // (no useful connection between) are retries 1, 2, 3 and wait the backoff (1 s * 2^n, jitter
    // 0 here); maxRetries (3) then gives up: a server sending its clients away at once, over and
    // over, is treated as failing, not obeyed into a loop.
    assert.deepEqual(events.of('reconnecting').map(({ attempt, delay }) => [attempt, delay]), [[0, 1000], [1, 1000], [2, 2000], [3, 4000]]);
    assert.deepEqual(created, [1000, 2000, 4000, 8000]);
    assert.deepEqual(events.of('giveup'), [{ type: 'giveup', attempts: 3 }]);
    assert.equal(ll.state, 'gave-up');
    assert.equal(ll.stats.retries, 3);
  });

  test('with no maxRetries, the delays of a run of hinted losses grow like the backoff, up to maxReconnectDelay', async (t) => {
    const { ll, transport, time, events } = await started(t, HINTED);
    for (let i = 0; i < 200; i++) {
      transport.last.open();
      transport.last.remoteClose(1012, 'retry-after=0 window=0', true);
      time.advance(Math.ceil(events.of('reconnecting').at(-1).delay));
    }
    const delays = events.of('reconnecting').map((e) => e.delay);
    assert.ok(delays.every((d) => d >= HINTED.reconnectDelay), 'never sooner than reconnectDelay');
    assert.deepEqual(delays.slice(0, 7), [1000, 1000, 2000, 4000, 8000, 16000, 30000]);
    assert.equal(delays.at(-1), 30000, 'the backoff\'s cap (maxReconnectDelay 30 s in this rig)');
    assert.equal(ll.stats.retries, 199);
    assert.equal(ll.state, 'connecting');
  });

  test('a useful connection (minUptime) makes the next hinted loss free again', async (t) => {
    const { ll, transport, time, events } = await started(t, { ...HINTED, maxRetries: 3, minUptime: 5000 });
    for (let i = 0; i < 3; i++) {
      transport.last.open();
      transport.last.remoteClose(1012, 'retry-after=2000 window=0', true);
      time.advance(Math.ceil(events.of('reconnecting').at(-1).delay));
    }
    assert.deepEqual(events.of('reconnecting').map((e) => e.attempt), [0, 1, 2]);
    transport.last.open();
    time.advance(5000); // lived minUptime
    events.clear();
    transport.last.remoteClose(1012, 'retry-after=2000 window=0', true);
    assert.deepEqual(events.of('reconnecting'), [{ type: 'reconnecting', attempt: 0, delay: 2000 }]);
    assert.equal(ll.stats.retries, 0, 'the useful connection reset the failure count');
  });

  test('maxHintDelay: a window reaching past it is narrowed to end there; a retry-after past it comes within the window\'s width before it', async (t) => {
    const cases = [
      ['retry-after=15000 window=10000', 15000, 20000],
      ['retry-after=30000 window=3000', 17000, 20000],
      ['retry-after=19000 window=0', 19000, 19000],
    ];
    for (const [reason, lo, hi] of cases) {
      const delays = [];
      for (let seed = 1; seed <= 16; seed++) {
        const { reconnecting } = await closedWith(t, 1012, reason, { seed });
        assert.equal(reconnecting[0].attempt, 0);
        delays.push(reconnecting[0].delay);
      }
      for (const d of delays) assert.ok(d >= lo && d <= hi, `${reason}: delay ${d} in [${lo}, ${hi}] (maxHintDelay ${HINTED.maxHintDelay})`);
      if (hi > lo) assert.ok(Math.max(...delays) - Math.min(...delays) > (hi - lo) / 3, `${reason}: still spread, not all at maxHintDelay: ${delays}`);
    }
  });

  test('serverHints: false, and SEED_PATTERN: a 1012 is a plain remote close (backoff, a retry spent)', async (t) => {
    for (const options of [{ ...HINTED, serverHints: false }, { ...SEED_PATTERN }]) {
      const { reconnecting, ll } = await closedWith(t, 1012, 'retry-after=15000 window=0', options);
      assert.equal(reconnecting.length, 1);
      assert.deepEqual(reconnecting[0], { type: 'reconnecting', attempt: 1, delay: options.reconnectDelay });
      assert.equal(ll.stats.retries, 0);
    }
    assert.equal(SEED_PATTERN.serverHints, false);
    assert.equal(DEFAULTS.serverHints, true);
  });

  test('shouldReconnect returning false on a 1012 makes it final', async (t) => {
    const seen = [];
    const r = await opened(t, {
      ...HINTED,
      shouldReconnect: (e) => {
        seen.push(e);
        return e.code !== 1012;
      },
    });
    r.transport.last.remoteClose(1012, 'retry-after=100 window=0', true);
    assert.deepEqual(seen, [{ code: 1012, reason: 'retry-after=100 window=0', wasClean: true }]);
    const close = r.events.of('close')[0];
    assert.equal(close.willReconnect, false);
    assert.equal(r.events.of('reconnecting').length, 0);
    r.time.advance(60000);
    assert.equal(r.transport.sockets.length, 1);
    assert.equal(r.ll.readyState, Lifeline.CLOSED);
  });

  test('coming back online or to the foreground does not bring a hinted attempt forward', async (t) => {
    const platform = new FakePlatform();
    const { transport, time, events } = await closedWith(t, 1012, 'retry-after=8000 window=0', { platform });
    assert.equal(events.of('reconnecting')[0].delay, 8000);
    time.advance(1000);
    platform.goOffline();
    platform.goOnline();
    platform.hide();
    platform.show();
    time.advance(8000 - 1 - 1000);
    assert.equal(transport.sockets.length, 1, 'still waiting for the hinted time');
    time.advance(1);
    assert.equal(transport.sockets.length, 2);
  });

  test('the other close codes carry no hint', async (t) => {
    for (const code of [1000, 1001, 1011, 4000]) {
      const { reconnecting } = await closedWith(t, code, 'retry-after=15000 window=0', { jitter: 0 });
      assert.deepEqual(reconnecting[0], { type: 'reconnecting', attempt: 1, delay: HINTED.reconnectDelay }, `code ${code}`);
    }
  });
});

// --- a transport's Retry-After (the TransportHandlers.error argument) ---------------------------------

describe("a transport's retryAfter", () => {
  test('an error while connecting with retryAfter: the next attempt at retryAfter + u * restartWindow, uncounted', async (t) => {
    const { transport, events, ll } = await started(t, { ...HINTED, seed: 3 });
    transport.last.handlers.error('Unexpected server response: 503', 3000);
    assert.equal(events.of('error').length, 1);
    const d = hintedDelay(events);
    assert.ok(d >= 3000 && d < 3000 + HINTED.restartWindow, `delay ${d}`);
    assert.equal(ll.stats.retries, 0);
  });

  test('a transport that fails with retryAfter before returning (attemptFailed) is heeded too', async (t) => {
    const { transport, events, time } = await started(t, HINTED);
    transport.onCreate = (s) => {
      if (transport.sockets.length === 2) s.handlers.error('refused', 8000);
    };
    transport.last.error(); // a plain failure: backoff 1000 (jitter 0)
    time.advance(HINTED.reconnectDelay);
    assert.equal(transport.sockets.length, 2);
    const d = hintedDelay(events, events.findLastIndex((e) => e.type === 'close'));
    assert.ok(d >= 8000 && d < 8000 + HINTED.restartWindow, `delay ${d}`);
  });

  test('no usable retryAfter (NaN, negative, -Infinity, a string), or an error once open: plain backoff', async (t) => {
    for (const retryAfter of [undefined, NaN, -1, -Infinity, '3000']) {
      const { transport, events } = await started(t, HINTED);
      transport.last.handlers.error('x', retryAfter);
      assert.deepEqual(events.of('reconnecting'), [{ type: 'reconnecting', attempt: 1, delay: 1000 }], String(retryAfter));
    }
    const { transport, events } = await opened(t, HINTED);
    transport.last.handlers.error('x', 3000); // only while connecting: the core's rule
    assert.deepEqual(events.of('reconnecting'), [{ type: 'reconnecting', attempt: 1, delay: 1000 }]);
  });

  test('a server answering 503 with Retry-After forever is eventually given up on (maxRetries)', async (t) => {
    const { ll, transport, time, events } = await started(t, { ...HINTED, maxRetries: 3, seed: 8 });
    for (let i = 0; i < 10 && ll.state !== 'gave-up'; i++) {
      transport.last.handlers.error('Unexpected server response: 503', 0);
      if (ll.state !== 'gave-up') time.advance(Math.ceil(events.of('reconnecting').at(-1).delay));
    }
    const r = events.of('reconnecting');
    assert.deepEqual(r.map((e) => e.attempt), [0, 1, 2, 3], 'the first free, then retries');
    // retry-after 0 is moved to reconnectDelay; the window is restartWindow; the counted ones wait
    // at least the backoff for their count (1 s * 2^(n-1), jitter 0 in this rig).
    r.forEach((e, n) => {
      assert.ok(e.delay >= Math.max(HINTED.reconnectDelay, n ? 1000 * 2 ** (n - 1) : 0), `delay ${e.delay} of attempt ${n}`);
      assert.ok(e.delay <= Math.max(HINTED.reconnectDelay + HINTED.restartWindow, 1000 * 2 ** (n - 1)), `delay ${e.delay} of attempt ${n}`);
    });
    assert.deepEqual(events.of('giveup'), [{ type: 'giveup', attempts: 3 }]);
    assert.equal(ll.state, 'gave-up');
  });

  test('1,000 hinted failures and closes leave the WASM heap where it was', async (t) => {
    const { transport, time, events } = await started(t, { ...HINTED, maxHintDelay: 1000 }, { strict: false });
    const cycle = (i) => {
      if (i % 2) transport.last.handlers.error('503', 1000);
      else transport.last.open().remoteClose(1012, 'retry-after=1000 window=0', true);
      time.advance(Math.ceil(events.of('reconnecting').at(-1).delay)); // counted after the first: the backoff grows
    };
    for (let i = 0; i < 10; i++) cycle(i);
    const before = core().heapInUse();
    for (let i = 0; i < 1000; i++) cycle(i);
    assert.equal(transport.sockets.length, 1011);
    assert.equal(core().heapInUse(), before);
  });

  test('serverHints: false ignores it', async (t) => {
    const { transport, events } = await started(t, { ...HINTED, serverHints: false });
    transport.last.handlers.error('x', 3000);
    assert.deepEqual(events.of('reconnecting'), [{ type: 'reconnecting', attempt: 1, delay: 1000 }]);
  });
});

// --- Retry-After, the header --------------------------------------------------------------------------

test('retryAfterMs: delay-seconds and the three HTTP-date forms, anything else none', () => {
  const now = Date.UTC(1994, 10, 6, 8, 49, 30);
  const cases = [
    ['2', 2000],
    [' 120 ', 120000],
    ['0', 0],
    ['Sun, 06 Nov 1994 08:49:37 GMT', 7000], // IMF-fixdate
    ['Sunday, 06-Nov-94 08:49:37 GMT', 7000], // RFC 850
    ['Sun Nov  6 08:49:37 1994', 7000], // asctime
    ['Sun, 06 Nov 1994 08:49:00 GMT', 0], // past: at once (the core floors it)
    ['1.5', NaN],
    ['-1', NaN],
    ['2 seconds', NaN],
    ['', NaN],
    ['soon', NaN],
    ['Sun, 06 Nov 1994 08:49:37 PST', NaN],
    ['Sun, 06 Nov 1994 25:49:37 GMT', NaN],
    [undefined, NaN],
    [5, NaN],
  ];
  for (const [value, ms] of cases) assert.equal(retryAfterMs(value, now), ms, JSON.stringify(value));
  assert.equal(retryAfterMs('9'.repeat(400), now), Number.MAX_VALUE, 'huge: very long, not none (the core caps it)');
});

// --- real sockets: `ws` servers, Node's `ws` client ---------------------------------------------------

/** An HTTP server whose upgrades `onUpgrade(req, socket, head, wss)` handles; closed after the test. */
async function startServer(t, onUpgrade) {
  const server = http.createServer((req, res) => {
    res.writeHead(426);
    res.end();
  });
  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  const self = { server, wss, sockets, upgrades: 0, onUpgrade };
  server.on('upgrade', (req, socket, head) => {
    self.upgrades++;
    socket.on('error', () => {});
    self.onUpgrade(req, socket, head, wss);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  self.url = `ws://127.0.0.1:${server.address().port}/`;
  self.accept = (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  t.after(async () => {
    for (const c of wss.clients) c.terminate();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => wss.close(resolve));
    await new Promise((resolve) => server.close(resolve));
  });
  return self;
}

/** `ws`'s WebSocket, recording its instances. */
function spyWebSocket() {
  const made = [];
  class Spy extends WebSocket {
    constructor(...args) {
      super(...args);
      made.push(this);
    }
  }
  return { Spy, made };
}

async function until(predicate, what, ms = 5000) {
  const deadline = performance.now() + ms;
  for (;;) {
    const v = predicate();
    if (v) return v;
    if (performance.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(5);
  }
}

/** A Lifeline over real `ws` sockets, its clock and timers fake. */
function realLifeline(t, url, time, options = {}) {
  const { Spy, made } = spyWebSocket();
  const ll = new Lifeline(url, { ...time.options(), platform: null, WebSocket: Spy, jitter: 0, pingInterval: Infinity, ...HINTED, ...options });
  t.after(() => ll.close());
  return { ll, made, events: record(ll) };
}

describe('an HTTP 503 with Retry-After (Node, ws)', () => {
  test('Retry-After: 2 (seconds): one error event, the next attempt 2 s + u * restartWindow later, no leak', async (t) => {
    const srv = await startServer(t, (req, socket) => rejectUpgrade(socket, { retryAfterSeconds: 2 }));
    const time = new FakeTime();
    const { ll, made, events } = realLifeline(t, srv.url, time, { seed: 5 });
    await until(() => events.of('reconnecting').length === 1, 'reconnecting');
    const d = hintedDelay(events);
    assert.ok(d >= 2000 && d < 2000 + HINTED.restartWindow, `delay ${d}`);
    assert.equal(ll.stats.retries, 0);
    // The socket and its request are gone on both ends; ws's own error and close come to nothing.
    await until(() => made[0].readyState === WebSocket.CLOSED, 'the ws client closed');
    await until(() => srv.sockets.size === 0, 'the TCP connection closed');
    await sleep(20);
    assert.deepEqual(
      events.of('error').map((e) => e.message),
      ['Unexpected server response: 503'],
      'exactly one error event',
    );
    assert.equal(events.of('close').length, 1);
    // The server is back: the attempt comes at the hinted time, not before.
    srv.onUpgrade = srv.accept;
    time.advance(Math.ceil(d) - 1);
    await sleep(20);
    assert.equal(made.length, 1, 'not before the hinted time');
    time.advance(1);
    assert.equal(made.length, 2);
    await until(() => ll.state === 'open', 'open');
  });

  test('Retry-After as an HTTP-date', async (t) => {
    let sent = '';
    const srv = await startServer(t, (req, socket) => {
      sent = new Date(Date.now() + 3000).toUTCString(); // whole seconds: 2 to 3 s from now
      socket.end(`HTTP/1.1 503 Service Unavailable\r\nRetry-After: ${sent}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    });
    const time = new FakeTime();
    const { events } = realLifeline(t, srv.url, time);
    await until(() => events.of('reconnecting').length === 1, 'reconnecting');
    const d = hintedDelay(events);
    assert.match(sent, /GMT$/);
    assert.ok(d >= 1000 && d < 3000 + HINTED.restartWindow, `delay ${d}`);
    assert.equal(events.of('error').length, 1);
  });

  test('a 503 without Retry-After, and other statuses with one: plain backoff, ws\'s own message', async (t) => {
    const answers = [
      ['503 Service Unavailable', ''],
      ['500 Internal Server Error', 'Retry-After: 30\r\n'],
      ['429 Too Many Requests', 'Retry-After: 30\r\n'],
      ['401 Unauthorized', ''],
    ];
    for (const [status, header] of answers) {
      const srv = await startServer(t, (req, socket) => {
        socket.end(`HTTP/1.1 ${status}\r\n${header}Content-Length: 0\r\nConnection: close\r\n\r\n`);
      });
      const time = new FakeTime();
      const { events, made } = realLifeline(t, srv.url, time);
      await until(() => events.of('reconnecting').length === 1, 'reconnecting');
      await until(() => made[0].readyState === WebSocket.CLOSED, 'closed');
      await sleep(10);
      assert.deepEqual(events.of('reconnecting').map(({ attempt, delay }) => [attempt, delay]), [[1, 1000]], status);
      assert.deepEqual(events.of('error').map((e) => e.message), [`Unexpected server response: ${status.slice(0, 3)}`]);
    }
  });

  test("rejectUpgrade as ws's verifyClient answer", async (t) => {
    let ready = false;
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      verifyClient: (info, callback) => (ready ? callback(true) : rejectUpgrade(callback, { retryAfterSeconds: 1.2 })),
    });
    await new Promise((resolve) => wss.on('listening', resolve));
    t.after(() => new Promise((resolve) => wss.close(resolve)));
    const time = new FakeTime();
    const { ll, events, made } = realLifeline(t, `ws://127.0.0.1:${wss.address().port}/`, time);
    await until(() => events.of('reconnecting').length === 1, 'reconnecting');
    const d = hintedDelay(events);
    assert.ok(d >= 2000 && d < 2000 + HINTED.restartWindow, `delay ${d} (1.2 s rounded up to 2)`);
    ready = true;
    time.advance(Math.ceil(d));
    assert.equal(made.length, 2);
    await until(() => ll.state === 'open', 'open');
    for (const c of wss.clients) c.terminate();
  });
});

describe('closeForRestart on a real server', () => {
  test('every client is closed with 1012 and the hint, and comes back within [retryAfter, retryAfter + window], uncounted', async (t) => {
    const srv = await startServer(t, null);
    srv.onUpgrade = srv.accept;
    const time = new FakeTime();
    const clients = [1, 2, 3, 4, 5].map((seed) => realLifeline(t, srv.url, time, { seed }));
    await until(() => srv.wss.clients.size === 5 && clients.every((c) => c.ll.state === 'open'), 'all open');
    const sent = closeForRestart(srv.wss, { acceptPerSecond: 2, downtimeMs: 1500, prefix: 'deploy 42;' });
    // A slot each (the default): 1.05 / 2 per s = 525 ms wide, one after the other.
    assert.deepEqual(sent, {
      code: 1012, spread: 'slots', reason: 'deploy 42; retry-after=1500 window=525', retryAfter: 1500, window: 525, until: 1500 + 4 * 525 + 525, capped: false, clients: 5, failed: [],
    });
    await until(() => clients.every((c) => c.events.of('reconnecting').length === 1), 'every client reconnecting');
    const slots = [];
    for (const c of clients) {
      const close = c.events.of('close')[0];
      assert.deepEqual([close.code, close.willReconnect], [1012, true]);
      const [, retryAfter, window] = /retry-after=(\d+) window=(\d+)$/.exec(close.reason).map(Number);
      assert.equal(c.ll.stats.retries, 0);
      const d = hintedDelay(c.events);
      assert.ok(d >= retryAfter && d <= retryAfter + window, `delay ${d} in its slot [${retryAfter}, ${retryAfter + window}]`);
      slots.push(retryAfter);
    }
    assert.deepEqual(slots.sort((a, b) => a - b), [1500, 2025, 2550, 3075, 3600], 'one slot each, evenly spaced');
    time.advance(sent.until);
    await until(() => srv.wss.clients.size === 5 && clients.every((c) => c.ll.state === 'open'), 'all back');
    assert.ok(clients.every((c) => c.made.length === 2));
  });
});

// --- ws-lifeline/server and the core agree --------------------------------------------------------------

describe('ws-lifeline/server', () => {
  test('restartHint and restartSlotHint: the core\'s formulas (headrooms from the contract), whole ms rounded up', () => {
    assert.equal(CONTRACT.hint.sharedHeadroom, 1.3);
    assert.equal(CONTRACT.hint.headroom, 1.05);
    assert.deepEqual(restartSlotHint({ index: 0, clients: 10000, acceptPerSecond: 1000, downtimeMs: 30000 }), {
      retryAfter: 30000, window: 2, reason: 'retry-after=30000 window=2', capped: false,
    });
    assert.deepEqual(restartSlotHint({ index: 9999, clients: 10000, acceptPerSecond: 1000, downtimeMs: 30000 }), {
      retryAfter: 40499, window: 2, reason: 'retry-after=40499 window=2', capped: false, // 30000 + 9999 * 1.05, rounded up
    });
    // The last slot past the clients' maxHintDelay: every slot narrowed to fit.
    const fitted = restartSlotHint({ index: 999999, clients: 1e6, acceptPerSecond: 1000, downtimeMs: 60000 });
    assert.equal(fitted.capped, true);
    assert.ok(fitted.retryAfter + fitted.window <= DEFAULTS.maxHintDelay + 1);
    assert.deepEqual(restartHint({ clients: 10000, acceptPerSecond: 500, downtimeMs: 3000 }), {
      retryAfter: 3000,
      window: 26000,
      reason: 'retry-after=3000 window=26000',
      capped: false,
    });
    assert.deepEqual(restartHint({ clients: 0, acceptPerSecond: 1 }), { retryAfter: 1000, window: 0, reason: 'retry-after=1000 window=0', capped: false }, 'at the clients\' reconnectDelay');
    assert.deepEqual(restartHint({ clients: 0, acceptPerSecond: 1, reconnectDelay: 0 }), { retryAfter: 0, window: 0, reason: 'retry-after=0 window=0', capped: false });
    assert.deepEqual(restartHint({ clients: 1, acceptPerSecond: 3, downtimeMs: 0.2, reconnectDelay: 0 }), {
      retryAfter: 1,
      window: 434, // 433.33 rounded up
      reason: 'retry-after=1 window=434',
      capped: false,
    });
    // Over the clients' maxHintDelay: the window shortened to fit, not cut by the clients into a spike.
    assert.deepEqual(restartHint({ clients: 1e6, acceptPerSecond: 1000, downtimeMs: 60000 }), {
      retryAfter: 60000,
      window: DEFAULTS.maxHintDelay - 60000,
      reason: `retry-after=60000 window=${DEFAULTS.maxHintDelay - 60000}`,
      capped: true,
    });
    assert.equal(restartHint({ clients: 1e6, acceptPerSecond: 1000, maxHintDelay: 2e6 }).window, 1300000);
    assert.equal(formatRetryHint({ retryAfter: 1500.2, window: 0 }), 'retry-after=1501 window=0');
    assert.deepEqual(HINT_CODES, [1012, 1013]);
  });

  test('the text restartHint and formatRetryHint write is what the core reads', async (t) => {
    // Window 0: the delay is exactly the retry-after the core read (floored at reconnectDelay).
    for (const retryAfter of [1000, 1001, 1500.2, 12345, 99999, 299999]) {
      const { reconnecting } = await closedWith(t, 1012, formatRetryHint({ retryAfter, window: 0 }), { maxHintDelay: 300000 });
      assert.equal(reconnecting[0].delay, Math.ceil(retryAfter), `retry-after ${retryAfter}`);
    }
    // A window: every seed's draw lies in it, and the draws fill it.
    const hint = restartHint({ clients: 3000, acceptPerSecond: 1000, downtimeMs: 2000 }); // window 3900
    const delays = [];
    for (let seed = 1; seed <= 30; seed++) {
      const { reconnecting } = await closedWith(t, 1013, `going away; ${hint.reason}`, { seed });
      delays.push(reconnecting[0].delay);
    }
    for (const d of delays) assert.ok(d >= hint.retryAfter && d < hint.retryAfter + hint.window, `delay ${d}`);
    assert.ok(Math.max(...delays) - Math.min(...delays) > hint.window / 2, `spread: ${delays}`);
  });

  test('argument errors name the argument and what was expected', () => {
    const throwsLike = (fn, Type, pattern) => assert.throws(fn, (e) => e instanceof Type && pattern.test(e.message), String(pattern));
    throwsLike(() => restartHint(), TypeError, /restartHint: expected an options object/);
    throwsLike(() => restartHint({ clients: 1, acceptPerSecond: 1, rate: 2 }), TypeError, /unknown option "rate"/);
    throwsLike(() => restartHint({ clients: '10', acceptPerSecond: 1 }), TypeError, /^clients: expected a number, got "10"/);
    throwsLike(() => restartHint({ clients: 1.5, acceptPerSecond: 1 }), RangeError, /^clients: expected a whole number >= 0, got 1.5/);
    throwsLike(() => restartHint({ clients: -1, acceptPerSecond: 1 }), RangeError, /^clients: expected a whole number >= 0/);
    throwsLike(() => restartHint({ clients: 1 }), TypeError, /^acceptPerSecond: expected a number, got undefined/);
    throwsLike(() => restartHint({ clients: 1, acceptPerSecond: 0 }), RangeError, /^acceptPerSecond: expected a finite number > 0, got 0/);
    throwsLike(() => restartHint({ clients: 1, acceptPerSecond: Infinity }), RangeError, /^acceptPerSecond: expected a finite number > 0/);
    throwsLike(() => restartHint({ clients: 1, acceptPerSecond: 1, downtimeMs: -1 }), RangeError, /^downtimeMs: expected a finite number >= 0 and <= 9999999999, got -1/);
    throwsLike(() => restartHint({ clients: 1, acceptPerSecond: 1, downtimeMs: NaN }), RangeError, /^downtimeMs: expected a finite number >= 0 and <= 9999999999, got NaN/);
    throwsLike(() => restartHint({ clients: 1, acceptPerSecond: 1, downtimeMs: 300000 }), RangeError, /^downtimeMs: expected less than maxHintDelay \(300000/);
    throwsLike(() => restartHint({ clients: 1, acceptPerSecond: 1, maxHintDelay: 0 }), RangeError, /^maxHintDelay: expected a finite number >= 1/);
    throwsLike(() => formatRetryHint({ retryAfter: 1 }), TypeError, /^window: expected a number, got undefined/);
    throwsLike(() => formatRetryHint({ retryAfter: 1, window: 1e300 }), RangeError, /^window: expected a finite number >= 0 and <= 9999999999/);
    throwsLike(() => formatRetryHint({ retryAfter: 1e10, window: 0 }), RangeError, /^retryAfter: expected a finite number >= 0 and <= 9999999999/);
    throwsLike(() => restartSlotHint({ index: 3, clients: 3, acceptPerSecond: 1 }), RangeError, /^index: expected less than clients \(3\), got 3/);
    throwsLike(() => closeForRestart([], { acceptPerSecond: 1, spread: 'even' }), RangeError, /^spread: expected 'slots' or 'shared', got "even"/);
    throwsLike(() => formatRetryHint(null), TypeError, /formatRetryHint: expected an options object, got null/);

    const sock = () => ({ readyState: 1, closed: null, close(code, reason) { this.closed = { code, reason }; } });
    const two = [sock(), sock()];
    throwsLike(() => closeForRestart(undefined, { acceptPerSecond: 1 }), TypeError, /^server: expected a ws WebSocketServer or an iterable of its WebSockets, got undefined/);
    throwsLike(() => closeForRestart({ clients: undefined }, { acceptPerSecond: 1 }), TypeError, /^server: its `clients` is not a set of sockets \(a WebSocketServer made with clientTracking: false/);
    throwsLike(() => closeForRestart(two, { acceptPerSecond: 1, code: 1000 }), RangeError, /^code: expected one of 1012, 1013/);
    throwsLike(() => closeForRestart(two, { acceptPerSecond: 1, prefix: 7 }), TypeError, /^prefix: expected a string, got 7/);
    throwsLike(() => closeForRestart(two, { acceptPerSecond: 1, prefix: 'é'.repeat(50) }), RangeError, /^prefix: the reason .* is 129 bytes of UTF-8, over a close frame's 123/);
    throwsLike(() => closeForRestart(two, { acceptPerSecond: 1, reason: 'x' }), TypeError, /closeForRestart: unknown option "reason"/);
    throwsLike(() => closeForRestart(two, {}), TypeError, /^acceptPerSecond: expected a number/);
    assert.ok(two.every((s) => s.closed === null), 'nothing closed when an argument is wrong');
    // The longest prefix that fits, and a server given as its sockets (open ones only are closed).
    const prefix = 'p'.repeat(123 - ' retry-after=1000 window=2600'.length);
    const closing = { readyState: 2, close() { throw new Error('not open: must not be closed again'); } };
    const r = closeForRestart(new Set([...two, closing]), { acceptPerSecond: 1, prefix, code: 1013, spread: 'shared' });
    assert.equal(r.reason.length, 123);
    assert.deepEqual(two.map((s) => s.closed), [{ code: 1013, reason: r.reason }, { code: 1013, reason: r.reason }]);
    assert.equal(r.clients, 2);
    assert.equal(closeForRestart({ clients: new Set([sock()]) }, { acceptPerSecond: 1, clients: 50, spread: 'shared' }).window, 65000, 'clients: the whole fleet');
    // Slots: the longest reason (the last client's) must fit too.
    const slotted = [sock(), sock()];
    const s2 = closeForRestart(slotted, { acceptPerSecond: 1, downtimeMs: 5, reconnectDelay: 0 });
    assert.deepEqual(slotted.map((s) => s.closed.reason), ['retry-after=5 window=1050', 'retry-after=1055 window=1050']);
    assert.equal(s2.until, 2105);

    throwsLike(() => rejectUpgrade({}, { retryAfterSeconds: 1 }), TypeError, /^target: expected the socket of an 'upgrade' event, an http.ServerResponse or ws's verifyClient callback/);
    throwsLike(() => rejectUpgrade(() => {}, {}), TypeError, /^retryAfterSeconds: expected a number, got undefined/);
    throwsLike(() => rejectUpgrade(() => {}, { retryAfterSeconds: -1 }), RangeError, /^retryAfterSeconds: expected a finite number >= 0/);
    throwsLike(() => rejectUpgrade({ headersSent: true, writeHead() {}, end() {} }, { retryAfterSeconds: 1 }), TypeError, /already been answered/);
  });

  test('rejectUpgrade answers a plain http.ServerResponse with 503 and Retry-After', async (t) => {
    const server = http.createServer((req, res) => rejectUpgrade(res, { retryAfterSeconds: 7 }));
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise((resolve) => server.close(resolve)));
    const res = await new Promise((resolve, reject) => http.get(`http://127.0.0.1:${server.address().port}/`, resolve).on('error', reject));
    res.resume();
    assert.equal(res.statusCode, 503);
    assert.equal(res.headers['retry-after'], '7');
  });

  test('the CommonJS build: require("ws-lifeline/server") gives the same API', async () => {
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    const cjs = require('ws-lifeline/server');
    const esm = await import('ws-lifeline/server');
    assert.deepEqual(Object.keys(cjs).filter((k) => k !== '__esModule').sort(), Object.keys(esm).sort());
    assert.deepEqual(cjs.restartHint({ clients: 8, acceptPerSecond: 4 }), esm.restartHint({ clients: 8, acceptPerSecond: 4 }));
    assert.ok(!fs.existsSync(fileURLToPath(new URL('../miniprogram_dist/server', import.meta.url))), 'not in the mini-program build');
  });
});

// --- a mini-program's SocketTask (both builds) ---------------------------------------------------------

describe('mini-program SocketTask', () => {
  const ROOT = fileURLToPath(new URL('../miniprogram_dist', import.meta.url));
  const builds = [['js', async () => import('../js/index.js')]];
  if (fs.existsSync(`${ROOT}/index.js`)) {
    builds.push([
      'miniprogram_dist',
      async () => {
        const lib = createSandbox({ root: ROOT }).require('ws-lifeline');
        await lib.init();
        return lib;
      },
    ]);
  }
  for (const [build, load] of builds) {
    test(`[${build}] a 1012 close with a hint through a SocketTask`, async () => {
      const lib = await load();
      const fake = createMemoryApi('wx');
      const time = new FakeTime();
      const transport = lib.socketTaskTransport(fake.api, { flavor: 'wx' });
      const ll = new lib.Lifeline('wss://example.com/feed', { transport, ...time.options(), platform: null, pingInterval: Infinity, ...HINTED, seed: 9 });
      const events = [];
      for (const type of ['close', 'reconnecting']) ll.addEventListener(type, (e) => events.push({ type, ...e }));
      const turn = async () => {
        for (let i = 0; i < 4; i++) await new Promise((resolve) => setImmediate(resolve));
      };
      await turn();
      fake.tasks[0].open();
      await turn();
      assert.equal(ll.state, 'open');
      fake.tasks[0].remoteClose(1012, 'maintenance retry-after=6000 window=3000');
      await turn();
      const close = events.find((e) => e.type === 'close');
      assert.deepEqual([close.code, close.reason], [1012, 'maintenance retry-after=6000 window=3000']);
      const r = events.filter((e) => e.type === 'reconnecting');
      assert.equal(r.length, 1);
      assert.equal(r[0].attempt, 0);
      assert.ok(r[0].delay >= 6000 && r[0].delay < 9000, `delay ${r[0].delay}`);
      assert.equal(ll.stats.retries, 0);
      time.advance(Math.ceil(r[0].delay));
      await turn();
      assert.equal(fake.tasks.length, 2, 'the next task at the hinted time');
      ll.close();
      await turn();
    });
  }
});


// --- ws-lifeline/server: where the hints start, how many clients, failures ---------------------------

/** `n` fake open sockets, each recording its close. */
function fakeSockets(n, onClose = () => {}) {
  return Array.from({ length: n }, (_, i) => ({
    readyState: 1,
    closed: null,
    close(code, reason) {
      onClose(i, code, reason);
      this.closed = { code, reason };
    },
  }));
}
const startOf = (reason) => Number(/retry-after=(\d+)/.exec(reason)[1]);
const throwsLike = (fn, Type, pattern) => assert.throws(fn, (e) => e instanceof Type && pattern.test(e.message), String(pattern));

describe('ws-lifeline/server: the hints start at the clients\' reconnectDelay', () => {
  test('the default downtimeMs (0): slots and the shared hint start at the contract\'s reconnectDelay, not before', () => {
    const floor = CONTRACT.fields.find((f) => f.js === 'reconnectDelay').default;
    assert.equal(floor, DEFAULTS.reconnectDelay);
    const sockets = fakeSockets(3000);
    const r = closeForRestart(sockets, { acceptPerSecond: 1000 });
    assert.equal(r.retryAfter, floor);
    assert.equal(r.reason, `retry-after=${floor} window=2`);
    const starts = sockets.map((s) => startOf(s.closed.reason));
    assert.ok(starts.every((s) => s >= floor), 'no slot before reconnectDelay (the clients would move it there)');
    assert.equal(Math.max(...starts), Math.ceil(floor + 2999 * 1.05));
    assert.equal(r.until, Math.ceil(floor + 2999 * 1.05) + 2);
    assert.equal(restartHint({ clients: 10, acceptPerSecond: 1 }).retryAfter, floor);
    assert.equal(restartSlotHint({ index: 0, clients: 10, acceptPerSecond: 1 }).retryAfter, floor);
    // reconnectDelay: the clients' own; the later of it and downtimeMs.
    assert.equal(restartHint({ clients: 10, acceptPerSecond: 1, downtimeMs: 2000, reconnectDelay: 5000 }).retryAfter, 5000);
    assert.equal(restartHint({ clients: 10, acceptPerSecond: 1, downtimeMs: 7000, reconnectDelay: 5000 }).retryAfter, 7000);
    assert.equal(restartSlotHint({ index: 2, clients: 10, acceptPerSecond: 1, reconnectDelay: 0 }).retryAfter, 2100);
    assert.equal(closeForRestart(fakeSockets(1), { acceptPerSecond: 1, reconnectDelay: 250, spread: 'shared' }).reason, 'retry-after=250 window=1300');
    throwsLike(() => restartHint({ clients: 1, acceptPerSecond: 1, reconnectDelay: -1 }), RangeError, /^reconnectDelay: expected a finite number >= 0/);
    throwsLike(() => restartHint({ clients: 1, acceptPerSecond: 1, reconnectDelay: '5' }), TypeError, /^reconnectDelay: expected a number, got "5"/);
    throwsLike(() => restartHint({ clients: 1, acceptPerSecond: 1, reconnectDelay: 300000 }), RangeError, /^reconnectDelay: expected less than maxHintDelay \(300000/);
  });

  test('through the core: 500 clients closed at 500 a second come back at most 50 in any 100 ms (its capacity)', async (t) => {
    const rigs = [];
    for (let seed = 1; seed <= 500; seed++) rigs.push(await opened(t, { seed, reconnectDelay: DEFAULTS.reconnectDelay }));
    const sockets = rigs.map((r) => ({ readyState: 1, close: (code, reason) => r.transport.last.remoteClose(code, reason, true) }));
    closeForRestart(sockets, { acceptPerSecond: 500 });
    const bins = new Map();
    for (const r of rigs) {
      const b = Math.floor(hintedDelay(r.events) / 100);
      bins.set(b, (bins.get(b) ?? 0) + 1);
    }
    const busiest = Math.max(...bins.values());
    assert.ok(busiest <= 50, `busiest 100 ms: ${busiest} clients (capacity 50)`);
  });
});

describe('closeForRestart: clients, offset, no sockets, failures', () => {
  test('clients: a whole number, at least the open sockets (fewer would pile the rest onto the last slot)', () => {
    const two = fakeSockets(2);
    throwsLike(() => closeForRestart(two, { acceptPerSecond: 1, clients: 1 }), RangeError, /^clients: expected a whole number >= 2 \(the open sockets/);
    throwsLike(() => closeForRestart(two, { acceptPerSecond: 1, clients: 0 }), RangeError, /^clients: expected a whole number >= 2/);
    throwsLike(() => closeForRestart(two, { acceptPerSecond: 1, clients: -1 }), RangeError, /^clients: expected a whole number >= 0, got -1/);
    throwsLike(() => closeForRestart(two, { acceptPerSecond: 1, clients: 2.5 }), RangeError, /^clients: expected a whole number >= 0, got 2.5/);
    throwsLike(() => closeForRestart(two, { acceptPerSecond: 1, clients: '5' }), TypeError, /^clients: expected a number, got "5"/);
    throwsLike(() => closeForRestart(two, { acceptPerSecond: 1, offset: -1 }), RangeError, /^offset: expected a whole number >= 0, got -1/);
    throwsLike(() => closeForRestart(two, { acceptPerSecond: 1, offset: '1' }), TypeError, /^offset: expected a number, got "1"/);
    throwsLike(() => closeForRestart(two, { acceptPerSecond: 1, clients: 10, offset: 9 }), RangeError, /^offset: expected at most clients - the open sockets \(8\), got 9/);
    throwsLike(() => closeForRestart(two, { acceptPerSecond: 1, offset: 1 }), RangeError, /^offset: expected at most clients - the open sockets \(0\), got 1/);
    assert.ok(two.every((s) => s.closed === null), 'nothing closed');
  });

  test('offset: processes sharing one accept rate take consecutive slots, as one process would', () => {
    const one = fakeSockets(12);
    closeForRestart(one, { acceptPerSecond: 100, downtimeMs: 5000 });
    const fleet = [];
    let offset = 0;
    for (let p = 0; p < 4; p++) {
      const own = fakeSockets(3);
      const r = closeForRestart(own, { acceptPerSecond: 100, downtimeMs: 5000, clients: 12, offset });
      assert.equal(r.retryAfter, startOf(own[0].closed.reason));
      assert.equal(r.until, startOf(own[2].closed.reason) + r.window);
      offset += own.length;
      fleet.push(...own);
    }
    assert.deepEqual(fleet.map((s) => s.closed.reason), one.map((s) => s.closed.reason));
    assert.equal(new Set(fleet.map((s) => s.closed.reason)).size, 12, 'a slot each');
  });

  test('no open socket: nothing closed, a result for zero clients', () => {
    const floor = DEFAULTS.reconnectDelay;
    const empty = { code: 1012, spread: 'slots', reason: '', retryAfter: floor, window: 0, until: floor, capped: false, clients: 0, failed: [] };
    assert.deepEqual(closeForRestart([], { acceptPerSecond: 1 }), empty);
    assert.deepEqual(closeForRestart({ clients: new Set([{ readyState: 3, close() { throw new Error('closed'); } }]) }, { acceptPerSecond: 1, downtimeMs: 4000, spread: 'shared', clients: 50 }), {
      ...empty, spread: 'shared', retryAfter: 4000, until: 4000,
    });
  });

  test('a socket whose close() throws: every other socket is still closed, the failure reported', () => {
    const boom = new Error('boom');
    const sockets = fakeSockets(4, (i) => {
      if (i === 1) throw boom;
    });
    const r = closeForRestart(new Set(sockets), { acceptPerSecond: 1000, downtimeMs: 2000 });
    assert.deepEqual(sockets.map((s) => s.closed?.code ?? null), [1012, null, 1012, 1012]);
    assert.equal(r.clients, 4);
    assert.deepEqual(r.failed, [{ index: 1, socket: sockets[1], error: boom }]);
    assert.equal(startOf(sockets[3].closed.reason), Math.ceil(2000 + 3 * 1.05), 'the slots as if all had closed');
  });

  test('downtimeMs past the hint\'s 10 digits is named, and retryAfterSeconds past them is refused', () => {
    throwsLike(() => closeForRestart(fakeSockets(2), { acceptPerSecond: 1, downtimeMs: 2e10, maxHintDelay: 1e11 }), RangeError, /^downtimeMs: expected a finite number >= 0 and <= 9999999999, got 20000000000/);
    throwsLike(() => restartHint({ clients: 1, acceptPerSecond: 1, downtimeMs: 1e10, maxHintDelay: 1e11 }), RangeError, /^downtimeMs: /);
    // A maxHintDelay past the 10 digits: the hints still fit them.
    const far = restartSlotHint({ index: 99999, clients: 1e5, acceptPerSecond: 0.001, maxHintDelay: 1e12 });
    assert.equal(far.capped, true);
    assert.ok(far.retryAfter + far.window <= 1e10, JSON.stringify(far));
    const max = Math.floor((10 ** CONTRACT.hint.maxDigits - 1) / 1000);
    assert.equal(max, 9999999);
    for (const bad of [1e21, max + 0.5, Infinity]) {
      throwsLike(() => rejectUpgrade(() => {}, { retryAfterSeconds: bad }), RangeError, /^retryAfterSeconds: expected a finite number >= 0 and <= 9999999, got /);
    }
    let headers;
    rejectUpgrade((ok, status, text, h) => (headers = h), { retryAfterSeconds: max });
    assert.deepEqual(headers, { 'Retry-After': '9999999' });
  });

  test('the README\'s example prints what closeForRestart sends', () => {
    const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Servers steer the herd'), readme.indexOf('## The seed pattern'));
    const call = /closeForRestart\(wss, (\{ acceptPerSecond: 1000, downtimeMs: 4000, prefix: 'deploy' \})\)/.exec(section);
    assert.ok(call, 'the example call');
    const sockets = fakeSockets(20000);
    const r = closeForRestart(sockets, { acceptPerSecond: 1000, downtimeMs: 4000, prefix: 'deploy' });
    const shared = closeForRestart(fakeSockets(20000), { acceptPerSecond: 1000, downtimeMs: 4000, prefix: 'deploy', spread: 'shared' });
    for (const reason of [r.reason, sockets.at(-1).closed.reason, shared.reason]) assert.ok(section.includes(`"${reason}"`), `the README says "${reason}"`);
    assert.ok(!/× 1\.25|1\.25 headroom/.test(section), 'no stale headroom');
    assert.ok(!/one attempt per `?reconnectDelay`? on every connect/.test(section), 'no stale rule');
  });
});

describe('Retry-After edge values', () => {
  test('retryAfterMs: a date that does not exist is not a date', () => {
    const now = Date.UTC(2026, 0, 1);
    for (const v of ['Mon, 31 Feb 2026 19:01:00 GMT', 'Thu, 31 Apr 2026 00:00:00 GMT', 'Sun, 29 Feb 2026 00:00:00 GMT', 'Sun, 00 Mar 2026 00:00:00 GMT',
      'Monday, 31-Feb-26 19:01:00 GMT', 'Mon Feb 31 19:01:00 2026', 'Xyz, 03 Dec 2026 19:01:00 GMT', 'Thu, 03 Dec 2026 19:60:00 GMT', 'Thu, 03 Dec 99999 19:01:00 GMT']) {
      assert.ok(Number.isNaN(retryAfterMs(v, now)), `${v}: NaN, got ${retryAfterMs(v, now)}`);
    }
    assert.equal(retryAfterMs('Sat, 29 Feb 2020 00:00:00 GMT', Date.UTC(2020, 1, 28)), 86400000, 'a leap day is a date');
    assert.equal(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now), 5000);
  });

  test('retryAfter Infinity from a transport: very long, as a huge header (cut to maxHintDelay), not none', async (t) => {
    const delays = [];
    for (const retryAfter of [Infinity, Number.MAX_VALUE]) {
      const { transport, events, ll } = await started(t, { ...HINTED, seed: 4 });
      transport.last.handlers.error('503', retryAfter);
      delays.push(hintedDelay(events));
      assert.equal(ll.stats.retries, 0);
    }
    assert.equal(delays[0], delays[1]);
    assert.ok(delays[0] >= HINTED.maxHintDelay - HINTED.restartWindow && delays[0] <= HINTED.maxHintDelay, `delay ${delays[0]}`);
  });
});
