// WeChat's own "Build npm" on examples/miniprogram, then the example run from its output:
//   node --test wasm-tests/wechat-npm.test.mjs
//
// 1. miniprogram-ci (WeChat's CI package: its packNpm is the developer tools' Tools > Build npm),
//    pinned in wasm-tests/fixtures/wechat-npm/, installed once into a cached working copy
//    (support/fixture-project.mjs).
// 2. examples/miniprogram copied to a temporary directory; in its miniprogram/ folder, ws-lifeline
//    installed from this run's `npm pack` tarball with `npm install`, as a user installs it.
// 3. packNpm on the project (in a child process: miniprogram-ci sets up process-wide request
//    proxies). It needs a project object with a non-empty privateKey, which only its network
//    calls (upload, preview, project attributes) read: packNpm is local, so any string will do.
//    It must copy the package's whole miniprogram_dist (.wasm included) to
//    miniprogram/miniprogram_npm/ws-lifeline/.
// 4. The example app from that folder in the WeChat-like vm (support/miniprogram-sandbox.mjs:
//    require('ws-lifeline') resolves through miniprogram_npm, WXWebAssembly takes code-package
//    paths), its SocketTasks real sockets through the fault proxy to a real server: the page
//    connects, sends, reconnects on demand, survives a half-open link, and closes on unload.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { brotliDecompressSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { prepareFixture, packTarball, run, REPO } from './support/fixture-project.mjs';
import { runMiniApp, waiter } from './support/mini-app.mjs';

const EXAMPLE = path.join(REPO, 'examples', 'miniprogram');
const PACKAGE_NPM_DIR = path.join('miniprogram_npm', 'ws-lifeline');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-lifeline-wechat-npm-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const waitFor = waiter(5000);

/** Every file under dir, as sorted '/'-separated relative paths. */
function listFiles(dir, prefix = '') {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(path.join(dir, entry.name), rel));
    else out.push(rel);
  }
  return out.sort();
}

// packNpm as WeChat's docs show it (new ci.Project(...), ci.packNpm(project, { ignores, reporter })),
// run with the fixture's miniprogram-ci; prints { warnings, reports } as JSON.
const PACK_NPM = `
const ci = require(require.resolve('miniprogram-ci', { paths: [process.env.FIXTURE] }));
(async () => {
  const project = new ci.Project({
    appid: 'touristappid',
    type: 'miniProgram',
    projectPath: process.env.PROJECT,
    privateKey: 'unused: packNpm is local, only network calls read the key',
    ignores: ['node_modules/**/*'],
  });
  const reports = [];
  const warnings = await ci.packNpm(project, { ignores: [], reporter: (info) => reports.push(info) });
  process.stdout.write('\\n@@result ' + JSON.stringify({ warnings, reports }) + '\\n');
})().catch((e) => { console.error(e && e.stack || e); process.exit(1); });
`;

let project; // <tmp>/project: the example after Build npm
let miniprogramRoot; // <tmp>/project/miniprogram

test('miniprogram-ci packNpm copies the whole miniprogram_dist, .wasm included, to miniprogram_npm/ws-lifeline', (t) => {
  let started = performance.now();
  const fixture = prepareFixture('wechat-npm', { tarball: null }); // a tool only: the package goes into the example
  const tarball = packTarball();
  t.diagnostic(`fixture ready in ${Math.round(performance.now() - started)} ms: ${fixture}`);

  project = path.join(tmp, 'project');
  fs.cpSync(EXAMPLE, project, {
    recursive: true,
    // what an earlier `npm install` or Build npm in the example may have left there
    filter: (source) => !/[\\/](node_modules|miniprogram_npm)([\\/]|$)|package-lock\.json$/.test(path.relative(EXAMPLE, source)),
  });
  miniprogramRoot = path.join(project, 'miniprogram');
  assert.ok(fs.existsSync(path.join(project, 'project.config.json')));
  assert.ok(fs.existsSync(path.join(miniprogramRoot, 'package.json')), 'the example has a package.json in miniprogram/');

  // `npm install` in miniprogram/, as the example's README says, of this run's tarball.
  started = performance.now();
  run(miniprogramRoot, 'npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', tarball]);
  t.diagnostic(`npm install of the tarball: ${Math.round(performance.now() - started)} ms`);
  const installed = path.join(miniprogramRoot, 'node_modules', 'ws-lifeline');
  const manifest = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
  assert.equal(manifest.miniprogram, 'miniprogram_dist');

  started = performance.now();
  const stdout = run(project, process.execPath, ['--input-type=commonjs', '-e', PACK_NPM], {
    env: { FIXTURE: fixture, PROJECT: project },
  });
  t.diagnostic(`packNpm: ${Math.round(performance.now() - started)} ms`);
  const line = stdout.split('\n').find((l) => l.startsWith('@@result '));
  assert.ok(line, `packNpm printed no result:\n${stdout}`);
  const { warnings, reports } = JSON.parse(line.slice('@@result '.length));
  assert.deepEqual(warnings, [], 'packNpm warnings');
  t.diagnostic(`packNpm report: ${JSON.stringify(reports)}`);
  // Packed as a mini-program npm package (its "miniprogram" folder copied), not traced from its JS.
  assert.equal(reports.at(-1)?.miniprogram_pack_num, 1, JSON.stringify(reports));
  assert.equal(reports.at(-1)?.other_pack_num, 0, JSON.stringify(reports));

  // Exactly the tarball's miniprogram_dist, byte for byte.
  const inTarball = run(tmp, 'tar', ['-tzf', tarball])
    .split('\n')
    .filter((f) => f.startsWith('package/miniprogram_dist/') && !f.endsWith('/'))
    .map((f) => f.slice('package/miniprogram_dist/'.length))
    .sort();
  assert.ok(inTarball.includes('lifeline-core.wasm.br'), `the tarball's miniprogram_dist: ${inTarball.join(', ')}`);
  const built = path.join(miniprogramRoot, PACKAGE_NPM_DIR);
  assert.deepEqual(listFiles(built), inTarball, 'miniprogram_npm/ws-lifeline holds the tarball\'s miniprogram_dist');
  for (const file of inTarball) {
    assert.ok(
      fs.readFileSync(path.join(built, file)).equals(fs.readFileSync(path.join(installed, 'miniprogram_dist', file))),
      `${file} is copied unchanged`,
    );
  }
  assert.ok(WebAssembly.validate(brotliDecompressSync(fs.readFileSync(path.join(built, 'lifeline-core.wasm.br')))));
});

