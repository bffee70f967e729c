// examples/miniprogram runs as written: its app.js and page, in the WeChat-like sandbox, against
// a real server, with the package as "Build npm" would give it (miniprogram_dist).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSandbox } from './support/miniprogram-sandbox.mjs';
import { createRealWx } from './support/fake-miniprogram-apis.mjs';
import { startTestServer } from '../scripts/testbed/test-server.mjs';
import { waiter } from './support/mini-app.mjs';

const ROOT = fileURLToPath(new URL('../miniprogram_dist', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../examples/miniprogram/miniprogram/', import.meta.url));

const waitFor = waiter(5000);

test('the example page connects, sends, reconnects on demand and closes on unload', async (t) => {
  const server = await startTestServer();
  let fake;
  const sandbox = createSandbox({ root: ROOT, wx: (ctx) => (fake = createRealWx({ realm: ctx })).wx });
  t.after(async () => {
    await fake.dispose();
    await server.close();
  });
  // The mini-program's globals: App() and Page() register, getApp() returns the app.
  let app;
  let page;
  sandbox.context.App = (definition) => {
    app = definition;
  };
  sandbox.context.getApp = () => app;
  sandbox.context.Page = (definition) => {
    page = definition;
  };
  const runFile = (file) => {
    const wrapped = sandbox.run(`(function (require, module, exports) {${fs.readFileSync(file, 'utf8')}\n})`);
    wrapped(sandbox.require, { exports: {} }, {});
  };
  runFile(`${EXAMPLE}app.js`);
  app.globalData.serverUrl = server.url('/example');
  runFile(`${EXAMPLE}pages/index/index.js`);
  assert.equal(typeof page.onLoad, 'function');
  page.setData = (patch) => Object.assign(page.data, patch);

  await page.onLoad();
  await waitFor(() => page.data.state === 'open', 'the page shows open');
  page.sendNow();
  await waitFor(() => server.received.some((r) => r.data === 'hello 1'), 'the server got the message');
  await waitFor(() => page.data.received === 1, 'the echo reached the page');

  page.reconnectNow();
  await waitFor(() => server.connections === 2 && page.data.state === 'open', 'a second connection');
  page.sendNow();
  await waitFor(() => server.received.some((r) => r.data === 'hello 2'), 'the message after reconnecting');

  page.onUnload();
  assert.equal(page.data.state, 'closed');
  await sleep(100);
  assert.equal(server.connections, 2, 'no connection after unload');
  assert.ok(page.data.log.some((line) => line.startsWith('close 1000')), page.data.log.join('\n'));
});
