// A tiny static file server for browser tests, on 127.0.0.1 only.
//
//   const server = await startStaticServer({ root: '/path/to/dir', headers: { 'Content-Security-Policy': "..." } });
//   await page.goto(server.url('/index.html'));
//   await server.close();
//
// - Serves GET and HEAD for regular files under `root`; `/dir/` serves `/dir/index.html`.
// - Content types: .wasm application/wasm, .js/.mjs text/javascript, .html, .css, .json, .map,
//   .svg, .txt; anything else application/octet-stream.
// - `headers` are added to every response (also to 404s), so a CSP applies to every document.
// - No path outside `root` is ever served: the decoded path is resolved and checked against the
//   real path of root, and symlinks leading outside root are refused too. Everything else is 404.
// - `requests` records every request as { method, path, status } (handy to see what a page asked for).

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const LOOPBACK = '127.0.0.1';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentType(file) {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export async function startStaticServer({ root, headers = {}, port = 0 } = {}) {
  if (typeof root !== 'string' || root === '') throw new TypeError('static-server: root must be a directory path');
  const realRoot = await fs.promises.realpath(path.resolve(root));
  if (!(await fs.promises.stat(realRoot)).isDirectory()) throw new Error(`static-server: ${root} is not a directory`);
  const server = new StaticServer(realRoot, headers);
  await server._start(port);
  return server;
}

function inside(root, candidate) {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

class StaticServer {
  requests = [];
  #root;
  #headers;
  #http = null;
  #port = 0;
  #sockets = new Set();
  #closing = null;

  constructor(root, headers) {
    this.#root = root;
    this.#headers = { ...headers };
  }

  get port() {
    return this.#port;
  }

  get origin() {
    return `http://${LOOPBACK}:${this.#port}`;
  }

  url(p = '/') {
    return `${this.origin}${p.startsWith('/') ? p : `/${p}`}`;
  }

  async _start(port) {
    this.#http = http.createServer((req, res) => {
      this.#handle(req, res).catch(() => this.#send(req, res, 500, 'internal error\n'));
    });
    this.#http.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    this.#http.on('clientError', (_err, socket) => socket.destroy());
    await new Promise((resolve, reject) => {
      this.#http.once('error', reject);
      this.#http.listen({ port, host: LOOPBACK }, () => {
        this.#http.off('error', reject);
        resolve();
      });
    });
    this.#port = this.#http.address().port;
  }

  async #resolve(urlPath) {
    let decoded;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return null;
    }
    if (decoded.includes('\0') || decoded.includes('\\')) return null;
    if (decoded.endsWith('/')) decoded += 'index.html';
    const candidate = path.resolve(this.#root, `.${path.posix.normalize(`/${decoded}`)}`);
    if (!inside(this.#root, candidate)) return null;
    let real;
    try {
      real = await fs.promises.realpath(candidate); // a symlink must not lead outside root either
    } catch {
      return null;
    }
    if (!inside(this.#root, real)) return null;
    const stat = await fs.promises.stat(real).catch(() => null);
    if (!stat || !stat.isFile()) return null;
    return { file: real, size: stat.size };
  }

  async #handle(req, res) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      this.#send(req, res, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
      return;
    }
    const pathname = new URL(req.url, 'http://localhost').pathname;
    const found = await this.#resolve(pathname);
    if (!found) {
      this.#send(req, res, 404, 'not found\n');
      return;
    }
    this.requests.push({ method: req.method, path: pathname, status: 200 });
    res.writeHead(200, {
      ...this.#headers,
      'content-type': contentType(found.file),
      'content-length': found.size,
      'cache-control': 'no-store',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = fs.createReadStream(found.file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  #send(req, res, status, body, extra = {}) {
    const pathname = (() => {
      try {
        return new URL(req.url, 'http://localhost').pathname;
      } catch {
        return req.url;
      }
    })();
    this.requests.push({ method: req.method, path: pathname, status });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(status, {
      ...this.#headers,
      ...extra,
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  close() {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close() {
    const closed = new Promise((resolve) => this.#http.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }
}
