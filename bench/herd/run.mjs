// Herd: the native thundering-herd benchmark (the C++ sources beside this file, CMake target
// lifeline_herd, written separately). Built if its sources are there, then run three times: the
// comparison and scaling runs (herd.json/svg), the backoff sweep (--sweep: herd-sweep.json/svg)
// and the announced restart (--hint: herd-hint.json/svg). Their JSON is read back, and
// `markdown` holds the sweep's and the restart's sections for BENCHMARKS.md.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT } from '../lib/browser.mjs';
import { fmt, log } from '../lib/util.mjs';

const BUILD_DIR = path.join(ROOT, 'build/bench');
const CANDIDATES = ['bench/lifeline_herd', 'bench/herd/lifeline_herd', 'lifeline_herd', 'bench/lifeline-herd', 'bench/herd/lifeline-herd'];

function sh(cmd, args, { quiet = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (e) => resolve({ code: -1, out: String(e) }));
    child.on('exit', (code) => {
      if (!quiet && code !== 0) process.stderr.write(out.slice(-4000));
      resolve({ code, out });
    });
  });
}

function findBinary() {
  for (const c of CANDIDATES) {
    const p = path.join(BUILD_DIR, c);
    if (fs.existsSync(p)) return p;
  }
  return null;
}

/** @param {{ outDir: string }} o */
export async function runHerd({ outDir }) {
  const result = { available: false, built: false, buildSeconds: null, command: null, json: null, svg: null, stdout: '', note: '' };
  const hasSources = fs.existsSync(path.join(ROOT, 'bench/CMakeLists.txt')) && fs.existsSync(path.join(ROOT, 'bench/herd/main.cpp'));
  if (!hasSources) {
    result.note = 'bench/herd/*.cpp and bench/CMakeLists.txt are not there yet: no herd benchmark in this run.';
    return result;
  }
  const t0 = performance.now();
  log('herd: cmake configure + build (build/bench, Release)');
  const configure = await sh('cmake', ['-S', '.', '-B', 'build/bench', '-DCMAKE_BUILD_TYPE=Release', '-DLIFELINE_TESTS=OFF']);
  const build = configure.code === 0 ? await sh('cmake', ['--build', 'build/bench', '-j2']) : configure;
  result.buildSeconds = (performance.now() - t0) / 1000;
  result.built = build.code === 0;
  const binary = findBinary();
  if (!binary) {
    result.note = `the herd binary was not found under build/bench (build ${result.built ? 'succeeded' : 'failed'}): ${build.out.slice(-600)}`;
    return result;
  }
  const jsonPath = path.join(outDir, 'herd.json');
  const svgPath = path.join(outDir, 'herd.svg');
  result.command = `${path.relative(ROOT, binary)} --json ${path.relative(ROOT, jsonPath)} --svg ${path.relative(ROOT, svgPath)}`;
  log(`herd: ${result.command}`);
  const t1 = performance.now();
  const run = await sh(binary, ['--json', jsonPath, '--svg', svgPath]);
  result.runSeconds = (performance.now() - t1) / 1000;
  result.stdout = run.out;
  if (run.code !== 0) {
    result.note = `the herd binary exited with ${run.code}`;
    return result;
  }
  try {
    result.json = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
    result.available = true;
  } catch (e) {
    result.note = `herd JSON unreadable: ${e.message}`;
  }
  if (fs.existsSync(svgPath)) result.svg = path.relative(ROOT, svgPath);

  // The sweep and the announced restart: each its own run, JSON and chart.
  for (const [key, flag] of [
    ['sweep', '--sweep'],
    ['hint', '--hint'],
  ]) {
    const json = path.join(outDir, `herd-${key}.json`);
    const svg = path.join(outDir, `herd-${key}.svg`);
    const command = `${path.relative(ROOT, binary)} ${flag} --json ${path.relative(ROOT, json)} --svg ${path.relative(ROOT, svg)}`;
    log(`herd: ${command}`);
    const t = performance.now();
    const r = await sh(binary, [flag, '--json', json, '--svg', svg]);
    const part = { command, seconds: (performance.now() - t) / 1000, stdout: r.out, json: null, svg: null, note: '' };
    if (r.code !== 0) part.note = `exited with ${r.code}`;
    else {
      try {
        part.json = JSON.parse(fs.readFileSync(json, 'utf8'));
      } catch (e) {
        part.note = `JSON unreadable: ${e.message}`;
      }
      if (fs.existsSync(svg)) part.svg = path.relative(ROOT, svg);
    }
    result[key] = part;
  }
  try {
    result.markdown = herdMarkdown(result);
  } catch (e) {
    result.markdown = `Herd sweep and restart: no markdown (${e.message}).\n`;
  }
  return result;
}

// --- markdown for BENCHMARKS.md (the sweep, the proposal's scaling runs, the restart) ----------

const x2 = (v) => (v === null || v === undefined ? 'never' : `${fmt(v, 2)}×`);
const x3 = (v) => (v === null || v === undefined ? 'never' : `${fmt(v, 3)}×`);

