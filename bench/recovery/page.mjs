// The Chromium side of the recovery benchmark: every client kind in one page, the browser's own
// WebSocket underneath. The bench drives it through window.host (see recovery-host.mjs).
import { init, Lifeline } from '/js/index.js';
import ReconnectingWebSocket from '/node_modules/reconnecting-websocket/dist/reconnecting-websocket-mjs.js';
import PartySocket from '/node_modules/partysocket/dist/index.js';
import sockette from '/node_modules/sockette/dist/sockette.mjs';
import { createClassic } from './classic.mjs';
import { createHost } from './recovery-host.mjs';

await init();
const scale = Number(new URL(location.href).searchParams.get('scale'));
const env = {
  Lifeline,
  ReconnectingWebSocket,
  PartySocket,
  sockette,
  createClassic,
  WebsocketHeartbeatJs: window.WebsocketHeartbeatJs,
};
let uncaught = 0;
const uncaughtMessages = [];
// Errors thrown from a library's own timers or handlers: counted, with the file that threw.
window.addEventListener('error', (e) => {
  uncaught++;
  const where = `${String(e.filename).replace(location.origin, '')}:${e.lineno}`;
  if (uncaughtMessages.length < 10) uncaughtMessages.push(`${e.message} (${where})`);
});
// Events go to the bench as they happen (window.__benchReport, exposed by it) or wait to be taken.
const pending = [];
const report = (event) => {
  if (typeof window.__benchReport === 'function') window.__benchReport(event);
  else pending.push(event);
};
window.host = createHost(env, report, scale);
window.host.uncaught = () => ({ uncaught, uncaughtMessages });
window.host.takeEvents = () => pending.splice(0);
window.hostReady = true;
