// The Node side of the overhead benchmark (forked by run.mjs, with --expose-gc): runs the
// interleaved schedule it is given against the blaster and prints the results as JSON.
import { createRequire } from 'node:module';
import WebSocket from 'ws';
import { init, Lifeline } from '../../js/index.js';
import { core } from '../../js/loader.js';
import { receiveRun } from './overhead-client.mjs';

const require = createRequire(import.meta.url);
const uncaught = [];
process.on('uncaughtException', (e) => uncaught.push(String(e?.message ?? e)));
await init();
const env = { WebSocket, nodeWebSocket: WebSocket, Lifeline, ReconnectingWebSocket: require('reconnecting-websocket') };
const { url, schedule } = JSON.parse(process.argv[2]);
const results = [];
for (const run of schedule) {
  globalThis.gc?.();
  const cpu0 = process.cpuUsage();
  const r = await receiveRun(run.kind, env, url, run.count, run.bytes, run.perSecond ?? 0);
  const cpu = process.cpuUsage(cpu0);
  // CPU time of this process over the run (user + system, connection setup included).
  const cpuMs = (cpu.user + cpu.system) / 1000;
  results.push({ ...run, ...r, cpuMs });
}

// Why: the cost of Lifeline's per-message path alone (a fake transport delivering the same 32 B
// string), and of one performance.now() call (the shim reads the clock for every message).
let handlers = null;
const transport = (_u, _p, h) => {
  handlers = h;
  queueMicrotask(() => h.open());
  return { send() {}, close() {}, bufferedAmount: 0, protocol: '', extensions: '' };
};
const l = new Lifeline('ws://127.0.0.1:9/', { transport });
await new Promise((r) => setTimeout(r, 20));
let received = 0;
l.onmessage = () => {
  received++;
};
// Every call into the core (embind) during the message loop is counted: the per-message path is
// meant to make none (arrival times are batched and reported with the next input).
let coreCalls = 0;
const proto = core().Core.prototype;
const originals = new Map();
for (const name of Object.getOwnPropertyNames(proto)) {
  const fn = proto[name];
  if (name === 'constructor' || typeof fn !== 'function') continue;
  originals.set(name, fn);
  proto[name] = function (...args) {
    coreCalls++;
    return fn.apply(this, args);
  };
}
const msg = 'x'.repeat(32);
const N = 1000000;
const pathNs = [];
const coreCallsPerMessage = [];
const clockNs = [];
let sink = 0;
const readNs = [];
const READ = 1000; // messages per socket read, as `ws` hands over a 32 KB read of 32 B messages
for (let round = 0; round < 5; round++) {
  let t = performance.now();
  const calls0 = coreCalls;
  for (let i = 0; i < N; i++) handlers.message(msg);
  pathNs.push(((performance.now() - t) * 1e6) / N);
  coreCallsPerMessage.push((coreCalls - calls0) / N);
  // As the ws transport hands them over: activity(true), the read's messages, activityDone().
  t = performance.now();
  for (let i = 0; i < N; i += READ) {
    handlers.activity(true);
    for (let j = 0; j < READ; j++) handlers.message(msg);
    handlers.activityDone();
  }
  readNs.push(((performance.now() - t) * 1e6) / N);
  t = performance.now();
  for (let i = 0; i < N; i++) sink += performance.now();
  clockNs.push(((performance.now() - t) * 1e6) / N);
}
for (const [name, fn] of originals) proto[name] = fn;
l.close();
const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
const micro = { lifelineMessagePathNs: med(pathNs), lifelineMessageInReadNs: med(readNs), performanceNowNs: med(clockNs), coreCallsPerMessage: Math.max(...coreCallsPerMessage), received, sink: sink > 0 };
process.stdout.write(JSON.stringify({ results, uncaught, micro }));
process.exit(0);
