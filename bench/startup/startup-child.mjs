// Start-up and memory probes, one per process (spawned by run.mjs):
//   node startup-child.mjs cold <kind> <url>     kind: raw | raw-require | lifeline | lifeline-parts | reconnecting-websocket
//   node startup-child.mjs warm <url>
//   node --expose-gc startup-child.mjs memory
// Prints one JSON line.
//
// Cold: from the script's first line to the first connection attempt, the moment a `ws` WebSocket
// starts being constructed. It is seen the same way for every client (EventEmitter.init, which the
// constructor's super() calls first), so that each goes its default way: a raw socket from
// `import('ws')` (raw) or `require('ws')` (raw-require), ws-lifeline with no WebSocket option (its
// init() finds `ws` itself), reconnecting-websocket given `ws`'s class.
// lifeline-parts is the lifeline run cut into parts from the outside, js/ knowing nothing of it:
// fs/promises readFile, WebAssembly.compile and WebAssembly.instantiate, the instance's exports and
// the imports the wasm calls are wrapped, and the evaluation of `ws`'s files noted (CommonJS
// Module#_compile), all before the clock starts; the glue is imported on its own just before
// js/index.js (which then finds it loaded). It prints marks on one timeline; run.mjs turns them
// into parts (see PARTS there). lifeline, unwrapped, is the total an app pays.
import fs from 'node:fs';
import Module, { createRequire, syncBuiltinESMExports } from 'node:module';
import { EventEmitter } from 'node:events';

const [mode, kind, urlArg] = process.argv.slice(2);
const now = () => performance.now();
const require = createRequire(import.meta.url);
const GLUE = new URL('../../dist/wasm/lifeline-core.mjs', import.meta.url);
const RUNTIME = new URL('../../js/runtime.js', import.meta.url);

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

/** Wraps what the loader calls on the way to a core, to mark the times in `marks`. */
function instrumentLoader(marks) {
  // Node's own loaders use WebAssembly too (undici's llhttp, the CommonJS lexer): only the calls
  // on the core's bytes and module are marked.
  let bytes = null;
  let wasmModule = null;
  const fsp = require('node:fs/promises');
  const readFile = fsp.readFile;
  fsp.readFile = function (path, ...rest) {
    if (!String(path).endsWith('.wasm') || marks.readStart !== undefined) return readFile.call(this, path, ...rest);
    marks.readStart = now();
    return readFile.call(this, path, ...rest).then((b) => {
      marks.readEnd = now();
      bytes = b;
      return b;
    });
  };
  syncBuiltinESMExports(); // `import('node:fs/promises')` in the loader sees the wrapper
  const compile = WebAssembly.compile;
  WebAssembly.compile = function (source, ...rest) {
    if (bytes === null || source !== bytes) return compile.call(this, source, ...rest);
    marks.compileStart = now();
    return compile.call(this, source, ...rest).then((m) => {
      marks.compileEnd = now();
      wasmModule = m;
      return m;
    });
  };
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = function (source, imports, ...rest) {
    if (source === null || (source !== wasmModule && source !== bytes)) return instantiate.call(this, source, imports, ...rest);
    marks.instantiateStart = now();
    // What the wasm calls during its constructors is embind's registration on the JS side.
    marks.jsRegistrationMs = 0;
    const wrapped = {};
    for (const [ns, fns] of Object.entries(imports ?? {})) {
      wrapped[ns] = {};
      for (const [name, f] of Object.entries(fns)) {
        wrapped[ns][name] =
          typeof f !== 'function'
            ? f
            : function (...a) {
                if (marks.ctorsStart === undefined || marks.ctorsEnd !== undefined) return f.apply(this, a);
                const s = now();
                try {
                  return f.apply(this, a);
                } finally {
                  marks.jsRegistrationMs += now() - s;
                }
              };
      }
    }
    return instantiate.call(this, source, wrapped, ...rest).then((r) => {
      marks.instantiateEnd = now();
      const instance = r instanceof WebAssembly.Instance ? r : r.instance;
      // The glue calls the constructors' export (__wasm_call_ctors) before any other: the first
      // call of an exported function is the one timed.
      const exports = {};
      for (const [name, x] of Object.entries(instance.exports)) {
        exports[name] =
          typeof x !== 'function'
            ? x
            : function (...a) {
                if (marks.ctorsStart !== undefined) return x.apply(this, a);
                marks.ctorsStart = now();
                try {
                  return x.apply(this, a);
                } finally {
                  marks.ctorsEnd = now();
                }
              };
      }
      const shown = { exports };
      return r instanceof WebAssembly.Instance ? shown : { ...r, instance: shown };
    });
  };
  // Node defines some globals lazily: the first read of Response, Request, Headers or FormData
  // loads its whole fetch implementation (undici). Time spent in such a first read is noted.
  marks.lazyGlobals = {};
  for (const name of ['Response', 'Request', 'Headers', 'FormData', 'Blob', 'MessageEvent', 'crypto', 'navigator', 'WebSocket']) {
    const d = Object.getOwnPropertyDescriptor(globalThis, name);
    if (!d?.get || !d.configurable) continue;
    Object.defineProperty(globalThis, name, {
      ...d,
      get() {
        Object.defineProperty(globalThis, name, d);
        const s = now();
        try {
          return d.get.call(this);
        } finally {
          marks.lazyGlobals[name] = { at: s - marks.t0, ms: now() - s };
        }
      },
    });
  }
  // When `ws`'s own code runs: its files' evaluation, whether init() imports or requires it.
  const compileCjs = Module.prototype._compile;
  Module.prototype._compile = function (content, filename, ...rest) {
    const isWs = /[\\/]node_modules[\\/]ws[\\/]/.test(filename);
    if (isWs) marks.wsFirstRun ??= now();
    try {
      return compileCjs.call(this, content, filename, ...rest);
    } finally {
      if (isWs) marks.wsLoaded = now();
    }
  };
}

