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
  const wasmCalls = [];
  const context = createMiniProgramContext({
    wx,
    globals,
    keepFinalizationRegistry,
    WXWebAssembly: withWXWebAssembly ? makeWXWebAssembly((p) => packageFile(root, p), wasmCalls, wasmResolvesToInstance) : undefined,
  });

  // __filename/__dirname as the developer tools give them: code-package paths.
  const load = commonJs(context, (fromDir, name) => resolve(fromDir, name), (file) => PACKAGE_PREFIX + path.relative(root, file));
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

/**
 * CommonJS as the mini-program runtime gives it: each file run once in `context`, as a function of
 * (exports, require, module, __filename, __dirname), `require` resolved by `resolve` from the
 * requiring file's folder, __filename the file's code-package path (`codePathOf`). `around` runs
 * a module's body (to note which file is running).
 * @param {object} context
 * @param {(fromDir: string, name: string) => string} resolve
 * @param {(file: string) => string} codePathOf
 * @param {(file: string, run: () => void) => void} [around]
 */
function commonJs(context, resolve, codePathOf, around = (_file, run) => run()) {
  const cache = new Map();
  const load = (/** @type {string} */ file) => {
    const cached = cache.get(file);
    if (cached) return cached.exports;
    if (!fs.existsSync(file)) throw new Error(`miniprogram-sandbox: module not found: ${codePathOf(file)}`);
    const module = { exports: {} };
    cache.set(file, module);
    const source = fs.readFileSync(file, 'utf8');
    const wrapper = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
      filename: file,
    }).runInContext(context);
    const dirname = path.dirname(file);
    const codePath = codePathOf(file);
    around(file, () =>
      wrapper.call(module.exports, module.exports, (/** @type {string} */ name) => load(resolve(dirname, name)), module, codePath, path.posix.dirname(codePath)),
    );
    return module.exports;
  };
  return load;
}

/** The engine's global object: what WeChat's JavaScript engine has and has not. */
function createMiniProgramContext({ wx, globals = {}, keepFinalizationRegistry = false, WXWebAssembly }) {
  const context = vm.createContext({}, { name: 'mini-program', codeGeneration: { strings: false, wasm: true } });
  // Remove what the mini-program engine does not have, then add what it has.
  vm.runInContext(
    `for (const name of ${JSON.stringify(ABSENT)}) delete globalThis[name];` +
      (keepFinalizationRegistry ? '' : 'delete globalThis.FinalizationRegistry;'),
    context,
  );
  context.setTimeout = (fn, ms, ...args) => setTimeout(fn, ms, ...args);
  context.clearTimeout = (id) => clearTimeout(id);
  context.setInterval = (fn, ms, ...args) => setInterval(fn, ms, ...args);
  context.clearInterval = (id) => clearInterval(id);
  context.console = console;
  if (WXWebAssembly) context.WXWebAssembly = WXWebAssembly;
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
  return context;
}

/** This package's files under /miniprogram_npm/ws-lifeline/, as "Build npm" places them. */
function packageFile(root, source) {
  if (!source.startsWith(PACKAGE_PREFIX)) return null;
  const file = path.join(root, source.slice(PACKAGE_PREFIX.length));
  return file.startsWith(root + path.sep) ? file : null;
}

/** Any file of a code package, by its absolute code-package path ('/static/x.wasm'). */
function codePackageFile(root, source) {
  if (!source.startsWith('/')) return null;
  const file = path.join(root, source);
  return file.startsWith(root + path.sep) ? file : null;
}

/**
 * WXWebAssembly: instantiate(path, imports) with a code-package path only (fileOf maps it to a
 * file, or null when no file of the package can have that path).
 */
