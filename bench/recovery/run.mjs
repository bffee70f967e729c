// Recovery: real sockets, a `ws` server behind the fault proxy per client, time scaled down.
//
// Every client kind (clients.mjs) runs in Node (one process per kind, ws's WebSocket) and in
// headless Chromium (one page, the browser's WebSocket). Each (runtime, scenario, kind, instance)
// has its own server and proxy, so faults hit every client at the same moment and every message
// is counted per client at its server. Scenarios, in order, on a timeline shared by everyone:
//
// - half-open: the proxy blackholes the live connection (nothing crosses, no FIN, no RST); new
//   connections go through. Reference: the fault. Platform close timeouts are NOT scaled: the
//   run waits out ws's 30 s (Node) and Chromium's 60 s for real.
// - reset: the proxy resets the connection (RST both ways); the server stays up. Reference: the fault.
// - outage: reset, then connections are refused for 3 minutes (scaled). Reference: the return.
// - flapping: cycles of reset + refused 10 s, then up 15 s (scaled), ending up. Reference: the
//   last return.
//
// During each fault every client sends `m:<seq>` every 2.5 s (scaled); the server records what
// arrives. Time to recovery = first connection the server accepts after the reference, measured
// on the bench's own clock (servers and proxies live in this process).
import { fork } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startTestServer } from '../../scripts/testbed/test-server.mjs';
import { startFaultProxy } from '../../scripts/testbed/fault-proxy.mjs';
import { KINDS, LABELS, configs } from './clients.mjs';
import { log, median, sleep, until, wallNow } from '../lib/util.mjs';

const HOST = fileURLToPath(new URL('./recovery-node-host.mjs', import.meta.url));

export const SCENARIOS = ['half-open', 'reset', 'outage', 'flapping'];

/** Durations at seed scale (ms); multiplied by `scale` for the run. */
const PLAN = {
  sendEvery: 2500,
  halfOpenSend: 50000, // messages sent for 50 s after the link goes half-open
  resetSend: 25000,
  outage: 180000,
  flapDown: 10000,
  flapUp: 15000,
  flapCycles: 6,
  settle: 30000, // quiet time before the first fault (and between scenarios)
  after: 150000, // how long after a reset/return a client may take to count as back
};

// Platform timeouts: real milliseconds, never scaled.
const HALF_OPEN_WAIT = { node: 30000 + 5000, chromium: 60000 + 5000 };

class NodeHost {
  constructor(kind, scale) {
    this.kind = kind;
    this.events = [];
    this.pending = new Map();
    this.nextId = 1;
    this.child = fork(HOST, [kind, String(scale)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.ready = new Promise((resolve, reject) => {
      this.child.once('error', reject);
      this.child.once('exit', (code) => reject(new Error(`recovery host ${kind} exited (${code})`)));
      this.child.on('message', (m) => {
        if (m.ready) resolve();
        else if (m.event) this.events.push(m.event);
        else if (m.reqId) {
          const p = this.pending.get(m.reqId);
          this.pending.delete(m.reqId);
          if (m.error) p?.reject(new Error(m.error));
          else p?.resolve(m.result);
        }
      });
    });
  }
  call(cmd, ...args) {
    const reqId = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(reqId, { resolve, reject });
      this.child.send({ reqId, cmd, args });
    });
  }
  takeEvents() {
    return this.events.splice(0);
  }
  async stop() {
    await this.call('closeAll').catch(() => {});
    this.child.kill('SIGKILL');
  }
}

/** One Chromium page in a context of its own: one renderer process, as a real app's one client. */
class PageHost {
  static async open(browser, scale, onEvent) {
    const handle = await browser.open(`/bench/recovery/page.html?scale=${scale}`, 'hostReady', {
      expose: { __benchReport: (event) => onEvent(event) },
    });
    const host = new PageHost(handle.page);
    host.context = handle.context;
    return host;
  }
  constructor(page) {
    this.page = page;
  }
  call(cmd, ...args) {
    return this.page.evaluate(([c, a]) => window.host[c](...a), [cmd, args]);
  }
  takeEvents() {
    return []; // pushed through __benchReport as they happen
  }
  async stop() {
    await this.call('closeAll').catch(() => {});
    await this.context.close().catch(() => {});
  }
}

