// Where the bytes of lifeline-core.wasm go: every byte of the shipped file, by part.
// The shipped .wasm has no names; this links the same objects with the same flags plus
// --profiling-funcs (which only adds a name section: the rest is checked to be byte-identical in
// size), reads each function's body size and section sizes, and sorts functions into parts by
// their (demangled) names. Used by bench/size/run.mjs; runnable alone:
//   node bench/size/wasm-parts.mjs      (after scripts/build.sh)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The link flags of scripts/build-wasm.sh (its `link=(...)` array), comments dropped. */
function linkFlags() {
  const script = fs.readFileSync(path.join(root, 'scripts/build-wasm.sh'), 'utf8');
  const body = script.slice(script.indexOf('\nlink=(') + 7, script.indexOf('\n)', script.indexOf('\nlink=(')));
  return body
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean)
    .flatMap((l) => l.split(/\s+/));
}

function sections(bytes) {
  let p = 8;
  const leb = () => {
    let r = 0;
    let s = 0;
    let x;
    do {
      x = bytes[p++];
      r += (x & 0x7f) * 2 ** s;
      s += 7;
    } while (x & 0x80);
    return r;
  };
  const out = [];
  let imports = 0;
  const bodies = [];
  const names = new Map();
  while (p < bytes.length) {
    const start = p;
    const id = bytes[p++];
    const size = leb();
    const payload = p;
    const end = p + size;
    let name = '';
    if (id === 0) {
      const n = leb();
      name = bytes.subarray(p, p + n).toString();
      p += n;
      if (name === 'name') {
        while (p < end) {
          const sub = bytes[p++];
          const subSize = leb();
          const subEnd = p + subSize;
          if (sub === 1) {
            const count = leb();
            for (let i = 0; i < count; i++) {
              const index = leb();
              const len = leb();
              names.set(index, bytes.subarray(p, p + len).toString());
              p += len;
            }
          }
          p = subEnd;
        }
      }
    } else if (id === 2) {
      const count = leb();
      for (let i = 0; i < count; i++) {
        for (let k = 0; k < 2; k++) {
          const len = leb(); // (not `p += leb()`: that would read p before leb() moves it)
          p += len;
        }
        const kind = bytes[p++];
        if (kind === 0) {
          leb();
          imports++;
        } else if (kind === 1) {
          p++;
          if (bytes[p++] & 1) leb();
          leb();
        } else if (kind === 2) {
          if (bytes[p++] & 1) leb();
          leb();
        } else p += 2;
      }
    } else if (id === 10) {
      const count = leb();
      for (let i = 0; i < count; i++) {
        const s0 = p;
        const len = leb();
        bodies.push({ index: imports + i, bytes: len + (p - s0) });
        p += len;
      }
    }
    out.push({ id, name, bytes: end - start, header: payload - start });
    p = end;
  }
  for (const b of bodies) b.name = names.get(b.index) ?? `function ${b.index}`;
  return { sections: out, bodies };
}

const PARTS = [
  ['core: the state machine (lifeline::Connection)', (n) => /^lifeline::Connection|^lifeline::\(anonymous namespace\)::(after|delay|whole)/.test(n)],
  ['core: retry hints (lifeline/hint.hpp: parse_retry_hint)', (n) => /^lifeline::(parse_retry_hint|\(anonymous namespace\)::(read_token|is_separator))/.test(n)],
  ['core: configuration and its checks (lifeline::Config, validate, the field table)', (n) => /^lifeline::/.test(n)],
  ['binding: Core and its methods (src/wasm/binding.cpp)', (n) => /^\(anonymous namespace\)::|^Call<|^operator (new|delete)|^records|^contract_id|^heap_in_use|^create_core|^delete_core/.test(n)],
  ["embind's C++ side (invokers, registration, type ids)", (n) => /emscripten::|embind|__getTypeName|__wasm_call_ctors/.test(n)],
  ['allocator (src/wasm/allocator.cpp)', (n) => /^(malloc|free|calloc|realloc|malloc_usable_size|\(anonymous namespace\)::take)$/.test(n)],
  ['std:: containers (the output queue)', (n) => /^std::/.test(n)],
];

export function wasmParts({ flags = linkFlags() } = {}) {
  const shipped = fs.readFileSync(path.join(root, 'dist/wasm/lifeline-core.wasm'));
  const dir = path.join(root, 'build/wasm');
  // The objects scripts/build-wasm.sh links, in its order (the order moves bytes): its loop's list,
  // then the binding.
  const script = fs.readFileSync(path.join(root, 'scripts/build-wasm.sh'), 'utf8');
  const sources = /^for f in (.+); do$/m.exec(script)[1].split(/\s+/);
  const objs = [...sources.map((f) => path.basename(f, '.cpp')), 'binding'].map((n) => path.join(dir, `${n}.o`));
  const out = path.join(dir, 'profiling/lifeline-core.mjs');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  execFileSync('em++', [...objs, ...flags, '-sEXPORT_ES6=1', '--profiling-funcs', '-o', out], {
    env: { ...process.env, NODE_PATH: `/usr/share/nodejs${process.env.NODE_PATH ? `:${process.env.NODE_PATH}` : ''}` },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const named = fs.readFileSync(out.replace(/\.mjs$/, '.wasm'));
  const { sections: secs, bodies } = sections(named);
  const nameSection = secs.find((s) => s.id === 0 && s.name === 'name');
  const sameSize = named.length - (nameSection?.bytes ?? 0) === shipped.length;

  const SECTION = { 1: 'types', 2: 'imports', 3: 'function index', 4: 'table', 5: 'memory', 6: 'globals', 7: 'exports', 9: 'table elements', 10: 'code', 11: 'data (strings and constants)', 12: 'data count' };
  const rows = new Map();
  const add = (part, bytes, what) => {
    const row = rows.get(part) ?? { part, bytes: 0, functions: 0, largest: [] };
    row.bytes += bytes;
    if (what) {
      row.functions++;
      row.largest.push([what, bytes]);
    }
    rows.set(part, row);
  };
  add('wasm header', 8);
  for (const s of secs) {
    if (s.id === 0) continue; // the name section is not shipped
    if (s.id === 10) add('section headers and counts', s.bytes - bodies.reduce((a, b) => a + b.bytes, 0));
    else add(`${SECTION[s.id] ?? `section ${s.id}`}`, s.bytes);
  }
  for (const b of bodies) {
    const part = PARTS.find(([, test]) => test(b.name))?.[0] ?? 'C library (memcpy, memset, ...)';
    add(part, b.bytes, b.name);
  }
  const list = [...rows.values()].sort((a, b) => b.bytes - a.bytes);
  for (const r of list) r.largest = r.largest.sort((a, b) => b[1] - a[1]).slice(0, 3);
  return { bytes: shipped.length, gzip: gzipSync(shipped, { level: 9 }).length, sameSize, parts: list };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const r = wasmParts();
  console.log(`lifeline-core.wasm: ${r.bytes} bytes, ${r.gzip} gzip -9 (profiling build the same size without names: ${r.sameSize})`);
  for (const p of r.parts) console.log(`${String(p.bytes).padStart(6)}  ${(100 * p.bytes / r.bytes).toFixed(1).padStart(5)} %  ${p.part}${p.largest.length ? `  [${p.largest.map(([n, b]) => `${n.slice(0, 50)} ${b}`).join('; ')}]` : ''}`);
  console.log('sum', r.parts.reduce((a, p) => a + p.bytes, 0));
}
