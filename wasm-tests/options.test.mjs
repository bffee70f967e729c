// Bad input to the Lifeline: options, urls, send(), close(), binaryType.
//   node --test wasm-tests/options.test.mjs
// Every wrong option is a TypeError (wrong type) or a RangeError (wrong value) naming the option
// (`options.<name>`) and what it accepts. No test opens a real socket or reads the real clock.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { init, Lifeline, DEFAULTS } from '../js/index.js';
import { FakeTime, FakeTransport, flush } from './support/fakes.mjs';

const URL_ = 'wss://example.test/live';

before(async () => {
  await init();
});

/** Options that keep a Lifeline away from real sockets, timers and platform signals. */
function fakes() {
  const time = new FakeTime();
  return { ...time.options(), transport: FakeTransport(), platform: null };
}

/** Constructs with `options` over the fakes; closes it at once (before any socket). */
function construct(options, url = URL_) {
  const ll = new Lifeline(url, { ...fakes(), ...options });
  ll.close();
  return ll;
}

/** A started Lifeline on fakes, closed at the end of the test. */
async function live(t, options = {}) {
  const transport = FakeTransport();
  const ll = new Lifeline(URL_, { ...fakes(), transport, ...options });
  t.after(() => ll.close());
  await flush();
  return { ll, transport };
}

const show = (v) => {
  if (typeof v === 'number' || typeof v === 'bigint') return String(v) + (typeof v === 'bigint' ? 'n' : '');
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'function') return 'function';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  return Object.prototype.toString.call(v);
};

// --- wrong types -------------------------------------------------------------------------------------

describe('options of the wrong type: TypeError naming the option', () => {
  const fn = () => {};
  const cases = /** @type {Array<[string, unknown]>} */ ([
    ['pingInterval', '10000'],
    ['pingInterval', null],
    ['pongTimeout', true],
    ['connectTimeout', {}],
    ['reconnectDelay', '1'],
    ['maxReconnectDelay', []],
    ['backoffFactor', '2'],
    ['jitter', null],
    ['maxRetries', '3'],
    ['minUptime', 10n],
    ['timerSlack', fn],
    ['protocols', 5],
    ['protocols', null],
    ['protocols', ['chat', 5]],
    ['protocols', { 0: 'chat', length: 1 }],
    ['pingMessage', 5],
    ['pingMessage', null],
    ['pingMessage', {}],
    ['pongMessage', 5],
    ['pongMessage', fn],
    ['pongMessage', null],
    ['pongReply', true],
    ['pongReply', {}],
    ['isPong', 'pong'],
    ['isPong', null],
    ['isServerPing', 1],
    ['shouldReconnect', true],
    ['WebSocket', 'ws'],
    ['WebSocket', null],
    ['maxQueued', '10'],
    ['maxQueued', null],
    ['maxQueuedBytes', true],
    ['binaryType', 'text'],
    ['binaryType', 5],
    ['binaryType', null],
    ['pauseInBackground', 'yes'],
    ['pauseInBackground', 1],
    ['pauseInBackground', null],
    ['seed', '1'],
    ['seed', null],
    ['clock', 0],
    ['clock', null],
    ['timers', null],
    ['timers', {}],
    ['timers', { setTimeout: fn }],
    ['timers', fn],
    ['platform', 'browser'],
    ['platform', {}],
    ['platform', 5],
    ['transport', {}],
    ['transport', 'ws'],
    ['transport', null],
  ]);
  for (const [name, value] of cases) {
    test(`options.${name} = ${show(value)}`, () => {
      assert.throws(
        () => construct({ [name]: value }),
        (error) => {
          assert.ok(error instanceof TypeError, `a TypeError, got ${error?.constructor?.name}: ${error?.message}`);
          assert.match(error.message, new RegExp(`^options\\.${name}: `));
          return true;
        },
      );
    });
  }
});

