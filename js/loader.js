// Loads the WebAssembly core once. The loader, not the Emscripten glue, fetches or reads the
// .wasm and instantiates it (instantiateWasm), so one path serves browsers, Node and runtimes
// without fetch or with a WebAssembly of their own (the runtime's instantiateOverride).
import { createLifelineCore, defaultWasmLocation, instantiateOverride, loadOptionalModule } from './runtime.js';
import { describe, globalObject } from './options.js';
import { adoptCore, checkCore } from './contract.js';
import { coreClass } from './core.js';

/** @type {Promise<any> | null} */
let loading = null;
/** @type {any} */
let loaded = null;
/** @type {Function | undefined} WebSocket from the `ws` package, when there is no global one */
let nodeWebSocket;

const G = globalObject();
const isNode = typeof process === 'object' && process !== null && !!process.versions?.node;

/**
 * @param {{ wasm?: string | URL | ArrayBuffer | ArrayBufferView | Response | WebAssembly.Module, wasmPath?: string }} [options]
 */
export function init(options = {}) {
  if (loaded) return Promise.resolve();
  if (!loading) {
    if (options === null || typeof options !== 'object') {
      return Promise.reject(new TypeError(`init: expected an options object, got ${describe(options)}`));
    }
    loading = load(options).then(
      (module) => {
        loaded = module;
      },
      (error) => {
        loading = null; // a failed load may be retried (say, with another wasm location)
        throw error;
      },
    );
  }
  return loading;
}

/** The core module, or a clear error when init() has not finished. */
export function core() {
  if (!loaded) throw new Error('ws-lifeline: the core is not loaded yet; call `await init()` first');
  return loaded;
}

/** In Node, `ws` when it is installed (it shows bytes arriving, and can drop a dead socket at once
 * with terminate()), else the global WebSocket (Node 22+); elsewhere the global one. */
export function defaultWebSocket() {
  return nodeWebSocket ?? G.WebSocket;
}

async function load(options) {
  /** @type {(imports: object) => Promise<{ instance: WebAssembly.Instance, module: WebAssembly.Module }>} */
  let instantiate;
  if (instantiateOverride) {
    instantiate = instantiateOverride(options);
  } else {
    const wasmModule = await compile(options.wasm ?? defaultWasmLocation);
    instantiate = (imports) => WebAssembly.instantiate(wasmModule, imports).then((instance) => ({ instance, module: wasmModule }));
  }
  if (isNode) {
    try {
      const ws = await loadOptionalModule('ws');
      nodeWebSocket = ws.WebSocket ?? ws.default ?? ws;
    } catch {
      // Optional: new Lifeline() explains what to do if no WebSocket can be found.
    }
  }
  // If instantiation fails, the glue would wait forever for receive(): race it with the failure.
  // Every failure on the way (the instantiation, the glue's receive() throwing on a module that is
  // not this package's core, an abort) rejects init(); none escapes as an unhandled rejection.
  let fail = (/** @type {unknown} */ _e) => {};
  const failed = new Promise((_, reject) => {
    fail = reject;
  });
  const created = Promise.resolve().then(() =>
    createLifelineCore({
      instantiateWasm(/** @type {object} */ imports, /** @type {Function} */ receive) {
        Promise.resolve()
          .then(() => instantiate(imports))
          .then((r) => {
            // WXWebAssembly's typings say Instance, reports say { instance, module }: take both.
            const instance = r?.instance ?? r;
            receive(instance, r?.module);
          })
          .catch((error) => fail(wrap(error)));
        return {};
      },
      onAbort(/** @type {unknown} */ what) {
        fail(new Error(`ws-lifeline: the core aborted: ${what}`));
      },
    }),
  );
  created.catch(() => {}); // reported through `failed` or the race below
  failed.catch(() => {});
  const mod = await Promise.race([created, failed]);
  checkCore(mod);
  mod.Core = coreClass(mod);
  adoptCore(mod);
  return mod;
}

/** @param {unknown} error */
function wrap(error) {
  const message = error instanceof Error ? error.message : String(error);
  return new Error(`ws-lifeline: cannot instantiate the core (is this the package's lifeline-core.wasm?): ${message}`, { cause: error });
}

/** @returns {Promise<WebAssembly.Module>} */
async function compile(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source);
  const URLClass = G.URL; // not a free `URL`: a framework may provide its own (see checkUrl)
  const isUrl = (typeof URLClass === 'function' && source instanceof URLClass) || typeof source === 'string';
  if (!isUrl) {
    // Only here: in Node the first read of the global `Response` loads the whole fetch
    // implementation (50 ms of a cold start, bench/startup), and a path or URL never is one.
    if (typeof Response !== 'undefined' && source instanceof Response) return compileResponse(source);
    throw new TypeError(`init: options.wasm must be a URL, a path, bytes or a WebAssembly.Module, got ${describe(source)}`);
  }
  const href = String(source);
  if (isNode && !/^(https?|data|blob):/i.test(href)) {
    const { readFile } = await loadOptionalModule('node:fs/promises');
    const { fileURLToPath } = await loadOptionalModule('node:url');
    const path = href.startsWith('file:') ? fileURLToPath(href) : href;
    try {
      return await WebAssembly.compile(await readFile(path));
    } catch (e) {
      throw new Error(`ws-lifeline: cannot load the core from ${path}: ${/** @type {Error} */ (e).message}`);
    }
  }
  if (typeof fetch !== 'function') throw new Error(`ws-lifeline: no fetch() here to load ${href}; pass init({ wasm: bytes })`);
  const response = await fetch(href, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`ws-lifeline: cannot load the core from ${href}: HTTP ${response.status}`);
  return compileResponse(response);
}

async function compileResponse(response) {
  if (typeof WebAssembly.compileStreaming === 'function' && /wasm/.test(response.headers.get('content-type') ?? '')) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}