test('the example runs from the Build npm output: connects, sends, reconnects, survives a half-open link, closes', async (t) => {
  assert.ok(miniprogramRoot && fs.existsSync(path.join(miniprogramRoot, PACKAGE_NPM_DIR, 'index.js')), 'needs the previous test');
  const { server, proxy, mp, fake } = await runMiniApp(t, miniprogramRoot);

  const app = mp.launch();
  // The example takes its server and Lifeline options from globalData (app.js): a short
  // heartbeat and backoff here, so that a half-open link is condemned in well under a second.
  app.globalData.serverUrl = proxy.url('/wechat-npm');
  Object.assign(app.globalData.socketOptions, {
    pingInterval: 200,
    pongTimeout: 300,
    connectTimeout: 1000,
    reconnectDelay: 50,
    maxReconnectDelay: 200,
    jitter: 0,
  });
  const page = await mp.openPage('pages/index/index');
  const { instance } = page;
  const log = () => page.data.log.join('\n');

  await waitFor(() => page.data.state === 'open', 'the page shows open');
  // The core came from the package's own folder under miniprogram_npm, by its code-package path.
  assert.deepEqual(
    mp.wasmCalls.map((c) => c.path),
    ['/miniprogram_npm/ws-lifeline/lifeline-core.wasm.br'],
  );
  instance.sendNow();
  await waitFor(() => server.received.some((r) => r.data === 'hello 1'), 'the server got the message');
  await waitFor(() => page.data.received === 1, 'the echo reached the page');

  instance.reconnectNow();
  await waitFor(() => server.connections === 2 && page.data.state === 'open', 'a second connection', 5000);
  instance.sendNow();
  await waitFor(() => server.received.some((r) => r.data === 'hello 2' && r.conn === 1), 'the message after reconnecting');
  await waitFor(() => page.data.received === 2, 'its echo');

  // A half-open link: nothing crosses any more, no FIN, no RST. The heartbeat condemns it.
  await proxy.setMode('blackhole');
  await waitFor(() => page.data.log.some((l) => l.includes('(pong-timeout)')), `a dead-link verdict; log:\n${log()}`, 5000);
  await proxy.setMode('forward');
  await waitFor(() => server.connections >= 3 && page.data.state === 'open', `a new connection; log:\n${log()}`, 5000);
  const sent = page.data.sent;
  instance.sendNow();
  const text = `hello ${sent + 1}`;
  await waitFor(() => server.received.some((r) => r.data === text && r.conn >= 2), `${text} after the half-open link`);
  await waitFor(() => page.data.received === 3, `its echo; log:\n${log()}`);
  assert.ok(fake.stats.maxLive <= 2, `sockets live at once: ${fake.stats.maxLive}`);

  const connections = server.connections;
  page.unload();
  assert.equal(page.data.state, 'closed');
  await sleep(300);
  assert.equal(server.connections, connections, 'no connection after unload');
  assert.ok(page.data.log.some((line) => line.startsWith('close 1000')), log());
});
