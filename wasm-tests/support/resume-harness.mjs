// The resume fault matrix's machinery (wasm-tests/resume-matrix.test.mjs): a ResumeServer on a
// real `ws` server that can crash and come back on the same port (its session table lost), the
// server application (a paced sender and an order checker), the faults, the three runtimes the
// client app runs in, the checks and the table. Test support only; loopback only.
//
// The client app is wasm-tests/fixtures/resume-page/client-app.js in every runtime, so the three
// differ only in what carries the Lifeline's bytes: `ws` (Node), Chromium's WebSocket (the page
// next to it) and the mini-program vm's wx.connectSocket on real `ws` sockets
// (support/fake-miniprogram-apis.mjs createRealWx, as wasm-tests/miniprogram.test.mjs uses it).

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket, { WebSocketServer } from 'ws';
import { startFaultProxy } from '../../scripts/testbed/fault-proxy.mjs';
import { Receiver, PacedSender, startClientApp, startGoneClient } from '../fixtures/resume-page/client-app.js';

const LOOPBACK = '127.0.0.1';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const noop = () => {};

/**
 * The server side under test, loaded in this one place (swap it here). `init()` loads the core,
 * which ResumeServer needs.
 * @returns {Promise<{ ResumeServer: any, init: () => Promise<void> }>}
 */
export async function loadServerSide() {
  const { init } = await import('../../js/index.js');
  const { ResumeServer } = await import('../../js/server/index.js');
  if (typeof ResumeServer !== 'function') throw new Error('ws-lifeline/server exports no ResumeServer');
  await init();
  return { ResumeServer, init };
}

// --- the server ----------------------------------------------------------------------------------

/**
 * An HTTP + `ws` server whose connections go to a ResumeServer. crash() resets every TCP
 * connection and throws the ResumeServer (its session table) away; start() again listens on the
 * same port with a fresh one, as a restarted process would. Emits 'server' (rs, generation) for
 * each ResumeServer.
 */
export class ServerHost extends EventEmitter {
  /**
   * @param {{ ResumeServer: any, options?: object, heartbeatMs?: number }} o heartbeatMs: the app's
   * own `ws` heartbeat (ping every heartbeatMs, terminate a connection whose pong did not come by
   * the next ping), the usual way a `ws` server notices a dead peer; 0 for none.
   */
  constructor({ ResumeServer, options = {}, heartbeatMs = 0 }) {
    super();
    this.ResumeServer = ResumeServer;
    this.options = options;
    this.heartbeatMs = heartbeatMs;
    this.terminated = 0; // connections the heartbeat ended
    this.port = 0;
    this.generation = 0;
    /** @type {any} */
    this.rs = null;
    /** @type {http.Server | null} */
    this._http = null;
    /** @type {WebSocketServer | null} */
    this._wss = null;
    /** @type {Set<import('node:net').Socket>} */
    this._sockets = new Set();
    this.connections = 0;
  }

  get up() {
    return this._http !== null;
  }

  async start() {
    if (this._http) throw new Error('ServerHost: already started');
    const server = http.createServer((_req, res) => {
      res.writeHead(426, { connection: 'close' });
      res.end();
    });
    const wss = new WebSocketServer({ server, perMessageDeflate: false });
    const rs = new this.ResumeServer(this.options);
    this.generation++;
    server.on('connection', (socket) => {
      this._sockets.add(socket);
      socket.once('close', () => this._sockets.delete(socket));
    });
    wss.on('connection', (ws, req) => {
      this.connections++;
      // A crash destroys sockets under ws: an 'error' then must not be an uncaught one (the
      // ResumeServer listens too, until it lets the connection go).
      ws.on('error', noop);
      rs.accept(ws, req);
      if (this.heartbeatMs > 0) {
        let alive = true;
        ws.on('pong', () => {
          alive = true;
        });
        const timer = setInterval(() => {
          if (!alive) {
            this.terminated++;
            ws.terminate();
            return;
          }
          alive = false;
          ws.ping();
        }, this.heartbeatMs);
        ws.once('close', () => clearInterval(timer));
      }
    });
    wss.on('error', noop);
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: this.port, host: LOOPBACK }, () => {
        server.off('error', reject);
        resolve(undefined);
      });
    });
    this.port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
    this._http = server;
    this._wss = wss;
    this.rs = rs;
    this.emit('server', rs, this.generation);
  }

  /** The process dies: every connection reset (RST), the session table gone, nothing said. */
  async crash() {
    const server = this._http;
    if (!server) return;
    this._http = null;
    const closed = new Promise((resolve) => server.close(() => resolve(undefined)));
    for (const socket of this._sockets) socket.resetAndDestroy();
    this._sockets.clear();
    this.rs.close(); // frees the core's sessions; their sockets are already gone
    this._wss?.close();
    this._wss = null;
    await closed;
  }

  /** crash(), `downMs` of nothing listening, start() on the same port. */
  async restart(downMs) {
    await this.crash();
    await sleep(downMs);
    await this.start();
  }

  async close() {
    await this.crash();
  }
}

