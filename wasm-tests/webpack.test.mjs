// ws-lifeline in a webpack 5 production build, used by package name as an npm user would, run in
// Chromium:
//   node --test wasm-tests/webpack.test.mjs
//
// 1. wasm-tests/fixtures/webpack-app (webpack pinned by its package-lock.json) in a cached working
//    copy with ws-lifeline installed from this run's `npm pack` tarball (support/fixture-project.mjs).
// 2. webpack's Node API builds it with the fixture's own webpack.config.cjs (production, nothing
//    specific to ws-lifeline): no warnings, no errors, and the core's .wasm emitted as an asset
//    (the package finds it with new URL('../dist/wasm/lifeline-core.wasm', import.meta.url)).
//    The output's size (JS + wasm, gzip -9) goes to the diagnostics.
// 3. The output is served on 127.0.0.1 with `Content-Security-Policy: script-src 'self'
//    'wasm-unsafe-eval'` and loaded in Chromium: `await init()` with no options, a connection to a
//    `ws` test server, the echo in the DOM.
// 4. Through the fault proxy, with a short heartbeat from the query string: a half-open link is
//    condemned, a second connection comes, and the message sent on it echoes.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { gzipSync, constants as zlib } from 'node:zlib';
import { chromium } from 'playwright-core';
import { prepareFixture } from './support/fixture-project.mjs';
import { startStaticServer } from './support/static-server.mjs';
import { CHROMIUM, CSP } from './support/chromium.mjs';
import { startTestServer } from '../scripts/testbed/test-server.mjs';
import { startFaultProxy } from '../scripts/testbed/fault-proxy.mjs';

const WAIT = 10000;

let appDir;
let distDir;
let assets; // [{ name, size }] from webpack's stats
const cleanups = [];

before(() => {
  const started = performance.now();
  appDir = prepareFixture('webpack-app');
  distDir = path.join(appDir, 'dist');
  console.log(`webpack-app fixture ready in ${Math.round(performance.now() - started)} ms: ${appDir}`);
});

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

function webpackBuild() {
  const require = createRequire(path.join(appDir, 'package.json'));
  const webpack = require('webpack');
  const config = require(path.join(appDir, 'webpack.config.cjs'));
  return new Promise((resolve, reject) => {
    const compiler = webpack(config);
    compiler.run((error, stats) => {
      compiler.close((closeError) => {
        if (error || closeError) reject(error || closeError);
        else resolve({ version: webpack.version, stats: stats.toJson({ all: false, assets: true, warnings: true, errors: true }) });
      });
    });
  });
}

const gzip9 = (bytes) => gzipSync(bytes, { level: zlib.Z_BEST_COMPRESSION }).length;