describe('options themselves', () => {
  for (const value of ['x', 5, true, [], () => ({})]) {
    test(`options = ${show(value)}: TypeError`, () => {
      assert.throws(() => new Lifeline(URL_, /** @type {any} */ (value)), { name: 'TypeError', message: /^options: expected an object/ });
    });
  }

  test('undefined and null options are the defaults', () => {
    for (const options of [undefined, null]) {
      const ll = new Lifeline(URL_, /** @type {any} */ (options));
      ll.close(); // before the start: no socket, no timer
      assert.equal(ll.state, 'closed');
      assert.equal(ll.binaryType, 'blob');
    }
  });

  for (const key of ['pingIntervall', 'url', 'onopen', 'heartbeat', 'PingInterval', 'reconnect']) {
    test(`unknown option ${key}: TypeError naming it`, () => {
      assert.throws(() => construct({ [key]: 1 }), { name: 'TypeError', message: new RegExp(`^options\\.${key}: unknown option`) });
    });
  }

  test('an option set to undefined takes its default', async (t) => {
    const all = Object.fromEntries(Object.keys(DEFAULTS).map((k) => [k, undefined]));
    const { ll, transport } = await live(t, { ...all, isPong: undefined, seed: undefined });
    assert.equal(ll.binaryType, 'blob');
    assert.equal(transport.last.binaryType, 'blob');
  });
});

// --- wrong ranges -------------------------------------------------------------------------------------

describe('numeric options out of range: RangeError naming the option and the allowed range', () => {
  const positiveOrOff = 'a number of milliseconds >= 1, or Infinity to disable';
  const cases = /** @type {Array<[string, number, string, object?]>} */ ([
    ['pingInterval', 0, positiveOrOff],
    ['pingInterval', -1, positiveOrOff],
    ['pingInterval', NaN, positiveOrOff],
    ['pingInterval', -Infinity, positiveOrOff],
    ['pongTimeout', 0, positiveOrOff],
    ['pongTimeout', -5, positiveOrOff],
    ['pongTimeout', NaN, positiveOrOff],
    ['connectTimeout', 0, positiveOrOff],
    ['connectTimeout', -1, positiveOrOff],
    ['connectTimeout', NaN, positiveOrOff],
    ['timerSlack', 0, positiveOrOff],
    ['timerSlack', -1, positiveOrOff],
    ['timerSlack', NaN, positiveOrOff],
    // Too small to move a double clock, or for any platform's timers to resolve (issue 8).
    ['pingInterval', 5e-324, positiveOrOff],
    ['pongTimeout', 1e-300, positiveOrOff],
    ['connectTimeout', 0.5, positiveOrOff],
    ['timerSlack', 0.999, positiveOrOff],
    ['reconnectDelay', 5e-324, '0, or a finite number of milliseconds >= 1'],
    ['reconnectDelay', 0.5, '0, or a finite number of milliseconds >= 1'],
    ['reconnectDelay', -1, '0, or a finite number of milliseconds >= 1'],
    ['reconnectDelay', NaN, '0, or a finite number of milliseconds >= 1'],
    ['reconnectDelay', Infinity, '0, or a finite number of milliseconds >= 1'],
    ['maxReconnectDelay', 500, 'a finite number of milliseconds >= the reconnect delay'],
    ['maxReconnectDelay', -1, 'a finite number of milliseconds >= the reconnect delay'],
    ['maxReconnectDelay', NaN, 'a finite number of milliseconds >= the reconnect delay'],
    ['maxReconnectDelay', Infinity, 'a finite number of milliseconds >= the reconnect delay'],
    ['maxReconnectDelay', 4000, 'a finite number of milliseconds >= the reconnect delay', { reconnectDelay: 5000 }],
    ['maxReconnectDelay', 30000, 'a finite number of milliseconds >= the reconnect delay', { reconnectDelay: 60000 }],
    ['backoffFactor', 0.5, 'a finite number >= 1'],
    ['backoffFactor', 0, 'a finite number >= 1'],
    ['backoffFactor', -2, 'a finite number >= 1'],
    ['backoffFactor', NaN, 'a finite number >= 1'],
    ['backoffFactor', Infinity, 'a finite number >= 1'],
    ['jitter', -0.1, 'a number from 0 to 1'],
    ['jitter', 1.01, 'a number from 0 to 1'],
    ['jitter', 2, 'a number from 0 to 1'],
    ['jitter', NaN, 'a number from 0 to 1'],
    ['jitter', Infinity, 'a number from 0 to 1'],
    ['maxRetries', -1, 'a whole number from 0 to 4294967295, or Infinity for no limit'],
    ['maxRetries', 1.5, 'a whole number from 0 to 4294967295, or Infinity for no limit'],
    ['maxRetries', NaN, 'a whole number from 0 to 4294967295, or Infinity for no limit'],
    ['maxRetries', -Infinity, 'a whole number from 0 to 4294967295, or Infinity for no limit'],
    ['maxRetries', 2 ** 32, 'a whole number from 0 to 4294967295, or Infinity for no limit'],
    ['minUptime', -1, 'a number of milliseconds >= 0, or Infinity to never reset'],
    ['minUptime', NaN, 'a number of milliseconds >= 0, or Infinity to never reset'],
    ['minUptime', -Infinity, 'a number of milliseconds >= 0, or Infinity to never reset'],
    ['maxQueued', -1, 'a whole number >= 0, or Infinity'],
    ['maxQueued', 1.5, 'a whole number >= 0, or Infinity'],
    ['maxQueued', NaN, 'a whole number >= 0, or Infinity'],
    ['maxQueued', -Infinity, 'a whole number >= 0, or Infinity'],
    ['maxQueuedBytes', -1, 'a whole number >= 0, or Infinity'],
    ['maxQueuedBytes', 0.5, 'a whole number >= 0, or Infinity'],
    ['maxQueuedBytes', NaN, 'a whole number >= 0, or Infinity'],
    ['seed', -1, 'a whole number from 0 to 4294967295'],
    ['seed', 1.5, 'a whole number from 0 to 4294967295'],
    ['seed', 2 ** 32, 'a whole number from 0 to 4294967295'],
    ['seed', NaN, 'a whole number from 0 to 4294967295'],
    ['seed', Infinity, 'a whole number from 0 to 4294967295'],
  ]);
  for (const [name, value, expected, extra] of cases) {
    const label = `options.${name} = ${show(value)}${extra ? ` with ${JSON.stringify(extra)}` : ''}`;
    test(label, () => {
      assert.throws(
        () => construct({ ...extra, [name]: value }),
        (error) => {
          assert.ok(error instanceof RangeError, `a RangeError, got ${error?.constructor?.name}: ${error?.message}`);
          assert.ok(
            error.message.startsWith(`options.${name}: expected ${expected}`),
            `message names the option and the range: ${error.message}`,
          );
          assert.ok(error.message.endsWith(`got ${String(value)}`), `message shows the value: ${error.message}`);
          return true;
        },
      );
    });
  }

  test('with several bad options, the first in order is named', () => {
    assert.throws(() => construct({ jitter: 5, pingInterval: 0 }), { name: 'RangeError', message: /^options\.pingInterval: / });
  });
});

