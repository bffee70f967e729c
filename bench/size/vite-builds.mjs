// Each client as a user ships it: a Vite production build of a page that uses it in one line,
// gzip -9 and brotli 11 of everything the build emits (JS and, for ws-lifeline, the .wasm). The
// page with a raw WebSocket is built the same way; the module-preload polyfill is off, so what a
// build adds beyond the raw page is the client's own.
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const URL_ = 'wss://example.com/feed';
export const CLIENTS = [
  { name: 'raw WebSocket', pkg: null, code: `new WebSocket('${URL_}').onmessage = (e) => console.log(e.data);` },
  {
    name: 'ws-lifeline',
    pkg: 'ws-lifeline',
    code: `import { init, Lifeline } from 'ws-lifeline';\nawait init();\nnew Lifeline('${URL_}').onmessage = (e) => console.log(e.data);`,
  },
  { name: 'reconnecting-websocket', pkg: 'reconnecting-websocket', code: `import RWS from 'reconnecting-websocket';\nnew RWS('${URL_}').onmessage = (e) => console.log(e.data);` },
  { name: 'partysocket', pkg: 'partysocket', code: `import { WebSocket } from 'partysocket';\nnew WebSocket('${URL_}').onmessage = (e) => console.log(e.data);` },
  {
    name: 'websocket-heartbeat-js',
    pkg: 'websocket-heartbeat-js',
    code: `import WebsocketHeartbeatJs from 'websocket-heartbeat-js';\nnew WebsocketHeartbeatJs({ url: '${URL_}' }).onmessage = (e) => console.log(e.data);`,
  },
  { name: 'sockette', pkg: 'sockette', code: `import Sockette from 'sockette';\nnew Sockette('${URL_}', { onmessage: (e) => console.log(e.data) });` },
  { name: 'socket.io-client', pkg: 'socket.io-client', code: `import { io } from 'socket.io-client';\nio('${URL_}').on('message', (m) => console.log(m));` },
];

const gz = (b) => gzipSync(b, { level: 9 }).length;
const br = (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const version = (pkg) => (pkg === 'ws-lifeline' ? JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version : JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version);

/** Builds each client's page; a client whose package is not installed is reported as missing. */
export async function viteBuilds() {
  const { build, version: viteVersion } = await import('vite');
  const base = path.join(ROOT, 'build', 'size-apps');
  fs.rmSync(base, { recursive: true, force: true });
  // ws-lifeline by its package name, as a user imports it: node_modules/ws-lifeline -> this repo.
  fs.mkdirSync(path.join(base, 'node_modules'), { recursive: true });
  fs.symlinkSync(ROOT, path.join(base, 'node_modules', 'ws-lifeline'), 'dir');
  const rows = [];
  for (const c of CLIENTS) {
    if (c.pkg && c.pkg !== 'ws-lifeline' && !fs.existsSync(path.join(ROOT, 'node_modules', c.pkg))) {
      rows.push({ name: c.name, missing: true });
      continue;
    }
    const dir = path.join(base, c.name.replace(/[^a-z0-9]+/gi, '-'));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>\n');
    fs.writeFileSync(path.join(dir, 'main.js'), `${c.code}\n`);
    await build({
      root: dir,
      logLevel: 'silent',
      configFile: false,
      build: { outDir: path.join(dir, 'dist'), emptyOutDir: true, modulePreload: { polyfill: false }, target: 'es2022' },
    });
    const files = [];
    const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : files.push(path.join(d, e.name))));
    walk(path.join(dir, 'dist'));
    const assets = files.filter((f) => /\.(js|wasm)$/.test(f)).map((f) => {
      const b = fs.readFileSync(f);
      return { file: path.basename(f), kind: f.endsWith('.wasm') ? 'wasm' : 'js', raw: b.length, gzip: gz(b), brotli: br(b) };
    });
    const sum = (k, kind) => assets.filter((a) => !kind || a.kind === kind).reduce((s, a) => s + a[k], 0);
    rows.push({
      name: c.name,
      version: c.pkg ? version(c.pkg) : '',
      raw: sum('raw'),
      gzip: sum('gzip'),
      brotli: sum('brotli'),
      jsGzip: sum('gzip', 'js'),
      wasmGzip: sum('gzip', 'wasm'),
      jsBrotli: sum('brotli', 'js'),
      wasmBrotli: sum('brotli', 'wasm'),
    });
  }
  fs.rmSync(base, { recursive: true, force: true });
  return { vite: viteVersion, rows };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const r = await viteBuilds();
  console.log(`Vite ${r.vite}`);
  for (const x of r.rows) console.log(x.missing ? `${x.name}: not installed` : `${x.name.padEnd(24)} ${String(x.gzip).padStart(6)} gzip ${String(x.brotli).padStart(6)} brotli (js ${x.jsGzip}, wasm ${x.wasmGzip})`);
}
