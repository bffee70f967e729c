// Transport over a WebSocket constructor: the browser's, Node's global one, or the `ws` package's.
//
// Liveness from bytes: with the `ws` package the underlying net.Socket (`ws._socket`, set just
// before 'open' is emitted) is visible, so every chunk it reads is reported as
// handlers.activity(true) ("bytes arrived, a message may not be complete yet"): a large message on a
// slow link is life, not silence. It is reported before `ws` parses the chunk, and
// handlers.activityDone() after: the messages parsed from one chunk (a thousand of 32 B in a
// 64 KB read) share the time read for the chunk, so the clock is read once per read, not per
// message. A browser WebSocket, Node's global (undici) WebSocket and
// SocketTask show only complete messages: no activity() from them.
import { isAppCloseCode } from '../contract.js';

/**
 * @param {any} WebSocketImpl a WebSocket constructor
 * @returns {import('../lifeline.js').Transport}
 */
export function webSocketTransport(WebSocketImpl) {
  return (url, protocols, handlers, binaryType) => {
    const ws = protocols && protocols.length ? new WebSocketImpl(url, protocols) : new WebSocketImpl(url);
    try {
      ws.binaryType = binaryType;
    } catch {
      // an implementation without this binaryType keeps its default
    }
    let detached = false;
    /** @type {any} the underlying socket while we listen to its 'data' events */
    let tap = null;
    // Two listeners for the socket's life, around ws's own: no allocation per chunk.
    const onData = () => {
      if (!detached) handlers.activity(true);
    };
    const onDataDone = () => {
      if (!detached) handlers.activityDone?.();
    };
    const untap = () => {
      if (tap === null) return;
      tap.removeListener('data', onData);
      tap.removeListener('data', onDataDone);
      tap = null;
    };
    ws.onopen = () => {
      if (typeof handlers.activity === 'function') {
        try {
          const socket = ws._socket;
          if (socket && typeof socket.prependListener === 'function' && typeof socket.removeListener === 'function') {
            socket.prependListener('data', onData); // before ws's own listener parses the chunk
            socket.on('data', onDataDone); // after it
            tap = socket;
          }
        } catch {
          // not the `ws` package after all: complete messages are the only sign of life
        }
      }
      handlers.open();
    };
    ws.onmessage = (/** @type {any} */ e) => handlers.message(e.data);
    ws.onerror = (/** @type {any} */ e) => handlers.error(e?.error ?? e?.message ?? 'error');
    ws.onclose = (/** @type {any} */ e) => {
      untap();
      handlers.close(e.code, e.reason, e.wasClean);
    };
    return {
      send(data) {
        // A closing socket silently discards what it is given (ws and browsers alike): say it is
        // not open, so the Lifeline keeps the message for the next connection instead.
        if (ws.readyState !== 1) return false;
        ws.send(data);
        return true;
      },
      close(code, reason, abandon) {
        if (!detached) {
          detached = true;
          untap();
          ws.onopen = ws.onmessage = ws.onclose = null;
          // `ws` (Node) emits an error when a connecting socket is closed: it must have a listener.
          ws.onerror = () => {};
        }
        try {
          // A dead link gets no closing handshake to wait for: free it now where we can (ws).
          if (abandon && typeof ws.terminate === 'function') ws.terminate();
          else if (ws.readyState === 0 || ws.readyState === 1) {
            // Browsers throw on a code a client may not send (1006 reports an error).
            if (isAppCloseCode(code)) ws.close(code, reason);
            else ws.close();
          }
        } catch {
          // closing an already failed socket may throw in some implementations: it is gone anyway
        }
      },
      setBinaryType(type) {
        try {
          ws.binaryType = type;
        } catch {
          // an implementation without this binaryType keeps its own
        }
      },
      get bufferedAmount() {
        return ws.bufferedAmount ?? 0;
      },
      get protocol() {
        return ws.protocol ?? '';
      },
      get extensions() {
        return ws.extensions ?? '';
      },
    };
  };
}
