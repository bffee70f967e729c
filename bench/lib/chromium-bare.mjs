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
    // Its own process group, so that closing it ends its zygote, renderers and helpers too.
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
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
      const signal = (sig) => {
        try {
          process.kill(-child.pid, sig); // the group this function started
        } catch {
          // already gone
        }
      };
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
      await new Promise((r) => setTimeout(r, 200)); // helpers flushing into the profile
      signal('SIGKILL');
      try {
        fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
      } catch {
        // a temporary profile left behind is not worth failing the benchmark for
      }
    },
  };
}
