// Resume (issue 12): what lossless resume costs beside a raw WebSocket and a Lifeline without it.
//   raw  a `ws` WebSocket to a plain `ws` server
//   off  Lifeline, resume off, to the same plain server
//   on   Lifeline with resume: true, to a ResumeServer (ws-lifeline/server)
// 1. Throughput, server→client and client→server separately, 32 B, 1 KiB and 16 KiB text messages;
//    the kinds interleaved (the order rotates each round, a warm-up round not counted), so that
//    machine noise hits all; medians and ranges over rounds, and per-round ratios to raw.
// 2. Bytes on the wire, counted at the server's TCP sockets, for 10,000 messages each way at
//    once; split into upgrade, app frames, handshake, heartbeat, acks, close (server.mjs).
// 3. Chat: one 100 B message a second each way (and one every 30 s), in simulated time (clock and
//    timers scaled on both sides), so that the ack delay and the heartbeat come into play.
// The server runs in a child process (server.mjs); the Node clients in this one; Chromium (when
// there is one) runs the same throughput runs in a bare headless page (page.mjs), like overhead.
// Nothing is asserted: these are figures.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { init, Lifeline } from '../../js/index.js';
import { openBare } from '../lib/chromium-bare.mjs';
import { log, median, sleep } from '../lib/util.mjs';
import { KINDS, clientRun, runUrl } from './client.mjs';

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url));
const env = (k, d) => (process.env[k] ? Number(process.env[k]) : d);

/** Messages per throughput run, by size; rounds (after one warm-up round). RESUME_ROUNDS shortens it. */
export const PLAN = {
  sizes: [32, 1024, 16384],
  throughput: { node: { 32: 10000, 1024: 5000, 16384: 1000 }, chromium: { 32: 2000, 1024: 1000, 16384: 300 } },
  rounds: { node: env('RESUME_ROUNDS', 5), chromium: env('RESUME_CHROMIUM_ROUNDS', 3) },
  // Each way; 16 KiB: fewer (the split is per frame, and 330 MB through loopback takes seconds).
  wire: { 32: 10000, 1024: 10000, 16384: 1000 },
  // Simulated time: real ms = simulated ms × scale: 10 minutes in 12 s (timers 50× faster, a 10 s
  // heartbeat every 200 ms; faster, a loaded machine's event-loop delays make false verdicts).
  chat: [
    { name: '1 msg/s', period: 1000, simulatedMs: 600000, scale: 1 / 50, bytes: 100 },
    { name: '1 msg/30 s', period: 30000, simulatedMs: 600000, scale: 1 / 50, bytes: 100 },
  ],
};

function throughputSchedule(counts, rounds) {
  const runs = [];
  for (const bytes of PLAN.sizes) {
    for (const dir of ['s2c', 'c2s']) {
      for (let round = -1; round < rounds; round++) {
        const r = ((round % 3) + 3) % 3;
        for (const kind of [...KINDS.slice(r), ...KINDS.slice(0, r)]) runs.push({ kind, dir, bytes, count: counts[bytes], round });
      }
    }
  }
  return runs;
}

