// The clients compared by the recovery benchmark, each behind one small interface, configured with
// the seed timings (ping 10 s, pong 10 s, reconnect 5 s) scaled by `scale` where the library has
// such a knob, and its own defaults scaled by the same factor for the rest.
//
// A plain ES module: Node and the Chromium page both use it, each passing the constructors it has
// (`env`). Its one import is the package's contract (no wasm), for ws-lifeline's DEFAULTS.
import { DEFAULTS } from '../../js/contract.js';

export const SEED = { ping: 10000, pong: 10000, delay: 5000 };

export const KINDS = [
  'lifeline',
  'lifeline-seed',
  'classic',
  'websocket-heartbeat-js',
  'reconnecting-websocket',
  'partysocket',
  'sockette',
];

export const LABELS = {
  lifeline: 'ws-lifeline (defaults + seed timings)',
  'lifeline-seed': 'ws-lifeline SEED_PATTERN',
  classic: 'classic heartCheck (baseline)',
  'websocket-heartbeat-js': 'websocket-heartbeat-js',
  'reconnecting-websocket': 'reconnecting-websocket',
  partysocket: 'partysocket',
  sockette: 'sockette',
  raw: 'raw WebSocket',
};

/** The options each client gets, at seed scale 1 (milliseconds); `scaled()` applies the factor. */
export function configs(scale) {
  const s = (ms) => (ms === Infinity ? Infinity : Math.round(ms * scale));
  return {
    // DEFAULTS, with the seed's ping/pong/delay; every other duration is a default, scaled.
    lifeline: {
      pingInterval: s(SEED.ping),
      pongTimeout: s(SEED.pong),
      reconnectDelay: s(SEED.delay),
      maxReconnectDelay: s(DEFAULTS.maxReconnectDelay),
      connectTimeout: s(DEFAULTS.connectTimeout),
      minUptime: s(DEFAULTS.minUptime),
      timerSlack: s(DEFAULTS.timerSlack),
    },
    // SEED_PATTERN as shipped, scaled.
    'lifeline-seed': {
      pingInterval: s(10000),
      pongTimeout: s(10000),
      connectTimeout: Infinity,
      reconnectDelay: s(5000),
      maxReconnectDelay: s(5000),
      backoffFactor: 1,
      jitter: 0,
      maxRetries: 12,
      minUptime: Infinity,
      timerSlack: Infinity,
    },
    classic: { pingInterval: s(SEED.ping), pongTimeout: s(SEED.pong), reconnectDelay: s(SEED.delay), maxReconnects: 12 },
    // Its defaults: pingTimeout 15 s, pongTimeout 10 s, reconnectTimeout 2 s, repeatLimit none.
    'websocket-heartbeat-js': {
      pingTimeout: s(SEED.ping),
      pongTimeout: s(SEED.pong),
      reconnectTimeout: s(SEED.delay),
      pingMsg: 'ping',
    },
    // No heartbeat. Defaults: min delay random 1-5 s, max 10 s, x1.3, connect timeout 4 s, uptime 5 s.
    'reconnecting-websocket': {
      minReconnectionDelay: s(SEED.delay),
      maxReconnectionDelay: s(10000),
      reconnectionDelayGrowFactor: 1.3,
      connectionTimeout: s(4000),
      minUptime: s(5000),
    },
    // A fork of reconnecting-websocket. Defaults: min 3 s, max 10 s, x1.3, connect 4 s, uptime 5 s.
    partysocket: {
      minReconnectionDelay: s(SEED.delay),
      maxReconnectionDelay: s(10000),
      reconnectionDelayGrowFactor: 1.3,
      connectionTimeout: s(4000),
      minUptime: s(5000),
    },
    // No heartbeat; a fixed delay (default 1 s).
    sockette: { timeout: s(SEED.delay) },
  };
}

/**
 * @param {string} kind one of KINDS
 * @param {string} url ws://127.0.0.1:PORT/path
 * @param {{ scale: number, env: any, on?: { open?(): void, close?(code: number): void, error?(): void, message?(data: any): void } }} o
 *   env: { Lifeline, SEED_PATTERN, createClassic, ReconnectingWebSocket, WebsocketHeartbeatJs,
 *          PartySocket, sockette, WebSocket (Node: ws's, passed where a library takes it) }
 */
