// The web demo (examples/timeline/) in headless Chromium:
//   node --test wasm-tests/timeline.test.mjs
//
// Starts the demo's server in-process (echo server behind one fault proxy, the page, the fault
// API), opens the page with time scaled down, and presses the fault buttons as a person would. It
// checks what the page draws (the marks and bands in each lane, not only counters), that nothing
// in the page fails, and writes a screenshot to build/screenshots/timeline.png.
// Every wait is a poll with a generous bound; no duration is asserted.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';
import { CHROMIUM } from './support/chromium.mjs';
import { startTimeline } from '../examples/timeline/server.mjs';

const SCALE = 0.25; // every timing of the page / 4: ping 250 ms, pong deadline 250 ms, ...
const WAIT = 10_000; // bound for anything that must happen (2 loaded cores)
const SCREENSHOT = fileURLToPath(new URL('../build/screenshots/timeline.png', import.meta.url));
// Expected noise: Chromium logs every refused or abandoned handshake; the classic pattern's
// heartCheck timers outlive its sockets, so it pings a socket that already closed (logged) or one
// that is still connecting (InvalidStateError, thrown from its own timer: the page draws it in the
// classic lane). Any other error is a finding.
const CLASSIC_THROWS = (e) => e.name === 'InvalidStateError' && /\/classic\.mjs:/.test(String(e.stack));
const EXPECTED_CONSOLE = [
  /^WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/(lifeline|classic)' failed/,
  /^WebSocket is already in CLOSING or CLOSED state\.$/,
];

