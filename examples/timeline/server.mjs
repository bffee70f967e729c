// The web demo's server: the timeline page, the package it runs (js/ and dist/wasm/), the classic
// pattern it races against (bench/recovery/classic.mjs), the testbed's echo server behind ONE fault
// proxy that both clients on the page connect through, and a tiny JSON API for the fault buttons.
// Everything listens on 127.0.0.1 only.
//
//   node examples/timeline/server.mjs [--port N] [--duration SECONDS]     (Ctrl-C stops it)
//   import { startTimeline } from './examples/timeline/server.mjs'; // tests: await startTimeline()
//
// HTTP:
//   GET  /                      the page (examples/timeline/index.html); ?scale=0.1 divides every timing
//   GET  /timeline/<file>       the page's files (examples/timeline/)
//   GET  /js/…, /dist/wasm/…    the package, as a plain <script type="module"> page loads it
//   GET  /classic.mjs           the classic heartCheck pattern (bench/recovery/classic.mjs, as it is)
//   GET  /api/config            { wsUrl: { lifeline, classic }, status }
//   GET  /api/status            { mode, latency: { latencyMs, jitterMs } | null, healAt, connections }
//   GET  /api/events            text/event-stream: a 'status' event on every change of the above
//   POST /api/fault             { fault, holdMs?, latencyMs?, jitterMs? } -> status; fault is one of
//        half-open   proxy mode 'blackhole': live connections go silent both ways (no FIN, no RST);
//                    connections accepted meanwhile hang too. holdMs > 0: back to 'forward' after it.
//        reset       resetAll(): every connection (blackholed ones too) gets a TCP reset
//        refuse      proxy mode 'refuse' (resets what is connected, refuses new connections); holdMs
//                    as above
//        latency     toggles a throttle of latencyMs + random [0, jitterMs) on server->client bytes
//        heal        mode 'forward' and no throttle: NEW connections go through. A blackholed or
//                    hung connection never revives (its bytes were dropped); clients must replace it.
// POST bodies must be application/json (a cross-site form cannot send that without a CORS
// preflight, which this server never grants), and the Host header must be this server's own.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFaultProxy } from '../../scripts/testbed/fault-proxy.mjs';
import { startTestServer } from '../../scripts/testbed/test-server.mjs';

const LOOPBACK = '127.0.0.1';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HERE = fileURLToPath(new URL('.', import.meta.url));
// The page runs with the package's own promise: no eval, WebAssembly allowed.
const CSP = "script-src 'self' 'wasm-unsafe-eval'";
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};
// URL prefix -> directory; nothing else of the repository is served.
const MOUNTS = [
  ['/timeline/', HERE],
  ['/js/', path.join(ROOT, 'js')],
  ['/dist/wasm/', path.join(ROOT, 'dist', 'wasm')],
];
const FILES = new Map([
  ['/', path.join(HERE, 'index.html')],
  ['/index.html', path.join(HERE, 'index.html')],
  ['/classic.mjs', path.join(ROOT, 'bench', 'recovery', 'classic.mjs')],
]);
const MAX_HOLD_MS = 600_000;
const MAX_LATENCY_MS = 10_000;