/**
 * The server application: on each session of each ResumeServer of `host`, checks every client
 * message (ids once, in order), and sends its own ids 1..total to the newest session, paced,
 * with flow control on what the session keeps (so no bound ever drops a kept message).
 */
export class ServerApp {
  /**
   * @param {ServerHost} host
   * @param {{ total: number, durationMs: number, maxBuffered: number, tickMs?: number }} o
   */
  constructor(host, { total, durationMs, maxBuffered, tickMs = 10 }) {
    this.host = host;
    this.receiver = new Receiver('c');
    /** @type {any} the session messages go to */
    this.current = null;
    /** @type {Array<{ id: string, generation: number, firstId: number, lastId: number, expired: string | null, resumed: number, detached: number, drops: number }>} */
    this.sessions = [];
    /** @type {Array<{ generation: number, cause: string }>} */
    this.serverExpired = [];
    /** @type {string[]} */
    this.errors = [];
    this.maxKept = 0;
    this.drops = 0;
    this.legacy = 0;
    /** @type {any} */
    let log = null; // the current session's entry in this.sessions
    this.sender = new PacedSender({
      dir: 's',
      total,
      durationMs,
      tickMs,
      room: () => (this.current && !this.current.ended ? maxBuffered - this.current.stats.kept : 0),
      send: (data, id) => {
        const ok = this.current.send(data);
        if (ok) {
          if (log.firstId === 0) log.firstId = id;
          log.lastId = id;
        }
        return ok;
      },
      onTick: () => {
        if (this.current && !this.current.ended) this.maxKept = Math.max(this.maxKept, this.current.stats.kept);
      },
    });
    host.on('server', (rs, generation) => {
      rs.on('error', (/** @type {any} */ e) => this.errors.push(String(e?.stack ?? e)));
      rs.on('expired', (/** @type {any} */ _s, /** @type {string} */ cause) => this.serverExpired.push({ generation, cause }));
      rs.on('legacy', (/** @type {any} */ ws) => {
        this.legacy++;
        ws.close(1008);
      });
      rs.on('session', (/** @type {any} */ s) => {
        const entry = { id: s.id, generation, firstId: 0, lastId: 0, expired: /** @type {string | null} */ (null), resumed: 0, detached: 0, drops: 0 };
        this.sessions.push(entry);
        s.on('message', (/** @type {Buffer} */ data, /** @type {boolean} */ isBinary) => {
          this.receiver.take(isBinary ? data : data.toString('utf8'));
        });
        s.on('resumed', () => entry.resumed++);
        s.on('detached', () => entry.detached++);
        s.on('drop', () => {
          entry.drops++;
          this.drops++;
        });
        s.on('expired', (/** @type {string} */ cause) => {
          entry.expired = cause;
        });
        this.current = s;
        log = entry;
      });
    });
  }

  start() {
    this.sender.start();
  }

  stop() {
    this.sender.stop();
  }

  /** The last server id the client has acknowledged on the current session (-1 without one). */
  get ackedId() {
    const s = this.current;
    if (!s || s.ended) return -1;
    const entry = this.sessions[this.sessions.length - 1];
    const acked = s.stats.acked; // a seq of this session: its first message has seq 1
    return acked === 0 ? entry.firstId - 1 : entry.firstId + acked - 1;
  }

