// The learnt pong deadline (adaptivePongTimeout) through the shim:
//   node --test wasm-tests/adaptive.test.mjs
//
// First on fakes (FakeTime, FakeTransport: time moves only when a test says so, so every instant
// below is exact and computed from the core's rules): RFC 6298's estimate after 3 pongs, the floor,
// the one extra probe a missed learnt deadline earns (twice the wait, never past pongTimeout from
// the first ping), the verdict, a slow pong survived, opt-in, option validation.
// Then over real sockets through the fault proxy, time scaled 1/20, on a link whose rtt wanders
// between 15 and 100 ms (300 to 2,000 ms at seed scale): no pong-timeout verdict while it is
// healthy, and a verdict reached through the learnt path once it is blackholed. Nothing asserts a
// wall-clock duration; waits are event-driven with timeout guards that only matter on failure.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { init, Lifeline } from '../js/index.js';
import { URL_, opened } from './support/rig.mjs';
import { startFaultProxy } from '../scripts/testbed/fault-proxy.mjs';
import { startTestServer } from '../scripts/testbed/test-server.mjs';

before(async () => {
  await init();
});

const SEED = Object.freeze({ pingInterval: 10000, pongTimeout: 10000, adaptivePongTimeout: true }); // minPongTimeout: its default, 400
const FLOOR = 400;

/** RFC 6298 (alpha 1/8, beta 1/4) over `rtts`: what the core should have learnt. */
function rfc6298(rtts) {
  let srtt = 0;
  let rttvar = 0;
  rtts.forEach((r, i) => {
    if (i === 0) {
      srtt = r;
      rttvar = r / 2;
    } else {
      rttvar = 0.75 * rttvar + 0.25 * Math.abs(srtt - r);
      srtt = 0.875 * srtt + 0.125 * r;
    }
  });
  return { srtt, rttvar, wait: (min, max) => Math.min(max, Math.max(min, srtt + 4 * rttvar)) };
}

/** The times of the pings socket `s` was sent. */
const pingTimes = (s) => s.sentAt.filter((x) => x.data === 'ping').map((x) => x.at);

/**
 * `n` heartbeats on the open socket `s`: each ping goes out pingInterval after the last life, and
 * its pong comes `rtt` later. Returns the time of the last pong.
 */
function heartbeats(time, s, n, rtt, pingInterval = SEED.pingInterval) {
  for (let i = 0; i < n; i++) {
    const before = pingTimes(s).length;
    time.advance(pingInterval);
    assert.equal(pingTimes(s).length, before + 1, `ping ${i + 1} went out`);
    time.advance(rtt);
    s.message('pong');
  }
  return time.now();
}

