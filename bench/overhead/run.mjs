// Overhead: messages per second received through a Lifeline, through reconnecting-websocket and
// through a raw WebSocket, from the same server in the same run, interleaved (the order rotates
// each round), in Node (a separate process from the server) and in headless Chromium. Figures
// are medians; the ratios are medians of per-round ratios (runs next to each other in time), so
// they hold on a noisy machine.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startBlaster } from '../lib/blaster.mjs';
import { openBare } from '../lib/chromium-bare.mjs';
import { log, median, sleep } from '../lib/util.mjs';

export const OVERHEAD_KINDS = ['raw', 'lifeline', 'reconnecting-websocket'];
const CLIENT = fileURLToPath(new URL('./overhead-node-client.mjs', import.meta.url));

/** Messages per run, per size and runtime; rounds of the interleaved schedule. */
export const PLAN = {
  node: { 32: 100000, 4096: 15000 },
  chromium: { 32: 20000, 4096: 5000 },
  rounds: { node: 15, chromium: 10 },
  // Node, paced: the server writes `perSecond` messages in 2 ms slices, below every client's
  // limit, so every client reads the same chunks; the client's CPU time per message is the cost.
  paced: { 32: { count: 150000, perSecond: 300000 }, 4096: { count: 30000, perSecond: 60000 }, rounds: 6 },
};

function schedule(counts, rounds, paced = null) {
  const runs = [];
  for (const bytes of [32, 4096]) {
    // A warm-up round (not counted), then rounds with the order rotating.
    for (let round = -1; round < rounds; round++) {
      const r = ((round % 3) + 3) % 3;
      const order = [...OVERHEAD_KINDS.slice(r), ...OVERHEAD_KINDS.slice(0, r)];
      for (const kind of order) {
        if (paced) runs.push({ mode: 'paced', kind, bytes, count: paced[bytes].count, perSecond: paced[bytes].perSecond, round });
        else runs.push({ mode: 'blast', kind, bytes, count: counts[bytes], round });
      }
    }
  }
  return runs;
}

/** Per round, other ÷ raw of `value`; the median and range over rounds. */
function paired(counted, kind, value) {
  const ratios = [];
  for (const round of new Set(counted.map((r) => r.round))) {
    const a = counted.find((r) => r.round === round && r.kind === 'raw');
    const b = counted.find((r) => r.round === round && r.kind === kind);
    if (a && b) ratios.push(value(b) / value(a));
  }
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

function summarize(runs, runtime) {
  const rows = [];
  for (const bytes of [32, 4096]) {
    const counted = runs.filter((r) => r.bytes === bytes && r.round >= 0 && r.mode !== 'paced');
    const rate = (kind) => median(counted.filter((r) => r.kind === kind).map((r) => r.rate));
    const raw = rate('raw');
    for (const kind of OVERHEAD_KINDS) {
      const all = counted.filter((r) => r.kind === kind).map((r) => r.rate);
      rows.push({
        runtime,
        bytes,
        kind,
        count: counted.find((r) => r.kind === kind)?.count,
        rounds: all.length,
        medianRate: rate(kind),
        minRate: Math.min(...all),
        maxRate: Math.max(...all),
        ratioOfMedians: rate(kind) / raw,
        pairedRatio: kind === 'raw' ? { median: 1, min: 1, max: 1 } : paired(counted, kind, (r) => r.rate),
      });
    }
  }
  return rows;
}

/** Paced runs: CPU nanoseconds per message, and raw's cost ÷ the client's (a capacity ratio). */
function summarizePaced(runs) {
  const rows = [];
  for (const bytes of [32, 4096]) {
    const counted = runs.filter((r) => r.bytes === bytes && r.round >= 0 && r.mode === 'paced');
    if (!counted.length) continue;
    const ns = (r) => (r.cpuMs * 1e6) / r.count;
    for (const kind of OVERHEAD_KINDS) {
      const all = counted.filter((r) => r.kind === kind).map(ns);
      rows.push({
        bytes,
        kind,
        count: counted[0].count,
        perSecond: counted[0].perSecond,
        rounds: all.length,
        cpuNsPerMessage: median(all),
        minNs: Math.min(...all),
        maxNs: Math.max(...all),
        // raw cost ÷ this cost, per round: the share of raw's capacity this client keeps
        capacityRatio: kind === 'raw' ? { median: 1, min: 1, max: 1 } : paired(counted, kind, (r) => 1 / ns(r)),
      });
    }
  }
  return rows;
}

function runChild(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`overhead client exited with ${code}`));
    });
  });
}

/** @param {{ web?: { url(p: string): string } }} o the static server of the repository root (for Chromium) */
export async function runOverhead({ web }) {
  const blaster = await startBlaster();
  const rows = [];
  const raw = {};
  try {
    log('overhead: Node');
    const nodeRuns = [...schedule(PLAN.node, PLAN.rounds.node), ...schedule(null, PLAN.paced.rounds, PLAN.paced)];
    // Asynchronously: the blaster serves from this process.
    const out = await runChild(['--expose-gc', CLIENT, JSON.stringify({ url: blaster.url, schedule: nodeRuns })]);
    const parsed = JSON.parse(out);
    raw.node = parsed.results;
    raw.nodeUncaught = parsed.uncaught;
    raw.micro = parsed.micro;
    rows.push(...summarize(raw.node, 'node'));
    raw.paced = summarizePaced(raw.node);
    if (web) {
      // Chromium without playwright: its DevTools session would report every frame (see
      // page.mjs). The page runs the schedule and reports over a WebSocket.
      log('overhead: Chromium (headless, no DevTools session)');
      const plan = { url: blaster.url, report: blaster.url, schedule: schedule(PLAN.chromium, PLAN.rounds.chromium) };
      const chromium = openBare(`${web.url('/bench/overhead/page.html')}?plan=${encodeURIComponent(JSON.stringify(plan))}`);
      try {
        const deadline = Date.now() + 150000;
        for (;;) {
          const r = await Promise.race([blaster.nextReport(), sleep(Math.max(0, deadline - Date.now())).then(() => null)]);
          if (!r) throw new Error(`overhead: Chromium gave no result in 150 s; stderr: ${chromium.stderr().slice(-1500)}`);
          if (r.result) {
            if (r.result.error) throw new Error(`overhead: Chromium page: ${r.result.error}`);
            raw.chromium = r.result.results;
            raw.chromiumUserAgent = r.result.userAgent;
            break;
          }
        }
      } finally {
        await chromium.close();
      }
      rows.push(...summarize(raw.chromium, 'chromium'));
    }
  } finally {
    await blaster.close();
  }
  return { plan: PLAN, rows, paced: raw.paced ?? [], runs: raw, micro: raw.micro };
}