function inside(dir, file) {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** The file a GET path maps to, or null. */
function resolveFile(pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  if (FILES.has(decoded)) return FILES.get(decoded);
  for (const [prefix, dir] of MOUNTS) {
    if (!decoded.startsWith(prefix)) continue;
    const file = path.resolve(dir, `.${path.posix.normalize(`/${decoded.slice(prefix.length)}`)}`);
    return inside(dir, file) ? file : null;
  }
  return null;
}

/**
 * Starts the echo server, the fault proxy and the HTTP server.
 * @param {{ port?: number, log?: (line: string) => void }} [options]
 */
export async function startTimeline({ port = 0, log = () => {} } = {}) {
  const echo = await startTestServer();
  const proxy = await startFaultProxy({ targetPort: echo.port });
  const listeners = new Set(); // open /api/events responses
  const sockets = new Set();
  let healTimer = null;
  let healAt = null; // epoch ms of the automatic heal, if one is planned

  const status = () => ({
    mode: proxy.mode,
    latency: proxy.throttle ? { latencyMs: proxy.throttle.latencyMs, jitterMs: proxy.throttle.jitterMs } : null,
    healAt,
    connections: proxy.stats().open,
  });
  const broadcast = () => {
    const line = `event: status\ndata: ${JSON.stringify(status())}\n\n`;
    for (const res of listeners) res.write(line);
  };
  proxy.on('mode', broadcast);
  proxy.on('throttle', broadcast);

  const cancelHeal = () => {
    clearTimeout(healTimer);
    healTimer = null;
    healAt = null;
  };
  const heal = async () => {
    cancelHeal();
    proxy.setThrottle(null);
    await proxy.setMode('forward');
    broadcast();
  };
  const holdThenHeal = (holdMs) => {
    cancelHeal();
    if (!(holdMs > 0)) return;
    healAt = Date.now() + holdMs;
    healTimer = setTimeout(() => {
      healTimer = null;
      healAt = null;
      log('fault: over, forwarding again');
      proxy
        .setMode('forward') // an added latency stays until toggled or healed
        .then(broadcast)
        .catch((err) => log(`heal failed: ${err.message}`));
    }, holdMs);
  };

  async function fault(body) {
    const holdMs = clampNumber(body.holdMs, 0, MAX_HOLD_MS, 0);
    switch (body.fault) {
      case 'half-open':
        await proxy.setMode('blackhole');
        holdThenHeal(holdMs);
        break;
      case 'reset':
        proxy.resetAll();
        break;
      case 'refuse':
        await proxy.setMode('refuse');
        holdThenHeal(holdMs);
        break;
      case 'latency':
        if (proxy.throttle) proxy.setThrottle(null);
        else {
          proxy.setThrottle({
            latencyMs: clampNumber(body.latencyMs, 0, MAX_LATENCY_MS, 300),
            jitterMs: clampNumber(body.jitterMs, 0, MAX_LATENCY_MS, 200),
          });
        }
        break;
      case 'heal':
        await heal();
        break;
      default:
        return null;
    }
    log(`fault: ${body.fault}${holdMs ? ` (heals in ${holdMs} ms)` : ''} -> mode ${proxy.mode}${proxy.throttle ? `, latency ${proxy.throttle.latencyMs} ms + jitter ${proxy.throttle.jitterMs} ms` : ''}`);
    broadcast();
    return status();
  }

  const web = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      log(`error: ${err.message}`);
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  web.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  web.on('clientError', (_err, socket) => socket.destroy());

  async function handle(req, res) {
    const url = new URL(req.url, `http://${LOOPBACK}`);
    if (req.headers.host !== `${LOOPBACK}:${web.address().port}` && req.headers.host !== `localhost:${web.address().port}`) {
      send(res, 421, { error: 'wrong host' }); // DNS rebinding: only our own address
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      if (req.method === 'GET' && url.pathname === '/api/config') {
        send(res, 200, { wsUrl: { lifeline: proxy.url('/lifeline'), classic: proxy.url('/classic') }, status: status() });
      } else if (req.method === 'GET' && url.pathname === '/api/status') {
        send(res, 200, status());
      } else if (req.method === 'GET' && url.pathname === '/api/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
        res.write(`event: status\ndata: ${JSON.stringify(status())}\n\n`);
        listeners.add(res);
        res.once('close', () => listeners.delete(res));
      } else if (req.method === 'POST' && url.pathname === '/api/fault') {
        if (!String(req.headers['content-type']).startsWith('application/json')) {
          send(res, 415, { error: 'expected application/json' });
          return;
        }
        let body;
        try {
          body = JSON.parse(await readBody(req, 4096));
        } catch {
          send(res, 400, { error: 'expected a JSON object' });
          return;
        }
        const result = body && typeof body === 'object' ? await fault(body) : null;
        if (result) send(res, 200, result);
        else send(res, 400, { error: 'fault must be half-open, reset, refuse, latency or heal' });
      } else {
        send(res, 404, { error: 'not found' });
      }
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, { error: 'method not allowed' });
      return;
    }
    const file = resolveFile(url.pathname);
    const stat = file && (await fs.promises.stat(file).catch(() => null));
    if (!stat || !stat.isFile()) {
      send(res, 404, { error: 'not found' });
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'content-length': stat.size,
      'cache-control': 'no-store',
      'content-security-policy': CSP,
    });
    if (req.method === 'HEAD') res.end();
    else fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
  }

  await new Promise((resolve, reject) => {
    web.once('error', reject);
    web.listen({ port, host: LOOPBACK }, () => {
      web.off('error', reject);
      resolve();
    });
  });
  const origin = `http://${LOOPBACK}:${web.address().port}`;
  let closing = null;
  return {
    origin,
    port: web.address().port,
    url: (p = '/') => `${origin}${p.startsWith('/') ? p : `/${p}`}`,
    proxy,
    echo,
    status,
    fault,
    close() {
      closing ??= (async () => {
        cancelHeal();
        for (const res of listeners) res.end();
        const closed = new Promise((resolve) => web.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await closed;
        await proxy.close();
        await echo.close();
      })();
      return closing;
    },
  };
}

function clampNumber(value, min, max, fallback) {
  const n = Number(value);
  if (value === undefined || value === null || !Number.isFinite(n)) return fallback;
  return Math.min(max, Math.max(min, n));
}

function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

// Run as a program: print the URL and serve until Ctrl-C (or --duration seconds).
const isMain = () => {
  try {
    return Boolean(process.argv[1]) && fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
};
if (isMain()) {
  const args = process.argv.slice(2);
  const value = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] !== '--port' && args[i] !== '--duration') {
      console.error(`unknown argument ${args[i]}; usage: server.mjs [--port N] [--duration SECONDS]`);
      process.exit(2);
    }
  }
  const port = value('--port') === undefined ? 0 : Number(value('--port'));
  const duration = value('--duration') === undefined ? Infinity : Number(value('--duration'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error('--port: expected a port number (0: any free port)');
    process.exit(2);
  }
  if (!(duration > 0)) {
    console.error('--duration: expected a number of seconds > 0');
    process.exit(2);
  }
  const t0 = performance.now();
  const stamp = () => `${((performance.now() - t0) / 1000).toFixed(2).padStart(7)}s`;
  const timeline = await startTimeline({ port, log: (line) => console.log(`${stamp()}  ${line}`) });
  console.log(`ws-lifeline timeline: open ${timeline.url('/')} in a browser (${timeline.url('/?scale=0.5')} runs twice as fast)`);
  console.log(`echo server :${timeline.echo.port}, fault proxy :${timeline.proxy.port}; Ctrl-C stops it`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await timeline.close();
    console.log(`${stamp()}  stopped`);
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (duration !== Infinity) setTimeout(stop, duration * 1000);
}