describe('learnt pong deadline, on fakes', () => {
  test('a 20 ms link: after 3 pongs the wait is the floor (400) and smoothedRtt is 20', async (t) => {
    const { ll, transport, time } = await opened(t, SEED);
    const s = transport.last;
    assert.equal(ll.stats.smoothedRtt, null, 'nothing measured yet');
    assert.equal(ll.stats.pongWait, SEED.pongTimeout, 'pongTimeout until something is learnt');
    heartbeats(time, s, 2, 20);
    assert.equal(ll.stats.smoothedRtt, 20);
    assert.equal(ll.stats.pongWait, SEED.pongTimeout, 'two pongs are not enough to learn from');
    heartbeats(time, s, 1, 20);
    assert.equal(ll.stats.pongsReceived, 3);
    assert.equal(ll.stats.smoothedRtt, 20);
    assert.equal(ll.stats.pongWait, FLOOR, `20 + 4 x ${rfc6298([20, 20, 20]).rttvar} is below the floor`);
    // The next ping is given that wait: its deadline is the only timer armed.
    const lastPong = time.now();
    time.advance(SEED.pingInterval);
    assert.deepEqual(pingTimes(s).slice(-1), [lastPong + SEED.pingInterval]);
    assert.equal(time.nextAt(), lastPong + SEED.pingInterval + FLOOR);
  });

  test('silence after a learnt 400: one probe at the deadline, the verdict 800 later', async (t) => {
    const { ll, transport, time, events } = await opened(t, SEED);
    const s = transport.last;
    const lastPong = heartbeats(time, s, 4, 20);
    assert.equal(ll.stats.pongWait, FLOOR);
    const pingsBefore = pingTimes(s).length;
    const ping = lastPong + SEED.pingInterval;
    const verdictAt = ping + FLOOR + 2 * FLOOR; // pingInterval + 400 + 800 after the last pong
    time.advanceTo(verdictAt - 1);
    // Exactly two more pings: the regular one and the probe at its missed deadline.
    assert.deepEqual(pingTimes(s).slice(pingsBefore), [ping, ping + FLOOR]);
    assert.equal(ll.stats.deadlineMisses, 1, 'the probe is out');
    assert.equal(events.of('close').length, 0, 'no verdict a millisecond early');
    time.advance(1);
    const closes = events.of('close');
    assert.equal(closes.length, 1, `the verdict at pingInterval + 1200 after the last pong (events: ${events.types().join(', ')})`);
    assert.equal(closes[0].cause, 'pong-timeout');
    assert.equal(closes[0].code, 4000);
    assert.equal(closes[0].willReconnect, true);
    assert.notEqual(s.closed, null, 'the socket is let go');
    assert.equal(ll.stats.deadlineMisses, 1);
    assert.equal(ll.stats.deadLinks, 1);
    time.advance(SEED.pongTimeout); // nothing more on that socket
    assert.deepEqual(pingTimes(s).slice(pingsBefore), [ping, ping + FLOOR]);
  });

  test('one slow pong (1,000 ms) after a 20 ms history is survived, and widens the wait', async (t) => {
    const { ll, transport, time, events } = await opened(t, SEED);
    const s = transport.last;
    heartbeats(time, s, 4, 20);
    assert.equal(ll.stats.pongWait, FLOOR);
    const ping = time.now() + SEED.pingInterval;
    time.advance(SEED.pingInterval);
    time.advance(1000); // the learnt 400 passes at ping + 400: the probe goes out
    assert.deepEqual(pingTimes(s).slice(-2), [ping, ping + FLOOR], 'the probe went out at the missed deadline');
    assert.equal(ll.stats.deadlineMisses, 1);
    s.message('pong'); // the first ping's pong, 1,000 ms after it
    time.advance(FLOOR);
    s.message('pong'); // the probe's
    time.advance(5000);
    assert.equal(events.of('close').length, 0, 'no verdict');
    assert.equal(ll.state, 'open');
    assert.equal(ll.stats.deadLinks, 0);
    assert.equal(ll.stats.deadlineMisses, 1);
    assert.equal(ll.stats.lastRtt, 1000, 'measured from the first ping of the pair');
    const learnt = rfc6298([20, 20, 20, 20, 1000]);
    assert.equal(ll.stats.smoothedRtt, learnt.srtt);
    assert.equal(ll.stats.pongWait, learnt.wait(FLOOR, SEED.pongTimeout));
    assert.ok(ll.stats.pongWait > 1000, `the wait widened past the slow rtt (${ll.stats.pongWait})`);
    const heartbeatRtts = events.of('heartbeat').map((e) => e.rtt);
    assert.deepEqual(heartbeatRtts, [20, 20, 20, 20, 1000]);
  });

  test('adaptivePongTimeout: false keeps pongTimeout, measures all the same, and never probes', async (t) => {
    const { ll, transport, time, events } = await opened(t, { ...SEED, adaptivePongTimeout: false });
    const s = transport.last;
    const lastPong = heartbeats(time, s, 5, 20);
    assert.equal(ll.stats.smoothedRtt, 20);
    assert.equal(ll.stats.pongWait, SEED.pongTimeout);
    const pingsBefore = pingTimes(s).length;
    time.advanceTo(lastPong + SEED.pingInterval + SEED.pongTimeout - 1);
    assert.equal(events.of('close').length, 0);
    time.advance(1);
    assert.deepEqual(pingTimes(s).slice(pingsBefore), [lastPong + SEED.pingInterval], 'no probe');
    assert.equal(events.of('close').length, 1);
    assert.equal(events.of('close')[0].cause, 'pong-timeout');
    assert.equal(ll.stats.deadlineMisses, 0);
    assert.equal(ll.stats.deadLinks, 1);
  });

  test('the probe never waits past pongTimeout from the first ping', async (t) => {
    // pongTimeout 1,000 and a learnt 600: the probe at 600 would wait 1,200 more; it gets 400.
    const o = { ...SEED, pongTimeout: 1000, minPongTimeout: 600 };
    const { ll, transport, time, events } = await opened(t, o);
    const s = transport.last;
    const lastPong = heartbeats(time, s, 3, 20);
    assert.equal(ll.stats.pongWait, 600);
    const ping = lastPong + o.pingInterval;
    time.advanceTo(ping + o.pongTimeout - 1);
    assert.deepEqual(pingTimes(s).slice(-2), [ping, ping + 600]);
    assert.equal(events.of('close').length, 0);
    time.advance(1);
    assert.equal(events.of('close').length, 1);
    assert.equal(events.of('close')[0].cause, 'pong-timeout');
  });

  test('option validation names minPongTimeout and adaptivePongTimeout', () => {
    for (const value of [-1, NaN, -Infinity]) {
      assert.throws(() => new Lifeline(URL_, { minPongTimeout: value }), { name: 'RangeError', message: /^options\.minPongTimeout: / }, String(value));
    }
    for (const value of ['x', '400', null, {}]) {
      assert.throws(() => new Lifeline(URL_, { minPongTimeout: /** @type {any} */ (value) }), { name: 'TypeError', message: /^options\.minPongTimeout: / }, String(value));
    }
    for (const value of ['yes', 1, null]) {
      assert.throws(() => new Lifeline(URL_, { adaptivePongTimeout: /** @type {any} */ (value) }), { name: 'TypeError', message: /^options\.adaptivePongTimeout: / }, String(value));
    }
  });
});

