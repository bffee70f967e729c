// `npm run bench`: every benchmark in one run, then BENCHMARKS.md and bench/out/*.svg rewritten.
//
//   node bench/run.mjs                 everything (about 7 minutes on 2 cores)
//   node bench/run.mjs --only=size,startup      a subset (recovery, herd, adaptive, overhead, resume, size, startup);
//                                                BENCHMARKS.md is then written to bench/out/ instead
//   node bench/run.mjs --no-chromium   Node only
//
// Order: recovery first (its half-open case waits out the platforms' 30 s and 60 s close timeouts;
// size and the native herd build + run fill that idle tail), then the throughput runs and the
// start-up runs on a quiet machine. Nothing here asserts anything: a benchmark is not a test.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runRecovery } from './recovery/run.mjs';
import { runOverhead } from './overhead/run.mjs';
import { runSizeInChild } from './size/run.mjs';
import { runStartup } from './startup/run.mjs';
import { runHerd } from './herd/run.mjs';
import { runAdaptive } from './adaptive/run.mjs';
import { runResume } from './resume/run.mjs';
import { writeReport } from './report.mjs';
import { startBrowser } from './lib/browser.mjs';
import { machineInfo } from './lib/machine.mjs';
import { log } from './lib/util.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = path.join(ROOT, 'bench/out');
const ALL = ['recovery', 'herd', 'adaptive', 'overhead', 'resume', 'size', 'startup'];

const args = process.argv.slice(2);
const onlyArg = args.find((a) => a.startsWith('--only='));
const only = onlyArg ? onlyArg.slice(7).split(',') : ALL;
const withChromium = !args.includes('--no-chromium');
const partial = only.length !== ALL.length || !withChromium;
const SCALE = 1 / 50;
// Chromium: one renderer per client where attempts fail (see recovery/run.mjs), which costs a second
// or so each on 2 cores: one instance there; the half-open clients share a page, three each.
const INSTANCES = { node: 5, chromium: 1, chromiumHalfOpen: 3 };

fs.mkdirSync(OUT, { recursive: true });
const t0 = performance.now();
const results = {
  startedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  machine: machineInfo(),
  versions: peerVersions(),
  phaseSeconds: {},
  errors: {},
  findings: [],
};
log(`bench: ${results.machine.cpu}, ${results.machine.cores} cores, Node ${results.machine.node}; running ${only.join(', ')}`);

function peerVersions() {
  const v = {};
  for (const name of ['reconnecting-websocket', 'websocket-heartbeat-js', 'partysocket', 'sockette', 'ws', 'playwright-core', 'terser']) {
    try {
      v[name] = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch {
      v[name] = 'missing';
    }
  }
  return v;
}

/** Runs one phase; a failure is recorded and the run goes on. */
async function phase(name, fn) {
  if (!only.includes(name)) return;
  const start = performance.now();
  try {
    results[name] = await fn();
  } catch (error) {
    log(`bench: ${name} failed: ${error?.stack ?? error}`);
    results.errors[name] = error?.message ?? String(error);
    results[name] = { error: error?.message ?? String(error) };
  }
  results.phaseSeconds[name] = (performance.now() - start) / 1000;
}

let browser = null;
if (withChromium) {
  try {
    browser = await startBrowser();
    results.chromiumVersion = browser.version;
  } catch (error) {
    // No Chromium here: the Node half of everything still runs, and the report says so.
    log(`bench: Chromium did not start (${error.message}); Node only`);
    results.errors.chromium = error.message;
  }
}

try {
  // Recovery; while its half-open tail waits out the platform timeouts, size and herd run.
  let tail = Promise.resolve();
  const tailPhases = async () => {
    await phase('size', runSizeInChild);
    await phase('herd', () => runHerd({ outDir: OUT }));
  };
  if (only.includes('recovery')) {
    await phase('recovery', () =>
      runRecovery({
        scale: SCALE,
        instances: INSTANCES,
        browser,
        onFastPartDone: () => {
          tail = tailPhases();
        },
      }),
    );
    await tail;
    // Phases that ran inside recovery's tail overlap it; say so.
    if (results.recovery && !results.recovery.error) {
      results.findings.push('Size and herd ran during the idle tail of the recovery phase (the half-open clients waiting out their platform timeouts); their phase times overlap it.');
    }
  }
  if (!results.size) await phase('size', runSizeInChild);
  if (!results.herd) await phase('herd', () => runHerd({ outDir: OUT }));
  // The learnt pong deadline over a jittered link for 3 real minutes, then half-open trials (1/10 scale).
  await phase('adaptive', () => runAdaptive({ scale: 1 / 10 }));
  await phase('overhead', () => runOverhead({ web: browser?.web }));
  // Lossless resume beside raw and resume off: throughput, bytes on the wire, a simulated chat.
  await phase('resume', () => runResume({ web: browser?.web }));
  await phase('startup', () => runStartup());
} finally {
  await browser?.close();
}

results.totalSeconds = (performance.now() - t0) / 1000;
results.loadAtEnd = os.loadavg();
const command = `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`;
const reportFile = partial ? path.join(OUT, 'BENCHMARKS.partial.md') : path.join(ROOT, 'BENCHMARKS.md');
fs.writeFileSync(path.join(OUT, partial ? 'results.partial.json' : 'results.json'), JSON.stringify(results));
writeReport(results, { outDir: OUT, file: reportFile, command });
log(`bench: done in ${results.totalSeconds.toFixed(0)} s; wrote ${path.relative(ROOT, reportFile)} and bench/out/`);
// Child processes and sockets are closed; exit even if a library left a timer behind.
process.exit(Object.keys(results.errors).length ? 1 : 0);
