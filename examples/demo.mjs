// The live demo: a local echo server behind a fault-injecting proxy, and a Lifeline that keeps
// its connection alive through every fault the proxy throws at it. Everything stays on 127.0.0.1.
//
//   node examples/demo.mjs [--duration SECONDS] [--seed-pattern]
//
// --seed-pattern runs the classic heartCheck configuration (10 s / 10 s / 5 s, 12 retries) instead
// of the faster demo timings, to see the same verdicts on the seed's schedule.
import { init, Lifeline, SEED_PATTERN } from '../js/index.js';
import { startFaultProxy } from '../scripts/testbed/fault-proxy.mjs';
import { startTestServer } from '../scripts/testbed/test-server.mjs';

const args = process.argv.slice(2);
const durationArg = args.indexOf('--duration');
const duration = durationArg >= 0 ? Number(args[durationArg + 1]) : Infinity;
if (!(duration > 0)) {
  console.error('--duration: expected a number of seconds > 0');
  process.exit(2);
}
const seedPattern = args.includes('--seed-pattern');

const color = process.stdout.isTTY ? (code, s) => `\x1b[${code}m${s}\x1b[0m` : (_, s) => s;
const t0 = performance.now();
const stamp = () => ((performance.now() - t0) / 1000).toFixed(2).padStart(7) + 's';
const log = (tag, code, text) => console.log(`${stamp()}  ${color(code, tag.padEnd(12))} ${text}`);

await init();
const server = await startTestServer();
const proxy = await startFaultProxy({ targetPort: server.port });
const options = seedPattern
  ? { ...SEED_PATTERN }
  : { pingInterval: 1000, pongTimeout: 1000, reconnectDelay: 300, maxReconnectDelay: 3000, connectTimeout: 2000, minUptime: 2000 };
log('setup', 36, `echo server :${server.port}, fault proxy :${proxy.port}, options ${JSON.stringify(options)}`);

const sock = new Lifeline(proxy.url('/demo'), options);
let counter = 0;
sock.addEventListener('open', () => log('open', 32, `connected (attempt stats: ${sock.stats.attempts} attempts, ${sock.stats.connects} connects)`));
sock.addEventListener('heartbeat', (e) => log('heartbeat', 90, `pong after ${e.rtt.toFixed(1)} ms`));
sock.addEventListener('message', (e) => log('message', 37, `echo ${String(e.data)}`));
sock.addEventListener('close', (e) => {
  const verdict = e.cause === 'pong-timeout' ? color(31, 'DEAD LINK: no pong in time, socket abandoned') : `cause ${e.cause}`;
  log('close', 33, `code ${e.code} ${verdict}${e.willReconnect ? ', will reconnect' : ', final'}`);
});
sock.addEventListener('reconnecting', (e) => log('reconnecting', 35, `attempt ${e.attempt} in ${Math.round(e.delay)} ms`));
sock.addEventListener('giveup', (e) => log('giveup', 31, `after ${e.attempts} attempts`));
sock.addEventListener('error', (e) => log('error', 31, e.message));
sock.addEventListener('drop', (e) => log('drop', 31, `${e.reason}: ${String(e.data)}`));

// The app sends a message every 1.5 s, connected or not: nothing is lost while the link is down.
const sender = setInterval(() => {
  const text = `#${++counter}`;
  const direct = sock.readyState === Lifeline.OPEN;
  sock.send(text);
  if (!direct) log('queued', 90, `${text} (not connected: held, sent in order on reconnect)`);
}, 1500);

// The faults, in a loop.
const scale = seedPattern ? 10 : 1;
const faults = [
  { wait: 4, name: 'half-open link: the proxy silently stops forwarding, sockets stay open', run: () => proxy.setMode('blackhole'), hold: 4 },
  { wait: 3, name: 'connection reset', run: () => proxy.resetAll(), hold: 0 },
  { wait: 3, name: 'server refuses connections', run: () => proxy.setMode('refuse'), hold: 5 },
  { wait: 3, name: 'server accepts TCP but never answers the handshake', run: () => proxy.setMode('hang'), hold: 4 },
  { wait: 3, name: 'server closes with 1000 (a proxy restart)', run: () => server.closeAll(1000, 'restart'), hold: 0 },
];
let stopped = false;
const sleep = (s) => new Promise((resolve) => setTimeout(resolve, s * 1000 * scale));
(async () => {
  for (let i = 0; !stopped; i = (i + 1) % faults.length) {
    const f = faults[i];
    await sleep(f.wait);
    if (stopped) break;
    log('FAULT', '1;31', f.name);
    await f.run();
    if (f.hold) {
      await sleep(f.hold);
      if (stopped) break;
      await proxy.setMode('forward');
      log('FAULT', '1;32', 'network healthy again');
    }
  }
})();

async function stop() {
  if (stopped) return;
  stopped = true;
  clearInterval(sender);
  const s = sock.stats;
  sock.close(1000, 'demo over');
  log('done', 36, `attempts ${s.attempts}, connects ${s.connects}, pings ${s.pingsSent}, pongs ${s.pongsReceived}, dead links ${s.deadLinks}, sent ${s.messagesSent}, maybe lost ${s.maybeLost}, dropped ${s.dropped}`);
  const received = server.received.map((r) => r.data);
  const unique = new Set(received);
  log('done', 36, `server received ${received.length} messages (${unique.size} distinct, in order: ${isOrdered(received)})`);
  await proxy.close();
  await server.close();
  process.exit(0);
}

function isOrdered(list) {
  const nums = list.map((d) => Number(String(d).slice(1)));
  return nums.every((n, i) => i === 0 || n > nums[i - 1]);
}

process.on('SIGINT', stop);
if (duration !== Infinity) setTimeout(stop, duration * 1000);
