// Chromium without playwright, for pages that must run undisturbed (throughput): a playwright
// page reports every WebSocket frame over its DevTools session, which costs more per message
// than the WebSocket itself. The page gets its instructions in the URL and reports back over a
// WebSocket of its own.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM } from './browser.mjs';

export function openBare(url) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-chromium-'));
  const child = spawn(
    CHROMIUM.executablePath,
    ['--headless=new', ...CHROMIUM.args, `--user-data-dir=${profile}`, '--no-default-browser-check', url],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d) => {
    if (stderr.length < 20000) stderr += d;
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    child,
    stderr: () => stderr,
    async close() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
