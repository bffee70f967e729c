// The learnt pong deadline (adaptivePongTimeout, issue 11) over real sockets through the fault
// proxy, time scaled (default 1/10: pingInterval 1,000 ms, pongTimeout 1,000, minPongTimeout 40,
// timerSlack 200; a 300-2,000 ms link is latencyMs 30 + jitterMs 170):
//
//   jittered: K Lifelines with adaptivePongTimeout and K with the fixed deadline share one proxy
//             whose server->client bytes take latency + uniform[0, jitter); for several real
//             minutes. The link stays healthy, so every pong-timeout verdict is a false one.
//   half-open: a 20 ms link (2 ms scaled); per trial one client of each kind, each behind a fresh
//             proxy (a blackholed connection never revives); after 6 heartbeats the proxy is
//             blackholed right after a pong arrives (the worst case: a full pingInterval before
//             the next ping), and the time to the pong-timeout verdict is measured.
//
//   node bench/run.mjs --only=adaptive --no-chromium
//   ADAPTIVE_JITTER_SECONDS=20 ADAPTIVE_TRIALS=2 node bench/run.mjs --only=adaptive --no-chromium   (quick)
//
// The far end (server, proxies) runs in a child process (link.mjs); the clients run here. Nothing
// is asserted: the results go to BENCHMARKS.md (report.mjs's section, from ./report.mjs).
import { fork } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { init, Lifeline } from '../../js/index.js';
import { log, sleep, wallNow } from '../lib/util.mjs';

const SEED_TIMINGS = Object.freeze({
  pingInterval: 10000,
  pongTimeout: 10000,
  minPongTimeout: 400,
  timerSlack: 2000,
  reconnectDelay: 1000,
  maxReconnectDelay: 30000,
  connectTimeout: 10000,
  minUptime: 5000,
});
// The links at seed scale: rtt 300 to 2,000 ms (the issue's), and 20 ms.
const SEED_JITTER_LINK = Object.freeze({ latencyMs: 300, jitterMs: 1700 });
const SEED_FAST_LINK = Object.freeze({ latencyMs: 20, jitterMs: 0 });
const HEARTBEATS_BEFORE_DEATH = 6;

const envNumber = (name, fallback) => {
  const v = Number(process.env[name]);
  return process.env[name] !== undefined && Number.isFinite(v) && v > 0 ? v : fallback;
};

/** The Lifeline options at `scale`, with or without the learnt deadline. */
export function scaledOptions(scale, adaptive) {
  const o = {};
  for (const [k, v] of Object.entries(SEED_TIMINGS)) o[k] = v * scale;
  return { ...o, adaptivePongTimeout: adaptive, platform: null };
}

const scaleLink = (link, scale) => ({ latencyMs: link.latencyMs * scale, jitterMs: link.jitterMs * scale });

/** The link process: server and proxies, over IPC. */
async function startLink() {
  const child = fork(fileURLToPath(new URL('./link.mjs', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map();
  let nextId = 1;
  await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`link process exited (${code}) before it was ready`)));
    child.on('message', function first(msg) {
      if (msg.ready) {
        child.off('message', first);
        resolve();
      }
    });
  });
  child.on('message', (msg) => {
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(new Error(`link: ${msg.error}`));
    else p.resolve(msg);
  });
  const call = (msg) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, ...msg });
    });
  return {
    proxy: (throttle) => call({ op: 'proxy', throttle }),
    mode: (key, mode) => call({ op: 'mode', key, mode }),
    stats: (key) => call({ op: 'stats', key }),
    close: (key) => call({ op: 'close', key }),
    async exit() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const { lag } = await call({ op: 'exit' });
      await Promise.race([exited, sleep(5000)]);
      if (child.exitCode === null) child.kill();
      return lag;
    },
    kill: () => child.exitCode === null && child.kill(),
  };
}

// --- statistics ------------------------------------------------------------------------------------

function summary(values) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return { n: 0, mean: null, min: null, p50: null, p99: null, max: null };
  const q = (p) => v[Math.min(v.length - 1, Math.floor(p * v.length))];
  return { n: v.length, mean: v.reduce((a, b) => a + b, 0) / v.length, min: v[0], p50: q(0.5), p99: q(0.99), max: v.at(-1) };
}

// monitorEventLoopDelay's samples include its own period (RESOLUTION): what is left is the delay.
const RESOLUTION = 10;
const lagSummary = (h) => ({ meanMs: h.mean / 1e6 - RESOLUTION, p99Ms: h.percentile(99) / 1e6 - RESOLUTION, maxMs: h.max / 1e6 - RESOLUTION });

// --- one client ------------------------------------------------------------------------------------

/**
 * A Lifeline to `port` that records its heartbeats (rtt, and the wait the next ping gets), opens
 * and closes, each stamped with wall time.
 */
