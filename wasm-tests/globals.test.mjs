// What bundlers do to library code (issue 9, measured with Taro 4's webpack): its ProvidePlugin
// replaces free globals such as `URL` in every module, node_modules included, with its own class
// (which takes only http(s) URLs); and a root package.json saying "type": "module" makes webpack
// parse a CommonJS folder as ES modules unless that folder says otherwise.
//   node --test wasm-tests/globals.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Every .js file under js/, but the ES-module runtime (which resolves its .wasm with import.meta.url). */
function libraryFiles(dir = join(ROOT, 'js')) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return libraryFiles(p);
    return f.endsWith('.js') && !p.endsWith(join('js', 'runtime.js')) ? [p] : [];
  });
}

test('library code never uses URL as a free identifier (a framework may provide its own)', () => {
  for (const file of libraryFiles()) {
    // Code only: comments, JSDoc types and strings may name URL.
    const code = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '')
      .replace(/`(?:\\.|[^`\\])*`|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"/g, "''");
    const uses = code.match(/(?<![.\w$])URL\b(?!\s*:)/g) ?? [];
    assert.deepEqual(uses, [], `${file.slice(ROOT.length)} uses a free URL`);
  }
});

test('miniprogram_dist says it is CommonJS, whatever the root package.json says', () => {
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  assert.equal(root.type, 'module');
  const mp = JSON.parse(readFileSync(join(ROOT, 'miniprogram_dist', 'package.json'), 'utf8'));
  assert.equal(mp.type, 'commonjs');
});
