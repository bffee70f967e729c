// ws-lifeline in a Vite production build, used by package name as an npm user would:
//   node --test wasm-tests/vite.test.mjs
//
// 1. `npm pack` of the repository (into a temporary directory; the repository is only read), and
//    the tarball extracted to <tmp>/app/node_modules/ws-lifeline of a copy of
//    wasm-tests/fixtures/vite-app/ (no registry, no network).
// 2. Vite's JS API builds the app; the build must emit the core's .wasm as an asset and point the
//    bundle at it (the package finds it with new URL('../dist/wasm/lifeline-core.wasm', import.meta.url)).
// 3. The dist directory is served on 127.0.0.1 with `Content-Security-Policy: script-src 'self'
//    'wasm-unsafe-eval'` and loaded in Chromium: the app calls `await init()` with no
//    configuration, connects to a `ws` test server and reports the echo in #result.
// 4. The same app through the Vite dev server (where dependencies are pre-bundled into
//    node_modules/.vite, a classic way to lose an import.meta.url-relative asset).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, createServer } from 'vite';
import { startStaticServer } from './support/static-server.mjs';
import { CHROMIUM, CSP } from './support/chromium.mjs';
import { startTestServer } from '../scripts/testbed/test-server.mjs';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/vite-app/', import.meta.url));
const WAIT = 10000;

let tmp;
let appDir;
let distDir;
let tarball;
let buildResult;
let packed = false;
const warnings = [];
const cleanups = [];

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ws-lifeline-vite-'));
  appDir = path.join(tmp, 'app');
  distDir = path.join(appDir, 'dist');
});

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

