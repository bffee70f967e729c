// One run of the resume benchmark, client side: a raw WebSocket, a Lifeline with resume off (both
// to the plain server) or a Lifeline with resume on (to a ResumeServer), doing what the run's
// direction says. Plain ES module: Node (run.mjs) and Chromium (page.mjs) share it.
//   s2c   the server sends n messages; rate = n / (open → the n-th message)
//   c2s   the client sends n; the server answers "done" at the n-th; rate = n / (open → "done")
//   both  n each way at once, then "done" (the bytes-on-the-wire run)
//   chat  one message every `period` ms of simulated time each way (clock and timers scaled)

export const KINDS = ['raw', 'off', 'on'];
const HIGH_WATER = 512 * 1024; // bytes buffered before the sender waits (as the server's sender)
const QUEUE = { maxQueued: 1000, maxQueuedBytes: 1 << 20 }; // the Lifeline defaults (contract.js), the resume window

/** The same text as the server's messages (lib/blaster.mjs messageOfSize, which a page cannot import: node:http): printable, JSON-like. */
function messageOfSize(bytes) {
  const base = '{"seq":0,"data":"';
  const s = base + 'x'.repeat(Math.max(0, bytes - base.length - 2)) + '"}';
  return s.slice(0, bytes).padEnd(bytes, 'x');
}

export function runUrl(base, run, id) {
  const q = new URLSearchParams({ id: String(id).padStart(7, '0'), dir: run.dir, n: String(run.count), bytes: String(run.bytes) });
  if (run.dir === 'chat') {
    q.set('period', String(run.period));
    q.set('scale', String(run.scale));
  }
  // Paths and ids of one length, so that every kind's HTTP upgrade has the same bytes.
  return `${base}/${run.kind === 'on' ? 'r' : 'p'}?${q}`;
}

/**
 * @param {{ WebSocket: any, Lifeline: any, nodeWebSocket?: any, yieldTurn: () => Promise<void> }} env
 * @param {string} url from runUrl
 * @param {{ kind: string, dir: string, count: number, bytes: number, period?: number, scale?: number }} run
 */
export function clientRun(env, url, run) {
  const { kind, dir, count: n, bytes } = run;
  return new Promise((resolve, reject) => {
    let socket;
    let t0 = 0;
    let received = 0;
    let sent = 0;
    let gotDone = false;
    let lastIn = 0;
    let finished = false;
    let chatTimer = null;
    const limitMs = dir === 'chat' ? 60000 : 30000;
    const timer = setTimeout(() => fail(new Error(`${kind} ${dir} ${bytes} B: ${received}/${n} received, ${sent}/${n} sent, done ${gotDone} after ${limitMs / 1000} s`)), limitMs);
    const fail = (e) => {
      if (finished) return;
      finished = true;
      clearInterval(chatTimer);
      try {
        socket.close();
      } catch {
        // already closed
      }
      reject(e);
    };
    const end = () => {
      if (finished) return;
      finished = true;
      const ms = performance.now() - t0;
      clearTimeout(timer);
      clearInterval(chatTimer);
      const stats = kind === 'raw' ? null : socket.stats;
      const result = { ms, rate: (n / ms) * 1000, stats, received, sent, gotDone };
      // Let the socket's own close handshake finish before the next run starts.
      if (kind === 'raw') socket.onclose = () => resolve(result);
      else socket.addEventListener('close', () => resolve(result));
      socket.close();
    };
    const check = () => {
      if (dir === 's2c' ? received >= n : gotDone && received >= (dir === 'c2s' ? 0 : n) && sent >= n) end();
    };
    const onmessage = (e) => {
      lastIn = performance.now();
      if (dir !== 's2c' && e.data === 'done') gotDone = true;
      else received++;
      check();
    };
    const text = messageOfSize(bytes);
    // As fast as the socket takes it; every K messages, a look at the buffered bytes and (resume)
    // the kept window: beyond maxQueued / maxQueuedBytes a send is refused, so the sender waits a
    // turn of the event loop for the server's acks, as a careful app would.
    const K = Math.max(1, Math.min(32, Math.floor(262144 / Math.max(1, bytes))));
    const pump = async () => {
      while (sent < n && !finished) {
        if (sent % K === 0) {
          for (;;) {
            let full = socket.bufferedAmount > HIGH_WATER;
            if (!full && kind === 'on') {
              const s = socket.stats;
              full = s.queued + K > QUEUE.maxQueued || s.queuedBytes + K * bytes > QUEUE.maxQueuedBytes;
            }
            if (!full || finished) break;
            await env.yieldTurn();
          }
        }
        if (socket.send(text) === false) return fail(new Error(`${kind}: send refused at ${sent}`));
        sent++;
      }
      check();
    };
    const onopen = () => {
      if (t0) return; // a Lifeline opens again after a reconnect: the run goes on where it was
      t0 = performance.now();
      if (dir === 'c2s' || dir === 'both') pump();
      if (dir === 'chat') {
        chatTimer = setInterval(() => {
          if (sent < n) {
            socket.send(text);
            sent++;
          }
          check();
          // A client that lost messages on a reconnect (resume off) never gets "done": the chat
          // ends anyway once all is sent and nothing has come for 10 periods, and says what
          // arrived. (Not at a fixed time: the server's timer drifts later on a loaded machine.)
          const now = performance.now();
          if (sent >= n && now - Math.max(t0, lastIn) > 10 * run.period * run.scale) end();
        }, run.period * run.scale);
      }
    };
    const W = env.nodeWebSocket ? { WebSocket: env.nodeWebSocket } : {};
    // Chat: simulated time, so that minutes of heartbeats and ack delays pass in seconds. The
    // Lifeline's clock and timers are scaled (the server's too); the raw socket has neither.
    const scaled =
      dir === 'chat'
        ? {
            clock: () => performance.now() / run.scale,
            timers: { setTimeout: (fn, ms) => setTimeout(fn, ms * run.scale), clearTimeout: (t) => clearTimeout(t) },
          }
        : {};
    if (kind === 'raw') socket = new env.WebSocket(url);
    else if (kind === 'off') socket = new env.Lifeline(url, { ...W, ...scaled });
    else if (kind === 'on') socket = new env.Lifeline(url, { ...W, ...scaled, resume: true });
    else throw new Error(`unknown kind ${kind}`);
    socket.onopen = onopen;
    socket.onmessage = onmessage;
    if (kind !== 'raw') {
      socket.addEventListener('expired', (e) => fail(new Error(`${kind}: session expired (${e.cause})`)));
      socket.addEventListener('drop', (e) => fail(new Error(`${kind}: message dropped (${e.reason})`)));
    } else {
      socket.onerror = () => fail(new Error('raw: socket error'));
    }
  });
}