async function until(what, predicate, ms = WAIT) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not seen within ${ms} ms`);
    await sleep(40);
  }
}

test('timeline page: faults from the buttons show as verdicts, reconnections and bands in both lanes', { timeout: 90_000 }, async (t) => {
  const started = performance.now();
  const demo = await startTimeline();
  const browser = await chromium.launch(CHROMIUM);
  t.after(async () => {
    await browser.close();
    await demo.close();
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  const problems = [];
  let classicThrew = 0;
  page.on('pageerror', (e) => {
    if (CLASSIC_THROWS(e)) classicThrew++;
    else problems.push(`pageerror: ${e.stack ?? e}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && !EXPECTED_CONSOLE.some((re) => re.test(m.text()))) problems.push(`console: ${m.text()}`);
  });
  page.on('requestfailed', (r) => {
    if (!r.url().endsWith('/api/events')) problems.push(`request failed: ${r.url()}`);
  });

  await page.goto(demo.url(`/?scale=${SCALE}`));
  await page.locator('body[data-ready="true"]').waitFor({ timeout: WAIT });

  const lane = (name) => page.locator(`#lane-${name}`);
  const data = (name) => lane(name).evaluate((g) => ({ ...g.dataset }));
  const now = () => page.evaluate(() => window.timeline.now());
  /** The newest element of a lane matching `selector` whose data-t is at least `since`, if visible. */
  const visibleSince = async (name, selector, since) => {
    const ts = await lane(name)
      .locator(selector)
      .evaluateAll((nodes, s) => nodes.map((n) => Number(n.dataset.t)).filter((v) => v >= s), since);
    if (ts.length === 0) return null;
    const newest = Math.max(...ts);
    const node = lane(name).locator(`${selector}[data-t="${newest}"]`).first();
    return (await node.isVisible()) ? newest : null;
  };
  const button = (name) => page.getByRole('button', { name, exact: true });

  // Both lanes come up: an open band is drawn in each.
  for (const name of ['lifeline', 'classic']) {
    await until(`${name} open`, async () => (await data(name)).state === 'open' && (await visibleSince(name, 'rect.band.s-open', 0)) !== null);
  }
  await until('a pong with its rtt in the ws-lifeline lane', () => visibleSince('lifeline', 'rect.tick.pong', 0));
  await until('an echoed message in each lane', async () => (await visibleSince('lifeline', 'circle.msg.delivered', 0)) !== null && (await visibleSince('classic', 'circle.msg.delivered', 0)) !== null);

  // half-open: a pong-timeout verdict, then a reconnection, in the ws-lifeline lane.
  let since = await now();
  const opensBefore = Number((await data('lifeline')).opens);
  await button('half-open').click();
  await until('the half-open band in the network row', () => page.locator('#lane-network rect.band.f-half-open').first().isVisible());
  const verdictAt = await until('a pong-timeout verdict in the ws-lifeline lane', () =>
    visibleSince('lifeline', '.verdict[data-cause="pong-timeout"]', since),
  );
  assert.match(await lane('lifeline').locator('.stat').nth(1).textContent(), /dead links [1-9]/);
  // The classic pattern, on the same fault, reaches its own verdict (then waits for onclose).
  await until('a verdict in the classic lane', () => visibleSince('classic', '.verdict[data-cause="pong-timeout"]', since));
  await until('the classic waiting for onclose', () => visibleSince('classic', 'rect.band.s-closing', since));
  // Heal: new connections go through again (the blackholed one stays dead, it is abandoned).
  await button('heal').click();
  await until('ws-lifeline open again after the verdict', async () => {
    const d = await data('lifeline');
    return d.state === 'open' && Number(d.opens) > opensBefore && (await visibleSince('lifeline', 'rect.band.s-open', verdictAt)) !== null;
  });
  await until('messages queued during the fault delivered after it', () => visibleSince('lifeline', 'circle.msg.queued.delivered', since));
  t.diagnostic(`half-open: verdict at ${Math.round(verdictAt - since)} ms after the click (page time, scale ${SCALE})`);

  // reset: both clients lose their connections (the classic's stuck one too) and come back.
  since = await now();
  let lifelineOpens = Number((await data('lifeline')).opens);
  const classicOpens = Number((await data('classic')).opens);
  await button('reset').click();
  await until('the reset mark', async () => (await visibleSince('network', '.reset-mark', since)) !== null);
  await until('ws-lifeline reconnected after the reset', async () => {
    const d = await data('lifeline');
    return d.state === 'open' && Number(d.opens) > lifelineOpens;
  });
  await until('the classic reconnected after the reset', async () => {
    const d = await data('classic');
    return d.state === 'open' && Number(d.opens) > classicOpens && (await visibleSince('classic', 'rect.band.s-open', since)) !== null;
  });

  // latency: pongs come back later; the band shows while it is on.
  since = await now();
  await button('latency').click();
  await until('latency on', async () => (await button('latency').getAttribute('aria-pressed')) === 'true');
  await until('the latency band', () => page.locator('#lane-network rect.band.f-latency').first().isVisible());
  const latencyMs = await page.evaluate(() => window.timeline.options.lifeline.pingInterval * 0.3); // 300 ms at scale 1
  await until('a slow pong in the ws-lifeline lane', async () =>
    (await lane('lifeline')
      .locator('rect.tick.pong')
      .evaluateAll((nodes, [s, min]) => nodes.some((n) => Number(n.dataset.t) >= s && Number(n.dataset.rtt) >= min), [since, latencyMs])),
  );
  await button('latency').click();
  await until('latency off', async () => (await button('latency').getAttribute('aria-pressed')) === 'false');

  // refuse: connections are reset and refused for a while, then accepted again by themselves.
  since = await now();
  lifelineOpens = Number((await data('lifeline')).opens);
  await button('refuse').click();
  await until('the refuse band', () => page.locator('#lane-network rect.band.f-refuse').first().isVisible());
  await until('ws-lifeline back after the refusals', async () => {
    const d = await data('lifeline');
    return d.state === 'open' && Number(d.opens) > lifelineOpens && (await visibleSince('lifeline', 'rect.band.s-open', since)) !== null;
  });
  await until('the network healthy again', async () => (await lane('network').getAttribute('data-mode')) === 'forward');

  // Nothing in the page failed.
  assert.equal(await page.locator('#error').isHidden(), true, await page.locator('#error').textContent());
  assert.deepEqual(problems, []);
  const counts = await page.evaluate(() => JSON.parse(JSON.stringify(window.timeline.lanes)));
  t.diagnostic(`lanes: ${JSON.stringify(counts)}`);
  assert.equal(counts.classic.uncaught, classicThrew, 'every exception the classic threw is drawn in its lane');
  assert.equal(counts.lifeline.uncaught, 0);
  assert.ok(counts.lifeline.pongTimeouts >= 1 && counts.lifeline.reconnects >= 3, JSON.stringify(counts.lifeline));

  fs.mkdirSync(new URL('../build/screenshots/', import.meta.url), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  assert.ok(fs.statSync(SCREENSHOT).size > 10_000, 'the screenshot was written');
  t.diagnostic(`screenshot: ${SCREENSHOT}; test took ${Math.round(performance.now() - started)} ms`);
});
