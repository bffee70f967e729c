// The Chromium side of the overhead benchmark. Two ways in:
// - window.receiveRun(kind, url, count, bytes), driven through playwright;
// - `?plan=<json>`: runs the plan's schedule by itself and sends the results as
//   `result:<json>` over a WebSocket to plan.report. The bench uses this one: it runs Chromium
//   without playwright, because playwright's DevTools session reports every WebSocket frame
//   to the driver, which costs more per message than the WebSocket itself.
import { init, Lifeline } from '/js/index.js';
import ReconnectingWebSocket from '/node_modules/reconnecting-websocket/dist/reconnecting-websocket-mjs.js';
import { receiveRun } from './overhead-client.mjs';

await init();
const env = { WebSocket, Lifeline, ReconnectingWebSocket };
window.receiveRun = (kind, url, count, bytes) => receiveRun(kind, env, url, count, bytes);
window.overheadReady = true;

const planText = new URL(location.href).searchParams.get('plan');
if (planText) {
  const plan = JSON.parse(planText);
  const report = new WebSocket(plan.report);
  await new Promise((resolve) => (report.onopen = resolve));
  const results = [];
  let error = null;
  try {
    for (const run of plan.schedule) {
      const r = await receiveRun(run.kind, env, plan.url, run.count, run.bytes);
      results.push({ ...run, ...r });
      report.send(`progress:${results.length}`);
    }
  } catch (e) {
    error = String(e);
  }
  report.send(`result:${JSON.stringify({ results, error, userAgent: navigator.userAgent })}`);
}
