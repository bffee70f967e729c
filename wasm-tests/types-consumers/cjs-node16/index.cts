// A CommonJS project (.cts): module/moduleResolution "node16", no DOM lib. Checked twice by
// scripts/test-types.sh against the packed tarball: with @types/node (tsconfig.json) and with no
// ambient types at all (tsconfig.bare.json), so it uses no Node globals.
import {
  init,
  Lifeline,
  DEFAULTS,
  SEED_PATTERN,
  socketTaskTransport,
  webSocketTransport,
  SOCKET_LIMIT,
  type LifelineOptions,
  type LifelineEventMap,
} from 'ws-lifeline';
import miniprogram = require('ws-lifeline/miniprogram');

declare const WS: new (url: string, protocols?: string | string[]) => unknown;

export async function start(log: (...args: unknown[]) => void): Promise<Lifeline> {
  await init();
  await init({ wasm: new Uint8Array(8).buffer });
  await init({ wasm: '/srv/lifeline-core.wasm' });

  const options: LifelineOptions = {
    ...SEED_PATTERN,
    protocols: 'chat',
    connectTimeout: 8000,
    maxReconnectDelay: DEFAULTS.maxReconnectDelay,
    backoffFactor: 1.5,
    maxQueued: 100,
    maxQueuedBytes: 1 << 20,
    pongMessage: 'pong',
    isServerPing: (data) => data === 'ping',
    WebSocket: WS,
  };
  const sock = new Lifeline('wss://example.invalid/cjs', options);
  const onClose = (e: LifelineEventMap['close']): void => log(e.code, e.wasClean, e.cause);
  sock.addEventListener('close', onClose);
  sock.removeEventListener('close', onClose);
  sock.addEventListener('giveup', (e) => log('gave up after', e.attempts));
  sock.addEventListener('statechange', (e) => log(e.from, e.to));
  sock.onopen = (e) => log(e.target.protocol);
  if (sock.readyState === Lifeline.OPEN) sock.send(new Uint8Array([1, 2, 3]));
  log(webSocketTransport(WS));
  // @ts-expect-error: send takes message data
  sock.send(42);

  await miniprogram.init({ wasmPath: '/sub/lifeline-core.wasm' });
  const api = { connectSocket: (_params: object) => undefined };
  const transport = socketTaskTransport(api, { flavor: 'uni' });
  log(transport.liveSockets() < SOCKET_LIMIT);
  return new miniprogram.Lifeline('wss://example.invalid', { transport });
}

import server = require('ws-lifeline/server');
export const restart: string = server.restartHint({ clients: 1000, acceptPerSecond: 100, downtimeMs: 5000 }).reason;
