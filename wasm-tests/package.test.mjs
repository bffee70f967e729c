// The package as users get it: `npm pack`, unpacked into a fresh node_modules, then imported and
// required by name. The .wasm must be found with no configuration.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';

const root = fileURLToPath(new URL('..', import.meta.url));
let dir;
let server;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lifeline-pkg-'));
  execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', dir], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  const pkg = join(dir, 'node_modules', 'ws-lifeline');
  mkdirSync(pkg, { recursive: true });
  execFileSync('tar', ['-xzf', join(dir, tarball), '-C', pkg, '--strip-components=1']);
  symlinkSync(join(root, 'node_modules', 'ws'), join(dir, 'node_modules', 'ws'));
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.on('listening', resolve));
  server.on('connection', (s) => s.on('message', (m) => s.send(String(m))));
});

after(() => {
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const consumer = (kind) => `
  ${kind === 'esm' ? "import { init, Lifeline } from 'ws-lifeline';" : "const { init, Lifeline } = require('ws-lifeline');"}
  (async () => {
    await init();
    const l = new Lifeline(process.argv[2]);
    l.onopen = () => l.send('hello from ${kind}');
    l.onmessage = (e) => { console.log(String(e.data)); l.close(); };
  })();
`;

for (const kind of ['esm', 'cjs']) {
  test(`a ${kind} consumer of the packed package connects with no configuration`, async () => {
    const file = join(dir, kind === 'esm' ? 'app.mjs' : 'app.cjs');
    writeFileSync(file, consumer(kind));
    const url = `ws://127.0.0.1:${server.address().port}/`;
    // Asynchronously: the echo server lives in this process.
    const { stdout } = await promisify(execFile)(process.execPath, [file, url], { cwd: dir, timeout: 20000 });
    assert.equal(stdout.trim(), `hello from ${kind}`);
  });
}

test('the package ships what each runtime loads, and no sources it does not need', () => {
  const files = execFileSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: root }).toString();
  const names = JSON.parse(files)[0].files.map((f) => f.path);
  for (const needed of ['js/index.js', 'js/index.d.ts', 'dist/wasm/lifeline-core.wasm', 'dist/wasm/lifeline-core.mjs', 'dist/cjs/index.js', 'dist/cjs/runtime.js', 'miniprogram_dist/index.js', 'miniprogram_dist/lifeline-core.wasm.br', 'miniprogram_dist/lifeline-core.js', 'js/server/index.js', 'js/server/index.d.ts', 'dist/cjs/server/index.js', 'dist/cjs/server/index.d.ts']) {
    assert.ok(names.includes(needed), `${needed} is in the package`);
  }
  assert.ok(!names.some((n) => n.startsWith('native-tests/') || n.startsWith('wasm-tests/')), 'no tests in the package');
  // The mini-program folder holds only what a mini-program runs: no types, one form of the core.
  const mini = names.filter((n) => n.startsWith('miniprogram_dist/'));
  assert.deepEqual(mini.filter((n) => !/\.(js|json)$/.test(n)), ['miniprogram_dist/lifeline-core.wasm.br']);
});