/** The server child: its port, the records of closed connections by run id, the page's reports. */
async function startServer() {
  const child = fork(SERVER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const records = new Map();
  const waiters = new Map();
  const reports = [];
  const reportWaiters = [];
  let port = 0;
  await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`resume server exited with ${code}`)));
    child.on('message', (m) => {
      if (m.op === 'ready') {
        port = m.port;
        resolve();
      } else if (m.op === 'conn') {
        // A run may have more than one connection (a reconnect): every record is kept.
        const list = records.get(m.rec.id) ?? [];
        list.push(m.rec);
        records.set(m.rec.id, list);
        waiters.get(m.rec.id)?.();
      } else if (m.op === 'report') {
        const w = reportWaiters.shift();
        if (w) w(m.text);
        else reports.push(m.text);
      }
    });
  });
  return {
    base: `ws://127.0.0.1:${port}`,
    /** The records of run `id` once `connections` of its connections closed at the server (what there is after ms). */
    async records(id, connections = 1, ms = 5000) {
      const deadline = Date.now() + ms;
      while ((records.get(id)?.length ?? 0) < connections && Date.now() < deadline) {
        await Promise.race([new Promise((r) => waiters.set(id, r)), sleep(deadline - Date.now())]);
        waiters.delete(id);
      }
      const list = records.get(id) ?? null;
      records.delete(id);
      return list;
    },
    nextReport: (ms) => (reports.length ? Promise.resolve(reports.shift()) : Promise.race([new Promise((r) => reportWaiters.push(r)), sleep(ms).then(() => null)])),
    async close() {
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ op: 'exit' });
      await Promise.race([exited, sleep(3000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** Sums a run's server records (a reconnect makes two) into one wire account. */
function account(records) {
  const a = { connections: records.length, bytesIn: 0, bytesOut: 0, upgradeIn: 0, upgradeOut: 0, app: { in: 0, out: 0, inWire: 0, outWire: 0 }, control: {} };
  for (const r of records) {
    for (const k of ['bytesIn', 'bytesOut', 'upgradeIn', 'upgradeOut']) a[k] += r[k];
    for (const k of Object.keys(a.app)) a.app[k] += r.app[k];
    for (const [verb, c] of Object.entries(r.control)) {
      const t = (a.control[verb] ??= { in: 0, out: 0, inWire: 0, outWire: 0 });
      for (const k of Object.keys(t)) t[k] += c[k];
    }
  }
  // Control frames by purpose. The resume-off heartbeat is the app-level "ping"/"pong".
  const groups = { handshake: ['new', 'hello', 'resume', 'resumed', 'expired'], heartbeat: ['ping', 'pong', 'app-ping', 'app-pong'], acks: ['ack'] };
  const sum = (verbs, dir) => verbs.reduce((s, v) => s + (a.control[v]?.[dir] ?? 0), 0);
  a.groups = {};
  for (const [g, verbs] of Object.entries(groups)) {
    a.groups[g] = { frames: sum(verbs, 'in') + sum(verbs, 'out'), wireIn: sum(verbs, 'inWire'), wireOut: sum(verbs, 'outWire') };
    a.groups[g].wire = a.groups[g].wireIn + a.groups[g].wireOut;
  }
  const controlIn = Object.values(a.control).reduce((s, c) => s + c.inWire, 0);
  const controlOut = Object.values(a.control).reduce((s, c) => s + c.outWire, 0);
  // What is left: the close handshake (and anything not classified).
  a.rest = { in: a.bytesIn - a.upgradeIn - a.app.inWire - controlIn, out: a.bytesOut - a.upgradeOut - a.app.outWire - controlOut };
  a.total = a.bytesIn + a.bytesOut;
  a.appMessages = a.app.in + a.app.out;
  a.bytesPerAppMessage = a.total / a.appMessages;
  a.appPayload = a.app.inWire + a.app.outWire; // app frames with their headers
  return a;
}

/** Per round, kind ÷ raw (or ÷ off); the median and range over rounds. */
function paired(counted, kind, base) {
  const ratios = [];
  for (const round of new Set(counted.map((r) => r.round))) {
    const a = counted.find((r) => r.round === round && r.kind === base);
    const b = counted.find((r) => r.round === round && r.kind === kind);
    if (a && b) ratios.push(b.rate / a.rate);
  }
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

function summarizeThroughput(runs, runtime) {
  const rows = [];
  for (const bytes of PLAN.sizes) {
    for (const dir of ['s2c', 'c2s']) {
      const counted = runs.filter((r) => r.bytes === bytes && r.dir === dir && r.round >= 0 && !r.error);
      for (const kind of KINDS) {
        const rates = counted.filter((r) => r.kind === kind).map((r) => r.rate);
        if (!rates.length) continue;
        rows.push({
          runtime,
          bytes,
          dir,
          kind,
          count: counted.find((r) => r.kind === kind).count,
          rounds: rates.length,
          medianRate: median(rates),
          minRate: Math.min(...rates),
          maxRate: Math.max(...rates),
          // Connections beyond one per run: a reconnect in the middle of a run (none expected).
          reconnects: counted.filter((r) => r.kind === kind).reduce((s, r) => s + Math.max(0, (r.wire?.connections ?? r.stats?.connects ?? 1) - 1), 0),
          serverCpuUs: median(counted.filter((r) => r.kind === kind).map((r) => r.serverCpuUs)),
          clientCpuUs: median(counted.filter((r) => r.kind === kind).map((r) => r.clientCpuUs)),
          vsRaw: kind === 'raw' ? null : paired(counted, kind, 'raw'),
          vsOff: kind === 'on' ? paired(counted, 'on', 'off') : null,
        });
      }
    }
  }
  return rows;
}

async function nodeRun(server, run, id) {
  const envNode = { WebSocket, nodeWebSocket: WebSocket, Lifeline, yieldTurn: () => new Promise((r) => setImmediate(r)) };
  globalThis.gc?.();
  const cpu0 = process.cpuUsage();
  const r = await clientRun(envNode, runUrl(server.base, run, id), run);
  const cpu = process.cpuUsage(cpu0);
  const records = await server.records(id, r.stats?.connects || 1);
  // CPU time per message: the server's (it waits on events, so this is its work), and this
  // process's when it only receives (server→client; a sending client spins a turn of the loop at
  // a time while the window is full, which is not work).
  const serverCpuUs = ((records?.reduce((s, x) => s + x.serverCpuMs, 0) ?? NaN) * 1000) / run.count;
  const clientCpuUs = run.dir === 's2c' ? (cpu.user + cpu.system) / run.count : NaN;
  const last = records?.at(-1);
  // Delivered app messages (chat: fewer than sent if a reconnect lost some, resume off).
  const delivered = { toClient: r.received, toServer: last?.received ?? NaN, sentByServer: last?.sent ?? NaN, sentByClient: r.sent };
  return { ...run, ...r, delivered, serverCpuUs, clientCpuUs, wire: records ? account(records) : null };
}

export async function runResume({ web } = {}) {
  const t0 = performance.now();
  await init();
  const server = await startServer();
  let nextId = 1;
  const out = { plan: PLAN, runs: { node: [], chromium: [] }, errors: [] };
  try {
    // 1. Throughput, Node.
    const schedule = throughputSchedule(PLAN.throughput.node, PLAN.rounds.node);
    log(`resume: Node throughput, ${schedule.length} runs`);
    for (const run of schedule) {
      try {
        const r = await nodeRun(server, run, String(nextId++));
        // The per-run wire account is kept small: totals only.
        out.runs.node.push({ ...r, wire: r.wire && { connections: r.wire.connections, total: r.wire.total, bytesIn: r.wire.bytesIn, bytesOut: r.wire.bytesOut, groups: r.wire.groups } });
      } catch (error) {
        out.errors.push(`node ${run.kind} ${run.dir} ${run.bytes} B round ${run.round}: ${error.message}`);
        out.runs.node.push({ ...run, error: error.message });
      }
    }
    out.throughput = summarizeThroughput(out.runs.node, 'node');

    // 2. Bytes on the wire: n each way at once, one run per kind and size.
    log('resume: bytes on the wire');
    out.wire = [];
    for (const bytes of PLAN.sizes) {
      for (const kind of KINDS) {
        const run = { kind, dir: 'both', bytes, count: PLAN.wire[bytes] };
        try {
          const r = await nodeRun(server, run, String(nextId++));
          out.wire.push({ kind, bytes, count: run.count, ms: r.ms, stats: r.stats, ...r.wire });
        } catch (error) {
          out.errors.push(`wire ${kind} ${bytes} B: ${error.message}`);
        }
      }
    }

    // 3. Chat, simulated time: every kind and both rates at once (they are idle most of the time).
    log(`resume: chat, ${PLAN.chat.length * KINDS.length} clients side by side for ${Math.max(...PLAN.chat.map((c) => c.simulatedMs * c.scale)) / 1000} s`);
    const chats = [];
    for (const c of PLAN.chat) {
      for (const kind of KINDS) {
        const run = { kind, dir: 'chat', bytes: c.bytes, count: c.simulatedMs / c.period, period: c.period, scale: c.scale };
        chats.push(
          nodeRun(server, run, String(nextId++)).then(
            (r) => ({ chat: c.name, kind, bytes: c.bytes, count: run.count, period: c.period, simulatedMs: c.simulatedMs, scale: c.scale, realMs: r.ms, stats: r.stats, delivered: r.delivered, ...r.wire }),
            (error) => {
              out.errors.push(`chat ${c.name} ${kind}: ${error.message}`);
              return null;
            },
          ),
        );
      }
    }
    out.chat = (await Promise.all(chats)).filter(Boolean);

    // 4. Chromium, throughput only (the bytes are the server's to count, and the same).
    if (web) {
      log('resume: Chromium throughput (headless, no DevTools session)');
      const plan = { base: server.base, report: `${server.base}/report`, firstId: 1000000, schedule: throughputSchedule(PLAN.throughput.chromium, PLAN.rounds.chromium) };
      const chromium = openBare(`${web.url('/bench/resume/page.html')}?plan=${encodeURIComponent(JSON.stringify(plan))}`);
      try {
        const deadline = Date.now() + 120000;
        for (;;) {
          const text = await server.nextReport(Math.max(0, deadline - Date.now()));
          if (text === null) throw new Error(`no result from Chromium in 120 s; stderr: ${chromium.stderr().slice(-1500)}`);
          if (!text.startsWith('result:')) continue;
          const r = JSON.parse(text.slice(7));
          // The server's CPU time per message, as in Node; the renderer's is not measured.
          for (const x of r.results) {
            const records = await server.records(x.id, 1, 2000);
            x.serverCpuUs = records ? (records.reduce((s, y) => s + y.serverCpuMs, 0) * 1000) / x.count : NaN;
            x.clientCpuUs = NaN;
            x.stats = x.stats ? { connects: x.stats.connects } : null; // the rest is not reported
          }
          out.runs.chromium = r.results;
          out.chromiumUserAgent = r.userAgent;
          if (r.error) out.errors.push(`chromium: ${r.error}`);
          break;
        }
      } catch (error) {
        out.errors.push(`chromium: ${error.message}`);
      } finally {
        await chromium.close();
      }
      out.throughput.push(...summarizeThroughput(out.runs.chromium, 'chromium'));
    }
  } finally {
    await server.close();
  }
  out.realSeconds = (performance.now() - t0) / 1000;
  printTable(out);
  // Nothing measured at all is a failure of the phase; a failed run among many is reported in it.
  if (!out.throughput?.length && !out.wire?.length) throw new Error(`resume: no run succeeded: ${out.errors.slice(0, 3).join('; ')}`);
  return out;
}

const NAMES = { raw: 'raw ws', off: 'Lifeline', on: 'Lifeline+resume' };
const DIRS = { s2c: 'server→client', c2s: 'client→server' };
const f0 = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
const pc = (x) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(x !== 0 && Math.abs(x) < 0.001 ? 3 : 2)} %` : '–');

/** A short table on stdout (BENCHMARKS.md gets the long one, report.mjs). */
function printTable(out) {
  const lines = ['', 'resume: throughput, messages/s (median [min-max]; × raw, per-round median)'];
  for (const r of out.throughput ?? []) {
    lines.push(
      `  ${r.runtime.padEnd(8)} ${String(r.bytes).padStart(5)} B ${DIRS[r.dir].padEnd(14)} ${NAMES[r.kind].padEnd(16)} ${f0(r.medianRate).padStart(9)} [${f0(r.minRate)}-${f0(r.maxRate)}]` +
        (r.vsRaw ? `  ×${r.vsRaw.median.toFixed(2)} raw` : '') +
        (r.vsOff ? `  ×${r.vsOff.median.toFixed(2)} off` : '') +
        `  CPU µs/msg: server ${r.serverCpuUs.toFixed(1)}` +
        (Number.isFinite(r.clientCpuUs) ? `, client ${r.clientCpuUs.toFixed(1)}` : '') +
        (r.reconnects ? `  (${r.reconnects} reconnects!)` : ''),
    );
  }
  lines.push('', `resume: bytes on the wire (TCP, both ways), ${Object.entries(PLAN.wire).map(([b, n]) => `${f0(n)} × ${b} B`).join(', ')} each way`);
  for (const w of out.wire ?? []) {
    const off = out.wire.find((x) => x.bytes === w.bytes && x.kind === 'off');
    lines.push(
      `  ${String(w.bytes).padStart(5)} B ${NAMES[w.kind].padEnd(16)} total ${f0(w.total).padStart(11)}  per app msg ${w.bytesPerAppMessage.toFixed(2).padStart(8)}  ` +
        `handshake ${f0(w.groups.handshake.wire)} heartbeat ${f0(w.groups.heartbeat.wire)} acks ${f0(w.groups.acks.wire)} (${w.control.ack ? w.control.ack.in + w.control.ack.out : 0} frames)` +
        (w.kind === 'on' && off ? `  vs off ${pc(w.total / off.total - 1)} (acks ${pc((w.groups.acks.wire - off.groups.acks.wire) / off.total)}, handshake ${pc((w.groups.handshake.wire - off.groups.handshake.wire) / off.total)}, heartbeat ${pc((w.groups.heartbeat.wire - off.groups.heartbeat.wire) / off.total)})` : ''),
    );
  }
  lines.push('', 'resume: chat (simulated time), bytes both ways');
  for (const c of out.chat ?? []) {
    const off = out.chat.find((x) => x.chat === c.chat && x.kind === 'off');
    lines.push(
      `  ${c.chat.padEnd(11)} ${NAMES[c.kind].padEnd(16)} total ${f0(c.total).padStart(8)}  per app msg ${c.bytesPerAppMessage.toFixed(2).padStart(7)}  ` +
        `heartbeat ${f0(c.groups.heartbeat.wire)} (${c.groups.heartbeat.frames}) acks ${f0(c.groups.acks.wire)} (${c.groups.acks.frames})  connections ${c.connections}  ` +
        `delivered ${c.delivered.toClient}/${c.delivered.sentByServer} s→c, ${c.delivered.toServer}/${c.delivered.sentByClient} c→s` +
        (c.kind === 'on' && off ? `  vs off ${pc(c.total / off.total - 1)} (acks ${pc((c.groups.acks.wire - off.groups.acks.wire) / off.total)}, heartbeat ${pc((c.groups.heartbeat.wire - off.groups.heartbeat.wire) / off.total)})` : ''),
    );
  }
  if (out.errors.length) lines.push('', ...out.errors.map((e) => `resume: error: ${e}`));
  console.log(lines.join('\n'));
}

// Alone: node bench/resume/run.mjs (Node only; bench/run.mjs --only=resume adds Chromium).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let web = null;
  if (process.argv.includes('--chromium')) {
    const { startStaticServer } = await import('../../wasm-tests/support/static-server.mjs');
    web = await startStaticServer({ root: fileURLToPath(new URL('../..', import.meta.url)) });
  }
  await runResume({ web });
  await web?.close();
  process.exit(0);
}