test('webpack build: no warnings or errors, the .wasm emitted as an asset and the bundle pointing at it', async (t) => {
  const started = performance.now();
  const { version, stats } = await webpackBuild();
  t.diagnostic(`webpack ${version} build: ${Math.round(performance.now() - started)} ms`);
  const messages = (list) => (list || []).map((w) => w.message).join('\n---\n');
  assert.deepEqual(stats.errors, [], `webpack errors:\n${messages(stats.errors)}`);
  assert.deepEqual(stats.warnings, [], `webpack warnings:\n${messages(stats.warnings)}`);

  assets = stats.assets.map(({ name, size }) => ({ name, size }));
  const wasmAssets = assets.filter((a) => a.name.endsWith('.wasm'));
  assert.equal(wasmAssets.length, 1, `exactly one .wasm asset expected; output: ${assets.map((a) => a.name).join(', ')}`);
  const wasm = fs.readFileSync(path.join(distDir, wasmAssets[0].name));
  const original = fs.readFileSync(path.join(appDir, 'node_modules/ws-lifeline/dist/wasm/lifeline-core.wasm'));
  assert.ok(wasm.equals(original), "the emitted asset is the package's .wasm, byte for byte");

  const js = assets.filter((a) => a.name.endsWith('.js'));
  assert.deepEqual(js.map((a) => a.name), ['main.js'], 'one bundle');
  const code = fs.readFileSync(path.join(distDir, 'main.js'), 'utf8');
  // Webpack turns new URL('…wasm', import.meta.url) into its asset module: the asset's name is
  // in the bundle, the package's path is not, and nothing is inlined.
  assert.ok(code.includes(wasmAssets[0].name), 'the bundle references the emitted .wasm');
  assert.ok(!code.includes('dist/wasm/lifeline-core.wasm'), 'the bundle still points into node_modules');
  assert.ok(!code.includes('data:application/wasm'), 'the bundle inlines the .wasm instead of emitting it');
  assert.ok(fs.existsSync(path.join(distDir, 'index.html')));

  const jsGz = gzip9(Buffer.from(code));
  const wasmGz = gzip9(wasm);
  t.diagnostic(
    `output size: main.js ${code.length} B (${jsGz} B gzip -9), ${wasmAssets[0].name} ${wasm.length} B (${wasmGz} B gzip -9); ` +
      `total ${code.length + wasm.length} B, ${jsGz + wasmGz} B gzip -9 (the bundle includes the app's own few lines)`,
  );
  // Not asserted: webpack replaces a bare import.meta.url (the Emscripten glue's script
  // directory) with the module's file:// URL at build time, which puts the build machine's path
  // into the bundle. It is never used at run time (the loader hands the glue the instance).
  const buildPaths = [...new Set(code.match(/file:\/\/[^"'`\s]*/g) ?? [])];
  if (buildPaths.length) t.diagnostic(`the bundle embeds build-machine paths: ${buildPaths.join(', ')}`);
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

/** Opens the app at `url` in a fresh context; records console errors, CSP violations and responses. */
async function openApp(url) {
  const browser = await getBrowser();
  const context = await browser.newContext();
  cleanups.push(() => context.close());
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
  return { page, context, response, result, responses, consoleErrors };
}

async function serveDist() {
  assert.ok(assets, 'needs the build of the first test');
  const web = await startStaticServer({ root: distDir, headers: { 'Content-Security-Policy': CSP } });
  cleanups.push(() => web.close());
  return web;
}

test('the built app loads under a strict CSP, init() unconfigured, and gets an echo', async () => {
  const web = await serveDist();
  const wsServer = await startTestServer();
  cleanups.push(() => wsServer.close());

  const { page, context, response, result, responses, consoleErrors } = await openApp(
    `${web.url('/')}?ws=${encodeURIComponent(wsServer.url('/webpack'))}`,
  );
  assert.equal(response.headers()['content-security-policy'], CSP);
  assert.deepEqual(result, { ok: true, echo: 'hello-1', state: 'open', connects: 1 }, `the app reported: ${JSON.stringify(result)}`);
  assert.deepEqual(await page.locator('#echoes li').allTextContents(), ['hello-1'], 'the echo is in the DOM');
  assert.deepEqual(
    wsServer.received.map((r) => r.data),
    ['hello-1'],
  );

  const wasmResponses = responses.filter((r) => new URL(r.url).pathname.endsWith('.wasm'));
  assert.equal(wasmResponses.length, 1, 'the emitted .wasm is fetched once');
  assert.equal(wasmResponses[0].status, 200);
  assert.equal(wasmResponses[0].headers['content-type'], 'application/wasm');
  const wasmAsset = assets.find((a) => a.name.endsWith('.wasm'));
  assert.equal(new URL(wasmResponses[0].url).pathname, `/${wasmAsset.name}`);
  assert.deepEqual(
    web.requests.filter((r) => r.status !== 200),
    [],
    'every request was served',
  );
  assert.deepEqual(await page.evaluate(() => window.__violations), [], 'CSP violations');
  assert.deepEqual(consoleErrors, [], 'console errors');
  await context.close();
});

test('a half-open link is condemned by the heartbeat and the app reconnects (options from the query string)', async () => {
  const web = await serveDist();
  const wsServer = await startTestServer();
  cleanups.push(() => wsServer.close());
  const proxy = await startFaultProxy({ targetPort: wsServer.port });
  cleanups.push(() => proxy.close());
  const options = { pingInterval: 200, pongTimeout: 300, connectTimeout: 1000, reconnectDelay: 50, maxReconnectDelay: 200 };

  const { page, context, result, consoleErrors } = await openApp(
    `${web.url('/')}?ws=${encodeURIComponent(proxy.url('/webpack-fault'))}&options=${encodeURIComponent(JSON.stringify(options))}`,
  );
  assert.deepEqual(result, { ok: true, echo: 'hello-1', state: 'open', connects: 1 }, `the app reported: ${JSON.stringify(result)}`);

  await proxy.setMode('blackhole'); // nothing crosses any more: no data, no FIN, no RST
  await page.waitForSelector('#result[data-closes="1"]', { state: 'attached', timeout: WAIT });
  const lastClose = await page.getAttribute('#result', 'data-last-close');
  assert.match(lastClose, /^\d+ pong-timeout$/, `the close event: ${lastClose}`);
  await proxy.setMode('forward');

  // On its next open the app sends hello-2; its echo is listed.
  await page.waitForFunction(() => [...document.querySelectorAll('#echoes li')].some((li) => li.textContent === 'hello-2'), null, {
    timeout: WAIT,
  });
  assert.ok(wsServer.connections >= 2, `connections: ${wsServer.connections}`);
  assert.ok(
    wsServer.received.some((r) => r.data === 'hello-2' && r.conn >= 1),
    `received: ${JSON.stringify(wsServer.received)}`,
  );
  assert.deepEqual(consoleErrors, [], 'console errors');
  await context.close();
});
