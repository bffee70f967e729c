// How Debian's Chromium is launched here (tests and benchmarks): headless, no sandbox (root), no
// background networking (this machine reaches no outside host), no QUIC.
export const CSP = "script-src 'self' 'wasm-unsafe-eval'";
export const CHROMIUM = Object.freeze({
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
});
