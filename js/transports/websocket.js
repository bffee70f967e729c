// Transport over a WebSocket constructor: the browser's, Node's global one, or the `ws` package's.

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
    ws.onopen = () => handlers.open();
    ws.onmessage = (/** @type {any} */ e) => handlers.message(e.data);
    ws.onerror = (/** @type {any} */ e) => handlers.error(e?.error ?? e?.message ?? 'error');
    ws.onclose = (/** @type {any} */ e) => handlers.close(e.code, e.reason, e.wasClean);
    let detached = false;
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
          ws.onopen = ws.onmessage = ws.onclose = null;
          // `ws` (Node) emits an error when a connecting socket is closed: it must have a listener.
          ws.onerror = () => {};
        }
        try {
          // A dead link gets no closing handshake to wait for: free it now where we can (ws).
          if (abandon && typeof ws.terminate === 'function') ws.terminate();
          else if (ws.readyState === 0 || ws.readyState === 1) {
            // Browsers accept only 1000 and 3000-4999 from a client (1006 reports an error).
            if (code === 1000 || (code >= 3000 && code <= 4999)) ws.close(code, reason);
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