  /** What the current session keeps (0 without one). */
  get kept() {
    return this.current && !this.current.ended ? this.current.stats.kept : 0;
  }
}

// --- the runtimes --------------------------------------------------------------------------------

/**
 * A client app in some runtime. start() begins it; progress() and result() are the client app's
 * (client-app.js), asynchronous because the page's are.
 * @typedef {{ progress(): Promise<any>, result(): Promise<any>, stop(): Promise<void> }} ClientHandle
 * @typedef {{ ready(): Promise<boolean>, whileGone(o?: { rounds?: number, perRound?: number, roundMs?: number }): Promise<any>, close(): Promise<void> }} GoneHandle
 * @typedef {{ name: string, start(o: { url: string, options: object, total: number, durationMs: number }): Promise<ClientHandle>,
 *   startGone(o: { url: string, options: object, maxQueued: number }): Promise<GoneHandle>, close(): Promise<void> }} Runtime
 */

/** @returns {Promise<Runtime>} Node: the Lifeline of js/ with `ws`'s WebSocket. */
export async function nodeRuntime() {
  const { Lifeline } = await import('../../js/index.js');
  return {
    name: 'node',
    async start({ url, options, total, durationMs }) {
      const app = startClientApp({ Lifeline, url, options: { ...options, WebSocket, platform: null }, total, durationMs });
      return {
        progress: async () => app.progress(),
        result: async () => app.result(),
        stop: async () => app.stop(),
      };
    },
    async startGone({ url, options, maxQueued }) {
      const c = startGoneClient({ Lifeline, url, options: { ...options, WebSocket, platform: null }, maxQueued });
      return { ready: async () => c.ready(), whileGone: async (/** @type {any} */ o) => c.whileGone(o), close: async () => c.close() };
    },
    async close() {},
  };
}

/**
 * Chromium headless: the page wasm-tests/fixtures/resume-page/ (served from the repository root,
 * with the CSP of the browser tests) runs the client app with the browser's WebSocket; the
 * server and the proxy stay in this process.
 * @returns {Promise<Runtime>}
 */
export async function chromiumRuntime() {
  const { chromium } = await import('playwright-core');
  const { CHROMIUM, CSP } = await import('./chromium.mjs');
  const { startStaticServer } = await import('./static-server.mjs');
  const web = await startStaticServer({ root: ROOT, headers: { 'Content-Security-Policy': CSP } });
  const browser = await chromium.launch(CHROMIUM);
  /** @type {any[]} */
  const contexts = [];
  /** A fresh context and the resume page in it, loaded and ready. */
  const openPage = async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    /** @type {string[]} */
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(String(e?.stack ?? e)));
    await page.goto(web.url('/wasm-tests/fixtures/resume-page/index.html'));
    await page.waitForFunction(() => /** @type {any} */ (window).harness?.status !== 'loading', null, { timeout: 20000 });
    const status = await page.evaluate(() => ({ status: /** @type {any} */ (window).harness.status, error: /** @type {any} */ (window).harness.error }));
    if (status.status !== 'ready') throw new Error(`the resume page did not load: ${status.error}`);
    const call = (/** @type {string} */ method, /** @type {any[]} */ ...args) =>
      page.evaluate(([m, a]) => /** @type {any} */ (window).harness.call(m, ...a), /** @type {[string, any[]]} */ ([method, args]));
    return { context, call, pageErrors };
  };
  return {
    name: 'chromium',
    async start({ url, options, total, durationMs }) {
      const { context, call, pageErrors } = await openPage();
      await call('start', url, options, total, durationMs);
      return {
        progress: () => call('progress'),
        result: async () => ({ ...(await call('result')), pageErrors: pageErrors.slice() }),
        stop: async () => {
          await call('stop');
          await context.close();
        },
      };
    },
    async startGone({ url, options, maxQueued }) {
      const { context, call } = await openPage();
      await call('goneStart', url, options, maxQueued);
      return {
        ready: () => call('goneReady'),
        whileGone: (/** @type {any} */ o) => call('goneRun', o),
        close: () => context.close(),
      };
    },
    async close() {
      for (const c of contexts) await c.close().catch(noop);
      await browser.close();
      await web.close();
    },
  };
}

