// Assembles miniprogram_dist/: the CommonJS build (dist/cjs) with the mini-program runtime, the
// glue made to use WXWebAssembly, and the .wasm (plus a brotli .wasm.br) inside it, so that
// WeChat's "Build npm" copies everything to miniprogram_npm/ws-lifeline/.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'miniprogram_dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

cpSync(join(root, 'dist/cjs'), out, { recursive: true });
// CommonJS, whatever the root package.json says ("type": "module"): bundlers such as Taro's
// webpack would otherwise parse these files as ES modules and bundle none of them.
writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n');
cpSync(join(root, 'js/miniprogram/runtime.js'), join(out, 'runtime.js'));
cpSync(join(root, 'js/miniprogram/wasm-global.js'), join(out, 'wasm-global.js'));

const glue = readFileSync(join(root, 'dist/wasm/lifeline-core.cjs'), 'utf8');
writeFileSync(
  join(out, 'lifeline-core.js'),
  "// Emscripten glue; its `WebAssembly` is the mini-program's (wasm-global.js).\nvar WebAssembly = require('./wasm-global.js');\n" + glue,
);
const wasm = readFileSync(join(root, 'dist/wasm/lifeline-core.wasm'));
writeFileSync(join(out, 'lifeline-core.wasm'), wasm);
writeFileSync(
  join(out, 'lifeline-core.wasm.br'),
  brotliCompressSync(wasm, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
);

let bytes = 0;
const walk = (d) => readdirSync(d).forEach((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : (bytes += statSync(join(d, f)).size)));
walk(out);
console.log(`build: miniprogram_dist ready (${bytes} bytes)`);
