// A browser app bundled by Vite/webpack: ES modules, moduleResolution "bundler", lib "dom".
// Type-checked (strict) against the packed tarball by scripts/test-types.sh.
import {
  init,
  Lifeline,
  DEFAULTS,
  SEED_PATTERN,
  socketTaskTransport,
  webSocketTransport,
  browserPlatform,
  type LifelineOptions,
  type LifelineEventMap,
  type MessageData,
} from 'ws-lifeline';
import { init as initMiniProgram, Lifeline as MiniProgramLifeline } from 'ws-lifeline/miniprogram';

export async function start(): Promise<Lifeline> {
  await init();
  await init({ wasm: new URL('/assets/lifeline-core.wasm', location.href) });
  await init({ wasm: await fetch('/lifeline-core.wasm') });
  await init({ wasm: await WebAssembly.compile(new Uint8Array(8)) });
  await init({ wasm: new Uint8Array(8) });

  const options: LifelineOptions = {
    ...SEED_PATTERN,
    protocols: ['chat'],
    pingInterval: DEFAULTS.pingInterval * 2,
    pongTimeout: 5000,
    maxRetries: 10,
    pingMessage: () => JSON.stringify({ type: 'ping' }),
    isPong: (data) => typeof data === 'string' && data.includes('pong'),
    shouldReconnect: (e) => e.code !== 4403,
    binaryType: 'arraybuffer',
    platform: browserPlatform,
    transport: webSocketTransport(WebSocket),
  };
  const sock = new Lifeline(new URL('wss://example.invalid/feed'), options);
  sock.addEventListener('open', (e) => console.log(e.type, e.target.url));
  sock.addEventListener('message', (e) => console.log(e.data));
  sock.addEventListener('close', (e) => {
    const again: boolean = e.willReconnect;
    console.log(e.code, e.reason, e.cause, again);
  });
  sock.addEventListener('reconnecting', (e) => console.log(e.attempt, e.delay), { once: true });
  sock.addEventListener('drop', (e) => {
    const data: MessageData = e.data;
    console.log(e.reason, data);
  });
  sock.onstatechange = (e: LifelineEventMap['statechange']) => console.log(e.from, '->', e.to);
  const accepted: boolean = sock.send(new Blob(['hello']));
  console.log(accepted, sock.stats.lastRtt);
  // @ts-expect-error: no such event
  sock.addEventListener('reconnected', () => {});
  return sock;
}

export async function miniProgram(): Promise<MiniProgramLifeline> {
  await initMiniProgram({ wasmPath: '/miniprogram_npm/ws-lifeline/lifeline-core.wasm.br' });
  const api = { connectSocket: (_params: object) => undefined };
  const transport = socketTaskTransport(api, { flavor: 'wx', socketOptions: { header: { a: 'b' } } });
  console.log(transport.liveSockets());
  return new MiniProgramLifeline('wss://example.invalid', { transport, pauseInBackground: true });
}
