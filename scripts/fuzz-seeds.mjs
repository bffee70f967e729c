// Writes the seed corpus of the libFuzzer target (native-tests/fuzz_connection.cpp) into
// native-tests/fuzz-corpus: one small file per scenario, in the target's byte format (see the
// comment at the top of fuzz_connection.cpp). The fuzzer mutates from these, so each one is a path
// worth starting from: a healthy link, each way of losing a socket, the listener-time inputs, and
// the hostile times and configs.
//   node scripts/fuzz-seeds.mjs
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contract } from '../js/contract.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'native-tests', 'fuzz-corpus');

// --- the byte format ---
// Config fields, in Field order (the contract's, as the build printed it); a byte per field, 0
// keeps the default.
const FIELDS = contract().fields.map((f) => f.cpp);
const FLAGS = new Set(contract().fields.filter((f) => f.kind === 'flag').map((f) => f.cpp));
// kValues in fuzz_connection.cpp: a number field's byte b picks VALUES[b - 1].
const VALUES = [
  0, 1, 'denormal', 1e-300, 1e300, NaN, Infinity, -Infinity, 2 ** 32, 2 ** 32 - 1, -1, 0.5, 0.999,
  1.5, 2, 10, 12, 100, 1000, 5000, 10000, 30000, 1e-3, 'max', '-0', 2 ** 53, 0.1, 1e15,
];
const value = (v) => {
  const i = VALUES.findIndex((x) => Object.is(x, v) || (Number.isNaN(v) && Number.isNaN(x)));
  if (i < 0) throw new Error(`no such value: ${v}`);
  return i + 1;
};
const config = (fields = {}) =>
  FIELDS.map((name) => {
    if (!(name in fields)) return 0;
    const v = fields[name];
    if (FLAGS.has(name)) return v ? 1 : 2;
    if (name === 'seed') return v;
    return value(v);
  });

