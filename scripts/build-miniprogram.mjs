// Assembles miniprogram_dist/: what a mini-program runs and nothing else, minified, so that it
// costs little of the 2 MB code-package limit (WeChat's "Build npm" copies the folder whole into
// miniprogram_npm/ws-lifeline/). It is the CommonJS build (dist/cjs) with the mini-program
// runtime, the glue made to use WXWebAssembly, and the core as lifeline-core.wasm.br only:
// WXWebAssembly reads brotli-compressed .wasm.br files from base library 2.14.0 (WeChat's
// WXWebAssembly page), 7 KB where the plain .wasm is 16 KB. The types are not here: the package's
// "./miniprogram" export takes them from dist/cjs/index.d.ts (the same API).
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';
import { join } from 'node:path';
import { minify } from 'terser';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'miniprogram_dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// Not ws-lifeline/server (dist/cjs/server/): it runs on servers, never in a mini-program.
cpSync(join(root, 'dist/cjs'), out, { recursive: true, filter: (f) => !f.endsWith('.d.ts') && f !== join(root, 'dist/cjs/server') });
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
writeFileSync(
  join(out, 'lifeline-core.wasm.br'),
  brotliCompressSync(wasm, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: wasm.length } }),
);

// Every .js minified (terser; top-level names too: a CommonJS module's scope is its own, and its API
// is properties of `exports`).
const files = [];
const walk = (d) => readdirSync(d).forEach((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : files.push(join(d, f))));
walk(out);
// Not the entry (index.js): Node's CommonJS lexer must still see its named exports for an ES
// module's `import { init } from 'ws-lifeline/miniprogram'` (arethetypeswrong checks it).
for (const file of files.filter((f) => f.endsWith('.js') && f !== join(out, 'index.js'))) {
  const result = await minify(readFileSync(file, 'utf8'), { compress: { passes: 2 }, mangle: true, toplevel: true, module: false, format: { comments: false } });
  writeFileSync(file, result.code);
}
const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
console.log(`build: miniprogram_dist ready (${files.length} files, ${bytes} bytes)`);
