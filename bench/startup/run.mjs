// Start-up and memory, in Node:
// - cold: a fresh `node` process per run; time from the script's start (before the import) to
//   the first connection attempt (a `ws` WebSocket being constructed), for a raw `ws` WebSocket
//   (imported, as an ES module app does, and required, as a CommonJS one does), a Lifeline with its
//   defaults (import + init(): read, compile and instantiate the wasm, load `ws` + construct) and
//   reconnecting-websocket. Runs interleaved. A second Lifeline run per round is cut into parts
//   (lifeline-parts: see startup-child.mjs and PARTS below); the plain one gives the total.
// - warm: in one process, everything loaded: construction to the attempt.
// - memory: the WASM memory size, and what 1,000 open Lifelines add to the WASM heap and the JS
//   heap (after gc), beside 1,000 reconnecting-websocket instances (fake sockets for both).
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { log, median } from '../lib/util.mjs';

const CHILD = fileURLToPath(new URL('./startup-child.mjs', import.meta.url));
export const COLD_KINDS = ['raw', 'raw-require', 'lifeline', 'lifeline-parts', 'reconnecting-websocket'];
const WARM_KINDS = ['raw', 'lifeline', 'reconnecting-websocket'];

/**
 * ws-lifeline's cold start in consecutive parts, in the order js/loader.js goes: each part runs
 * from the previous mark to its own (marks from startup-child.mjs, lifeline-parts). A run whose
 * marks are missing or out of this order (a loader that changed its path) gives no parts; a run
 * without the glue's mark (the glue inside the shim's file) counts its import with the shim's.
 */
export const PARTS = [
  { mark: 'glueImported', name: 'importGlue', label: 'module load: the Emscripten glue (`dist/wasm/lifeline-core.mjs`)', optional: true },
  { mark: 'shimImported', name: 'importShim', label: 'module load: `js/index.js` and the rest of the shim' },
  { mark: 'readStart', name: 'initToRead', label: '`init()` until it reads the file (it loads `node:fs/promises` and `node:url`)' },
  { mark: 'readEnd', name: 'read', label: 'reading `lifeline-core.wasm` (`fs/promises` readFile)' },
  { mark: 'compileEnd', name: 'compile', label: '`WebAssembly.compile`' },
  { mark: 'wsLoaded', name: 'importWs', label: '`init()` loading `ws` (a raw socket loads it too)' },
  { mark: 'instantiateStart', name: 'glueSetup', label: 'the glue\'s factory, up to its `instantiateWasm`' },
  { mark: 'ctorsStart', name: 'instantiate', label: '`WebAssembly.instantiate`, the glue taking the instance' },
  { mark: 'ctorsEnd', name: 'ctors', label: 'embind registration: `__wasm_call_ctors`' },
  { mark: 'initResolved', name: 'initRest', label: 'rest of `init()`: the glue\'s ready, contract check, `coreClass`, `adoptCore`' },
  { mark: 'constructed', name: 'construct', label: '`new Lifeline()` (the constructor)' },
  { mark: 'attempt', name: 'toAttempt', label: 'to the attempt (the first connect runs a microtask later)' },
];

/** One lifeline-parts run's parts in ms ({ name: ms }), or a string saying why there are none. */
export function partsOf(run) {
  const m = run.marks ?? {};
  const parts = {};
  let prev = 't0';
  for (const p of PARTS) {
    if (m[p.mark] === undefined) {
      if (p.optional) continue;
      return `no ${p.mark} mark`;
    }
    const ms = m[p.mark] - m[prev];
    if (!(ms >= 0)) return `${p.mark} before ${prev}`;
    parts[p.name] = ms;
    prev = p.mark;
  }
  // `ws` must have been evaluated between the compile and the glue's set-up for importWs to be that.
  if (!(m.wsFirstRun >= m.compileEnd)) return '`ws` loaded before the compile ended';
  if (!(m.compileStart >= m.readEnd)) return 'compile started before the read ended';
  return parts;
}

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

export async function runStartup({ coldRuns = 11 } = {}) {
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
      const times = rs.map((r) => r.toAttemptMs);
      summary[kind] = { coldMs: median(times), coldMin: Math.min(...times), coldMax: Math.max(...times) };
      if (rs[0]?.importMs !== undefined) summary[kind].importMs = median(rs.map((r) => r.importMs));
      if (WARM_KINDS.includes(kind)) {
        summary[kind].warmMs = median(warm.times[kind]);
        summary[kind].warmP90 = warm.times[kind].slice().sort((a, b) => a - b)[Math.floor(warm.times[kind].length * 0.9)];
      }
    }
    // The parts: median, min and max of each over the runs that gave them.
    const perRun = cold['lifeline-parts'].map(partsOf);
    const good = perRun.filter((p) => typeof p === 'object');
    const stat = (xs) => ({ ms: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
    const lp = cold['lifeline-parts'];
    const lazy = {};
    for (const name of new Set(lp.flatMap((r) => Object.keys(r.lazyGlobals ?? {})))) {
      lazy[name] = stat(lp.map((r) => r.lazyGlobals?.[name]?.ms ?? 0));
    }
    summary.parts = {
      runs: good.length,
      problems: perRun.filter((p) => typeof p === 'string'),
      list: PARTS.filter((p) => good.some((g) => g[p.name] !== undefined)).map((p) => ({
        name: p.name,
        label: p.label,
        ...stat(good.map((g) => g[p.name])),
      })),
      // Of the constructors' time, what the JS side of embind's registration took.
      jsRegistration: stat(lp.map((r) => r.jsRegistrationMs).filter(Number.isFinite)),
      // First reads of lazily defined globals (Response: Node loads fetch, undici).
      lazyGlobals: lazy,
      // Of importWs, the time before `ws`'s first file runs (resolving, reading, and for import()
      // the ES-module-to-CommonJS bridge lexing its files).
      wsBeforeRun: stat(lp.map((r) => r.marks.wsFirstRun - r.marks.compileEnd).filter(Number.isFinite)),
      instrumentedMs: stat(lp.map((r) => r.toAttemptMs)),
    };
    return { coldRuns, summary, cold, warmN: warm.N, memory };
  } finally {
    sink.close();
  }
}
