// A Node ES-module project: module/moduleResolution "node16", @types/node, no DOM lib.
// Type-checked (strict) against the packed tarball by scripts/test-types.sh.
import { readFile } from 'node:fs/promises';
import {
  init,
  Lifeline,
  DEFAULTS,
  SEED_PATTERN,
  socketTaskTransport,
  webSocketTransport,
  type LifelineOptions,
  type LifelineState,
  type Transport,
} from 'ws-lifeline';

declare const WS: new (url: string, protocols?: string | string[]) => unknown;

export async function start(): Promise<Lifeline> {
  await init();
  await init({ wasm: new URL('./lifeline-core.wasm', import.meta.url) });
  await init({ wasm: await readFile('lifeline-core.wasm') });
  await init({ wasm: await fetch('https://example.invalid/lifeline-core.wasm') });

  const transport: Transport = webSocketTransport(WS);
  const options: LifelineOptions = {
    ...SEED_PATTERN,
    pingInterval: 15_000,
    pongTimeout: DEFAULTS.pongTimeout,
    reconnectDelay: 500,
    jitter: 0.5,
    seed: 42,
    clock: () => performance.now(),
    timers: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (id) => clearTimeout(id) },
    platform: null,
    transport,
  };
  const sock = new Lifeline(async ({ attempt }) => `wss://example.invalid/?try=${attempt}`, options);
  sock.addEventListener('close', (e) => {
    if (!e.willReconnect) console.log('closed for good', e.code, e.cause);
  });
  sock.addEventListener('heartbeat', (e) => console.log(e.rtt.toFixed(1)));
  sock.addEventListener('error', (e) => console.error(e.message, e.error));
  sock.onmessage = (e) => console.log(e.data);
  const state: LifelineState = sock.state;
  console.log(state, sock.send(Buffer.from('hi')), sock.send(new Uint8Array([1, 2])));
  // @ts-expect-error: pingInterval is a number
  new Lifeline('wss://example.invalid', { pingInterval: '10s' });

  const wx = { connectSocket: (_params: object) => undefined };
  const mp = new Lifeline('wss://example.invalid', { transport: socketTaskTransport(wx, { flavor: 'taro' }) });
  mp.close(1000, 'bye');
  return sock;
}

// ws-lifeline/server with Node's own types: an upgrade's socket, a ServerResponse.
import { createServer } from 'node:http';
import { closeForRestart, rejectUpgrade, restartHint } from 'ws-lifeline/server';

export function serve(clients: Set<{ readyState: number; close(code: number, reason: string): void }>): number {
  const server = createServer((_req, res) => rejectUpgrade(res, { retryAfterSeconds: 1 }));
  server.on('upgrade', (_req, socket) => rejectUpgrade(socket, { retryAfterSeconds: 2 }));
  return closeForRestart({ clients }, { acceptPerSecond: 200 }).window + restartHint({ clients: 9, acceptPerSecond: 3 }).window;
}