test('npm pack: the tarball installs as node_modules/ws-lifeline with the .wasm the exports map leads to', async () => {
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], {
    cwd: ROOT,
    timeout: 30000,
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' },
  });
  const [info] = JSON.parse(stdout);
  tarball = path.join(tmp, info.filename);
  const files = info.files.map((f) => f.path);
  for (const f of ['package.json', 'js/index.js', 'dist/wasm/lifeline-core.mjs', 'dist/wasm/lifeline-core.wasm']) {
    assert.ok(files.includes(f), `${f} is not in the tarball (files: ${files.join(', ')})`);
  }

  await fs.cp(FIXTURE, appDir, { recursive: true });
  const pkgDir = path.join(appDir, 'node_modules', 'ws-lifeline');
  await fs.mkdir(pkgDir, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', pkgDir, '--strip-components=1'], { timeout: 30000 });

  // Resolve the package the way a bundler does, from the app: exports["."].import.default.
  const pkg = JSON.parse(await fs.readFile(path.join(pkgDir, 'package.json'), 'utf8'));
  const entry = pkg.exports['.'].import.default;
  await fs.access(path.join(pkgDir, entry));
  // The ES-module build locates the .wasm with new URL('<relative>.wasm', import.meta.url), which
  // bundlers follow; that URL must name a file that is in the package.
  const wasmRefs = [];
  for (const f of files.filter((f) => f.startsWith('js/') && f.endsWith('.js'))) {
    const text = await fs.readFile(path.join(pkgDir, f), 'utf8');
    for (const m of text.matchAll(/new URL\(\s*['"`]([^'"`]+\.wasm)['"`]\s*,\s*import\.meta\.url\s*\)/g)) {
      wasmRefs.push(path.resolve(pkgDir, path.dirname(f), m[1]));
    }
  }
  assert.ok(wasmRefs.length >= 1, 'some js/ module locates the .wasm with new URL(..., import.meta.url)');
  for (const ref of wasmRefs) await fs.access(ref);
  packed = true;
});

test('vite build emits the .wasm asset and the bundle points at it', async (t) => {
  assert.ok(packed, 'needs the packed app of the previous test');
  const logger = {
    hasWarned: false,
    info() {},
    warn(msg) {
      warnings.push(String(msg));
    },
    warnOnce(msg) {
      warnings.push(String(msg));
    },
    error(msg) {
      warnings.push(`error: ${msg}`);
    },
    clearScreen() {},
    hasErrorLogged: () => false,
  };
  const result = await build({
    root: appDir,
    configFile: false,
    logLevel: 'silent',
    customLogger: logger,
    build: { outDir: distDir, emptyOutDir: true },
  });
  buildResult = (Array.isArray(result) ? result : [result]).flatMap((r) => r.output);
  if (warnings.length) t.diagnostic(`vite warnings: ${warnings.join(' | ')}`);

  const wasmAssets = buildResult.filter((o) => o.type === 'asset' && o.fileName.endsWith('.wasm'));
  assert.equal(
    wasmAssets.length,
    1,
    `exactly one .wasm asset expected; output: ${buildResult.map((o) => o.fileName).join(', ')}`,
  );
  const [wasm] = wasmAssets;
  const original = await fs.readFile(path.join(appDir, 'node_modules/ws-lifeline/dist/wasm/lifeline-core.wasm'));
  const emitted = await fs.readFile(path.join(distDir, wasm.fileName));
  assert.ok(emitted.equals(original), 'the emitted asset is the package\'s .wasm, byte for byte');
  assert.ok(WebAssembly.validate(emitted));

  const chunks = buildResult.filter((o) => o.type === 'chunk');
  const referencing = chunks.filter((c) => c.code.includes(path.posix.basename(wasm.fileName)));
  assert.ok(referencing.length >= 1, 'a chunk references the emitted .wasm');
  for (const c of chunks) {
    assert.ok(!c.code.includes('dist/wasm/lifeline-core.wasm'), `${c.fileName} still points into node_modules`);
    assert.ok(!c.code.includes('data:application/wasm'), `${c.fileName} inlines the .wasm instead of emitting it`);
  }
  await fs.access(path.join(distDir, 'index.html'));
});

/** One Chromium for the file, launched on first use (closed in after()). */
let browserPromise = null;
function getBrowser() {
  if (!browserPromise) {
    browserPromise = chromium.launch(CHROMIUM);
    cleanups.push(async () => (await browserPromise).close());
  }
  return browserPromise;
}

/** Loads the app at `url` and returns what it reported, with what the page fetched and logged. */
async function loadApp(url) {
  const browser = await getBrowser();
  const context = await browser.newContext();
  try {
    // Registered before any page script runs (init scripts are not subject to the page's CSP).
    await context.addInitScript(() => {
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__violations.push({ directive: e.violatedDirective, blocked: String(e.blockedURI), source: e.sourceFile });
      });
    });
    const page = await context.newPage();
    const consoleErrors = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.stack ?? e}`));
    const responses = [];
    page.on('response', (r) => responses.push({ url: r.url(), status: r.status(), headers: r.headers() }));
    const response = await page.goto(url);
    await page.waitForSelector('#result[data-done="1"]', { state: 'attached', timeout: WAIT });
    const result = JSON.parse(await page.textContent('#result'));
    const violations = await page.evaluate(() => window.__violations);
    return { response, result, responses, consoleErrors, violations };
  } finally {
    await context.close();
  }
}

const EXPECTED = { ok: true, echo: 'hello-from-vite', state: 'open', connects: 1 };

test('the built app loads under a strict CSP, init() unconfigured, and gets an echo', async () => {
  assert.ok(buildResult, 'needs the build of the previous test');
  const wsServer = await startTestServer();
  cleanups.push(() => wsServer.close());
  const web = await startStaticServer({ root: distDir, headers: { 'Content-Security-Policy': CSP } });
  cleanups.push(() => web.close());

  const { response, result, responses, consoleErrors, violations } = await loadApp(
    `${web.url('/')}?ws=${encodeURIComponent(wsServer.url('/vite'))}`,
  );
  assert.equal(response.headers()['content-security-policy'], CSP);
  assert.deepEqual(result, EXPECTED, `the app reported: ${JSON.stringify(result)}`);
  assert.deepEqual(
    wsServer.received.map((r) => r.data),
    ['hello-from-vite'],
  );

  const wasmResponses = responses.filter((r) => new URL(r.url).pathname.endsWith('.wasm'));
  assert.equal(wasmResponses.length, 1, 'the emitted .wasm is fetched once');
  assert.equal(wasmResponses[0].status, 200);
  assert.equal(wasmResponses[0].headers['content-type'], 'application/wasm');
  const wasmAsset = buildResult.find((o) => o.type === 'asset' && o.fileName.endsWith('.wasm'));
  assert.equal(new URL(wasmResponses[0].url).pathname, `/${wasmAsset.fileName}`);
  assert.deepEqual(
    web.requests.filter((r) => r.status !== 200),
    [],
    'every request was served',
  );
  assert.deepEqual(violations, [], 'CSP violations');
  assert.deepEqual(consoleErrors, [], 'console errors');
});

test('the Vite dev server (dependency pre-bundling on) serves the app and its .wasm too', async () => {
  assert.ok(packed, 'needs the packed app of the first test');
  const wsServer = await startTestServer();
  cleanups.push(() => wsServer.close());
  const dev = await createServer({
    root: appDir,
    configFile: false,
    logLevel: 'silent',
    clearScreen: false,
    cacheDir: path.join(tmp, 'vite-cache'),
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
  });
  cleanups.push(() => dev.close());
  await dev.listen();
  const { port } = dev.httpServer.address();
  const { result, responses, consoleErrors } = await loadApp(
    `http://127.0.0.1:${port}/?ws=${encodeURIComponent(wsServer.url('/vite-dev'))}`,
  );
  assert.deepEqual(result, EXPECTED, `the app reported: ${JSON.stringify(result)}`);
  assert.ok(
    responses.some((r) => new URL(r.url).pathname.endsWith('/deps/ws-lifeline.js')),
    `ws-lifeline was pre-bundled; requests: ${responses.map((r) => r.url).join(', ')}`,
  );
  const wasm = responses.filter((r) => new URL(r.url).pathname.endsWith('.wasm'));
  assert.equal(wasm.length, 1, `one .wasm fetched; got ${wasm.map((r) => r.url).join(', ')}`);
  assert.equal(wasm[0].status, 200);
  assert.equal(wasm[0].headers['content-type'], 'application/wasm');
  assert.deepEqual(consoleErrors, [], 'console errors');
});
