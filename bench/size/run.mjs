// Size: gzip bytes of what each runtime loads, beside each peer's minified bundle.
// Every JS file is minified with terser (module mode for ES modules) into a temp dir, then
// compressed with zlib's gzip at level 9 (as `gzip -9`) and brotli at quality 11.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { viteBuilds } from './vite-builds.mjs';
import { wasmParts } from './wasm-parts.mjs';
import { createRequire } from 'node:module';
import { minify } from 'terser';
import { ROOT } from '../lib/browser.mjs';
import { log } from '../lib/util.mjs';

const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const br = (buf) => brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

// Names of embind's JS runtime in the Emscripten glue (type registry, class handles, invokers,
// emval, string marshaling incl. std::wstring, errors): used to tell how much of the glue embind is.
const EMBIND =
  /embind|emval|Emval|Invoker|registerType|RegisteredPointer|ClassHandle|BindingError|InternalError|UnboundType|DependentTypes|heap32VectorToArray|readLatin1String|getTypeName|makeLegalFunctionName|createNamedFunction|extendError|upcastPointer|downcastPointer|InheritedInstance|registeredInstances|deletionQueue|PendingDeletes|PublicSymbol|OverloadTable|ReadValueFromPointer|PointerToWireType|runDestructors|dynCall|WasmTableEntry|Registrations|awaitingDependencies|typeDependencies|registeredTypes|BasestPointer|Finalizer|shallowCopy|InstanceAlreadyDeleted|getShiftFromSize|char_0|char_9|registeredPointers|finalizationRegistry|UTF16|UTF32|RegisteredClass/;

/**
 * How much of the Emscripten glue is embind: the factory function's top-level statements, by
 * the name they define (parsed with acorn, terser's parser dependency).
 */
function glueBreakdown(file) {
  const require = createRequire(path.join(ROOT, 'node_modules/terser/package.json'));
  const acorn = require('acorn');
  const src = fs.readFileSync(file, 'utf8');
  const ast = acorn.parse(src, { ecmaVersion: 'latest', sourceType: 'module' });
  let factory = null;
  const walk = (n) => {
    if (!n || typeof n.type !== 'string') return;
    if ((n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression') && n.body.type === 'BlockStatement') {
      if (!factory || n.body.body.length > factory.body.body.length) factory = n;
    }
    for (const k of Object.keys(n)) {
      const v = n[k];
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v.type === 'string') walk(v);
    }
  };
  walk(ast);
  let total = 0;
  let embind = 0;
  const embindParts = [];
  for (const st of factory.body.body) {
    const text = src.slice(st.start, st.end);
    const name =
      st.type === 'FunctionDeclaration'
        ? st.id.name
        : st.type === 'VariableDeclaration'
          ? st.declarations.map((d) => d.id.name ?? '').join(',')
          : '';
    const len = st.end - st.start;
    total += len;
    const isEmbind = EMBIND.test(name) || (st.type === 'ExpressionStatement' && EMBIND.test(text.slice(0, 80)));
    if (isEmbind) {
      embind += len;
      if (name) embindParts.push(name);
    }
  }
  const known = embindParts.length >= 10; // fewer: names mangled, nothing to tell
  return {
    file: path.relative(ROOT, file),
    sourceBytes: total,
    embindSourceBytes: known ? embind : null,
    embindShare: known ? embind / total : null,
    embindNames: embindParts.length,
  };
}

/** Relative imports of an ES module (static and dynamic with a literal), resolved to files. */
function importGraph(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = fs.readFileSync(file, 'utf8');
    const re = /(?:import|export)\s*(?:[\w*{}\s,$]+from\s*)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
    for (const m of src.matchAll(re)) visit(path.resolve(path.dirname(file), m[1] ?? m[2]));
  };
  visit(entry);
  return [...seen];
}

async function minifyFile(file, tmp, { module = true } = {}) {
  const code = fs.readFileSync(file, 'utf8');
  const out = await minify(code, {
    module,
    ecma: 2020,
    compress: { passes: 2 },
    mangle: true,
    format: { comments: false },
  });
  const rel = path.relative(ROOT, file);
  const dest = path.join(tmp, rel);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.writeFileSync(dest, out.code);
  const buf = Buffer.from(out.code);
  return { file: rel, raw: fs.statSync(file).size, min: buf.length, gzip: gz(buf), brotli: br(buf), buf };
}

async function jsSet(files, tmp, options) {
  const parts = [];
  for (const f of files) parts.push(await minifyFile(f, tmp, options));
  const joined = Buffer.concat(parts.map((p) => p.buf));
  return {
    files: parts.map(({ buf, ...rest }) => rest),
    raw: parts.reduce((a, p) => a + p.raw, 0),
    min: parts.reduce((a, p) => a + p.min, 0),
    gzip: parts.reduce((a, p) => a + p.gzip, 0), // as loaded: one gzip stream per file
    gzipJoined: gz(joined), // as a bundle would ship it: one stream
    brotliJoined: br(joined),
  };
}

