// A built mini-program (a framework's output, or the example after WeChat's Build npm) run in the
// WeChat-like vm (miniprogram-sandbox.mjs) with real sockets, against the test server behind the
// fault proxy; all of it closed when the test ends. Test support only.
import { setTimeout as sleep } from 'node:timers/promises';
import { createAppSandbox } from './miniprogram-sandbox.mjs';
import { createRealWx } from './fake-miniprogram-apis.mjs';
import { startTestServer } from '../../scripts/testbed/test-server.mjs';
import { startFaultProxy } from '../../scripts/testbed/fault-proxy.mjs';

/**
 * A waitFor(predicate, what, timeoutMs = defaultMs) that polls every 5 ms and throws with `what`
 * when the time is up.
 * @param {number} defaultMs
 */
export function waiter(defaultMs) {
  return async (/** @type {() => unknown} */ predicate, /** @type {string} */ what, timeoutMs = defaultMs) => {
    const end = performance.now() + timeoutMs;
    while (!predicate()) {
      if (performance.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
      await sleep(5);
    }
  };
}

/**
 * @param {any} t the node:test context
 * @param {string} root the code package's folder (app.json at its root)
 */
export async function runMiniApp(t, root) {
  const server = await startTestServer();
  const proxy = await startFaultProxy({ targetPort: server.port });
  /** @type {any} */
  let fake;
  t.after(async () => {
    await fake?.dispose();
    await proxy.close();
    await server.close();
  });
  const mp = createAppSandbox({ root, wx: (ctx) => (fake = createRealWx({ realm: ctx })).wx });
  /** Whether the server received this text. */
  const said = (/** @type {string} */ data) => server.received.some((r) => r.data === data);
  return { server, proxy, mp, fake, said };
}
