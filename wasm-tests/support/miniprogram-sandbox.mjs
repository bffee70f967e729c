// A WeChat-like JavaScript environment for the mini-program build (miniprogram_dist/), in a Node
// `vm` context. Test support only.
//
//   const sandbox = createSandbox({ root: '/…/miniprogram_dist', wx });
//   const lib = sandbox.require('ws-lifeline');   // miniprogram_dist/index.js
//   await lib.init();
//
// What the context has, as WeChat's JavaScript engine does (../../../shared/PLATFORMS.md):
// - no code generation from strings: `eval` and `new Function` throw (checked at creation);
// - no `WebAssembly`, `TextDecoder`, `TextEncoder`, `fetch`, `XMLHttpRequest`, `document`,
//   `window`, `self`, `process`, `performance` (and, by default, no `FinalizationRegistry`, which
//   older engines lack: `keepFinalizationRegistry: true` keeps it);
// - `setTimeout`/`clearTimeout`/`console` (the host's);
// - `WXWebAssembly`: `instantiate(path, imports)` accepts only a string code-package path
//   '/miniprogram_npm/ws-lifeline/<file>' (.wasm or .wasm.br, brotli-decompressed), mapped to
//   `<root>/<file>`, and resolves to `{ instance, module }`; it has Memory, Table and Global, and
//   no Module/Instance/compile/validate/instantiateStreaming/RuntimeError/CompileError/LinkError.
//   `withWXWebAssembly: false` leaves it out (a base library older than 2.13.0).
// - the platform API objects given: `wx` (or a function `(context) => wx`, to build a fake that
//   needs the context's realm), and any `globals` (tt, my, uni, …).
// - a CommonJS `require` as the developer tools' npm build gives: 'ws-lifeline' is
//   `<root>/index.js`, relative paths are resolved from the requiring file; nothing else (no
//   Node built-ins) can be required.
//
// Returns { require, context, run(code), wasmCalls } (wasmCalls: every instantiate() call's path,
// or a description of the rejected argument).

import vm from 'node:vm';
import fs from 'node:fs';
import path from 'node:path';
import { brotliDecompressSync } from 'node:zlib';

export const PACKAGE_PREFIX = '/miniprogram_npm/ws-lifeline/';
const ABSENT = [
  'WebAssembly',
  'TextDecoder',
  'TextEncoder',
  'fetch',
  'XMLHttpRequest',
  'document',
  'window',
  'self',
  'process',
  'performance',
  'queueMicrotask',
  'setImmediate',
  'structuredClone',
];

const hostWasm = WebAssembly;

/**
 * @param {{ root: string, wx?: object | ((context: object) => object), globals?: Record<string, unknown>,
 *   withWXWebAssembly?: boolean, keepFinalizationRegistry?: boolean, packageName?: string,
 *   wasmResolvesToInstance?: boolean }} options
 * wasmResolvesToInstance: WXWebAssembly.instantiate resolves to a bare Instance, as the official
 * typings declare, instead of { instance, module }, as the runtime is reported to do.
 */
