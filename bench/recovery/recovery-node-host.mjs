// One Node process per client kind for the recovery benchmark (forked by run.mjs): each
// library has the process, its globals and its event loop to itself.
import { createRequire } from 'node:module';
import WebSocket from 'ws';
import { createHost } from './recovery-host.mjs';
import { createClassic } from './classic.mjs';

const require = createRequire(import.meta.url);
const [kind, scaleText] = process.argv.slice(2);
const scale = Number(scaleText);
let uncaught = 0;
const uncaughtMessages = [];
// An exception thrown from a library's own timer or event handler would end the process; a browser
// would log it and go on. Count it, report it, go on.
process.on('uncaughtException', (e) => {
  uncaught++;
  if (uncaughtMessages.length < 5) uncaughtMessages.push(String(e?.stack ?? e).split('\n').slice(0, 3).join(' | '));
});
process.on('unhandledRejection', (e) => {
  uncaught++;
  if (uncaughtMessages.length < 5) uncaughtMessages.push(String(e?.stack ?? e).split('\n').slice(0, 3).join(' | '));
});

// websocket-heartbeat-js and sockette only use the global WebSocket (Node 20 has none).
if (kind === 'websocket-heartbeat-js' || kind === 'sockette') globalThis.WebSocket = WebSocket;

const env = { nodeWebSocket: WebSocket, createClassic };
if (kind.startsWith('lifeline')) {
  const m = await import('../../js/index.js');
  await m.init();
  env.Lifeline = m.Lifeline;
} else if (kind === 'reconnecting-websocket') env.ReconnectingWebSocket = require('reconnecting-websocket');
else if (kind === 'websocket-heartbeat-js') env.WebsocketHeartbeatJs = require('websocket-heartbeat-js').default;
else if (kind === 'partysocket') env.PartySocket = (await import('partysocket')).default;
else if (kind === 'sockette') env.sockette = require('sockette');

const host = createHost(env, (event) => process.send({ event }), scale);
host.uncaught = () => ({ uncaught, uncaughtMessages });
process.on('message', async ({ reqId, cmd, args }) => {
  try {
    process.send({ reqId, result: await host[cmd](...args) });
  } catch (error) {
    process.send({ reqId, error: String(error?.stack ?? error) });
  }
});
process.send({ ready: true });