// --- real sockets ----------------------------------------------------------------------------------

// 1/20 of the seed scale: a ping every 500 ms, pongTimeout 500, the floor 20; the link's rtt
// 15 + [0, 85) ms (300 to 2,000 ms at seed scale). timerSlack scaled too (2,000 / 20).
const SCALE = 1 / 20;
const REAL = Object.freeze({
  pingInterval: 10000 * SCALE,
  pongTimeout: 10000 * SCALE,
  minPongTimeout: 400 * SCALE,
  timerSlack: 2000 * SCALE,
  adaptivePongTimeout: true,
  reconnectDelay: 50,
  maxReconnectDelay: 200,
  connectTimeout: 1000,
  platform: null,
});
const LINK = Object.freeze({ latencyMs: 300 * SCALE, jitterMs: (2000 - 300) * SCALE });
const CLIENTS = 4;
const SOAK_MS = Number(process.env.ADAPTIVE_TEST_SOAK_MS ?? 15000);
const GUARD = 10000; // timeout guard (failure only)

async function waitFor(predicate, what, timeoutMs = GUARD) {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(10);
  }
}

test('real sockets, a jittered link (1/20 scale): no false verdict; blackholed: a verdict through the learnt path', async (t) => {
  const clients = [];
  /** @type {any} */
  let proxy = null;
  const server = await startTestServer();
  t.after(async () => {
    for (const c of clients) c.ll.close();
    await proxy?.close();
    await server.close();
  });
  // Throttled after the start: startFaultProxy({ throttle }) passes its resolved settings (with
  // chunkBytes: Infinity) back through setThrottle(), which refuses them.
  proxy = await startFaultProxy({ targetPort: server.port });
  proxy.setThrottle(LINK);
  for (let i = 0; i < CLIENTS; i++) {
    const ll = new Lifeline(proxy.url(`/adaptive-${i}`), { ...REAL, seed: 100 + i });
    const c = { ll, closes: [], rtts: [], waits: [] };
    ll.addEventListener('close', (e) => c.closes.push({ code: e.code, cause: e.cause, stats: ll.stats }));
    ll.addEventListener('heartbeat', (e) => {
      c.rtts.push(e.rtt);
      c.waits.push(ll.stats.pongWait);
    });
    clients.push(c);
  }
  await waitFor(() => clients.every((c) => c.ll.stats.pongsReceived >= 3), 'every client learnt from 3 pongs');
  await sleep(SOAK_MS);
  const summary = clients.map((c, i) => {
    const s = c.ll.stats;
    return `#${i}: ${s.pingsSent} pings, ${s.pongsReceived} pongs, ${s.deadlineMisses} misses, ${s.lateTimers} late timers, rtt ${Math.round(Math.min(...c.rtts))}..${Math.round(Math.max(...c.rtts))}, wait ${Math.round(Math.min(...c.waits.slice(2)))}..${Math.round(Math.max(...c.waits.slice(2)))}`;
  });
  t.diagnostic(`healthy jittered link for ${SOAK_MS} ms: ${summary.join('; ')}`);
  for (const [i, c] of clients.entries()) {
    assert.deepEqual(c.closes, [], `client #${i} never closed on a healthy link (${summary[i]})`);
    assert.equal(c.ll.stats.deadLinks, 0);
    assert.equal(c.ll.state, 'open');
    assert.equal(c.ll.stats.connects, 1);
    assert.ok(c.ll.stats.pongWait < REAL.pongTimeout, `client #${i} waits what it learnt (${c.ll.stats.pongWait}), not pongTimeout`);
  }

  // The link dies half-open: every client reaches the verdict, having probed a missed learnt deadline.
  await proxy.setMode('blackhole');
  await waitFor(() => clients.every((c) => c.closes.length >= 1), 'a verdict on every client');
  for (const [i, c] of clients.entries()) {
    assert.equal(c.closes[0].cause, 'pong-timeout', `client #${i}`);
    assert.equal(c.closes[0].code, 4000);
    assert.ok(c.closes[0].stats.deadlineMisses >= 1, `client #${i} probed a missed learnt deadline first (${c.closes[0].stats.deadlineMisses})`);
    assert.equal(c.closes[0].stats.deadLinks, 1);
  }
});
