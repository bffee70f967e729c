// The classic heartCheck pattern: a baseline written here for the benchmarks, never shipped.
//
// This is the reconnect-and-heartbeat code that blog posts and answers have copied for a decade,
// kept as it is usually written (its flaws are the point of comparing against it):
// - heartCheck: pingInterval after open or after each pong, send "ping" and arm a pongTimeout
//   timer; a pong clears both timers and starts again; the timer's expiry calls ws.close() (and
//   so waits for the platform to deliver onclose);
// - onerror and onclose both call reconnect(), which, behind a lock, waits a fixed delay and
//   creates a new socket, at most maxReconnects times over the client's life (the counter never
//   resets);
// - messages sent while not connected are lost.
//
// Plain ES module, no imports: it runs in Node (pass `WebSocket` from `ws`) and in browsers.

/**
 * @param {string} url
 * @param {{ WebSocket?: any, pingInterval?: number, pongTimeout?: number, reconnectDelay?: number,
 *           maxReconnects?: number, pingMessage?: string, pongMessage?: string }} [options]
 */
export function createClassic(url, options = {}) {
  const WS = options.WebSocket ?? globalThis.WebSocket;
  const pingInterval = options.pingInterval ?? 10000;
  const pongTimeout = options.pongTimeout ?? 10000;
  const reconnectDelay = options.reconnectDelay ?? 5000;
  const maxReconnects = options.maxReconnects ?? 12;
  const pingMessage = options.pingMessage ?? 'ping';
  const pongMessage = options.pongMessage ?? 'pong';

  let ws = null;
  let lockReconnect = false;
  let reconnects = 0;
  let closedByApp = false;

  const client = {
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
    get readyState() {
      return ws ? ws.readyState : 3;
    },
    get reconnects() {
      return reconnects;
    },
    /** Sends when open; otherwise the message is lost (returns false). */
    send(data) {
      if (ws && ws.readyState === 1) {
        ws.send(data);
        return true;
      }
      return false;
    },
    close() {
      closedByApp = true;
      heartCheck.reset();
      ws?.close();
    },
  };

  const heartCheck = {
    timeoutObj: null,
    serverTimeoutObj: null,
    reset() {
      clearTimeout(this.timeoutObj);
      clearTimeout(this.serverTimeoutObj);
      return this;
    },
    start() {
      this.timeoutObj = setTimeout(() => {
        ws.send(pingMessage);
        this.serverTimeoutObj = setTimeout(() => {
          ws.close(); // onclose (whenever the platform delivers it) reconnects
        }, pongTimeout);
      }, pingInterval);
    },
  };

  function createWebSocket() {
    try {
      ws = new WS(url);
      initEventHandle();
    } catch (e) {
      reconnect();
    }
  }

  function initEventHandle() {
    ws.onopen = (e) => {
      heartCheck.reset().start();
      client.onopen?.(e);
    };
    ws.onmessage = (e) => {
      if (e.data === pongMessage) {
        heartCheck.reset().start();
        return;
      }
      client.onmessage?.(e);
    };
    ws.onerror = (e) => {
      client.onerror?.(e);
      reconnect();
    };
    ws.onclose = (e) => {
      client.onclose?.(e);
      reconnect();
    };
  }

  function reconnect() {
    if (lockReconnect || closedByApp || reconnects >= maxReconnects) return;
    lockReconnect = true;
    reconnects++;
    setTimeout(() => {
      createWebSocket();
      lockReconnect = false;
    }, reconnectDelay);
  }

  createWebSocket();
  return client;
}
