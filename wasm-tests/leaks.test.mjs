// No leaks: reconnect cycles and whole Lifelines leave the WASM heap and embind's handle count
// where they started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, Lifeline } from '../js/index.js';
import { core } from '../js/loader.js';

await init();

function harness() {
  let now = 0;
  const timers = new Map();
  let nextTimer = 1;
  const sockets = [];
  const transport = (url, protocols, handlers) => {
    const s = { handlers, sent: [], closed: null };
    sockets.push(s);
    return {
      send: (d) => s.sent.push(d),
      close: (code, reason, abandon) => {
        s.closed = { code, reason, abandon };
      },
      bufferedAmount: 0,
      protocol: '',
      extensions: '',
    };
  };
  return {
    sockets,
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].fn();
      }
      now = end;
    },
    options: {
      transport,
      platform: null,
      clock: () => now,
      timers: {
        setTimeout: (fn, ms) => {
          timers.set(nextTimer, { fn, at: now + ms });
          return nextTimer++;
        },
        clearTimeout: (id) => timers.delete(id),
      },
      reconnectDelay: 0,
      maxReconnectDelay: 0,
      jitter: 0,
      pingInterval: 1000,
      pongTimeout: 1000,
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function usage() {
  const m = core();
  // The core's glue has no emval (no handles to leak): 0 when count_emval_handles is absent.
  return { heap: m.heapInUse(), handles: m.count_emval_handles?.() ?? 0 };
}

test('10,000 reconnect cycles leak neither WASM heap nor embind handles', async () => {
  const h = harness();
  const l = new Lifeline('ws://127.0.0.1:1/', h.options);
  await settle();
  // Warm up once so that lazily grown buffers (the output queue) are counted in the baseline.
  for (let i = 0; i < 10; i++) {
    h.sockets.at(-1).handlers.open();
    h.sockets.at(-1).handlers.close(1006, '', false);
    h.advance(1); // reconnectDelay 0: the next attempt 1 ms later
  }
  const before = usage();
  for (let i = 0; i < 10000; i++) {
    const s = h.sockets.at(-1);
    s.handlers.open();
    l.send(`m${i}`);
    s.handlers.message(`echo ${i}`);
    if (i % 3 === 0) {
      h.advance(1000); // a ping goes out
      s.handlers.message('pong');
    }
    if (i % 5 === 0) {
      h.advance(2000); // ping, then no pong: a dead-link verdict
    } else {
      s.handlers.close(1006, '', false);
    }
    h.advance(1); // reconnectDelay 0: the next attempt 1 ms later
    if (i % 7 === 0) l.send(`queued ${i}`);
  }
  const after = usage();
  l.close();
  assert.ok(h.sockets.length > 10000, `attempts made: ${h.sockets.length}`);
  assert.ok(l.stats.deadLinks >= 2000, `dead-link verdicts: ${l.stats.deadLinks}`);
  assert.equal(after.heap, before.heap, 'WASM heap bytes in use');
  assert.equal(after.handles, before.handles, 'embind handles');
});

test('1,000 Lifelines created and closed return the heap to where it was', async () => {
  const h = harness();
  const warm = new Lifeline('ws://127.0.0.1:1/', h.options);
  await settle();
  warm.close();
  const before = usage();
  const all = [];
  for (let i = 0; i < 1000; i++) all.push(new Lifeline('ws://127.0.0.1:1/', h.options));
  await settle();
  assert.ok(usage().heap > before.heap, 'the instances live in the WASM heap');
  for (const l of all) l.close();
  const after = usage();
  assert.equal(after.heap, before.heap, 'WASM heap bytes in use');
  assert.equal(after.handles, before.handles, 'embind handles');
});
