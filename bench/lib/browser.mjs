// Headless Chromium (Debian's, through playwright-core) and a static server for the repository
// root, so pages load /js/, /dist/, /node_modules/ and /bench/ as a browser would.
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startStaticServer } from '../../wasm-tests/support/static-server.mjs';
import { CHROMIUM } from '../../wasm-tests/support/chromium.mjs';

export { CHROMIUM };

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export async function startBrowser() {
  const web = await startStaticServer({ root: ROOT });
  const browser = await chromium.launch(CHROMIUM);
  return {
    browser,
    web,
    version: browser.version(),
    /**
     * A fresh context (its own renderer process) and page at `path`, waiting for
     * window[readyFlag]; `expose`: functions the page may call (window[name](...)).
     */
    async open(path, readyFlag, { expose = {} } = {}) {
      const context = await browser.newContext();
      for (const [name, fn] of Object.entries(expose)) await context.exposeFunction(name, fn);
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(web.url(path));
      if (readyFlag) await page.waitForFunction((f) => window[f] === true, readyFlag, { timeout: 20000 });
      return { page, context, errors };
    },
    async close() {
      await browser.close().catch(() => {});
      await web.close();
    },
  };
}