/**
 * The mini-program build (miniprogram_dist/) in the WeChat-like vm, its wx.connectSocket on real
 * `ws` sockets (createRealWx), the client app driving the vm's Lifeline from outside as
 * wasm-tests/miniprogram.test.mjs does.
 * @returns {Promise<Runtime>}
 */
export async function miniprogramRuntime() {
  const root = path.join(ROOT, 'miniprogram_dist');
  if (!fs.existsSync(path.join(root, 'index.js'))) throw new Error('miniprogram_dist/ is missing: run `bash scripts/build.sh`');
  const { createSandbox } = await import('./miniprogram-sandbox.mjs');
  /** The package in the vm; a build from before resume is named as such, not left to fail oddly. */
  const loadBuilt = (/** @type {any} */ sandbox) => {
    const lib = sandbox.require('ws-lifeline');
    if (!('resume' in lib.DEFAULTS)) throw new Error('miniprogram_dist/ predates resume: run `bash scripts/build.sh`');
    return lib;
  };
  const { createRealWx } = await import('./fake-miniprogram-apis.mjs');
  /** @type {any[]} */
  const fakes = [];
  return {
    name: 'miniprogram',
    async start({ url, options, total, durationMs }) {
      /** @type {any} */
      let fake;
      const sandbox = createSandbox({ root, wx: (ctx) => (fake = createRealWx({ realm: ctx })).wx });
      fakes.push(fake);
      const lib = loadBuilt(sandbox);
      await lib.init();
      const app = startClientApp({ Lifeline: lib.Lifeline, url, options, total, durationMs });
      return {
        progress: async () => app.progress(),
        result: async () => ({ ...app.result(), wx: { ...fake.stats } }),
        stop: async () => {
          app.stop();
          await fake.dispose();
        },
      };
    },
    async startGone({ url, options, maxQueued }) {
      /** @type {any} */
      let fake;
      const sandbox = createSandbox({ root, wx: (ctx) => (fake = createRealWx({ realm: ctx })).wx });
      fakes.push(fake);
      const lib = loadBuilt(sandbox);
      await lib.init();
      const c = startGoneClient({ Lifeline: lib.Lifeline, url, options, maxQueued });
      return {
        ready: async () => c.ready(),
        whileGone: async (/** @type {any} */ o) => c.whileGone(o),
        close: async () => {
          c.close();
          await fake.dispose();
        },
      };
    },
    async close() {
      for (const f of fakes) await f.dispose();
    },
  };
}

// --- the faults ----------------------------------------------------------------------------------

/**
 * Each fault: `plan` runs while both sides send. `at(f)` waits until the server has received
 * client message f * total over a live session, so every fault hits a connection that carries
 * traffic, in the middle of the stream, however fast the runtime is (a fixed time would let a
 * slow runtime take a fault while still reconnecting from the one before, where it hits nothing).
 * `mark(label)` notes the fault with how far each side had got. `minReconnects`: what the fault
 * must at least cause. `lossless`: the session must survive it.
 * @typedef {{ proxy: any, host: ServerHost, at: (f: number) => Promise<void>, mark: (label: string) => void }} PlanContext
 * @type {Record<string, { plan: (x: PlanContext) => Promise<void>, minReconnects: number, lossless: boolean }>}
 */