const OPS = {
  open: 0, close: 1, reconnect: 2, opened: 3, activity: 4, pong: 5, serverPing: 6, error: 7,
  socketClosed: 8, attemptFailed: 9, timeout: 10, network: 11, foreground: 12, deadline: 13,
  drain: 14, clock: 15,
};
// Time bytes (time_arg): +0..31 ms, +n*500 ms, +2^n ms, back, deadline-relative, absolute.
const T = {
  same: 0,
  plus: (ms) => ms, // 0..31
  halfSeconds: (n) => 0x20 + n, // +n*500 ms, n < 32
  pow2: (n) => 0x40 + n, // +2^n ms, n < 32
  back: (ms) => 0x5f + ms, // -1..-16 ms
  backSeconds: (n) => 0x70 + n, // -1000*2^n ms
  deadline: (which = 0) => 0x80 + which, // 0 on time, 1 a hair early, 2 a hair late, 3 +slack...
  NaN: 0x90, Inf: 0x91, negInf: 0x92, big: 0x93, negBig: 0x94, max: 0x95, negMax: 0x96,
  denormal: 0x97, zero: 0x98, negZero: 0x99, minusOne: 0x9a, twoTo53: 0x9b,
};
// Socket id bytes (id_arg).
const ID = { live: 0x00, previous: 0x80, next: 0xa0, zero: 0xc0, highest: 0xd0 };
const random = (n) => [0xe0, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
// Close-code bytes: kCodes[b % 18].
const CODE = { normal: 0, c4000: 1, c3000: 2, c4999: 3, c1006: 7, zero: 8, c5000: 11, intMax: 14, c1012: 16, c1013: 17 };
// A close's reason: kReasons[i], in the flags byte's bits 2 and up.
const REASON = { none: 0, zero: 1, restart: 2, windowOnly: 3, huge: 4, twice: 5, empty: 6, prefixed: 7 };
// A Retry-After byte: 0 none, else a kValues entry.
const retryAfter = (v) => (v === undefined ? 0 : value(v));

// Drain after an op: 'all' (default) or how many outputs the shim polls before the next input.
const drain = (n) => (n === undefined ? 0 : 0xc0 + (n << 4));
const op = {
  open: (t = T.same, d) => [OPS.open | drain(d), t],
  close: (code = CODE.normal, t = T.same, d) => [OPS.close | drain(d), code, t],
  reconnect: (t = T.same, d) => [OPS.reconnect | drain(d), t],
  opened: (id = ID.live, t = T.plus(20), d) => [OPS.opened | drain(d), ...[id].flat(), t],
  activity: (id = ID.live, t = T.plus(5), d) => [OPS.activity | drain(d), ...[id].flat(), t],
  pong: (id = ID.live, t = T.plus(30), d) => [OPS.pong | drain(d), ...[id].flat(), t],
  serverPing: (id = ID.live, t = T.plus(1), d) => [OPS.serverPing | drain(d), ...[id].flat(), t],
  error: (id = ID.live, t = T.plus(1), d, retry) => [OPS.error | drain(d), ...[id].flat(), retryAfter(retry), t],
  socketClosed: (id = ID.live, code = CODE.normal, clean = true, allowed = true, t = T.plus(1), d, reason = REASON.none) =>
    [OPS.socketClosed | drain(d), ...[id].flat(), code, (clean ? 1 : 0) | (allowed ? 0 : 2) | (reason << 2), t],
  attemptFailed: (id = ID.live, t = T.same, d, retry) => [OPS.attemptFailed | drain(d), ...[id].flat(), retryAfter(retry), t],
  timeout: (t = T.same, d) => [OPS.timeout | drain(d), t],
  network: (online, t = T.plus(1), d) => [OPS.network | drain(d), online ? 0 : 1, t],
  foreground: (shown, t = T.plus(1), d) => [OPS.foreground | drain(d), shown ? 0 : 1, t],
  deadline: (which = 0, d) => [OPS.deadline | drain(d), which],
  drain: () => [OPS.drain],
  clock: (t) => [OPS.clock, t],
  // Op bytes 0xb0-0xbf: handle_protocol_error (the low 4 bits were all taken).
  protocolError: (id = ID.live, t = T.plus(1)) => [0xb0, ...[id].flat(), t],
};
// A healthy open link: open, opened, one ping answered.
const healthy = [op.open(), op.opened(), op.deadline(), op.pong()];

// --- the scenarios ---
const seeds = {
  'healthy-heartbeat': [config(), ...healthy, op.deadline(), op.pong(), op.close()],
  'pong-timeout': [config(), ...healthy, op.deadline(), op.deadline(), op.deadline(), op.opened()],
  'late-timers-grace': [config(), ...healthy, op.deadline(), op.deadline(4), op.deadline(4)],
  'connect-timeout-late': [config(), op.open(), op.deadline(4), op.deadline(4), op.deadline()],
  'error-then-stale-close': [
    config(), ...healthy, op.error(), op.socketClosed(ID.previous), op.deadline(), op.opened(),
  ],
  'remote-close-final': [config(), ...healthy, op.socketClosed(ID.live, CODE.c4000, true, false),
    op.open(), op.opened()],
  'server-ping-activity': [config({ answer_server_pings: false }), ...healthy, op.serverPing(),
    op.activity(ID.live, T.back(5)), op.activity(), op.deadline()],
  'attempt-failed-zero-delay': [config({ reconnect_delay: 0 }), op.open(), op.attemptFailed(),
    op.deadline(), op.attemptFailed(), op.deadline(), op.attemptFailed()],
  'sync-failure-inside-open-socket': [config({ reconnect_delay: 0 }), op.open(T.same, 1),
    op.attemptFailed(), op.deadline(0, 1), op.error(), op.drain()],
  'reconnect-from-listener': [config(), ...healthy, op.error(ID.live, T.plus(1), 3),
    op.reconnect(), op.reconnect(), op.deadline(), op.opened()],
  'reconnect-everywhere': [config(), op.reconnect(), op.open(), op.reconnect(), op.deadline(),
    op.opened(), op.reconnect(T.plus(3), 0), op.close(), op.reconnect()],
  'close-from-listener': [config(), ...healthy, op.deadline(), op.deadline(0, 2), op.close(),
    op.drain(), op.open()],
  'close-before-and-after': [config({ max_retries: 0 }), op.close(), op.open(), op.error(),
    op.close(), op.open(), op.opened(), op.close(CODE.c3000)],
  'gave-up-then-reconnect': [config({ max_retries: 1, reconnect_delay: 10 }), op.open(),
    op.error(), op.deadline(), op.error(), op.reconnect(), op.deadline(), op.opened()],
  'bad-close-codes': [config(), ...healthy, op.close(CODE.c1006), op.close(CODE.zero),
    op.close(CODE.c5000), op.close(CODE.intMax), op.close(CODE.c4999)],
  'offline-online': [config(), ...healthy, op.network(false), op.deadline(), op.error(),
    op.network(true), op.opened(), op.network(false), op.network(true)],
  'background-paused': [config({ pause_in_background: true }), op.open(), op.error(),
    op.foreground(false), op.deadline(), op.foreground(true), op.foreground(false),
    op.opened(), op.foreground(true)],
  'background-not-paused': [config(), op.open(), op.error(), op.foreground(false, T.halfSeconds(8)),
    op.foreground(true), op.deadline()],
  'stale-ids': [config(), ...healthy, op.opened(ID.previous), op.pong(ID.next), op.error(ID.zero),
    op.socketClosed(random(0xfffffff0)), op.attemptFailed(ID.highest), op.activity(ID.next)],
  'non-finite-times': [config(), op.open(T.NaN), op.open(T.Inf), op.open(), op.opened(ID.live, T.NaN),
    op.timeout(T.negInf), op.pong(ID.live, T.Inf), op.activity(ID.live, T.NaN), op.close(0, T.NaN),
    op.network(false, T.NaN), op.foreground(false, T.Inf), op.reconnect(T.NaN)],
  'time-backwards': [config(), op.open(T.halfSeconds(20)), op.opened(ID.live, T.backSeconds(3)),
    op.deadline(), op.pong(ID.live, T.back(16)), op.timeout(T.backSeconds(8)), op.deadline(1),
    op.deadline(2)],
  'time-1e300': [config({ ping_interval: 1, pong_timeout: 1 }), op.open(T.big), op.opened(),
    op.deadline(), op.pong(), op.deadline(), op.deadline(), op.timeout(T.max)],
  'time-huge-negative': [config(), op.open(T.negBig), op.opened(), op.pong(ID.live, T.max),
    op.deadline(), op.timeout(T.negMax)],
  'time-2pow53': [config({ ping_interval: 1, connect_timeout: 1, reconnect_delay: 1 }),
    op.open(T.twoTo53), op.deadline(), op.deadline(), op.opened(), op.deadline(), op.deadline()],
  'denormal-config': [config({ connect_timeout: 'denormal', ping_interval: 'denormal' }),
    op.open(), op.deadline(), op.opened()],
  'tiny-durations': [config({ ping_interval: 1, pong_timeout: 1, connect_timeout: 1,
    timer_slack: 1, reconnect_delay: 1, max_reconnect_delay: 1 }), op.open(), op.deadline(),
  op.deadline(), op.deadline(), op.opened(), op.deadline(), op.deadline(), op.deadline()],
  'infinite-durations': [config({ ping_interval: Infinity, pong_timeout: Infinity,
    connect_timeout: Infinity, timer_slack: Infinity, min_uptime: Infinity }), op.open(),
  op.opened(), op.network(false), op.network(true), op.timeout(T.big)],
  'nan-config': [config({ jitter: NaN, backoff_factor: NaN, max_retries: NaN }), op.open(),
    op.error(), op.deadline()],
  'max-retries-2pow32': [config({ max_retries: 2 ** 32 }), op.open(), op.error(), op.deadline()],
  'max-retries-2pow32-1': [config({ max_retries: 2 ** 32 - 1, reconnect_delay: 0,
    max_reconnect_delay: 0 }), op.open(), op.error(), op.deadline(), op.error()],
  'negative-config': [config({ reconnect_delay: -1, min_uptime: -1, pong_timeout: -1 }),
    op.open(), op.close()],
  'huge-delays': [config({ reconnect_delay: 1e15, max_reconnect_delay: 'max', backoff_factor: 1e15,
    min_uptime: 'max' }), op.open(T.big), op.error(), op.deadline(), op.reconnect()],
  'min-uptime-reset': [config({ min_uptime: 0, max_retries: 2 }), op.open(), op.opened(),
    op.socketClosed(), op.deadline(), op.opened(), op.socketClosed(), op.deadline(), op.error()],
  'restart-hint': [config(), ...healthy, op.socketClosed(ID.live, CODE.c1012, true, true, T.plus(1), undefined, REASON.restart),
    op.network(false), op.network(true), op.deadline(), op.opened(),
    op.socketClosed(ID.live, CODE.c1013, true, true, T.plus(1), undefined, REASON.huge), op.reconnect()],
  'hostile-hints': [config({ max_hint_delay: 0, restart_window: 1e300 }), ...healthy,
    op.socketClosed(ID.live, CODE.c1013, true, true, T.plus(1), undefined, REASON.zero), op.deadline(),
    op.opened(), op.socketClosed(ID.live, CODE.c1012, true, true, T.plus(1), 2, REASON.twice), op.deadline()],
  'retry-after-503': [config({ restart_window: 1000 }), op.open(), op.attemptFailed(ID.live, T.same, undefined, 30000),
    op.deadline(), op.error(ID.live, T.plus(1), undefined, NaN), op.deadline(), op.error(ID.live, T.plus(1), undefined, 1e300),
    op.deadline(), op.opened(), op.error(ID.live, T.plus(1), undefined, 1000)],
  'adaptive-pong': [config({ adaptive_pong_timeout: true, min_pong_timeout: 1 }), ...healthy,
    op.deadline(), op.pong(), op.deadline(), op.pong(), op.deadline(), op.deadline(), op.pong(),
    op.deadline(), op.deadline(), op.deadline()],
  'protocol-error': [config(), op.open(), op.protocolError(ID.live, T.same), ...healthy.slice(1),
    op.protocolError(ID.previous), op.protocolError(ID.next), op.protocolError(ID.live, T.NaN),
    op.protocolError(), op.protocolError(), op.deadline(), op.opened(), op.protocolError()],
  'partial-drains': [config(), op.open(T.same, 0), op.opened(ID.live, T.plus(1), 1),
    op.deadline(0, 0), op.pong(ID.live, T.plus(2), 2), op.error(ID.live, T.plus(1), 0),
    op.reconnect(T.same, 1), op.close(), op.drain()],
};

rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
for (const [name, parts] of Object.entries(seeds)) {
  writeFileSync(join(dir, name), Uint8Array.from(parts.flat()));
}
console.log(`fuzz-seeds: ${readdirSync(dir).length} files in ${dir}`);
