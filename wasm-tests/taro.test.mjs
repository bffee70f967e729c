// A real Taro 4 project (React, webpack 5) that uses the package as a user would: wasm-tests/
// fixtures/taro-app imports `ws-lifeline/miniprogram`, copies lifeline-core.wasm.br with one line of
// Taro config (`copy`) and calls init({ wasmPath: '/lifeline-core.wasm.br' }). It is built with
// `taro build --type weapp` from its locked dependencies, with this package installed from its own
// `npm pack` tarball, and the output folder is run as WeChat runs it (the WeChat-like vm: no eval,
// no WebAssembly, WXWebAssembly with code-package paths) against a real server, through a proxy
// that can make the link half-open. The page reports on the wire: 'hello <n>' on its n-th open,
// 'echo-seen <n>' when that hello comes back, so everything is observed from the server's side.
//
// The first run installs Taro (`npm ci`, ~2 minutes); later runs use the cached copy
// (support/fixture-project.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { prepareFixture, run, REPO } from './support/fixture-project.mjs';
import { runMiniApp, waiter } from './support/mini-app.mjs';

const PAGE = 'pages/index/index';

const waitFor = waiter(10_000);

const plain = (text) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

let built; // { dir, output }
function build() {
  if (built) return built;
  // Taro's install scripts are not needed to build (its CLI's postinstall only phones home).
  const dir = prepareFixture('taro-app', { ignoreScripts: true });
  // HOME of its own: Taro writes ~/.taro4.0 and loads plugins from ~/.taro-global-config.
  const home = path.join(dir, '.home');
  fs.mkdirSync(home, { recursive: true });
  fs.rmSync(path.join(dir, 'dist'), { recursive: true, force: true });
  const output = plain(
    run(dir, 'sh', ['-c', 'node_modules/.bin/taro build --type weapp 2>&1'], { env: { HOME: home, CI: 'true' } }),
  );
  built = { dir, output };
  return built;
}

test('taro build --type weapp bundles ws-lifeline/miniprogram and copies the .wasm', { timeout: 15 * 60_000 }, () => {
  const { dir, output } = build();
  assert.match(output, /Compiled successfully/, output.slice(-3000));
  // The failure modes seen with Taro: a CommonJS folder parsed as ES modules builds "successfully"
  // with `export 'init' ... was not found`; a missing file or export is a warning or an error.
  for (const bad of [/was not found/i, /Module not found/i, /Can't resolve/i, /Warnings?:/i, /Errors?:/i, /ModuleDependencyWarning/]) {
    assert.doesNotMatch(output, bad, output.slice(-3000));
  }
  const dist = path.join(dir, 'dist');
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dist, 'app.json'), 'utf8')).pages, [PAGE]);
  // The .wasm where `copy` put it, byte for byte the package's.
  const copied = fs.readFileSync(path.join(dist, 'lifeline-core.wasm.br'));
  assert.deepEqual(copied, fs.readFileSync(path.join(REPO, 'miniprogram_dist', 'lifeline-core.wasm.br')));
  assert.ok(fs.readFileSync(path.join(dist, `${PAGE}.js`), 'utf8').includes('/lifeline-core.wasm.br'), 'the page passes the wasmPath');
});

test('the Taro page runs as WeChat runs it: init, echo, a half-open link detected, reconnect, close on unload', { timeout: 15 * 60_000 }, async (t) => {
  const { dir } = build();
  const { server, proxy, mp, fake, said } = await runMiniApp(t, path.join(dir, 'dist'));
  mp.launch();

  // The query as the runtime gives it to onLoad: URL-encoded.
  const page = await mp.openPage(PAGE, { url: encodeURIComponent(proxy.url('/taro')) });
  await waitFor(() => server.connections === 1, 'init() resolved and the page connected');
  assert.deepEqual(mp.wasmCalls, [{ path: '/lifeline-core.wasm.br' }]);
  await waitFor(() => said('hello 1'), 'hello 1');
  await waitFor(() => said('echo-seen 1'), 'the echo of hello 1 reached the page');
  // React's state went through Taro's setData to the page.
  await waitFor(() => JSON.stringify(page.data).includes('"open"'), 'the page shows open');

  // A half-open link: nothing crosses any more, nobody closes. Only the heartbeat can tell.
  await proxy.setMode('blackhole');
  await proxy.setMode('forward'); // for new connections; the blackholed one stays dead
  await waitFor(() => server.connections === 2, 'the dead link detected and a second connection');
  await waitFor(() => said('hello 2'), 'hello 2');
  await waitFor(() => said('echo-seen 2'), 'the echo of hello 2 reached the page');
  assert.deepEqual(
    server.received.map((r) => `${r.conn}:${r.data}`),
    ['0:hello 1', '0:echo-seen 1', '1:hello 2', '1:echo-seen 2'],
  );
  assert.ok(fake.tasks[0].closeRequested, 'the Lifeline closed the dead socket itself (nothing came from the other side)');

  // Unloading the page closes the Lifeline for good.
  page.unload();
  await waitFor(() => fake.liveTasks() === 0, 'the socket closed on unload');
  assert.equal(fake.tasks[1].closeRequested?.code, 1000, 'closed by the page, with 1000');
  const connectCalls = fake.stats.connectCalls;
  // No further attempt: watched for many heartbeat and reconnect periods (200 ms, 50–200 ms).
  await sleep(1000);
  assert.equal(fake.stats.connectCalls, connectCalls, 'no connect attempt after unload');
  assert.equal(server.connections, 2, 'no connection after unload');
});