export function createSandbox({
  root,
  wx,
  globals = {},
  withWXWebAssembly = true,
  keepFinalizationRegistry = false,
  packageName = 'ws-lifeline',
  wasmResolvesToInstance = false,
} = {}) {
  if (typeof root !== 'string' || !fs.existsSync(path.join(root, 'index.js'))) {
    throw new Error(`miniprogram-sandbox: root must be a built miniprogram_dist directory, got ${root}`);
  }
  const context = vm.createContext({}, { name: 'mini-program', codeGeneration: { strings: false, wasm: true } });
  const wasmCalls = [];

  // Remove what the mini-program engine does not have, then add what it has.
  vm.runInContext(
    `for (const name of ${JSON.stringify(ABSENT)}) delete globalThis[name];` +
      (keepFinalizationRegistry ? '' : 'delete globalThis.FinalizationRegistry;'),
    context,
  );
  context.setTimeout = (fn, ms, ...args) => setTimeout(fn, ms, ...args);
  context.clearTimeout = (id) => clearTimeout(id);
  context.console = console;
  if (withWXWebAssembly) context.WXWebAssembly = makeWXWebAssembly(root, wasmCalls, wasmResolvesToInstance);
  for (const [name, value] of Object.entries(globals)) context[name] = value;
  if (wx !== undefined) context.wx = typeof wx === 'function' ? wx(context) : wx;

  // The engine's promises: no code generation, and none of the host's web globals.
  const check = vm.runInContext(
    `(() => {
      const problems = [];
      try { eval('1'); problems.push('eval works'); } catch (e) {}
      try { new Function(''); problems.push('new Function works'); } catch (e) {}
      for (const name of ${JSON.stringify(ABSENT)}) if (typeof globalThis[name] !== 'undefined') problems.push(name + ' is present');
      return problems.join('; ');
    })()`,
    context,
  );
  if (check) throw new Error(`miniprogram-sandbox: the context is not mini-program-like: ${check}`);

  const cache = new Map();
  const load = (file) => {
    const cached = cache.get(file);
    if (cached) return cached.exports;
    if (!fs.existsSync(file)) throw new Error(`miniprogram-sandbox: module not found: ${file}`);
    const module = { exports: {} };
    cache.set(file, module);
    const source = fs.readFileSync(file, 'utf8');
    const wrapper = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
      filename: file,
    }).runInContext(context);
    const dirname = path.dirname(file);
    // __filename/__dirname as the developer tools give them: code-package paths.
    const packagePath = PACKAGE_PREFIX + path.relative(root, file);
    wrapper.call(module.exports, module.exports, (name) => load(resolve(dirname, name)), module, packagePath, path.dirname(packagePath));
    return module.exports;
  };
  const resolve = (fromDir, name) => {
    if (name === packageName || name === `${packageName}/index.js`) return path.join(root, 'index.js');
    if (!name.startsWith('./') && !name.startsWith('../')) {
      throw new Error(`miniprogram-sandbox: cannot require ${JSON.stringify(name)} in a mini-program (only the package and relative paths)`);
    }
    let file = path.resolve(fromDir, name);
    if (!file.endsWith('.js')) file += '.js';
    if (!file.startsWith(root + path.sep)) throw new Error(`miniprogram-sandbox: ${name} is outside the package`);
    return file;
  };

  return {
    context,
    wasmCalls,
    /** require('ws-lifeline') or require('./transports/sockettask.js'), from the package root */
    require: (name) => load(resolve(root, name)),
    /** Runs code in the context (a script, not a module) and returns its completion value. */
    run: (code) => vm.runInContext(code, context),
  };
}

function makeWXWebAssembly(root, wasmCalls, resolvesToInstance) {
  const instantiate = (source, imports) => {
    if (typeof source !== 'string') {
      wasmCalls.push({ rejected: Object.prototype.toString.call(source) });
      return Promise.reject(new TypeError('WXWebAssembly.instantiate: the first argument must be a code-package path (string)'));
    }
    wasmCalls.push({ path: source });
    if (!source.startsWith(PACKAGE_PREFIX) || !/\.wasm(\.br)?$/.test(source)) {
      return Promise.reject(new Error(`WXWebAssembly.instantiate: no .wasm or .wasm.br file at ${source}`));
    }
    const file = path.join(root, source.slice(PACKAGE_PREFIX.length));
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file)) {
      return Promise.reject(new Error(`WXWebAssembly.instantiate: no such file in the code package: ${source}`));
    }
    let bytes = fs.readFileSync(file);
    if (source.endsWith('.br')) bytes = brotliDecompressSync(bytes);
    return hostWasm.instantiate(bytes, imports).then(({ instance, module }) => (resolvesToInstance ? instance : { instance, module }));
  };
  return Object.freeze({
    instantiate,
    Memory: hostWasm.Memory,
    Table: hostWasm.Table,
    Global: hostWasm.Global,
  });
}
