// The Chromium side of the resume benchmark: `?plan=<json>` runs the plan's throughput schedule
// (client.mjs, as in Node) against the server child and sends `result:<json>` to plan.report. It
// runs in a bare headless Chromium (lib/chromium-bare.mjs), as overhead's page does: playwright's
// DevTools session would report every WebSocket frame, which costs more than the frame.
import { init, Lifeline } from '/js/index.js';
import { clientRun, runUrl } from './client.mjs';

await init();
// A turn of the event loop for a sender waiting on the window: a message-channel task (setTimeout
// would clamp to 4 ms once nested).
const channel = new MessageChannel();
const waiting = [];
channel.port1.onmessage = () => waiting.shift()?.();
const yieldTurn = () =>
  new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(0);
  });
const env = { WebSocket, Lifeline, yieldTurn };

const plan = JSON.parse(new URL(location.href).searchParams.get('plan'));
const report = new WebSocket(plan.report);
await new Promise((resolve) => (report.onopen = resolve));
const results = [];
let error = null;
try {
  let id = plan.firstId;
  for (const run of plan.schedule) {
    const runId = String(id++);
    const r = await clientRun(env, runUrl(plan.base, run, runId), run);
    results.push({ ...run, ...r, id: runId });
    report.send(`progress:${results.length}`);
  }
} catch (e) {
  error = String(e?.stack ?? e);
}
report.send(`result:${JSON.stringify({ results, error, userAgent: navigator.userAgent })}`);
