// Compiled by `tsc --noEmit -p wasm-tests/types`: the hand-written types describe the real API,
// and wrong uses are rejected (each @ts-expect-error must meet an error).
import {
  init,
  Lifeline,
  SEED_PATTERN,
  DEFAULTS,
  socketTaskTransport,
  type LifelineEvent,
  type LifelineEventMap,
  type LifelineOptions,
  type LifelineState,
  type LifelineStats,
} from 'ws-lifeline';

declare module 'ws-lifeline' {
  interface LifelineEventMap {
    presence: LifelineEvent<'presence'> & { who: string };
  }
}

export async function example(): Promise<void> {
  await init();
  await init({ wasm: new URL('https://example.invalid/lifeline-core.wasm') });
  const options: LifelineOptions = {
    ...SEED_PATTERN,
    protocols: ['chat'],
    pingMessage: () => JSON.stringify({ type: 'ping' }),
    isPong: (data) => typeof data === 'string' && data.includes('pong'),
    shouldReconnect: (e) => e.code !== 4403,
    maxQueued: 100,
    binaryType: 'arraybuffer',
  };
  const sock = new Lifeline(async ({ attempt }) => `wss://example.invalid/?try=${attempt}`, options);
  sock.addEventListener('close', (e) => {
    const again: boolean = e.willReconnect;
    const code: number = e.code;
    void again;
    void code;
  });
  sock.addEventListener('reconnecting', (e) => console.log(e.attempt, e.delay));
  sock.addEventListener('heartbeat', (e) => console.log(e.rtt.toFixed(1)));
  sock.addEventListener('drop', (e) => console.log(e.reason));
  sock.onmessage = (e) => console.log(e.data);
  const accepted: boolean = sock.send(new Uint8Array([1, 2, 3]));
  void accepted;
  const stats: LifelineStats = sock.stats;
  const rtt: number | null = stats.lastRtt;
  void rtt;
  if (sock.readyState === Lifeline.OPEN && sock.state === 'open') sock.close(1000, 'bye');
  const restarted: boolean = sock.reconnect();
  void restarted;
  const delay: number = DEFAULTS.reconnectDelay;
  void delay;

  const wx = { connectSocket: (_params: object) => undefined };
  const mp = new Lifeline('wss://example.invalid', { transport: socketTaskTransport(wx, { flavor: 'wx', socketOptions: { header: { a: 'b' } } }) });
  mp.close();
  await init({ wasmPath: '/miniprogram_npm/ws-lifeline/lifeline-core.wasm.br' });
  // @ts-expect-error: no such flavor
  socketTaskTransport(wx, { flavor: 'weixin' });

  // Listener objects, listener options and dispatchEvent, as on an EventTarget.
  const onClose = { handleEvent: (e: LifelineEventMap['close']) => console.log(e.code, e.reason, e.cause) };
  sock.addEventListener('close', onClose, { once: true });
  sock.removeEventListener('close', onClose);
  const controller = new AbortController();
  sock.addEventListener('message', function (e) {
    const self: Lifeline = this;
    const from: Lifeline = e.target;
    const current: Lifeline | null = e.currentTarget;
    void [self, from, current, e.data];
  }, { signal: controller.signal, capture: true, passive: true });
  controller.abort();
  const onError = (e: LifelineEventMap['error']) => console.log(e.message);
  sock.addEventListener('error', onError, true);
  sock.removeEventListener('error', onError, { capture: true });
  sock.addEventListener('open', null);
  sock.addEventListener('statechange', (e) => {
    if (e instanceof Event) e.stopImmediatePropagation(); // an Event where the runtime has one
    const to: LifelineState = e.to;
    void to;
  });
  const notCanceled: boolean = sock.dispatchEvent(new Event('open'));
  sock.dispatchEvent({ type: 'ping-request' }); // the plain shape, as in mini-programs
  void notCanceled;
  // Event types of the app's own, through LifelineEventMap.
  sock.addEventListener('presence', (e) => console.log(e.who));
  const custom: LifelineEvent<'presence'> = { type: 'presence', target: sock, currentTarget: null };
  void custom;
  // @ts-expect-error: a listener object needs handleEvent
  sock.addEventListener('open', { handle: () => {} });
  // @ts-expect-error: the listener of 'close' gets a close event, which has no data
  sock.addEventListener('close', (e) => e.data);
  // @ts-expect-error: once is a boolean
  sock.addEventListener('open', () => {}, { once: 'yes' });
  // @ts-expect-error: dispatchEvent takes an event
  sock.dispatchEvent('open');

  // @ts-expect-error: pingInterval is a number
  new Lifeline('wss://example.invalid', { pingInterval: '10s' });
  // @ts-expect-error: no such event
  sock.addEventListener('reconnected', () => {});
  // @ts-expect-error: send takes message data
  sock.send(42);
  // @ts-expect-error: state is read-only
  sock.state = 'open';
  // @ts-expect-error: binaryType is 'blob' or 'arraybuffer'
  sock.binaryType = 'nodebuffer';
}