export async function runSize() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-size-'));
  try {
    // --- browser / Node ESM build ---------------------------------------------------------------
    const graph = importGraph(path.join(ROOT, 'js/index.js'));
    const js = await jsSet(graph, tmp);
    const wasmBuf = fs.readFileSync(path.join(ROOT, 'dist/wasm/lifeline-core.wasm'));
    const wasm = { raw: wasmBuf.length, gzip: gz(wasmBuf), brotli: br(wasmBuf) };
    const glue = js.files.find((f) => f.file.endsWith('lifeline-core.mjs'));
    const browser = {
      // The shipped glue is mangled: the names are read from the unminified one the build leaves
      // in build/wasm/ (when it is there).
      glueBreakdown: glueBreakdown(
        [path.join(ROOT, 'build/wasm/lifeline-core.mjs'), path.join(ROOT, 'dist/wasm/lifeline-core.mjs')].find((f) => fs.existsSync(f)),
      ),
      // What a browser needs that index.js also re-exports for mini-programs (a bundler drops it).
      miniprogramOnlyGzip: js.files
        .filter((f) => /sockettask|platform\/miniprogram/.test(f.file))
        .reduce((a, f) => a + f.gzip, 0),
      js,
      wasm,
      glue,
      shim: {
        min: js.min - glue.min,
        gzip: js.gzip - glue.gzip,
      },
      totalGzip: js.gzip + wasm.gzip,
      totalGzipBundled: js.gzipJoined + wasm.gzip,
      totalBrotliBundled: js.brotliJoined + wasm.brotli,
    };

    // --- mini-program directory -------------------------------------------------------------------
    const mpDir = path.join(ROOT, 'miniprogram_dist');
    let built = false;
    if (!fs.existsSync(mpDir)) {
      log('size: miniprogram_dist missing, building it (node scripts/build-miniprogram.mjs)');
      execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-miniprogram.mjs')], { stdio: 'inherit' });
      built = true;
    }
    const mpFiles = [];
    const walk = (d) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else mpFiles.push(p);
      }
    };
    walk(mpDir);
    mpFiles.sort();
    const mpRows = mpFiles.map((f) => {
      const buf = fs.readFileSync(f);
      return { file: path.relative(mpDir, f), raw: buf.length, gzip: gz(buf) };
    });
    const mpJs = mpFiles.filter((f) => f.endsWith('.js'));
    const mpMin = await jsSet(mpJs, tmp, { module: false });
    const miniprogram = {
      builtNow: built,
      files: mpRows,
      raw: mpRows.reduce((a, r) => a + r.raw, 0),
      gzip: mpRows.reduce((a, r) => a + r.gzip, 0),
      // What runs: the JS and the wasm (as .wasm.br).
      loadedRaw: mpRows.filter((r) => r.file.endsWith('.js') || r.file.endsWith('.wasm.br')).reduce((a, r) => a + r.raw, 0),
      loadedGzip: mpRows.filter((r) => r.file.endsWith('.js')).reduce((a, r) => a + r.gzip, 0) + wasm.gzip,
      wasmBr: mpRows.find((r) => r.file.endsWith('.wasm.br'))?.raw ?? null,
      jsMinified: { min: mpMin.min, gzip: mpMin.gzip },
    };

    // --- peers ------------------------------------------------------------------------------------
    const nm = (p) => path.join(ROOT, 'node_modules', p);
    const version = (name) => JSON.parse(fs.readFileSync(nm(`${name}/package.json`), 'utf8')).version;
    const peerDefs = [
      { name: 'reconnecting-websocket', files: [nm('reconnecting-websocket/dist/reconnecting-websocket-mjs.js')] },
      { name: 'partysocket', files: importGraph(nm('partysocket/dist/index.js')) },
      { name: 'websocket-heartbeat-js', files: [nm('websocket-heartbeat-js/dist/index.js')], module: false },
      { name: 'sockette', files: [nm('sockette/dist/sockette.mjs')] },
    ];
    const peers = [];
    for (const p of peerDefs) {
      const set = await jsSet(p.files, tmp, { module: p.module !== false });
      peers.push({ name: p.name, version: version(p.name), files: set.files.map((f) => f.file), min: set.min, gzip: set.gzipJoined, brotli: set.brotliJoined });
    }
    const classic = await jsSet([path.join(ROOT, 'bench/recovery/classic.mjs')], tmp);
    peers.push({ name: 'classic heartCheck (bench/recovery/classic.mjs)', version: '', files: ['bench/recovery/classic.mjs'], min: classic.min, gzip: classic.gzipJoined, brotli: classic.brotliJoined });
    peers.push({ name: 'raw WebSocket', version: '', files: [], min: 0, gzip: 0, brotli: 0 });
    // --- as users ship it: Vite production builds, and the wasm by part --------------------------
    let vite;
    try {
      vite = await viteBuilds();
    } catch (e) {
      vite = { error: String(e?.message ?? e) };
    }
    let parts;
    try {
      parts = wasmParts();
    } catch (e) {
      parts = { error: String(e?.message ?? e) };
    }
    return { browser, miniprogram, peers, vite, wasmParts: parts, terser: version('terser') };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * runSize() in a child process: terser keeps a thread busy for seconds, and the bench process
 * must keep serving the recovery clients meanwhile (their servers and proxies live there).
 */
export function runSizeInChild() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve(JSON.parse(out));
      } catch (e) {
        reject(new Error(`size: ${e.message}`));
      }
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(JSON.stringify(await runSize()));
}