describe('valid edge values are accepted', () => {
  const cases = /** @type {Array<object>} */ ([
    { pingInterval: Infinity },
    { pongTimeout: Infinity },
    { connectTimeout: Infinity },
    { maxRetries: Infinity },
    { maxRetries: 0 },
    { maxRetries: 2 ** 32 - 1 },
    { minUptime: Infinity },
    { minUptime: 0 },
    { timerSlack: Infinity },
    { reconnectDelay: 0 },
    { reconnectDelay: 0, maxReconnectDelay: 0 },
    { reconnectDelay: 5000, maxReconnectDelay: 5000 },
    { backoffFactor: 1 },
    { jitter: 0 },
    { jitter: 1 },
    { jitter: 0.25 },
    { pingInterval: 1, pongTimeout: 1, connectTimeout: 1, timerSlack: 1 },
    { maxQueued: 0 },
    { maxQueued: Infinity },
    { maxQueuedBytes: 0 },
    { maxQueuedBytes: Infinity },
    { seed: 0 },
    { seed: 2 ** 32 - 1 },
    { protocols: 'chat' },
    { protocols: [] },
    { protocols: ['v1.chat', 'v2-chat', "x!#$%&'*+.^_`|~"] },
    { pingMessage: new ArrayBuffer(1) },
    { pingMessage: new Uint8Array(1) },
    { pingMessage: new DataView(new ArrayBuffer(1)) },
    { pingMessage: () => 'ping' },
    { pingMessage: '' },
    { pongMessage: new Uint8Array([0x8a]), binaryType: 'arraybuffer' },
    { pongMessage: new ArrayBuffer(2), binaryType: 'arraybuffer' },
    { pongMessage: new ArrayBuffer(2), isPong: () => false },
    { pongReply: new Uint8Array(1) },
    { pongReply: () => 'pong' },
    { isPong: () => false, isServerPing: () => false, shouldReconnect: () => true },
    { binaryType: 'arraybuffer' },
    { binaryType: 'blob' },
    { pauseInBackground: true },
    { WebSocket: class {} },
    { platform: { subscribe: () => () => {} } },
    { platform: { initial: () => ({}), subscribe: () => () => {} } },
  ]);

  test('a binary pongMessage with binaryType "blob" and no isPong is refused: a Blob cannot be compared as it arrives', () => {
    assert.throws(() => construct({ pongMessage: new ArrayBuffer(2) }), { name: 'TypeError', message: /options\.pongMessage.*arraybuffer/ });
    const ll = construct({ pongMessage: new ArrayBuffer(2), binaryType: 'arraybuffer' });
    assert.throws(() => {
      ll.binaryType = 'blob';
    }, TypeError);
  });
  for (const options of cases) {
    const label = Object.entries(options)
      .map(([k, v]) => `${k}: ${show(v)}`)
      .join(', ');
    test(label, () => {
      const ll = construct(options);
      assert.equal(ll.state, 'closed');
    });
  }

  test('Infinity options really run (and arm no timer for the disabled deadlines)', async (t) => {
    const time = new FakeTime();
    const transport = FakeTransport();
    const ll = new Lifeline(URL_, {
      ...time.options(),
      transport,
      platform: null,
      pingInterval: Infinity,
      connectTimeout: Infinity,
      maxRetries: Infinity,
      minUptime: Infinity,
      reconnectDelay: 0,
      maxReconnectDelay: 0,
      jitter: 1,
    });
    t.after(() => ll.close());
    await flush();
    assert.equal(time.pending(), 0);
    transport.last.open();
    assert.equal(time.pending(), 0);
    transport.last.remoteClose(1006);
    assert.equal(transport.sockets.length, 1, 'reconnectDelay 0: never inside the close');
    time.advance(1);
    assert.equal(transport.sockets.length, 2, 'reconnectDelay 0: 1 ms later');
  });
});