function client(port, options, name) {
  const ll = new Lifeline(`ws://127.0.0.1:${port}/${name}`, options);
  const c = { name, ll, heartbeats: [], closes: [], opens: [], pongsOnSocket: 0 };
  ll.addEventListener('open', () => {
    c.opens.push(wallNow());
    c.pongsOnSocket = 0;
  });
  ll.addEventListener('heartbeat', (e) => {
    c.pongsOnSocket++;
    // pongWait after this pong: what the next ping waits; learnt from the 3rd pong of a socket on.
    c.heartbeats.push({ t: wallNow(), rtt: e.rtt, wait: ll.stats.pongWait, learnt: c.pongsOnSocket >= 3 });
  });
  ll.addEventListener('close', (e) => {
    const s = ll.stats;
    c.closes.push({
      t: wallNow(),
      code: e.code,
      cause: e.cause,
      stats: { pingsSent: s.pingsSent, pongsReceived: s.pongsReceived, deadlineMisses: s.deadlineMisses, deadLinks: s.deadLinks, lateTimers: s.lateTimers },
      // What it had seen just before: for a false verdict, the numbers to report.
      recent: c.heartbeats.slice(-6).map((h) => ({ rtt: Math.round(h.rtt), wait: Math.round(h.wait) })),
    });
  });
  return c;
}

// --- jittered link ---------------------------------------------------------------------------------

async function jittered(link, { scale, clients, seconds }) {
  const throttle = scaleLink(SEED_JITTER_LINK, scale);
  const { port, key } = await link.proxy(throttle);
  const lag = monitorEventLoopDelay({ resolution: RESOLUTION });
  lag.enable();
  const kinds = { adaptive: true, fixed: false };
  const all = {};
  for (const [kind, adaptive] of Object.entries(kinds)) {
    all[kind] = [];
    for (let i = 0; i < clients; i++) all[kind].push(client(port, { ...scaledOptions(scale, adaptive), seed: 1000 + i }, `${kind}-${i}`));
  }
  const t0 = wallNow();
  log(`adaptive: jittered link (latency ${throttle.latencyMs} + jitter [0, ${throttle.jitterMs}) ms), ${clients} + ${clients} clients, ${seconds} s`);
  for (let s = 0; s < seconds; s += 30) {
    await sleep(Math.min(30, seconds - s) * 1000);
    const v = all.adaptive.reduce((a, c) => a + c.closes.filter((x) => x.cause === 'pong-timeout').length, 0);
    const f = all.fixed.reduce((a, c) => a + c.closes.filter((x) => x.cause === 'pong-timeout').length, 0);
    log(`adaptive: jittered ${Math.min(seconds, s + 30)}/${seconds} s: pong-timeout verdicts adaptive ${v}, fixed ${f}`);
  }
  const realMs = wallNow() - t0;
  lag.disable();
  const proxyStats = (await link.stats(key)).stats;
  const result = { throttle, clients, realMs, seedMs: realMs / scale, lag: lagSummary(lag), proxy: proxyStats, kinds: {} };
  for (const [kind, list] of Object.entries(all)) {
    const stats = list.map((c) => c.ll.stats);
    const sum = (k) => stats.reduce((a, s) => a + s[k], 0);
    for (const c of list) c.ll.close();
    const beats = list.flatMap((c) => c.heartbeats);
    const verdicts = list.flatMap((c) => c.closes.filter((x) => x.cause === 'pong-timeout').map((x) => ({ client: c.name, atMs: x.t - t0, ...x })));
    const otherCloses = list.flatMap((c) => c.closes.filter((x) => x.cause !== 'pong-timeout' && x.t - t0 < realMs).map((x) => ({ client: c.name, atMs: x.t - t0, code: x.code, cause: x.cause })));
    result.kinds[kind] = {
      pingsSent: sum('pingsSent'),
      pongsReceived: sum('pongsReceived'),
      deadlineMisses: sum('deadlineMisses'),
      deadLinks: sum('deadLinks'),
      lateTimers: sum('lateTimers'),
      connects: sum('connects'),
      falseVerdicts: verdicts.length,
      verdicts,
      otherCloses,
      rtt: summary(beats.map((h) => h.rtt)),
      // The waits in force once learnt (adaptive); the fixed kind always waits pongTimeout.
      pongWait: summary(beats.filter((h) => h.learnt).map((h) => h.wait)),
    };
  }
  await link.close(key);
  return result;
}

// --- half-open on a fast link ----------------------------------------------------------------------