/**
 * @param {{ scale: number, instances: { node: number, chromium: number }, browser?: any, onFastPartDone?: () => void }} o
 */
export async function runRecovery({ scale, instances, browser, onFastPartDone }) {
  const s = (ms) => Math.round(ms * scale);
  const runtimes = browser ? ['node', 'chromium'] : ['node'];
  const everyMs = s(PLAN.sendEvery);

  // --- hosts: a Node process per client kind; a Chromium context per client instance ---------------
  // (Chromium throttles WebSocket attempts per renderer process once attempts fail: clients
  // sharing a page would slow each other down. One context is one renderer, as one app's client.)
  const hosts = { node: {}, chromium: {} };
  for (const kind of KINDS) hosts.node[kind] = new NodeHost(kind, scale);
  await Promise.all(Object.values(hosts.node).map((h) => h.ready));

  // --- one server + proxy per instance ------------------------------------------------------------
  /** @type {any[]} */
  const all = [];
  const count = (runtime, scenario) =>
    runtime === 'chromium' && scenario === 'half-open' ? (instances.chromiumHalfOpen ?? instances.chromium) : instances[runtime];
  for (const runtime of runtimes) {
    for (const scenario of SCENARIOS) {
      for (const kind of KINDS) {
        for (let i = 0; i < count(runtime, scenario); i++) {
          const server = await startTestServer();
          const proxy = await startFaultProxy({ targetPort: server.port });
          const inst = {
            id: `${runtime}/${scenario}/${kind}/${i}`,
            runtime,
            scenario,
            kind,
            i,
            server,
            proxy,
            accepts: [], // wall times of connections the server accepted
            serverCloses: [],
            events: [], // client-reported open/close
          };
          server.on('connection', (ws) => {
            inst.accepts.push(wallNow());
            ws.once('close', () => inst.serverCloses.push(wallNow()));
          });
          all.push(inst);
        }
      }
    }
  }
  const byId = new Map(all.map((x) => [x.id, x]));
  log(`recovery: ${all.length} clients (${runtimes.join(' + ')}), scale 1/${Math.round(1 / scale)}`);
  if (browser) {
    // Chromium delays a WebSocket attempt by rand(1..5 s) * 2^min(pending + failed / (succeeded + 1), 16)
    // / 65536, counted per renderer process over 2-minute windows (services/network/websocket_throttler.cc).
    // Clients that share a page slow each other down once attempts fail, so every client that
    // will see failures (reset, outage, flapping) gets a context, hence a renderer, of its own, as
    // one app's client would. The half-open clients see no failed attempt: the instances of one
    // library share a page there (one page for all of them starved it: every heartbeat in it
    // missed its 200 ms deadline at once while the rest of the bench started).
    const onEvent = (event) => byId.get(event.id)?.events.push(event);
    const pageInsts = all.filter((x) => x.runtime === 'chromium');
    const groups = new Map();
    for (const x of pageInsts) {
      const key = x.scenario === 'half-open' ? `half-open/${x.kind}` : x.id;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(x);
    }
    const list = [...groups.values()];
    for (let k = 0; k < list.length; k += 3) {
      await Promise.all(
        list.slice(k, k + 3).map(async (insts) => {
          const host = await PageHost.open(browser, scale, onEvent);
          for (const x of insts) x.host = host;
        }),
      );
    }
    log(`recovery: ${list.length} Chromium contexts ready`);
    // New renderers keep a core busy for a while after their page is ready: let them finish
    // before any client with a 200 ms pong deadline exists.
    await sleep(3000);
  }
  const hostOf = (inst) => (inst.runtime === 'chromium' ? inst.host : hosts.node[inst.kind]);
  const pathOf = (inst) => `/${inst.id.replaceAll('/', '-')}`;

  // Events flow in continuously; collect them every 100 ms.
  let collecting = true;
  const uniqueHosts = () => [...new Set(all.map(hostOf))];
  const collect = async () => {
    for (const h of uniqueHosts()) {
      for (const ev of await h.takeEvents()) byId.get(ev.id)?.events.push(ev);
    }
  };
  const collector = (async () => {
    while (collecting) {
      await collect().catch(() => {});
      await sleep(100);
    }
  })();

  // Chromium's clients first: creating them keeps the machine busy for a while, and the Node
  // clients' scaled heartbeats (200 ms pong deadlines) should not start under that load.
  const creationOrder = [...all.filter((x) => x.runtime === 'chromium'), ...all.filter((x) => x.runtime === 'node')];
  // A few at a time: starting everything at once starves the processes on a small machine, and a
  // 200 ms pong or connect deadline then fires on perfectly healthy links.
  for (let k = 0; k < creationOrder.length; k += 6) {
    for (const inst of creationOrder.slice(k, k + 6)) await hostOf(inst).call('create', inst.id, inst.kind, inst.proxy.url(pathOf(inst)));
    await sleep(150);
  }
  const connected = await until(() => all.every((x) => x.accepts.length > 0), 15000, 50);
  if (!connected) {
    const missing = all.filter((x) => x.accepts.length === 0).map((x) => x.id);
    log(`recovery: not connected after 15 s: ${missing.join(', ')}`);
  }
  // Quiet before the first fault: no client opened or closed anything for a while (a heartbeat
  // verdict under the load of starting everything would otherwise count against a client).
  const quietMs = 1500;
  const settleStart = wallNow();
  await until(() => {
    const last = Math.max(...all.flatMap((x) => [...x.accepts, ...x.events.map((e) => e.t)]));
    return wallNow() - last > quietMs && wallNow() - settleStart > s(PLAN.settle);
  }, 15000, 50);
  log(`recovery: quiet after ${((wallNow() - settleStart) / 1000).toFixed(1)} s`);
  // From here on, how late this process (every server and proxy) got to run: a health figure.
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();

  const group = (scenario) => all.filter((x) => x.scenario === scenario);
  const startSeries = async (insts, count) => {
    const byHost = new Map();
    for (const x of insts) {
      const h = hostOf(x);
      if (!byHost.has(h)) byHost.set(h, []);
      byHost.get(h).push(x.id);
    }
    await Promise.all([...byHost].map(([h, ids]) => h.call('series', ids, everyMs, count, everyMs / 2)));
  };

  // --- half-open -----------------------------------------------------------------------------------
  const halfOpen = group('half-open');
  for (const x of halfOpen) {
    x.proxy.setMode('blackhole'); // the live connection: dead for good, no FIN, no RST
    x.tFault = wallNow();
    x.proxy.setMode('forward'); // new connections get through
    x.tRef = x.tFault;
  }
  const tHalfOpen = wallNow();
  const halfOpenCount = Math.round(PLAN.halfOpenSend / PLAN.sendEvery);
  await startSeries(halfOpen, halfOpenCount);
  for (const x of halfOpen) {
    x.sendCount = halfOpenCount;
    x.deadline = x.tFault + HALF_OPEN_WAIT[x.runtime];
  }
  log('recovery: half-open faults applied');
  await sleep(s(PLAN.halfOpenSend) + s(PLAN.settle));

  // --- reset -----------------------------------------------------------------------------------------
  const reset = group('reset');
  for (const x of reset) {
    x.proxy.resetAll();
    x.tFault = x.tRef = wallNow();
  }
  const resetCount = Math.round(PLAN.resetSend / PLAN.sendEvery);
  await startSeries(reset, resetCount);
  for (const x of reset) {
    x.sendCount = resetCount;
    x.deadline = x.tRef + s(PLAN.after);
  }
  log('recovery: resets applied');
  await sleep(s(PLAN.after));

  // --- outage ----------------------------------------------------------------------------------------
  const outage = group('outage');
  for (const x of outage) {
    x.proxy.setMode('refuse'); // resets what is connected, closes the listener
    x.tFault = wallNow();
  }
  const outageCount = Math.round(PLAN.outage / PLAN.sendEvery);
  await startSeries(outage, outageCount);
  log('recovery: outage started');
  await sleep(s(PLAN.outage));
  // The return is the moment the proxy starts listening again: taken before the (async) re-listen,
  // since a client's attempt may land before the await below resumes.
  await Promise.all(
    outage.map(async (x) => {
      x.tRef = wallNow();
      await x.proxy.setMode('forward');
      x.sendCount = outageCount;
      x.deadline = x.tRef + s(PLAN.after);
    }),
  );
  log('recovery: outage over');
  await sleep(s(PLAN.after));

  // --- flapping ----------------------------------------------------------------------------------------
  const flapping = group('flapping');
  const flapMs = PLAN.flapCycles * PLAN.flapDown + (PLAN.flapCycles - 1) * PLAN.flapUp;
  const flapCount = Math.round(flapMs / PLAN.sendEvery);
  for (const x of flapping) x.tFault = wallNow();
  await startSeries(flapping, flapCount);
  log('recovery: flapping started');
  for (let c = 0; c < PLAN.flapCycles; c++) {
    for (const x of flapping) x.proxy.setMode('refuse');
    await sleep(s(PLAN.flapDown));
    await Promise.all(
      flapping.map(async (x) => {
        x.tRef = wallNow(); // before the re-listen, as for the outage
        await x.proxy.setMode('forward');
      }),
    );
    if (c < PLAN.flapCycles - 1) await sleep(s(PLAN.flapUp));
  }
  for (const x of flapping) {
    x.sendCount = flapCount;
    x.deadline = x.tRef + s(PLAN.after);
  }
  log('recovery: flapping over');
  await sleep(s(PLAN.after));

  // Everything but the half-open waits is done: snapshot it and free those clients and servers.
  lag.disable();
  const loopDelay = { maxMs: lag.max / 1e6, p99Ms: lag.percentile(99) / 1e6, meanMs: lag.mean / 1e6 };
  await collect();
  const fastInsts = all.filter((x) => x.scenario !== 'half-open');
  await snapshot(fastInsts, hostOf);
  // Done with them: close those clients (and their Chromium renderers) so that the tail is quiet.
  for (const kind of KINDS) {
    await hosts.node[kind].call('close', fastInsts.filter((x) => x.runtime === 'node' && x.kind === kind).map((x) => x.id));
  }
  await Promise.all(fastInsts.filter((x) => x.runtime === 'chromium').map((x) => x.host.stop()));
  onFastPartDone?.();

  // --- the half-open tail: wait out the platforms' close timeouts ----------------------------------
  const lastDeadline = Math.max(...halfOpen.map((x) => x.deadline));
  log(`recovery: waiting ${((lastDeadline - wallNow()) / 1000).toFixed(0)} s for the half-open platform timeouts`);
  for (const runtime of runtimes) {
    const insts = halfOpen.filter((x) => x.runtime === runtime);
    const deadline = Math.max(...insts.map((x) => x.deadline));
    // Wait until every instance is back or the deadline passes.
    await until(() => insts.every((x) => x.accepts.some((t) => t > x.tRef)) || wallNow() > deadline, deadline - wallNow() + 50, 200);
    await sleep(Math.max(0, Math.min(1000, deadline - wallNow()))); // let queued messages land
    await collect();
    await snapshot(insts, hostOf);
  }

  collecting = false;
  await collector;
  const uncaught = {};
  for (const kind of KINDS) uncaught[`node/${kind}`] = await hosts.node[kind].call('uncaught').catch(() => null);
  const seenHosts = new Set();
  for (const x of all.filter((y) => y.runtime === 'chromium')) {
    if (seenHosts.has(x.host)) continue; // a half-open page: one count for its instances
    seenHosts.add(x.host);
    const u = x.uncaught ?? (await x.host.call('uncaught').catch(() => null));
    const key = `chromium/${x.kind}`;
    uncaught[key] ??= { uncaught: 0, uncaughtMessages: [] };
    if (u) {
      uncaught[key].uncaught += u.uncaught;
      for (const m of u.uncaughtMessages) if (uncaught[key].uncaughtMessages.length < 5) uncaught[key].uncaughtMessages.push(m);
    }
  }
  await Promise.all(uniqueHosts().map((h) => h.stop()));
  await Promise.all(all.map(async (x) => {
    await x.proxy.close();
    await x.server.close();
  }));

  return summarize(all, { scale, runtimes, instances, everyMs, tHalfOpen, uncaught, loopDelay, plan: PLAN, halfOpenWait: HALF_OPEN_WAIT });
}

