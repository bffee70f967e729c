// Real toolchain projects (Taro, uni-app, WeChat's npm build, webpack) under wasm-tests/fixtures/,
// installed from npm with their own pinned package-lock.json, and this package installed into
// them from its own `npm pack` tarball, as a user's project gets it. Test support only.
//
//   const dir = prepareFixture('taro-app');   // a working copy with node_modules and ws-lifeline
//   run(dir, 'npx', ['taro', 'build', '--type', 'weapp']);
//
// The working copies live in a cache outside the clone ($WS_LIFELINE_FIXTURE_CACHE, else
// ~/.cache/ws-lifeline/fixtures), one folder per fixture and hash of (package.json,
// package-lock.json, Node's major version): a changed lock file or Node gets a fresh `npm ci`, an
// interrupted install is redone (a marker is written only after it succeeded). What the cache
// keeps is only what `npm ci` made from the lock file; the fixture's sources are copied afresh and
// ws-lifeline is installed from this run's tarball every time, so a cached copy cannot hide a
// change to either. A fresh machine installs everything (slower, same result).

import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES = path.join(REPO, 'wasm-tests', 'fixtures');
const READY = '.ws-lifeline-installed';
const KEEP = new Set(['node_modules', 'package.json', 'package-lock.json']);

export const cacheRoot = () =>
  process.env.WS_LIFELINE_FIXTURE_CACHE || path.join(os.homedir(), '.cache', 'ws-lifeline', 'fixtures');

/** Runs a command in dir; on failure throws with its output (the last 4,000 characters). */
export function run(dir, command, args, { env = {}, timeoutMs = 15 * 60_000 } = {}) {
  try {
    return execFileSync(command, args, {
      cwd: dir,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const output = `${error.stdout || ''}\n${error.stderr || ''}`.trim();
    throw new Error(`${command} ${args.join(' ')} failed in ${dir} (${error.status ?? error.signal}):\n${output.slice(-4000)}`);
  }
}

let packed = null;
/** `npm pack` of this repository (already built by scripts/build.sh), once per process. */
export function packTarball() {
  if (packed) return packed;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-lifeline-pack-'));
  process.once('exit', () => fs.rmSync(out, { recursive: true, force: true }));
  // --ignore-scripts: prepack would rebuild; the suite runs after scripts/build.sh.
  const json = run(REPO, 'npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', out]);
  const [{ filename }] = JSON.parse(json);
  packed = path.join(out, filename);
  return packed;
}

function copyTree(from, to) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (KEEP.has(entry.name) || entry.name === 'dist' || entry.name === 'unpackage') continue;
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(source, target);
    else fs.copyFileSync(source, target);
  }
}

/**
 * A working copy of wasm-tests/fixtures/<name> with its locked dependencies and this package's
 * tarball installed (`tarball: null`: not installed, for a fixture that only provides a tool, such
 * as wechat-npm's miniprogram-ci). Returns its directory. `ignoreScripts: true`: `npm ci
 * --ignore-scripts`, for a toolchain that builds without its install scripts (Taro's CLI
 * postinstall calls taro.jd.com, then installs a plugin into ~/.taro-global-config); cached apart.
 */
export function prepareFixture(name, { tarball = packTarball(), ignoreScripts = false } = {}) {
  const source = path.join(FIXTURES, name);
  const lock = path.join(source, 'package-lock.json');
  if (!fs.existsSync(lock)) throw new Error(`fixture ${name}: no package-lock.json (pin its versions)`);
  const hash = crypto.createHash('sha256');
  hash.update(fs.readFileSync(path.join(source, 'package.json')));
  hash.update(fs.readFileSync(lock));
  hash.update(process.versions.node.split('.')[0]);
  if (ignoreScripts) hash.update('--ignore-scripts');
  const dir = path.join(cacheRoot(), `${name}-${hash.digest('hex').slice(0, 16)}`);

  if (!fs.existsSync(path.join(dir, 'node_modules', READY))) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(source, 'package.json'), path.join(dir, 'package.json'));
    fs.copyFileSync(lock, path.join(dir, 'package-lock.json'));
    run(dir, 'npm', ['ci', ...(ignoreScripts ? ['--ignore-scripts'] : []), '--no-audit', '--no-fund', '--loglevel=error']);
    fs.writeFileSync(path.join(dir, 'node_modules', READY), new Date().toISOString());
  }

  // The fixture's own files, afresh: everything but what npm made.
  for (const entry of fs.readdirSync(dir)) if (!KEEP.has(entry)) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
  copyTree(source, dir);

  // This package, from this run's tarball (not saved: the lock file stays as checked in).
  fs.rmSync(path.join(dir, 'node_modules', 'ws-lifeline'), { recursive: true, force: true });
  if (tarball === null) return dir;
  run(dir, 'npm', ['install', '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', tarball]);
  const installed = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', 'ws-lifeline', 'package.json'), 'utf8'));
  if (installed.name !== 'ws-lifeline') throw new Error(`fixture ${name}: ws-lifeline was not installed from ${tarball}`);
  return dir;
}