function table(header, rows) {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function backoffText(p) {
  if (p.reconnect_delay_ms === undefined) return '(its own)';
  return `${fmt(p.reconnect_delay_ms / 1000, 1)} s × ${p.backoff_factor}^n, cap ${fmt(p.max_reconnect_delay_ms / 1000)} s, jitter ${p.jitter}`;
}

/** The grid points no other point beats on both the worst time and the worst peak. */
function paretoFront(points) {
  const finite = points.filter((p) => p.worst_vs_ideal !== null);
  const front = finite.filter(
    (p) =>
      !finite.some(
        (q) =>
          q !== p &&
          q.worst_vs_ideal <= p.worst_vs_ideal &&
          q.worst_peak_vs_capacity <= p.worst_peak_vs_capacity &&
          (q.worst_vs_ideal < p.worst_vs_ideal || q.worst_peak_vs_capacity < p.worst_peak_vs_capacity),
      ),
  );
  return front.sort((a, b) => a.worst_vs_ideal - b.worst_vs_ideal);
}

function sweepMarkdown(sweep, herdJson) {
  const j = sweep.json;
  const g = j.goal;
  const sc = j.scenario;
  const lines = [];
  lines.push('### Tuning the default backoff: the trade-off curve\n');
  lines.push(
    `\`${sweep.command}\` (ran ${fmt(sweep.seconds, 1)} s: ${fmt(j.runs)} runs of ${fmt(sc.clients)} clients). ` +
      `The same scenario, with ws-lifeline's backoff varied: reconnect delay ${j.grid.reconnect_delays_ms.map((v) => fmt(v / 1000, 1)).join(', ')} s; ` +
      `cap (maxReconnectDelay) ${j.grid.caps_ms.map((v) => fmt(v / 1000)).join(', ')} s; factor ${j.grid.factors.join(', ')}; jitter ${j.grid.jitters.join(', ')}. ` +
      `Each grid point runs with ${j.grid.seeds} seeds and is judged by its worst; the best ${j.grid.validate_top} that meet the goal with margin run again with ${j.grid.validation_seeds} seeds. ` +
      `Goal: all back within ${g.vs_ideal}× the ideal time, at no more than ${g.peak_vs_capacity}× capacity in any 100 ms bin from the return on. ` +
      `The pick must meet both with ${fmt(g.margin * 100)} % margin (≤ ${fmt(g.vs_ideal * (1 - g.margin), 2)}×, ≤ ${fmt(g.peak_vs_capacity * (1 - g.margin), 2)}×) over the ${j.grid.validation_seeds} seeds; ` +
      `then the lowest worst peak (to ${g.peak_resolution}×), then the fewest attempts.\n`,
  );
  lines.push(`The default (the pick), the backoff before this tuning and the peers, worst of ${j.grid.validation_seeds} seeds (seed ${sc.seed} on):\n`);
  const marked = [...j.marked];
  lines.push(
    table(
      ['policy', 'backoff', 'all back vs ideal: worst (mean)', 'peak / 100 ms vs capacity: worst (mean)', 'attempts (mean)', 'goal'],
      marked.map((p) => [
        p.policy === 'ws-lifeline' ? 'ws-lifeline (default)' : p.policy,
        backoffText(p),
        `${x2(p.worst_vs_ideal)} (${x2(p.mean_vs_ideal)})`,
        `${x2(p.worst_peak_vs_capacity)} (${x2(p.mean_peak_vs_capacity)})`,
        fmt(p.mean_attempts),
        p.meets_goal_with_margin ? 'yes, with margin' : p.meets_goal ? 'yes' : 'no',
      ]),
    ),
  );
  lines.push('');
  if (j.validated?.length) {
    lines.push(`The grid's best points (meeting the goal with margin over ${j.grid.seeds} seeds), again with ${j.grid.validation_seeds} seeds:\n`);
    lines.push(
      table(
        ['backoff', 'all back vs ideal: worst (mean)', 'peak vs capacity: worst (mean)', 'attempts (mean)', 'goal'],
        j.validated.map((p) => [
          backoffText(p) + (j.pick && backoffText(j.pick) === backoffText(p) ? ' **(pick)**' : ''),
          `${x2(p.worst_vs_ideal)} (${x2(p.mean_vs_ideal)})`,
          `${x2(p.worst_peak_vs_capacity)} (${x2(p.mean_peak_vs_capacity)})`,
          fmt(p.mean_attempts),
          p.meets_goal_with_margin ? 'yes, with margin' : p.meets_goal ? 'yes' : 'no',
        ]),
      ),
    );
    lines.push('');
  }
  const front = paretoFront(j.points);
  lines.push(`The trade-off curve: the grid points that no other point beats on both worst time and worst peak (${j.grid.seeds} seeds each):\n`);
  lines.push(
    table(
      ['backoff', 'all back vs ideal', 'peak vs capacity', 'attempts (mean)'],
      front.map((p) => [backoffText(p), x2(p.worst_vs_ideal), x2(p.worst_peak_vs_capacity), fmt(p.mean_attempts)]),
    ),
  );
  lines.push('');
  lines.push(
    'Along a line of the chart the cap grows. While the server keeps up, all back ≈ return + cap (the last client is one whose last refused attempt before the return drew a delay close to the cap), ' +
      'so the time is the cap over the ideal; a client refused after the return waits up to one more cap (the outliers). The attempt rate after the return is about clients / mean delay, mean delay = cap × (1 − jitter / 2) (the fullest bin lies above it): it rises as the cap shrinks, ' +
      'and little jitter keeps the clients in step (high peaks). The factor and the reconnect delay change time and peak little once the cap is reached before the return; a larger factor makes fewer attempts during the outage.\n',
  );
  const prop = herdJson?.scaling?.proposed_runs;
  if (Array.isArray(prop) && prop.length) {
    lines.push(`For comparison, the backoff before this tuning (${herdJson.scaling.proposed_backoff}) scaled up, capacity scaled with the clients (from \`${'lifeline_herd'} --json\` above):\n`);
    lines.push(
      table(
        ['clients', 'capacity / s', 'attempts', 'all back vs ideal', 'peak vs capacity', 'wall: setup + run'],
        prop.map((r) => [fmt(r.scenario?.clients), fmt(r.scenario?.capacity_per_s), fmt(r.attempts), x2(r.vs_ideal), x2(r.peak_after_return_vs_capacity), `${fmt(r.setup_wall_ms, 0)} + ${fmt(r.run_wall_ms, 0)} ms`]),
      ),
    );
    lines.push('');
  }
  if (sweep.svg) lines.push(`![herd sweep](${sweep.svg})\n`);
  return lines.join('\n');
}

function hintMarkdown(hint) {
  const j = hint.json;
  const sc = j.scenario;
  const lines = [];
  lines.push('### Announced restart (1012 with a retry hint)\n');
  lines.push(
    `\`${hint.command}\` (ran ${fmt(hint.seconds, 1)} s: ${fmt(j.runs)} runs). ${fmt(sc.clients)} clients (lifeline::Connection, default config) are closed at t = 0 with 1012 and the reason a server gives them; ` +
      `the server is back at ${fmt(sc.outage_ms / 1000)} s and accepts ${fmt(sc.capacity_per_s)} per one-second window (the excess refused at once; a refused client falls back to its backoff). ` +
      `Goal: all back within ${j.goal.vs_ideal}× the ideal time, never more than ${j.goal.peak_vs_capacity}× capacity in any 100 ms. Worst of ${j.seeds} seeds (mean in brackets). ` +
      `What \`ws-lifeline/server\` sends by default is the core's \`restart_slot_hint()\`: client i gets its own reason, retry-after = downtime + i × ${j.core_headroom} / rate and window = ${j.core_headroom} / rate (kHintHeadroom; whole ms, rounded up). ` +
      `For a server that cannot tell its clients apart, \`restart_hint()\` gives them all one reason with a window of clients / rate × kSharedHintHeadroom; the other "shared hint" rows try other headrooms, and "a slot per client" rows other slot widths.\n`,
  );
  lines.push(
    table(
      ['close', 'reason (client 0)', 'all back vs ideal: worst (mean)', 'peak vs capacity: worst (mean)', 'attempts (mean)', 'goal'],
      j.rows.map((r) => [
        r.label,
        r.reason ? `\`${r.reason}\`` : '(empty)',
        `${x3(r.worst_vs_ideal)} (${x3(r.mean_vs_ideal)})`,
        `${x2(r.worst_peak_vs_capacity)} (${x2(r.mean_peak_vs_capacity)})`,
        fmt(r.mean_attempts),
        r.meets_goal ? 'yes' : 'no',
      ]),
    ),
  );
  lines.push('');
  lines.push(
    'With one reason for all, the draws are independent: the last client is back at about retry-after + window, so the time is the headroom (× ideal, + the 20 ms open), ' +
      'while each 100 ms bin holds a Poisson count around capacity / headroom, and its fullest of ~120 bins lies about 3 standard deviations above (√100 = 10 % of capacity at 10,000 clients, √1000 ≈ 3 % at 100,000).\n',
  );
  if (hint.svg) lines.push(`![herd hint](${hint.svg})\n`);
  return lines.join('\n');
}

export function herdMarkdown(result) {
  const parts = [];
  if (result.sweep?.json) parts.push(sweepMarkdown(result.sweep, result.json));
  else if (result.sweep) parts.push(`### Tuning the default backoff\n\nNot available in this run: ${result.sweep.note}\n`);
  if (result.hint?.json) parts.push(hintMarkdown(result.hint));
  else if (result.hint) parts.push(`### Announced restart\n\nNot available in this run: ${result.hint.note}\n`);
  return parts.join('\n');
}
