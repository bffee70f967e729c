// Herd: the native thundering-herd benchmark (the C++ sources beside this file, CMake target
// lifeline_herd, written separately). Built if its sources are there, run with --json/--svg, its
// JSON read back.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT } from '../lib/browser.mjs';
import { log } from '../lib/util.mjs';

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
  return result;
}
