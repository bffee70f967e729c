// Start-up and memory probes, one per process (spawned by run.mjs):
//   node startup-child.mjs cold <raw|lifeline|reconnecting-websocket> <url>
//   node startup-child.mjs warm <url>
//   node --expose-gc startup-child.mjs memory
// Prints one JSON line.
import { createRequire } from 'node:module';

const [mode, kind, urlArg] = process.argv.slice(2);
const now = () => performance.now();

/** A WebSocket that notes when it is constructed (the connection attempt), then connects for real. */
async function recordingWebSocket(onAttempt) {
  const { WebSocket } = await import('ws');
  return class RecordingWebSocket extends WebSocket {
    constructor(...args) {
      onAttempt(now());
      super(...args);
      this.on('error', () => {});
    }
  };
}

if (mode === 'cold') {
  const url = urlArg;
  const t0 = now(); // the script is running; everything below is what an app pays
  let tAttempt = null;
  const attempted = new Promise((resolve) => {
    globalThis.__attempt = (t) => {
      if (tAttempt === null) {
        tAttempt = t;
        resolve();
      }
    };
  });
  const out = { mode, kind, processStartToScript: t0 };
  if (kind === 'raw') {
    const WS = await recordingWebSocket(globalThis.__attempt);
    out.importMs = now() - t0;
    new WS(url);
  } else if (kind === 'lifeline') {
    const m = await import('../../js/index.js');
    const t1 = now();
    // init() loads `ws` in Node (no global WebSocket before Node 22): timed apart from the wasm.
    const WS = await recordingWebSocket(globalThis.__attempt);
    const t2 = now();
    await m.init();
    const t2b = now();
    out.importMs = t1 - t0;
    out.wsImportMs = t2 - t1;
    out.initMs = t2b - t2;
    const t3 = now();
    new m.Lifeline(url, { WebSocket: WS });
    out.constructStart = t3;
  } else if (kind === 'reconnecting-websocket') {
    const require = createRequire(import.meta.url);
    const RWS = require('reconnecting-websocket');
    const WS = await recordingWebSocket(globalThis.__attempt);
    out.importMs = now() - t0;
    new RWS(url, [], { WebSocket: WS });
  }
  await attempted;
  out.toAttemptMs = tAttempt - t0;
  if (out.constructStart !== undefined) out.constructToAttemptMs = tAttempt - out.constructStart;
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(0);
}

if (mode === 'warm') {
  const url = kind;
  const m = await import('../../js/index.js');
  await m.init();
  const require = createRequire(import.meta.url);
  const RWS = require('reconnecting-websocket');
  let mark = null;
  const WS = await recordingWebSocket((t) => (mark = t));
  const N = 200;
  const times = { raw: [], lifeline: [], 'reconnecting-websocket': [] };
  for (let i = 0; i < N; i++) {
    for (const k of ['raw', 'lifeline', 'reconnecting-websocket']) {
      mark = null;
      const t0 = now();
      let c;
      if (k === 'raw') c = new WS(url);
      else if (k === 'lifeline') c = new m.Lifeline(url, { WebSocket: WS });
      else c = new RWS(url, [], { WebSocket: WS, maxRetries: 0 });
      while (mark === null) await new Promise((r) => setImmediate(r));
      times[k].push(mark - t0);
      try {
        c.close();
      } catch {
        // a raw socket closed while connecting may throw; it is gone anyway
      }
    }
  }
  process.stdout.write(JSON.stringify({ mode, N, times }) + '\n');
  process.exit(0);
}

if (mode === 'memory') {
  const { init, Lifeline } = await import('../../js/index.js');
  const { core } = await import('../../js/loader.js');
  const require = createRequire(import.meta.url);
  const RWS = require('reconnecting-websocket');
  await init();
  const gc = () => {
    for (let i = 0; i < 3; i++) globalThis.gc();
  };
  const N = 1000;
  // A transport that opens at once and never talks: what is measured is the Lifeline itself.
  const transport = (_url, _protocols, handlers) => {
    queueMicrotask(() => handlers.open());
    return { send() {}, close() {}, bufferedAmount: 0, protocol: '', extensions: '' };
  };
  // The same for reconnecting-websocket, which wants a WebSocket class.
  class FakeWebSocket {
    static CONNECTING = 0;
    static OPEN = 1;
    static CLOSING = 2;
    static CLOSED = 3;
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.binaryType = 'blob';
      this.listeners = {};
      queueMicrotask(() => {
        this.readyState = 1;
        for (const fn of this.listeners.open ?? []) fn({ type: 'open' });
      });
    }
    addEventListener(type, fn) {
      (this.listeners[type] ??= []).push(fn);
    }
    removeEventListener(type, fn) {
      this.listeners[type] = (this.listeners[type] ?? []).filter((f) => f !== fn);
    }
    send() {}
    close() {
      this.readyState = 3;
    }
  }
  const measure = async (make, isOpen) => {
    gc();
    const heap0 = process.memoryUsage().heapUsed;
    const wasm0 = core().heapInUse();
    const mem0 = core().HEAPU8.length;
    const list = [];
    for (let i = 0; i < N; i++) list.push(make(i));
    while (!list.every(isOpen)) await new Promise((r) => setTimeout(r, 5));
    gc();
    const heap1 = process.memoryUsage().heapUsed;
    const wasm1 = core().heapInUse();
    const mem1 = core().HEAPU8.length;
    for (const c of list) c.close();
    return { jsHeapBytes: heap1 - heap0, wasmHeapBytes: wasm1 - wasm0, wasmMemoryGrowth: mem1 - mem0 };
  };
  const wasmMemory = core().HEAPU8.length;
  const wasmHeapAtInit = core().heapInUse();
  // Warm both paths once so that compiled code is not counted as per-instance memory.
  await measure((i) => new Lifeline(`ws://127.0.0.1:9/${i}`, { transport }), (c) => c.state === 'open');
  await measure((i) => new RWS(`ws://127.0.0.1:9/${i}`, [], { WebSocket: FakeWebSocket }), (c) => c.readyState === 1);
  const lifeline = await measure((i) => new Lifeline(`ws://127.0.0.1:9/${i}`, { transport }), (c) => c.state === 'open');
  const rws = await measure((i) => new RWS(`ws://127.0.0.1:9/${i}`, [], { WebSocket: FakeWebSocket }), (c) => c.readyState === 1);
  gc();
  const wasmHeapAfterClose = core().heapInUse();
  process.stdout.write(JSON.stringify({ mode, N, wasmMemory, wasmHeapAtInit, wasmHeapAfterClose, lifeline, rws }) + '\n');
  process.exit(0);
}
