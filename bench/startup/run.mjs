// Start-up and memory, in Node:
// - cold: a fresh `node` process per run; time from the script's start (before the import) to
//   the first connection attempt (the WebSocket constructor being called), for a raw `ws`
//   WebSocket, a Lifeline (import + init(): compile and instantiate the wasm + construct) and
//   reconnecting-websocket. Runs interleaved.
// - warm: in one process, everything loaded: construction to the attempt.
// - memory: the WASM memory size, and what 1,000 open Lifelines add to the WASM heap and the JS
//   heap (after gc), beside 1,000 reconnecting-websocket instances (fake sockets for both).
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { log, median } from '../lib/util.mjs';

const CHILD = fileURLToPath(new URL('./startup-child.mjs', import.meta.url));
export const COLD_KINDS = ['raw', 'lifeline', 'reconnecting-websocket'];

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch (e) {
        reject(new Error(`startup child ${args.join(' ')}: ${e.message}: ${out.slice(0, 500)}`));
      }
    });
  });
}

export async function runStartup({ coldRuns = 7 } = {}) {
  // A port that accepts and drops: the attempt goes somewhere real but nothing depends on it.
  const sink = net.createServer((s) => s.destroy());
  await new Promise((r) => sink.listen(0, '127.0.0.1', r));
  const url = `ws://127.0.0.1:${sink.address().port}/`;
  try {
    log('startup: cold processes');
    const cold = Object.fromEntries(COLD_KINDS.map((k) => [k, []]));
    // One discarded round first (file-system cache), then interleaved rounds.
    for (let i = -1; i < coldRuns; i++) {
      for (const kind of COLD_KINDS) {
        const r = await run([CHILD, 'cold', kind, url]);
        if (i >= 0) cold[kind].push(r);
      }
    }
    log('startup: warm + memory');
    const warm = await run([CHILD, 'warm', url]);
    const memory = await run(['--expose-gc', CHILD, 'memory']);
    const summary = {};
    for (const kind of COLD_KINDS) {
      const rs = cold[kind];
      summary[kind] = {
        coldMs: median(rs.map((r) => r.toAttemptMs)),
        coldMin: Math.min(...rs.map((r) => r.toAttemptMs)),
        coldMax: Math.max(...rs.map((r) => r.toAttemptMs)),
        importMs: median(rs.map((r) => r.importMs)),
        initMs: kind === 'lifeline' ? median(rs.map((r) => r.initMs)) : null,
        wsImportMs: kind === 'lifeline' ? median(rs.map((r) => r.wsImportMs)) : null,
        constructToAttemptMs: kind === 'lifeline' ? median(rs.map((r) => r.constructToAttemptMs)) : null,
        warmMs: median(warm.times[kind]),
        warmP90: warm.times[kind].slice().sort((a, b) => a - b)[Math.floor(warm.times[kind].length * 0.9)],
      };
    }
    return { coldRuns, summary, cold, warmN: warm.N, memory };
  } finally {
    sink.close();
  }
}