const x0IsPage = (h) => h instanceof PageHost;

async function snapshot(insts, hostOf) {
  const byHost = new Map();
  for (const x of insts) {
    const h = hostOf(x);
    if (!byHost.has(h)) byHost.set(h, []);
    byHost.get(h).push(x);
  }
  for (const [h, xs] of byHost) {
    const info = await h.call('info', xs.map((x) => x.id));
    const u = x0IsPage(h) ? await h.call('uncaught').catch(() => null) : null;
    for (const x of xs) {
      if (u) x.uncaught = u;
      x.info = info[x.id];
      x.received = x.server.received.map((r) => r.data);
      x.snapshotAt = wallNow();
    }
  }
}

/** Delivered once each, in order? From the server's record of `m:<seq>` messages. */
function deliveries(received, sent) {
  const seqs = received.map((d) => /^m:(\d+)$/.exec(String(d))).filter(Boolean).map((m) => Number(m[1]));
  const unique = new Set(seqs);
  let outOfOrder = 0;
  let highest = 0;
  for (const q of seqs) {
    if (q < highest) outOfOrder++;
    highest = Math.max(highest, q);
  }
  const delivered = [...unique].filter((q) => q >= 1 && q <= sent).sort((a, b) => a - b);
  return { sent, delivered: delivered.length, duplicates: seqs.length - unique.size, outOfOrder, seqs: delivered };
}

