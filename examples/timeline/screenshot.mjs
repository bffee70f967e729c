// Writes the README's picture of the web demo: runs the timeline page in headless Chromium
// (Debian's, through playwright-core, as the tests do) through a scripted series of faults, and
// takes a screenshot once the window is full (about 45 s at the page's normal speed).
//
//   node examples/timeline/screenshot.mjs [--scale 1] [--out examples/timeline/timeline.png]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';
import { CHROMIUM } from '../../wasm-tests/support/chromium.mjs';
import { startTimeline } from './server.mjs';

const args = process.argv.slice(2);
const value = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const scale = Number(value('--scale', '1'));
const out = path.resolve(value('--out', fileURLToPath(new URL('./timeline.png', import.meta.url))));
if (!(scale > 0)) {
  console.error('--scale: expected a number > 0');
  process.exit(2);
}

// What happens, at page seconds (scaled): every fault button at least once, and the classic
// pattern's long wait for onclose after a half-open link, twice.
const SCRIPT = [
  [5, 'half-open'], // heals by itself 5 s later
  [12, 'latency'],
  [19, 'latency'],
  [21, 'refuse'], // resets the classic's stuck socket too; heals by itself 4 s later
  [30, 'reset'],
  [35, 'half-open'],
  [39, 'heal'],
];
const SHOT_AT = 45;

const demo = await startTimeline();
const browser = await chromium.launch(CHROMIUM);
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 });
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.goto(demo.url(`/?scale=${scale}`));
  await page.locator('body[data-ready="true"]').waitFor({ timeout: 15000 });
  const pageNow = () => page.evaluate(() => window.timeline.now());
  const waitUntil = async (seconds) => {
    for (;;) {
      const left = seconds * 1000 * scale - (await pageNow());
      if (left <= 0) return;
      await sleep(Math.min(left, 250));
    }
  };
  for (const [at, fault] of SCRIPT) {
    await waitUntil(at);
    console.log(`${at} s: ${fault}`);
    await page.getByRole('button', { name: fault, exact: true }).click();
  }
  await waitUntil(SHOT_AT);
  const box = await page.locator('main').boundingBox();
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out, clip: { x: 0, y: 0, width: 1280, height: Math.ceil(box.y + box.height) } });
  const lanes = await page.evaluate(() => JSON.stringify(window.timeline.lanes));
  console.log(`wrote ${out} (${fs.statSync(out).size} bytes); lanes ${lanes}`);
  if (problems.length) {
    console.error(`errors in the page:\n${problems.join('\n')}`);
    process.exitCode = 1;
  }
} finally {
  await browser.close();
  await demo.close();
}