describe('protocols', () => {
  for (const value of ['', 'a b', 'a,b', ['ok', ''], ['ok', 'bad token'], ['é'], ['a', 'a']]) {
    test(`protocols = ${show(value)}: TypeError`, () => {
      assert.throws(() => construct({ protocols: value }), { name: 'TypeError', message: /^options\.protocols: / });
    });
  }
});

// --- platform details -----------------------------------------------------------------------------------

describe('platform shape', () => {
  test('a platform whose initial is not a function: TypeError at construction', () => {
    assert.throws(() => construct({ platform: { initial: { online: false }, subscribe: () => () => {} } }), {
      name: 'TypeError',
      message: /^options\.platform/,
    });
  });
});

// --- urls -----------------------------------------------------------------------------------------------

describe('url', () => {
  const bad = [
    123,
    null,
    undefined,
    {},
    ['ws://example.test'],
    true,
    '',
    'http://example.test/',
    'https://example.test/',
    'example.test',
    'ws:example.test',
    'ws://',
    'wss://',
    'ws:///path',
    'ws://?query',
    ' ws://example.test',
    new URL('http://example.test/'),
  ];
  for (const url of bad) {
    test(`url = ${show(url)}: TypeError naming url`, () => {
      assert.throws(() => new Lifeline(/** @type {any} */ (url), fakes()), { name: 'TypeError', message: /^url: expected a ws:\/\/ or wss:\/\/ URL/ });
    });
  }

  for (const url of ['ws://exa mple.test/', 'ws://:8080/', 'wss://example.test:99999/']) {
    test(`malformed ${show(url)}: TypeError naming url (not an endless series of failed attempts)`, () => {
      assert.throws(() => new URL(url), 'not a URL for the URL parser either');
      assert.throws(() => construct({}, url), { name: 'TypeError', message: /^url: / });
    });
  }

  for (const url of ['ws://localhost:8080/x?y=1', 'WSS://EXAMPLE.TEST', 'wss://[::1]:443/', 'ws://127.0.0.1', new URL('wss://example.test/a')]) {
    test(`url = ${show(url)} is accepted`, () => {
      const ll = construct({}, /** @type {any} */ (url));
      assert.equal(ll.url, String(url));
    });
  }

  test('a url function is accepted as is (checked per attempt)', () => {
    const ll = construct({}, /** @type {any} */ (() => 'not even a url'));
    assert.equal(ll.url, '');
  });
});

