// uni-app (Vue 3, Vite) as a user has it: the real project in fixtures/uni-app (exact versions,
// its own package-lock.json), ws-lifeline installed from this run's `npm pack` tarball, built by
// `uni build -p mp-weixin`, and its output run in the WeChat-like sandbox against a real server
// through the fault proxy. The test watches from the server side only: the page reports on the
// wire (`hello <n>` on its n-th open, `echo-seen <n>` when that hello came back).
//
// The recipe under test (README, "Quick start: mini-programs"):
//   cp node_modules/ws-lifeline/miniprogram_dist/lifeline-core.wasm.br src/static/
//   import { init, Lifeline } from 'ws-lifeline/miniprogram';
//   await init({ wasmPath: '/static/lifeline-core.wasm.br' });
// and the alternative without a copy step (pages/asset-url): Vite's
//   import wasmPath from 'ws-lifeline/lifeline-core.wasm?url';   await init({ wasmPath });
//
// The first run installs the fixture's locked dependencies (`npm ci`, about a minute); later runs
// reuse them (support/fixture-project.mjs).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { brotliDecompressSync } from 'node:zlib';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { prepareFixture, run } from './support/fixture-project.mjs';
import { createAppSandbox } from './support/miniprogram-sandbox.mjs';
import { createRealWx } from './support/fake-miniprogram-apis.mjs';
import { startTestServer } from '../scripts/testbed/test-server.mjs';
import { runMiniApp, waiter } from './support/mini-app.mjs';

const waitFor = waiter(10_000);

let dir;
let out;
let wasmBytes;

before(
  () => {
    dir = prepareFixture('uni-app');
    // The documented step: uni copies src/static/ into the code package as it is.
    wasmBytes = fs.readFileSync(path.join(dir, 'node_modules/ws-lifeline/miniprogram_dist/lifeline-core.wasm.br'));
    fs.mkdirSync(path.join(dir, 'src/static'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'src/static/lifeline-core.wasm.br'), wasmBytes);

    // stdout and stderr both (Vite's warnings go to stderr); a failed build throws with them.
    const log = run(dir, 'sh', ['-c', 'node_modules/.bin/uni build -p mp-weixin 2>&1']);
    assert.match(log, /DONE\s+Build complete/, log);
    assert.doesNotMatch(log, /error|warn/i, log);
    out = path.join(dir, 'dist/build/mp-weixin');
  },
  { timeout: 20 * 60_000 },
);

test('the build: the .wasm from src/static/ is in the code package, the library is bundled', () => {
  assert.deepEqual(fs.readFileSync(path.join(out, 'static/lifeline-core.wasm.br')), wasmBytes);
  const appJson = JSON.parse(fs.readFileSync(path.join(out, 'app.json'), 'utf8'));
  assert.deepEqual(appJson.pages, ['pages/index/index', 'pages/asset-url/index']);
  // Bundled into common/vendor.js (nothing left to require from miniprogram_npm).
  const vendor = fs.readFileSync(path.join(out, 'common/vendor.js'), 'utf8');
  assert.match(vendor, /WXWebAssembly/);
  assert.doesNotMatch(vendor, /require\("ws-lifeline/);
  assert.ok(!fs.existsSync(path.join(out, 'miniprogram_npm')), 'no miniprogram_npm folder');
  // The ?url page's copy, emitted by Vite under assets/ with a hash.
  const assets = fs.readdirSync(path.join(out, 'assets')).filter((f) => f.endsWith('.wasm'));
  assert.equal(assets.length, 1, assets.join(', '));
  // (the package's plain .wasm, the same core as the .wasm.br)
  assert.deepEqual(fs.readFileSync(path.join(out, 'assets', assets[0])), brotliDecompressSync(wasmBytes));
});

test('the page connects, notices a dead link by its heartbeat, reconnects, and closes on unload', async (t) => {
  const { server, proxy, mp, fake } = await runMiniApp(t, out);
  const platformWx = mp.context.wx;
  mp.launch();
  // uni's runtime replaces the global wx by its own copy of wx's functions, and defines no
  // global `uni`: the library finds `wx` and uses wx.connectSocket (counted by the fake below).
  assert.notEqual(mp.context.wx, platformWx);
  assert.equal(mp.context.wx.connectSocket, platformWx.connectSocket);
  assert.equal(mp.run('typeof uni'), 'undefined');

  const page = await mp.openPage('pages/index/index', { url: encodeURIComponent(proxy.url('/uni')) });
  const saw = (data) => server.received.some((r) => r.data === data);

  await waitFor(() => server.connections === 1, 'init() resolved and the first connection arrived');
  assert.deepEqual(mp.wasmCalls, [{ path: '/static/lifeline-core.wasm.br' }]);
  await waitFor(() => saw('hello 1'), 'hello 1');
  await waitFor(() => saw('echo-seen 1'), 'echo-seen 1');
  assert.equal(fake.stats.connectCalls, 1);

  // A half-open link: nothing crosses any more, and nothing says so. New connections forward.
  await proxy.setMode('blackhole');
  await proxy.setMode('forward');
  await waitFor(() => server.connections === 2, 'a second connection after the heartbeat found the link dead');
  await waitFor(() => saw('hello 2'), 'hello 2');
  await waitFor(() => saw('echo-seen 2'), 'echo-seen 2');
  assert.deepEqual(
    server.received.map((r) => `${r.conn}:${r.data}`),
    ['0:hello 1', '0:echo-seen 1', '1:hello 2', '1:echo-seen 2'],
  );
  assert.equal(fake.stats.connectCalls, 2);

  page.unload();
  await waitFor(() => fake.liveTasks() === 0, 'no SocketTask left open');
  assert.ok(fake.tasks[1].closeRequested, 'the page closed its socket');
  // Several heartbeat and reconnect periods later, still nothing new.
  await sleep(1500);
  assert.equal(server.connections, 2, 'no connection after unload');
  assert.equal(fake.stats.connectCalls, 2);
  assert.equal(mp.wasmCalls.length, 1);
});

test('the ?url alternative: Vite emits the .wasm under assets/ and gives its code-package path', async (t) => {
  const server = await startTestServer();
  let fake;
  t.after(async () => {
    await fake?.dispose();
    await server.close();
  });
  // A fresh app (the core is loaded once per app: init() is idempotent).
  const mp = createAppSandbox({ root: out, wx: (ctx) => (fake = createRealWx({ realm: ctx })).wx });
  mp.launch();
  const page = await mp.openPage('pages/asset-url/index', { url: encodeURIComponent(server.url('/uni-url')) });
  await waitFor(() => server.received.some((r) => r.data === 'asset-url open'), 'the ?url page opened');
  assert.equal(mp.wasmCalls.length, 1);
  assert.match(mp.wasmCalls[0].path, /^\/assets\/lifeline-core[.\w-]*\.wasm$/);
  page.unload();
  await waitFor(() => fake.liveTasks() === 0, 'no SocketTask left open');
});
