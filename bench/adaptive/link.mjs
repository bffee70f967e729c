// The far end of the adaptive benchmark's links, in a process of its own (forked by run.mjs): the
// echo server (scripts/testbed/test-server.mjs, which answers "ping" with "pong") and fault proxies
// in front of it (scripts/testbed/fault-proxy.mjs), driven over IPC. Its own event loop means
// the clients' work never delays the link's deliveries, and the link's work never delays the
// clients' timers (on 2 cores they run side by side).
//
//   → { id, op: 'proxy', throttle }     ← { id, port, key }
//   → { id, op: 'mode', key, mode }     ← { id, at }       (at: wall ms, when the mode was applied)
//   → { id, op: 'stats', key }          ← { id, stats }
//   → { id, op: 'close', key }          ← { id }
//   → { id, op: 'exit' }                ← { id, lag }      (then the process exits)
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startFaultProxy } from '../../scripts/testbed/fault-proxy.mjs';
import { startTestServer } from '../../scripts/testbed/test-server.mjs';

const wallNow = () => performance.timeOrigin + performance.now();
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
const server = await startTestServer();
const proxies = new Map();
let nextKey = 1;

async function handle(msg) {
  switch (msg.op) {
    case 'proxy': {
      const proxy = await startFaultProxy({ targetPort: server.port });
      // Not startFaultProxy({ throttle }): that path hands its resolved settings (chunkBytes
      // Infinity) back to setThrottle(), which refuses them.
      if (msg.throttle) proxy.setThrottle(msg.throttle);
      const key = nextKey++;
      proxies.set(key, proxy);
      return { port: proxy.port, key };
    }
    case 'mode': {
      const proxy = proxies.get(msg.key);
      const done = proxy.setMode(msg.mode); // applied synchronously
      const at = wallNow();
      await done;
      return { at };
    }
    case 'stats':
      return { stats: proxies.get(msg.key).stats() };
    case 'close': {
      const proxy = proxies.get(msg.key);
      proxies.delete(msg.key);
      await proxy?.close();
      return {};
    }
    case 'exit': {
      for (const p of proxies.values()) await p.close();
      await server.close();
      lag.disable();
      // Less the sampling period (10 ms), which every sample includes.
      return { lag: { meanMs: lag.mean / 1e6 - 10, p99Ms: lag.percentile(99) / 1e6 - 10, maxMs: lag.max / 1e6 - 10 } };
    }
    default:
      throw new Error(`link: unknown op ${msg.op}`);
  }
}

process.on('message', async (msg) => {
  try {
    const reply = await handle(msg);
    process.send({ id: msg.id, ...reply });
    if (msg.op === 'exit') process.disconnect();
  } catch (error) {
    process.send({ id: msg.id, error: error?.stack ?? String(error) });
  }
});
process.send({ ready: true });