// --- send() --------------------------------------------------------------------------------------------

describe('send()', () => {
  for (const data of [42, {}, undefined, null, true, [1, 2], Symbol('x'), () => 'x', 10n]) {
    test(`send(${typeof data === 'symbol' ? 'Symbol' : show(data)}): TypeError, nothing queued or sent`, async (t) => {
      const { ll, transport } = await live(t);
      assert.throws(() => ll.send(/** @type {any} */ (data)), { name: 'TypeError', message: /^send: expected a string, ArrayBuffer/ });
      transport.last.open();
      assert.deepEqual(transport.last.sent, []);
      assert.equal(ll.stats.dropped, 0);
      assert.equal(ll.stats.queued, 0);
    });
  }

  test('send() of a wrong type after close(): still a TypeError', async (t) => {
    const { ll } = await live(t);
    ll.close();
    assert.throws(() => ll.send(/** @type {any} */ (5)), TypeError);
    assert.equal(ll.stats.dropped, 0);
  });
});

// --- close() -------------------------------------------------------------------------------------------

describe('close()', () => {
  for (const code of [999, 1001, 1005, 1006, 1015, 2999, 5000, 3000.5, -1, NaN, Infinity, '1000']) {
    test(`close(${show(code)}): RangeError, and the Lifeline is not closed`, async (t) => {
      const { ll, transport } = await live(t);
      assert.throws(() => ll.close(/** @type {any} */ (code)), { name: 'RangeError', message: /^close: code must be 1000 or a whole number from 3000 to 4999/ });
      assert.equal(ll.state, 'connecting');
      assert.equal(transport.last.closed, null);
    });
  }

  for (const code of [1000, 3000, 4999]) {
    test(`close(${code}) is accepted`, async (t) => {
      const { ll, transport } = await live(t);
      ll.close(code);
      assert.equal(transport.last.closed?.code, code);
    });
  }

  const reasons = /** @type {Array<[string, string, number]>} */ ([
    ['124 ASCII bytes', 'a'.repeat(124), 124],
    ['62 × "é" (124 bytes)', 'é'.repeat(62), 124],
    ['41 × "€" and one more byte', '€'.repeat(41) + 'a', 124],
    ['31 × "😀" (124 bytes)', '😀'.repeat(31), 124],
    ['42 lone high surrogates (126 bytes once encoded)', '\ud800'.repeat(42), 126],
    ['lone high surrogates before "é" (125 bytes once encoded)', '\ud800é'.repeat(25), 125],
  ]);
  for (const [label, reason, bytes] of reasons) {
    test(`close(1000, ${label}): RangeError`, async (t) => {
      assert.equal(new TextEncoder().encode(reason).length, bytes);
      const { ll, transport } = await live(t);
      assert.throws(() => ll.close(1000, reason), { name: 'RangeError', message: /^close: reason must be at most 123 bytes/ });
      assert.equal(ll.state, 'connecting');
      assert.equal(transport.last.closed, null);
    });
  }

  for (const [label, reason] of [
    ['123 ASCII bytes', 'a'.repeat(123)],
    ['61 × "é" + "a"', 'é'.repeat(61) + 'a'],
    ['41 × "€"', '€'.repeat(41)],
    ['30 × "😀" + "abc"', '😀'.repeat(30) + 'abc'],
    ['empty', ''],
  ]) {
    test(`close(1000, ${label}) is accepted (at most 123 bytes)`, async (t) => {
      assert.ok(new TextEncoder().encode(reason).length <= 123);
      const { ll, transport } = await live(t);
      ll.close(1000, reason);
      assert.deepEqual(transport.last.closed, { code: 1000, reason, abandon: false });
    });
  }

  for (const reason of [42, null, {}, true]) {
    test(`close(1000, ${show(reason)}): TypeError`, async (t) => {
      const { ll } = await live(t);
      assert.throws(() => ll.close(1000, /** @type {any} */ (reason)), { name: 'TypeError', message: /^close: reason must be a string/ });
      assert.equal(ll.state, 'connecting');
    });
  }

  test('close() after close() with a bad code still throws', async (t) => {
    const { ll } = await live(t);
    ll.close();
    assert.throws(() => ll.close(999), RangeError);
  });
});