export const FAULTS = {
  // The live connection goes silent both ways with nothing closed (blackhole); new connections
  // pass. Only the client's pong deadline notices; the server learns from the resume (4011).
  'half-open': {
    lossless: true,
    minReconnects: 3,
    plan: async ({ proxy, at, mark }) => {
      for (const f of [0.15, 0.45, 0.75]) {
        await at(f);
        await inFlight(proxy);
        mark('half-open');
        await proxy.setMode('blackhole');
        await proxy.setMode('forward');
        proxy.setThrottle(null);
      }
    },
  },
  // Both TCP connections reset (RST) with messages in flight both ways.
  reset: {
    lossless: true,
    minReconnects: 4,
    plan: async ({ proxy, at, mark }) => {
      for (const f of [0.15, 0.35, 0.55, 0.75]) {
        await at(f);
        await inFlight(proxy);
        mark('reset');
        proxy.resetAll();
        proxy.setThrottle(null);
      }
    },
  },
  // Connections reset and new ones refused for a while; both sides keep sending meanwhile (the
  // client until maxQueued are kept, the server until maxBuffered).
  outage: {
    lossless: true,
    minReconnects: 2,
    plan: async ({ proxy, at, mark }) => {
      for (const [f, ms] of [[0.2, 700], [0.65, 300]]) {
        await at(f);
        await inFlight(proxy);
        mark(`outage ${ms} ms`);
        await proxy.setMode('refuse');
        proxy.setThrottle(null);
        await sleep(ms);
        await proxy.setMode('forward');
      }
    },
  },
  // Up 200 ms, down (reset + refused) 120 ms, six times, whatever the client is doing: some downs
  // hit a handshake or a resend under way, some hit nothing.
  flapping: {
    lossless: true,
    minReconnects: 1,
    plan: async ({ proxy, at, mark }) => {
      await at(0.15);
      mark('flap x6 (up 200 / down 120 ms)');
      await proxy.flap({ upMs: 200, downMs: 120, cycles: 6, downMode: 'refuse' });
    },
  },
  // The server process dies (connections reset, session table lost) and comes back 300 ms later
  // on the same port: the client's resume names a session nobody knows, so it expires; then a
  // reset on the new session, which must resume.
  restart: {
    lossless: false,
    minReconnects: 2,
    plan: async ({ proxy, host, at, mark }) => {
      await at(0.4);
      await inFlight(proxy);
      mark('server restart (300 ms down, sessions lost)');
      const restarted = host.restart(300);
      proxy.setThrottle(null);
      await restarted;
      await at(0.75);
      await inFlight(proxy);
      mark('reset (new session)');
      proxy.resetAll();
      proxy.setThrottle(null);
    },
  },
};

/**
 * Puts server->client messages in flight: 100 ms of latency for 150 ms, so that the proxy holds
 * about 100 ms of the server's messages when the fault strikes (a reset, a blackhole or a crash
 * drops them): messages the server wrote and the client never got, which a resume must resend.
 */
async function inFlight(/** @type {any} */ proxy) {
  proxy.setThrottle({ latencyMs: 100 });
  await sleep(150);
}

// --- one scenario ----------------------------------------------------------------------------------

/**
 * Runs the client app in `runtime` against a fresh server behind a fresh fault proxy, injects
 * `fault` while both sides send `total` messages over about `durationMs`, waits until everything
 * has arrived and been acknowledged (or `guardMs` passed), and returns the scenario's record.
 * @param {{ ResumeServer: any, runtime: Runtime, fault: string, total: number, durationMs: number,
 *   clientOptions: Record<string, any>, serverOptions: Record<string, any>, guardMs?: number }} o
 */
