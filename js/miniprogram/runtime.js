'use strict';
// The mini-program build's runtime (see ../runtime.js): the core through WXWebAssembly (which
// takes only a code-package path), SocketTasks as the transport, and the app's show/hide and
// network events as the platform signals. Copied to miniprogram_dist/runtime.js by the build.
const createLifelineCore = require('./lifeline-core.js');
const { detectMiniProgram, socketTaskTransport } = require('./transports/sockettask.js');
const { miniProgramPlatform } = require('./platform/miniprogram.js');

// Where WeChat's "Build npm" puts this package's miniprogram_dist; brotli-compressed (read by
// WXWebAssembly from base library 2.14.0; 7 KB where the .wasm is 16).
const DEFAULT_WASM_PATH = '/miniprogram_npm/ws-lifeline/lifeline-core.wasm.br';

exports.createLifelineCore = createLifelineCore;
exports.defaultWasmLocation = DEFAULT_WASM_PATH;
exports.loadOptionalModule = (name) => Promise.reject(new Error(`ws-lifeline: ${name} cannot be loaded in a mini-program`));

exports.instantiateOverride = (options) => {
  const path = options.wasmPath !== undefined ? options.wasmPath : typeof options.wasm === 'string' ? options.wasm : DEFAULT_WASM_PATH;
  if (typeof path !== 'string' || !/\.wasm(\.br)?$/.test(path)) {
    throw new TypeError(`init: options.wasmPath must be a code-package path to a .wasm or .wasm.br file, got ${JSON.stringify(path)}`);
  }
  if (typeof WXWebAssembly === 'undefined' || typeof WXWebAssembly.instantiate !== 'function') {
    throw new Error('ws-lifeline: WXWebAssembly is missing: the base library is too old (WeChat 2.13.0 or later is needed)');
  }
  // Resolves to { instance, module } (or, as the official typings say, a bare Instance): the
  // loader takes either.
  return (imports) =>
    WXWebAssembly.instantiate(path, imports).then(undefined, (error) => {
      if (!/\.br$/.test(path)) throw error;
      const e = new Error(
        `ws-lifeline: WXWebAssembly could not load ${path}: ${error && error.message ? error.message : error} ` +
          '(.wasm.br files need base library 2.14.0 or later; on an older one, give init({ wasmPath }) a plain .wasm)',
      );
      e.cause = error;
      throw e;
    });
};

// One transport per platform API, so that its count of live sockets covers every Lifeline (the
// platform's limit of 5 does).
let detected;
let sharedTransport = null;
const miniProgram = () => (detected === undefined ? (detected = detectMiniProgram()) : detected);

exports.defaultTransport = () => {
  const found = miniProgram();
  if (!found) return null;
  if (!sharedTransport) sharedTransport = socketTaskTransport(found.api, { flavor: found.flavor });
  return sharedTransport;
};

exports.defaultPlatform = {
  initial: () => ({ online: true, foreground: true }),
  subscribe: (handlers) => {
    const found = miniProgram();
    return found ? miniProgramPlatform(found.api).subscribe(handlers) : () => {};
  },
};

// Mini-programs have no network in the background: make no attempts there.
exports.runtimeDefaults = { pauseInBackground: true };