/**
 * The glue is imported on its own only where the shim imports it (js/runtime.js), so that nothing
 * is loaded that an app would not load (a build with the glue inside the shim's file has no glue
 * import to time).
 */
function glueInShimGraph() {
  try {
    return fs.readFileSync(RUNTIME, 'utf8').includes('/dist/wasm/lifeline-core.mjs');
  } catch {
    return false;
  }
}

if (mode === 'cold') {
  const url = urlArg;
  const marks = {};
  const parts = kind === 'lifeline-parts';
  // The wrappers are put in place first, outside the measured time (no app pays for them).
  const tInstrument = now();
  const separateGlue = parts && glueInShimGraph();
  if (parts) instrumentLoader(marks);
  const instrumentMs = now() - tInstrument;
  const t0 = now(); // the script is running; everything below is what an app pays
  marks.t0 = t0;
  // The attempt: a `ws` WebSocket's constructor calls super() (EventEmitter) first.
  const attempted = new Promise((resolve) => {
    const init = EventEmitter.init;
    EventEmitter.init = function (...a) {
      if (marks.attempt === undefined && this?.constructor?.name === 'WebSocket') {
        marks.attempt = now();
        EventEmitter.init = init;
        resolve();
      }
      return init.apply(this, a);
    };
  });
  const out = { mode, kind, processStartToScript: t0, instrumentMs };
  if (kind === 'raw' || kind === 'raw-require') {
    const { WebSocket } = kind === 'raw' ? await import('ws') : require('ws');
    marks.imported = now();
    new WebSocket(url).on('error', () => {});
  } else if (kind === 'lifeline' || kind === 'lifeline-parts') {
    if (separateGlue) {
      await import(GLUE.href);
      marks.glueImported = now();
    }
    const m = await import('../../js/index.js');
    marks.shimImported = now();
    await m.init();
    marks.initResolved = now();
    new m.Lifeline(url); // its default WebSocket: `ws`, which init() found
    marks.constructed = now();
  } else if (kind === 'reconnecting-websocket') {
    const RWS = require('reconnecting-websocket');
    const { WebSocket } = await import('ws');
    marks.imported = now();
    new RWS(url, [], { WebSocket });
  } else {
    throw new Error(`unknown kind ${kind}`);
  }
  await attempted;
  out.toAttemptMs = marks.attempt - t0;
  if (marks.imported !== undefined) out.importMs = marks.imported - t0;
  if (parts) {
    out.jsRegistrationMs = marks.jsRegistrationMs;
    out.lazyGlobals = marks.lazyGlobals;
  }
  out.marks = Object.fromEntries(
    Object.entries(marks)
      .filter(([k, v]) => typeof v === 'number' && k !== 'jsRegistrationMs')
      .map(([k, v]) => [k, v - t0]),
  );
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(0);
}

if (mode === 'warm') {
  const url = kind;
  const m = await import('../../js/index.js');
  await m.init();
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