export async function runScenario({ ResumeServer, runtime, fault, total, durationMs, clientOptions, serverOptions, guardMs = 30000 }) {
  const host = new ServerHost({ ResumeServer, options: serverOptions });
  const app = new ServerApp(host, { total, durationMs, maxBuffered: serverOptions.maxBuffered ?? 1000 });
  await host.start();
  const proxy = await startFaultProxy({ targetPort: host.port });
  /** @type {ClientHandle | null} */
  let client = null;
  const started = performance.now();
  /** @type {Array<{ label: string, atMs: number, serverSent: number, serverReceived: number, clientAcked: number, clientSent: number, clientReceived: number }>} */
  const faults = [];
  let timedOut = false;
  let last = /** @type {any} */ (null);
  /** @type {any} */
  let latest = null; // the client's progress, polled in the background (a page answers slowly)
  let polling = true;
  /** @type {Promise<void> | null} */
  let poller = null;
  try {
    client = await runtime.start({ url: proxy.url(`/${runtime.name}-${fault}`), options: clientOptions, total, durationMs });
    const c = client;
    latest = await c.progress();
    poller = (async () => {
      while (polling) {
        latest = await c.progress();
        await sleep(50);
      }
    })();
    poller.catch(noop); // a failure shows in the checks (stale progress, a timeout)
    app.start();
    const t0 = performance.now();
    await FAULTS[fault].plan({
      proxy,
      host,
      at: async (f) => {
        const end = performance.now() + guardMs;
        while (!(app.receiver.last >= f * total && app.current?.connected)) {
          if (performance.now() > end) throw new Error(`${runtime.name} / ${fault}: the server never got client message ${f * total} over a live session (last ${app.receiver.last})`);
          await sleep(5);
        }
      },
      mark: (label) => {
        faults.push({
          label,
          atMs: Math.round(performance.now() - t0),
          // Exact (this process): what the server got, and what the client had acknowledged.
          serverSent: app.sender.sent,
          serverReceived: app.receiver.last,
          clientAcked: app.ackedId,
          // As last polled (a page answers late): behind the truth.
          clientSent: latest.sent,
          clientReceived: latest.lastReceived,
        });
      },
    });
    // Everything sent, delivered and acknowledged both ways (the heartbeat carries the last acks).
    const deadline = performance.now() + guardMs;
    for (;;) {
      last = latest;
      const done =
        last.sendDone && app.sender.done && last.lastReceived === total && app.receiver.last === total && last.queued === 0 && app.kept === 0;
      if (done) break;
      if (performance.now() > deadline) {
        timedOut = true;
        break;
      }
      await sleep(25);
    }
    polling = false;
    await poller;
    const elapsedMs = Math.round(performance.now() - started);
    const result = await c.result();
    return summarize({ runtime: runtime.name, fault, total, elapsedMs, timedOut, last, faults, result, app, host, proxy });
  } finally {
    polling = false;
    await poller?.catch(noop);
    app.stop();
    await client?.stop().catch(noop);
    await proxy.close();
    await host.close();
  }
}

/** Ids in 1..total missing from `runs`. @param {Array<[number, number]>} runs @param {number} total */
function missingIds(runs, total) {
  const have = new Uint8Array(total + 1);
  for (const [a, b] of runs) for (let i = a; i <= b; i++) have[i] = 1;
  const out = [];
  for (let i = 1; i <= total; i++) if (!have[i]) out.push(i);
  return out;
}

/** Contiguous runs of a sorted id list, as 'a-b' texts (for messages and the JSON). */
export function ranges(/** @type {number[]} */ ids) {
  const out = [];
  for (let i = 0; i < ids.length; ) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j] + 1) j++;
    out.push(i === j ? `${ids[i]}` : `${ids[i]}-${ids[j]}`);
    i = j + 1;
  }
  return out;
}

/** The record of a scenario, and the problems its checks found (empty: it passed). */
function summarize({ runtime, fault, total, elapsedMs, timedOut, last, faults, result, app, host, proxy }) {
  const client = result;
  const server = app.receiver.summary();
  const c2sMissing = missingIds(server.runs, total);
  const s2cMissing = missingIds(client.receiver.runs, total);
  const dropIds = client.drops.map((/** @type {any} */ d) => d.id).sort((/** @type {number} */ a, /** @type {number} */ b) => a - b);
  const dropSet = new Set(dropIds);
  const lost = new Set(c2sMissing);
  // Dropped (not acknowledged when the session expired) yet delivered: the old server had them.
  const droppedButDelivered = dropIds.filter((/** @type {number} */ id) => !lost.has(id)).length;
  const record = {
    runtime,
    fault,
    messages: { c2s: total, s2c: total },
    c2s: {
      sent: client.sent,
      delivered: server.count,
      missing: c2sMissing.length,
      missingIds: ranges(c2sMissing),
      disorder: server.disorder.length,
      garbage: server.garbageCount,
      refused: client.refused.length,
      droppedExpired: client.drops.filter((/** @type {any} */ d) => d.reason === 'expired').length,
      droppedOther: client.drops.filter((/** @type {any} */ d) => d.reason !== 'expired').length,
      droppedButDelivered,
    },
    s2c: {
      sent: app.sender.sent,
      delivered: client.receiver.count,
      missing: s2cMissing.length,
      missingIds: ranges(s2cMissing),
      disorder: client.receiver.disorder.length,
      garbage: client.receiver.garbageCount,
      refused: app.sender.refused.length,
      serverDrops: app.drops,
    },
    faults,
    reconnects: client.stats.connects - 1,
    attempts: client.stats.attempts,
    deadLinks: client.stats.deadLinks,
    resumes: client.stats.resumes,
    expiries: client.stats.expiries,
    expired: client.expired,
    protocolErrors: client.stats.protocolErrors,
    closeCauses: client.closeCauses,
    maxKeptClient: client.maxKept,
    maxKeptServer: app.maxKept,
    backpressureTicks: { client: client.stalls, server: app.sender.stalls },
    serverSessions: app.sessions.map((s) => ({ generation: s.generation, ids: s.firstId ? `${s.firstId}-${s.lastId}` : '', resumed: s.resumed, detached: s.detached, expired: s.expired })),
    serverExpired: app.serverExpired,
    serverConnections: host.connections,
    serverLegacy: app.legacy,
    serverGenerations: host.generation,
    proxy: proxy.stats(),
    elapsedMs,
    timedOut,
    final: last,
    clientErrors: client.errors.slice(0, 5), // 'error' events: failed sockets, expected under faults
    pageErrors: client.pageErrors ?? [],
    serverErrors: app.errors,
    problems: /** @type {string[]} */ ([]),
  };
  record.problems = check(record, { client, server, s2cMissing, c2sMissing, dropIds, dropSet, app, total });
  return record;
}

