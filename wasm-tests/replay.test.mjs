// Parity: the traces kept by the native tests (native-tests/traces/) replayed through the
// WebAssembly build must produce the same outputs and deadlines, line for line: Connection's
// (resume=0) and, with resume=1, the session's inputs (send, message, control, expire, each with
// its `=` result), outputs and frame texts (native-tests/trace.hpp has the format).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { init } from '../js/index.js';
import { core } from '../js/loader.js';
import { contract, pollOutput, readFrame, sentSeq, writeFrame, writeReason } from '../js/contract.js';

const dir = new URL('../native-tests/traces/', import.meta.url);
// Numbers as the C++ side prints them (shortest round trip, fixed notation; infinity as "never").
const num = (v) => (v === Infinity ? 'never' : v === -Infinity ? '-never' : Object.is(v, -0) ? '0' : String(v));
const parse = (s) => (s === 'never' ? Infinity : s === '-never' ? -Infinity : Number(s));

// A control text as native-tests/trace.cpp quotes it: the text after the prefix in double quotes,
// `\\` and `"` behind a backslash, any other byte outside printable ASCII as \xHH; a text without
// the prefix as raw"...".
const hex = (c) => c.toString(16).padStart(2, '0');
function quoteControl(text) {
  const { prefix } = contract().resume;
  let out = '"';
  if (text.startsWith(prefix)) text = text.slice(prefix.length);
  else out = 'raw"';
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    out += ch === '\\' || ch === '"' ? `\\${ch}` : c >= 0x20 && c < 0x7f ? ch : `\\x${hex(c)}`;
  }
  return `${out}"`;
}
// The text quoteControl wrote (the prefix back in front), and the rest of the line after it.
function unquoteControl(s) {
  const raw = s.startsWith('raw"');
  const m = /^"((?:[^"\\]|\\["\\]|\\x[0-9a-fA-F]{2})*)"/.exec(raw ? s.slice(3) : s);
  assert.ok(m, `a quoted control text: ${s}`);
  const body = m[1].replace(/\\(["\\])|\\x([0-9a-fA-F]{2})/g, (_, ch, h) => ch ?? String.fromCharCode(parseInt(h, 16)));
  return { text: (raw ? '' : contract().resume.prefix) + body, rest: s.slice(m[0].length + (raw ? 3 : 0)) };
}

function replay(text) {
  // The names in a trace are the contract's: C++ field names, output kinds, states and causes.
  const { fields, outputs: KINDS, states: STATES, causes: CAUSES, results: RESULTS, resume } = contract();
  const lines = text.split('\n');
  const c = new (core().Core)();
  for (const pair of lines[0].split(' ').slice(1)) {
    const [key, value] = pair.split('=');
    const field = fields.find((f) => f.cpp === key);
    assert.ok(field, `unknown config field ${key}`);
    assert.ok(c.set(field.index, parse(value)), `${key}=${value} is a value of its field`);
  }
  assert.equal(c.configure(), 0, 'the trace\'s configuration is valid');
  const out = [lines[0]];
  for (const line of lines.slice(1)) {
    if (!line.startsWith('> ')) continue;
    const [, t, name, ...args] = line.split(' ');
    const now = parse(t);
    const a = args.map(parse);
    let result = null; // the `=` line of a resume input
    switch (name) {
      case 'open': c.open(now); break;
      case 'close': c.close(now, a[0]); break;
      case 'reconnect': c.reconnect(now); break;
      case 'opened': c.opened(a[0], now); break;
      case 'activity': c.activity(a[0], now); break;
      case 'pong': c.pong(a[0], now); break;
      case 'server-ping': c.serverPing(a[0], now); break;
      // A Retry-After (ms) may end an error or attempt-failed; a close's reason follows its numbers.
      case 'error': c.error(a[0], now, a.length > 1 ? a[1] : NaN); break;
      case 'attempt-failed': c.attemptFailed(a[0], now, a.length > 1 ? a[1] : NaN); break;
      case 'closed': c.closed(a[0], now, a[1], a[2] !== 0, a[3] !== 0, writeReason(args.slice(4).join(' '))); break;
      case 'timeout': c.timeout(now); break;
      case 'network': c.network(a[0] !== 0, now); break;
      case 'foreground': c.foreground(a[0] !== 0, now); break;
      // Resume: each with its result on a `=` line.
      case 'send': {
        const outcome = c.send(a[0], now);
        result = `${resume.outcomes[outcome]} seq=${sentSeq()}`;
        break;
      }
      case 'message': result = RESULTS[c.message(a[0], a[1], now)]; break;
      case 'expire': result = RESULTS[c.expire(now)]; break;
      case 'control': {
        // The quoted text follows "> <time> control <id> " (it may hold spaces).
        const head = `> ${t} control ${args[0]} `;
        assert.ok(line.startsWith(head), `malformed control input: ${line}`);
        const { text: frame, rest } = unquoteControl(line.slice(head.length));
        assert.equal(rest, '', `malformed control input: ${line}`);
        result = RESULTS[c.control(a[0], now, writeFrame(frame), frame.length)];
        break;
      }
      default: assert.fail(`unknown input ${name}`);
    }
    out.push(line);
    if (result !== null) out.push(`= ${result}`);
    for (let o = pollOutput(c); o; o = pollOutput(c)) {
      // A frame to write (a control frame; the resume heartbeat's ping or pong) ends the line.
      const frame = o.frame > 0 ? ` frame=${quoteControl(readFrame(o.frame))}` : '';
      if (o.kind >= KINDS.length) {
        out.push(`< ${resume.outputs[o.kind - KINDS.length]} socket=${o.socket} first=${o.first} last=${o.last} expiry=${resume.causes[o.expiry]}${frame}`);
        continue;
      }
      out.push(
        `< ${KINDS[o.kind]} socket=${o.socket} attempt=${o.attempt} code=${o.code} cause=${CAUSES[o.cause]} ` +
          `clean=${o.wasClean ? 1 : 0} reconnect=${o.willReconnect ? 1 : 0} value=${num(o.value)} ` +
          `from=${STATES[o.from]} to=${STATES[o.to]}${frame}`,
      );
    }
    out.push(`@ ${num(c.pollTimeout())}`);
  }
  c.delete();
  return out.join('\n') + '\n';
}

await init();
const files = readdirSync(dir).filter((f) => f.endsWith('.trace')).sort();

test('the native traces are there to replay', () => {
  assert.ok(files.length >= 20, `only ${files.length} traces`);
  const resumed = files.filter((f) => readFileSync(new URL(f, dir), 'utf8').split('\n')[0].includes(' resume=1 '));
  assert.ok(resumed.length >= 3, `only ${resumed.length} resume traces`);
});

test('control texts quote as the native traces quote them', () => {
  const P = contract().resume.prefix;
  assert.equal(quoteControl(`${P}hello s1 120000`), '"hello s1 120000"');
  assert.equal(quoteControl(`${P}esc ${P}a "b" \\c`), '"esc \\x1fll:a \\"b\\" \\\\c"');
  assert.equal(quoteControl('plain'), 'raw"plain"');
  for (const text of [`${P}esc ${P}a "b" \\c`, 'raw', P, `${P}\x80\x01\x7f`]) {
    assert.deepEqual(unquoteControl(`${quoteControl(text)} rest`), { text, rest: ' rest' });
  }
});

for (const file of files) {
  test(`WASM replays ${file} exactly as the native core recorded it`, () => {
    const text = readFileSync(new URL(file, dir), 'utf8');
    assert.equal(replay(text), text);
  });
}