function makeWXWebAssembly(fileOf, wasmCalls, resolvesToInstance) {
  const instantiate = (source, imports) => {
    if (typeof source !== 'string') {
      wasmCalls.push({ rejected: Object.prototype.toString.call(source) });
      return Promise.reject(new TypeError('WXWebAssembly.instantiate: the first argument must be a code-package path (string)'));
    }
    wasmCalls.push({ path: source });
    const file = /\.wasm(\.br)?$/.test(source) ? fileOf(source) : null;
    if (!file) return Promise.reject(new Error(`WXWebAssembly.instantiate: no .wasm or .wasm.br file at ${source}`));
    if (!fs.existsSync(file)) {
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

// ---------------------------------------------------------------------------------------------
// A whole mini-program: the output folder of a framework build (Taro, uni-app) or of WeChat's
// "Build npm", run as the WeChat runtime runs it.
//
//   const mp = createAppSandbox({ root: '/…/dist', wx: (ctx) => createRealWx({ realm: ctx }).wx });
//   mp.launch();                                       // app.json, app.js, App's onLaunch/onShow
//   const page = await mp.openPage('pages/index/index', { url: 'ws://…' });
//   page.data; page.instance; page.unload();
//
// - require: relative paths from the requiring file, absolute code-package paths, and bare names
//   from the nearest miniprogram_npm/<name> upwards (as WeChat resolves npm packages); nothing of
//   Node's.
// - WXWebAssembly.instantiate takes an absolute code-package path ('/static/lifeline-core.wasm').
// - App(), Page(), Component(), getApp(), getCurrentPages(), Behavior() as the runtime gives them,
//   enough for a framework's page to mount: a page is an instance of its Page() definition, or of
//   a Component() definition used as a page (methods, lifetimes, pageLifetimes, properties with
//   their default values in this.data), with setData that applies path keys ('a.b[0].c') to its
//   data.
// - `global`: WeChat's plain object shared by all modules (not the global object).
// - `globals` go onto the context (e.g. __wxConfig); `wx` as for createSandbox.
export function createAppSandbox({ root, wx, globals = {}, wasmResolvesToInstance = false, keepFinalizationRegistry = false } = {}) {
  root = path.resolve(root);
  if (!fs.existsSync(path.join(root, 'app.json'))) throw new Error(`miniprogram-sandbox: no app.json in ${root}`);
  const wasmCalls = [];
  const context = createMiniProgramContext({
    wx,
    globals,
    keepFinalizationRegistry,
    WXWebAssembly: makeWXWebAssembly((p) => codePackageFile(root, p), wasmCalls, wasmResolvesToInstance),
  });
  const appJson = JSON.parse(fs.readFileSync(path.join(root, 'app.json'), 'utf8'));

  // Registrations by the file being loaded: Page() and Component() say which file they came from.
  const registered = new Map(); // file (no extension, relative to root) -> { kind, definition }
  const loading = [];
  let appDefinition = null;
  let appInstance = null;
  const pages = [];
  context.App = (definition) => {
    appDefinition = definition;
    appInstance = definition; // the runtime's app instance carries the definition's members
  };
  context.getApp = () => appInstance;
  context.Page = (definition) => registered.set(loading.at(-1), { kind: 'page', definition });
  context.Component = (definition) => registered.set(loading.at(-1), { kind: 'component', definition });
  context.Behavior = (definition) => definition;
  context.getCurrentPages = () => pages.map((p) => p.instance);
  context.requirePlugin = (name) => {
    throw new Error(`miniprogram-sandbox: no plugin ${name}`);
  };
  // WeChat's `global`: a writable object shared by all modules, NOT the global object (its
  // `global.Array` is undefined: gopherjs/gopherjs#861). uni-app's vendor.js writes to it.
  if (!('global' in globals)) context.global = vm.runInContext('({})', context);

  // Page() and Component() are told which file is running (a module's registration is its file's).
  const load = commonJs(
    context,
    (fromDir, name) => resolve(fromDir, name),
    (file) => '/' + path.relative(root, file),
    (file, run) => {
      loading.push(path.relative(root, file).replace(/\.js$/, ''));
      try {
        run();
      } finally {
        loading.pop();
      }
    },
  );
  const asFile = (file) => {
    if (fs.existsSync(file) && fs.statSync(file).isFile()) return file;
    if (fs.existsSync(file + '.js')) return file + '.js';
    if (fs.existsSync(path.join(file, 'index.js'))) return path.join(file, 'index.js');
    return null;
  };
  const resolve = (fromDir, name) => {
    if (typeof name !== 'string' || name === '') throw new Error(`miniprogram-sandbox: require(${String(name)})`);
    let candidates;
    if (name.startsWith('./') || name.startsWith('../')) candidates = [path.resolve(fromDir, name)];
    else if (name.startsWith('/')) candidates = [path.join(root, name)];
    else {
      candidates = [];
      for (let dir = fromDir; dir.startsWith(root); dir = path.dirname(dir)) {
        candidates.push(path.join(dir, 'miniprogram_npm', name));
        if (dir === root) break;
      }
      // WeChat also resolves a bare path relative to the requiring file.
      candidates.push(path.resolve(fromDir, name));
    }
    for (const candidate of candidates) {
      if (!candidate.startsWith(root + path.sep)) continue;
      const file = asFile(candidate);
      if (file) return file;
    }
    throw new Error(`miniprogram-sandbox: cannot resolve ${JSON.stringify(name)} from /${path.relative(root, fromDir)}`);
  };

  const call = (fn, self, ...args) => (typeof fn === 'function' ? fn.apply(self, args) : undefined);

  const setPath = (target, key, value) => {
    const parts = key.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '');
    let node = target;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i];
      if (node[part] === null || typeof node[part] !== 'object') node[part] = /^\d+$/.test(parts[i + 1]) ? [] : {};
      node = node[part];
    }
    node[parts.at(-1)] = value;
  };

  const makeInstance = (route, registration) => {
    const { kind, definition } = registration;
    const instance = {
      route,
      is: route,
      options: {},
      data: JSON.parse(JSON.stringify(definition.data || {})),
      setDataCalls: 0,
      setData(patch, callback) {
        instance.setDataCalls++;
        for (const [key, value] of Object.entries(patch || {})) setPath(instance.data, key, value);
        if (typeof callback === 'function') setTimeout(callback, 0);
      },
      selectComponent: () => null,
      selectAllComponents: () => [],
      createSelectorQuery: () => ({ select: () => ({ boundingClientRect: () => ({ exec: () => {} }) }), exec: () => {} }),
      triggerEvent: () => {},
      getOpenerEventChannel: () => ({ on: () => {}, emit: () => {} }),
    };
    if (kind === 'page') {
      for (const [key, value] of Object.entries(definition)) if (key !== 'data') instance[key] = value;
      return {
        instance,
        hook: (name, ...args) => call(instance[name], instance, ...args),
        created: () => {},
      };
    }
    // A Component() used as a page: its methods are the page's handlers.
    Object.assign(instance, definition.methods || {});
    instance.properties = instance.data;
    // Its properties are in this.data (this.properties) from the start, with their default
    // values: `value`, else the type's ('' 0 false [] null), each instance its own copy.
    const realmJson = vm.runInContext('JSON', context);
    const typeDefault = { String: '""', Number: '0', Boolean: 'false', Array: '[]' };
    for (const [name, spec] of Object.entries(definition.properties || {})) {
      if (Object.prototype.hasOwnProperty.call(instance.data, name)) continue;
      const full = spec !== null && typeof spec === 'object' ? spec : { type: spec };
      instance.data[name] =
        full.value !== undefined ? realmJson.parse(JSON.stringify(full.value)) : realmJson.parse(typeDefault[full.type?.name] ?? 'null');
    }
    const lifetimes = { ...definition, ...(definition.lifetimes || {}) };
    return {
      instance,
      hook: (name, ...args) => {
        if (typeof instance[name] === 'function') return call(instance[name], instance, ...args);
        const pageLifetime = { onShow: 'show', onHide: 'hide' }[name];
        if (pageLifetime) return call(definition.pageLifetimes?.[pageLifetime], instance, ...args);
        return undefined;
      },
      created: () => {
        call(lifetimes.created, instance);
        call(lifetimes.attached, instance);
      },
      ready: () => call(lifetimes.ready, instance),
      detached: () => call(lifetimes.detached, instance),
    };
  };

  const sandbox = {
    root,
    context,
    wasmCalls,
    appJson,
    get app() {
      return appInstance;
    },
    /** require() from the code package's root */
    require: (name) => load(resolve(root, name)),
    run: (code) => vm.runInContext(code, context),
    /** Loads app.js and calls the App's onLaunch and onShow, as the runtime does at start-up. */
    launch(options = { path: appJson.pages?.[0], query: {}, scene: 1001 }) {
      load(path.join(root, 'app.js'));
      if (!appDefinition) throw new Error('miniprogram-sandbox: app.js did not call App()');
      call(appDefinition.onLaunch, appInstance, options);
      call(appDefinition.onShow, appInstance, options);
      return appInstance;
    },
    /** Loads a page's module, creates its instance and runs onLoad(query), onShow and onReady. */
    async openPage(route, query = {}) {
      if (!(appJson.pages || []).includes(route)) throw new Error(`miniprogram-sandbox: ${route} is not in app.json's pages`);
      load(path.join(root, `${route}.js`));
      const registration = registered.get(route);
      if (!registration) throw new Error(`miniprogram-sandbox: ${route}.js registered no Page() or Component()`);
      const page = makeInstance(route, registration);
      page.instance.options = query;
      pages.push(page);
      page.created();
      await page.hook('onLoad', query);
      await page.hook('onShow');
      page.ready?.();
      await page.hook('onReady');
      return {
        instance: page.instance,
        get data() {
          return page.instance.data;
        },
        hook: page.hook,
        unload() {
          page.hook('onUnload');
          page.detached?.();
          pages.splice(pages.indexOf(page), 1);
        },
      };
    },
  };
  return sandbox;
}