/** What must hold for a scenario; each broken rule as a sentence. */
function check(r, { client, server, s2cMissing, c2sMissing, dropIds, dropSet, app, total }) {
  const p = [];
  const want = (/** @type {boolean} */ ok, /** @type {string} */ what) => {
    if (!ok) p.push(what);
  };
  want(!r.timedOut, `not everything arrived and was acknowledged in time: last progress ${JSON.stringify(r.final)}, server last ${app.receiver.last}, server kept ${app.kept}`);
  // Both ways: nothing twice, nothing out of order, nothing mangled, nothing refused.
  want(r.c2s.disorder === 0, `client->server: ${r.c2s.disorder} ids duplicated or out of order, e.g. ${JSON.stringify(server.disorder.slice(0, 5))}`);
  want(r.s2c.disorder === 0, `server->client: ${r.s2c.disorder} ids duplicated or out of order, e.g. ${JSON.stringify(client.receiver.disorder.slice(0, 5))}`);
  want(r.c2s.garbage === 0, `client->server: ${r.c2s.garbage} messages not ours: ${server.garbage.join(', ')}`);
  want(r.s2c.garbage === 0, `server->client: ${r.s2c.garbage} messages not ours: ${client.receiver.garbage.join(', ')}`);
  want(r.c2s.refused === 0 && r.s2c.refused === 0, `sends refused: client ${client.refused.slice(0, 5)}, server ${app.sender.refused.slice(0, 5)}`);
  want(r.s2c.serverDrops === 0, `the server dropped ${r.s2c.serverDrops} kept messages (a bound)`);
  want(r.c2s.sent === total && r.s2c.sent === total, `not all sent: client ${r.c2s.sent}, server ${r.s2c.sent}`);
  want(r.protocolErrors === 0, `${r.protocolErrors} protocol errors (4010)`);
  want(r.pageErrors.length === 0, `uncaught errors in the page: ${r.pageErrors.join(' | ')}`);
  want(r.serverErrors.length === 0, `ResumeServer errors: ${r.serverErrors.join(' | ')}`);
  want(r.serverLegacy === 0, `${r.serverLegacy} connections did not open with new or resume`);
  // Each fault hit both streams mid-way: the server still lacked client messages, and the client
  // had not acknowledged every server message.
  want(r.faults.length > 0 && r.faults.every((f) => f.serverReceived < total && f.clientAcked < total), `a fault came after a stream had finished: ${JSON.stringify(r.faults)}`);
  want(r.reconnects >= FAULTS[r.fault].minReconnects, `${r.reconnects} reconnects, fewer than the ${FAULTS[r.fault].minReconnects} the fault must cause`);
  if (FAULTS[r.fault].lossless) {
    want(r.c2s.missing === 0, `client->server lost ${r.c2s.missing}: ${r.c2s.missingIds.slice(0, 10).join(', ')}`);
    want(r.s2c.missing === 0, `server->client lost ${r.s2c.missing}: ${r.s2c.missingIds.slice(0, 10).join(', ')}`);
    want(r.c2s.delivered === total && r.s2c.delivered === total, `delivered ${r.c2s.delivered} / ${r.s2c.delivered} of ${total}`);
    want(r.expiries === 0 && client.expired.length === 0, `the session expired: ${JSON.stringify(client.expired)}`);
    want(client.drops.length === 0, `${client.drops.length} client drops`);
    want(r.resumes >= 1, 'no resume');
    want(app.sessions.length === 1, `${app.sessions.length} server sessions (one expected)`);
    want(r.serverExpired.length === 0, `server expiries: ${JSON.stringify(r.serverExpired)}`);
  } else {
    // The restart: one explicit expiry, told by the server ('peer'); what the client had not had
    // acknowledged came back as drops, exactly the tail it had sent before the expiry; what the
    // server never got is among them; after it, everything in order, none missing.
    const [e] = client.expired;
    want(client.expired.length === 1 && r.expiries === 1, `expected one 'expired' event, got ${JSON.stringify(client.expired)}`);
    want(e?.cause === 'peer', `expiry cause ${e?.cause} (peer expected: the new server did not know the session)`);
    want(r.c2s.droppedOther === 0, `${r.c2s.droppedOther} drops for another reason than expired`);
    if (e) {
      const tail = dropIds.length > 0 && dropIds[dropIds.length - 1] === e.sentBefore && dropIds.every((/** @type {number} */ id, /** @type {number} */ i) => i === 0 || id === dropIds[i - 1] + 1);
      want(dropIds.length > 0 && tail, `the drops are not the unacknowledged tail ending at ${e.sentBefore}: ${ranges(dropIds).slice(0, 5)}`);
      want(c2sMissing.every((id) => dropSet.has(id)), `client->server lost without a drop event: ${ranges(c2sMissing.filter((id) => !dropSet.has(id))).slice(0, 5)}`);
      want(c2sMissing.every((id) => id <= e.sentBefore), 'client->server: a message sent after the expiry was lost');
      const lostSession = app.sessions.find((s) => s.generation === 1);
      want(
        s2cMissing.every((id) => lostSession && id >= lostSession.firstId && id <= lostSession.lastId),
        `server->client lost outside the lost session's messages: ${ranges(s2cMissing).slice(0, 5)}`,
      );
    }
    want(app.sessions.length === 2 && app.sessions[1].generation === 2, `sessions: ${JSON.stringify(r.serverSessions)} (one per server generation expected)`);
    want(r.resumes >= 1, 'the new session never resumed after the later reset');
    want(r.serverExpired.length === 0, `server expiries: ${JSON.stringify(r.serverExpired)} (the new server had no session of this client to end)`);
  }
  return p;
}