/** One client behind its own fresh proxy: heartbeats, then the blackhole right after a pong. */
async function halfOpenTrial(link, { scale, adaptive, name }) {
  const options = scaledOptions(scale, adaptive);
  const { port, key } = await link.proxy(scaleLink(SEED_FAST_LINK, scale));
  const c = client(port, { ...options, seed: 7 }, name);
  const guard = HEARTBEATS_BEFORE_DEATH * (options.pingInterval + 500) + 10000;
  try {
    // Blackholed from inside the heartbeat listener, as soon as the pong is delivered.
    const death = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name}: ${c.heartbeats.length} heartbeats within ${guard} ms`)), guard);
      const onBeat = () => {
        if (c.heartbeats.length < HEARTBEATS_BEFORE_DEATH) return;
        c.ll.removeEventListener('heartbeat', onBeat);
        clearTimeout(timer);
        const lastPong = c.heartbeats.at(-1).t;
        link.mode(key, 'blackhole').then(({ at }) => resolve({ at, lastPong }), reject);
      };
      c.ll.addEventListener('heartbeat', onBeat);
    });
    const before = c.ll.stats;
    const closeGuard = options.pingInterval + options.pongTimeout + 10000;
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name}: no verdict within ${closeGuard} ms of the blackhole`)), closeGuard);
      const check = () => {
        if (c.closes.some((x) => x.t >= death.at)) {
          clearTimeout(timer);
          resolve();
        } else setTimeout(check, 5);
      };
      check();
    });
    const verdict = c.closes.find((x) => x.t >= death.at);
    return {
      cause: verdict.cause,
      detectedMs: verdict.t - death.at, // from the blackhole to the close event
      afterLastPongMs: verdict.t - death.lastPong, // = pingInterval + Y
      overIntervalMs: verdict.t - death.lastPong - options.pingInterval, // Y
      rtt: summary(c.heartbeats.map((h) => h.rtt)).mean,
      pongWait: before.pongWait,
      deadlineMisses: verdict.stats.deadlineMisses - before.deadlineMisses,
      probes: verdict.stats.pingsSent - before.pingsSent, // pings after the death: the regular one (+ the probe)
      lateTimers: verdict.stats.lateTimers,
    };
  } finally {
    c.ll.close();
    await link.close(key);
  }
}

async function halfOpen(link, { scale, trials }) {
  const kinds = { adaptive: true, fixed: false };
  const result = { throttle: scaleLink(SEED_FAST_LINK, scale), trials, heartbeatsBefore: HEARTBEATS_BEFORE_DEATH, kinds: {} };
  for (const kind of Object.keys(kinds)) result.kinds[kind] = { trials: [] };
  for (let i = 0; i < trials; i++) {
    // One client of each kind at a time, side by side.
    const pair = await Promise.all(Object.entries(kinds).map(([kind, adaptive]) => halfOpenTrial(link, { scale, adaptive, name: `${kind}-half-open-${i}` })));
    Object.keys(kinds).forEach((kind, j) => result.kinds[kind].trials.push(pair[j]));
    log(`adaptive: half-open trial ${i + 1}/${trials}: verdict ${pair.map((p, j) => `${Object.keys(kinds)[j]} ${p.detectedMs.toFixed(0)} ms (pingInterval + ${p.overIntervalMs.toFixed(0)})`).join(', ')}`);
  }
  for (const k of Object.values(result.kinds)) {
    k.detectedMs = summary(k.trials.map((x) => x.detectedMs));
    k.overIntervalMs = summary(k.trials.map((x) => x.overIntervalMs));
  }
  return result;
}

// --- the phase -------------------------------------------------------------------------------------

/**
 * @param {{ scale?: number, clients?: number, jitterSeconds?: number, trials?: number }} [o]
 *   defaults: scale 1/10, ADAPTIVE_CLIENTS or 8 per kind, ADAPTIVE_JITTER_SECONDS or 180,
 *   ADAPTIVE_TRIALS or 5
 */
export async function runAdaptive({
  scale = 1 / 10,
  clients = envNumber('ADAPTIVE_CLIENTS', 8),
  jitterSeconds = envNumber('ADAPTIVE_JITTER_SECONDS', 180),
  trials = envNumber('ADAPTIVE_TRIALS', 5),
} = {}) {
  const t0 = performance.now();
  await init();
  const link = await startLink();
  try {
    const options = { adaptive: scaledOptions(scale, true), fixed: scaledOptions(scale, false) };
    const halfOpenResult = await halfOpen(link, { scale, trials });
    const jitteredResult = await jittered(link, { scale, clients, seconds: jitterSeconds });
    const linkLag = await link.exit();
    return {
      scale,
      seed: { ...SEED_TIMINGS, jitterLink: SEED_JITTER_LINK, fastLink: SEED_FAST_LINK },
      options,
      goals: { halfOpenSeedMs: SEED_TIMINGS.pingInterval + 1500, falseVerdicts: 0 },
      env: { clients, jitterSeconds, trials },
      jittered: { ...jitteredResult, linkLag },
      halfOpen: halfOpenResult,
      realSeconds: (performance.now() - t0) / 1000,
    };
  } finally {
    link.kill();
  }
}