export function makeClient(kind, url, { scale, env, on = {} }) {
  const c = configs(scale)[kind];
  const counts = { accepted: 0, queued: 0, refused: 0, threw: 0 };
  const onOpen = () => on.open?.();
  const onClose = (e) => on.close?.(e?.code ?? 0);
  const onError = () => on.error?.();
  const onMessage = (e) => on.message?.(e.data);
  const nodeWS = env.nodeWebSocket; // only in Node

  /** Tries a send; a throw is counted, never propagated (it would stop the sender). */
  const attempt = (fn) => {
    try {
      return fn();
    } catch {
      counts.threw++;
      return 'threw';
    }
  };

  switch (kind) {
    case 'lifeline':
    case 'lifeline-seed': {
      const l = new env.Lifeline(url, { ...c, ...(nodeWS ? { WebSocket: nodeWS } : {}) });
      l.onopen = onOpen;
      l.onclose = onClose;
      l.onerror = onError;
      l.onmessage = onMessage;
      return {
        send(data) {
          const open = l.state === 'open';
          const ok = l.send(data);
          if (!ok) return counts.refused++, 'refused';
          return open ? (counts.accepted++, 'sent') : (counts.queued++, 'queued');
        },
        close: () => l.close(),
        info: () => ({ ...counts, stats: l.stats, state: l.state }),
      };
    }
    case 'classic': {
      const k = env.createClassic(url, { ...c, ...(nodeWS ? { WebSocket: nodeWS } : {}) });
      k.onopen = onOpen;
      k.onclose = onClose;
      k.onerror = onError;
      k.onmessage = onMessage;
      return {
        send: (data) => attempt(() => (k.send(data) ? (counts.accepted++, 'sent') : (counts.refused++, 'lost'))),
        close: () => k.close(),
        info: () => ({ ...counts, reconnects: k.reconnects }),
      };
    }
    case 'websocket-heartbeat-js': {
      // It uses the global WebSocket (Node: the bench sets globalThis.WebSocket to ws's).
      const h = new env.WebsocketHeartbeatJs({ url, ...c });
      h.onopen = onOpen;
      h.onclose = onClose;
      h.onerror = onError;
      h.onmessage = onMessage;
      return {
        send: (data) =>
          attempt(() => {
            const state = h.ws?.readyState;
            h.send(data);
            return state === 1 ? (counts.accepted++, 'sent') : (counts.refused++, 'lost');
          }),
        close: () => h.close(),
        info: () => ({ ...counts, repeat: h.repeat }),
      };
    }
    case 'reconnecting-websocket':
    case 'partysocket': {
      let r;
      if (kind === 'reconnecting-websocket') {
        r = new env.ReconnectingWebSocket(url, [], { ...c, ...(nodeWS ? { WebSocket: nodeWS } : {}) });
      } else {
        const u = new URL(url);
        r = new env.PartySocket({
          host: u.host,
          basePath: u.pathname.replace(/^\//, '') || 'party',
          ...c,
          ...(nodeWS ? { WebSocket: nodeWS } : {}),
        });
      }
      r.onopen = onOpen;
      r.onclose = onClose;
      r.onerror = onError;
      r.onmessage = onMessage;
      return {
        send: (data) =>
          attempt(() => {
            const open = r.readyState === 1;
            r.send(data);
            return open ? (counts.accepted++, 'sent') : (counts.queued++, 'queued');
          }),
        close: () => r.close(),
        info: () => ({ ...counts, retryCount: r.retryCount }),
      };
    }
    case 'sockette': {
      // It uses the global WebSocket too.
      const s = env.sockette(url, { ...c, onopen: onOpen, onclose: onClose, onerror: onError, onmessage: onMessage });
      return {
        send: (data) => attempt(() => (s.send(data), counts.accepted++, 'sent')),
        close: () => s.close(),
        info: () => ({ ...counts }),
      };
    }
    default:
      throw new Error(`unknown client kind ${kind}`);
  }
}
