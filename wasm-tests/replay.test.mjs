// Parity: the traces kept by the native tests (native-tests/traces/) replayed through the
// WebAssembly build must produce the same outputs and deadlines, line for line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { init } from '../js/index.js';
import { core } from '../js/loader.js';
import { contract, pollOutput, writeReason } from '../js/contract.js';

const dir = new URL('../native-tests/traces/', import.meta.url);
// Numbers as the C++ side prints them (shortest round trip, fixed notation; infinity as "never").
const num = (v) => (v === Infinity ? 'never' : v === -Infinity ? '-never' : Object.is(v, -0) ? '0' : String(v));
const parse = (s) => (s === 'never' ? Infinity : s === '-never' ? -Infinity : Number(s));

function replay(text) {
  // The names in a trace are the contract's: C++ field names, output kinds, states and causes.
  const { fields, outputs: KINDS, states: STATES, causes: CAUSES } = contract();
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
      default: assert.fail(`unknown input ${name}`);
    }
    out.push(line);
    for (let o = pollOutput(c); o; o = pollOutput(c)) {
      out.push(
        `< ${KINDS[o.kind]} socket=${o.socket} attempt=${o.attempt} code=${o.code} cause=${CAUSES[o.cause]} ` +
          `clean=${o.wasClean ? 1 : 0} reconnect=${o.willReconnect ? 1 : 0} value=${num(o.value)} ` +
          `from=${STATES[o.from]} to=${STATES[o.to]}`,
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
});

for (const file of files) {
  test(`WASM replays ${file} exactly as the native core recorded it`, () => {
    const text = readFileSync(new URL(file, dir), 'utf8');
    assert.equal(replay(text), text);
  });
}