// --- the table -------------------------------------------------------------------------------------

/** One line per (runtime, fault). */
export function formatTable(/** @type {any[]} */ records) {
  const head = ['runtime', 'fault', 'c->s sent/deliv', 's->c sent/deliv', 'lost c->s/s->c', 'dup', 'drops(expired)', 'reconn', 'resumes', 'expiries', 'max kept c/s', 'cut in flight', 'ms', 'ok'];
  const rows = records.map((r) => [
    r.runtime,
    r.fault,
    `${r.c2s.sent}/${r.c2s.delivered}`,
    `${r.s2c.sent}/${r.s2c.delivered}`,
    `${r.c2s.missing}/${r.s2c.missing}`,
    `${r.c2s.disorder + r.s2c.disorder}`,
    `${r.c2s.droppedExpired}`,
    `${r.reconnects}`,
    `${r.resumes}`,
    `${r.expiries}`,
    `${r.maxKeptClient}/${r.maxKeptServer}`,
    `${r.proxy.bytesDropped} B`,
    `${r.elapsedMs}`,
    r.problems.length === 0 ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (/** @type {string[]} */ cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Writes the matrix (records and the settings) as JSON for the benchmark report. */
export function writeMatrix(/** @type {string} */ file, /** @type {object} */ content) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
}