function summarize(all, meta) {
  const instances = all.map((x) => {
    const next = x.accepts.find((t) => t > x.tRef);
    const back = next !== undefined && next <= x.deadline;
    const d = deliveries(x.received ?? [], x.sendCount ?? 0);
    return {
      id: x.id,
      runtime: x.runtime,
      scenario: x.scenario,
      kind: x.kind,
      i: x.i,
      tFault: x.tFault,
      tRef: x.tRef,
      deadline: x.deadline,
      back,
      recoveryMs: back ? next - x.tRef : null,
      ...d,
      reconnectsBeforeFault: Math.max(0, x.accepts.filter((t) => t < x.tFault).length - 1),
      accepts: x.accepts,
      events: x.events,
      info: x.info,
      seriesStart: x.info?.seriesStart ?? null,
    };
  });
  const rows = [];
  for (const runtime of meta.runtimes) {
    for (const scenario of SCENARIOS) {
      for (const kind of KINDS) {
        const xs = instances.filter((x) => x.runtime === runtime && x.scenario === scenario && x.kind === kind);
        const times = xs.filter((x) => x.back).map((x) => x.recoveryMs);
        rows.push({
          runtime,
          scenario,
          kind,
          label: LABELS[kind],
          n: xs.length,
          back: times.length,
          medianMs: times.length ? median(times) : null,
          minMs: times.length ? Math.min(...times) : null,
          maxMs: times.length ? Math.max(...times) : null,
          sent: xs.reduce((a, x) => a + x.sent, 0),
          delivered: xs.reduce((a, x) => a + x.delivered, 0),
          duplicates: xs.reduce((a, x) => a + x.duplicates, 0),
          outOfOrder: xs.reduce((a, x) => a + x.outOfOrder, 0),
          threw: xs.reduce((a, x) => a + (x.info?.results?.threw ?? 0), 0),
          waitedMs: xs.length ? Math.round(Math.max(...xs.map((x) => x.deadline - x.tRef))) : null,
        });
      }
    }
  }
  return { meta: { ...meta, configs: configs(meta.scale) }, rows, instances };
}