// --- binaryType -------------------------------------------------------------------------------------------

describe('binaryType setter', () => {
  test('"arraybuffer" and "blob" are accepted', async (t) => {
    const { ll } = await live(t);
    ll.binaryType = 'arraybuffer';
    assert.equal(ll.binaryType, 'arraybuffer');
    ll.binaryType = 'blob';
    assert.equal(ll.binaryType, 'blob');
  });

  for (const value of ['text', 'nodebuffer', 'ArrayBuffer', '', null, undefined, 1]) {
    test(`binaryType = ${show(value)}: TypeError, the value unchanged`, async (t) => {
      const { ll } = await live(t, { binaryType: 'arraybuffer' });
      assert.throws(() => {
        ll.binaryType = /** @type {any} */ (value);
      }, { name: 'TypeError', message: /^binaryType: expected "blob" or "arraybuffer"/ });
      assert.equal(ll.binaryType, 'arraybuffer');
    });
  }
});

// --- before init() (a fresh process, where the core is not loaded) -----------------------------------------

describe('before init()', () => {
  test('new Lifeline before init() is a clear error; a bad init() rejects and can be retried', () => {
    const index = new URL('../js/index.js', import.meta.url).href;
    const script = `
      import { init, Lifeline } from ${JSON.stringify(index)};
      const out = {};
      const opts = { platform: null, transport: () => ({}), clock: () => 0, timers: { setTimeout: () => 0, clearTimeout() {} } };
      try { new Lifeline('ws://example.test', opts); out.before = 'no error'; }
      catch (e) { out.before = e.constructor.name + ': ' + e.message; }
      out.badArg = await init(5).then(() => 'resolved', (e) => e.constructor.name + ': ' + e.message);
      out.badWasm = await init({ wasm: 42 }).then(() => 'resolved', (e) => e.constructor.name + ': ' + e.message);
      await init();
      const ll = new Lifeline('ws://example.test', opts);
      out.after = ll.state;
      ll.close();
      console.log(JSON.stringify(out));
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
    const out = JSON.parse(result.stdout.trim().split('\n').at(-1));
    assert.match(out.before, /^Error: .*call `await init\(\)` first/);
    assert.match(out.badArg, /^TypeError: init: expected an options object/);
    assert.match(out.badWasm, /^TypeError: init: options\.wasm must be/);
    assert.equal(out.after, 'idle');
  });
});

test('DEFAULTS and SEED_PATTERN are there at import, before init() (the contract comes with the build)', () => {
  const code = `import('./js/index.js').then((m) => console.log(JSON.stringify({ d: m.DEFAULTS, s: m.SEED_PATTERN, frozen: Object.isFrozen(m.DEFAULTS) && Object.isFrozen(m.SEED_PATTERN) })))`;
  const out = JSON.parse(execFileSync(process.execPath, ['-e', code], { cwd: new URL('..', import.meta.url) }).toString());
  assert.equal(out.frozen, true);
  assert.equal(out.d.pingInterval, 10000);
  assert.equal(out.d.pingMessage, 'ping');
  assert.deepEqual(
    { pingInterval: out.s.pingInterval, pongTimeout: out.s.pongTimeout, reconnectDelay: out.s.reconnectDelay, maxRetries: out.s.maxRetries },
    { pingInterval: 10000, pongTimeout: 10000, reconnectDelay: 5000, maxRetries: 12 },
  );
});

test('init() refuses a core built from another contract, or a module that is not the core, by name', async () => {
  const { checkCore } = await import('../js/contract.js');
  const { CONTRACT_ID } = await import('../js/contract-data.js');
  assert.throws(() => checkCore({}), /not this package's core/);
  assert.throws(() => checkCore({ contractId: () => (CONTRACT_ID + 1) >>> 0 }), /another contract than this shim/);
  assert.throws(() => checkCore({ contractId: () => CONTRACT_ID }), /missing createCore/);
  const fns = { createCore() {}, recordsAddress() {}, reasonAddress() {}, frameAddress() {}, poll() {}, stats() {} };
  assert.doesNotThrow(() => checkCore({ contractId: () => CONTRACT_ID, ...fns }));
});
