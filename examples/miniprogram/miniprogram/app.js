// The server to talk to: any WebSocket server that answers "ping" with "pong" (the demo's
// `node examples/demo.mjs` prints one; for a phone, use a wss:// URL on a whitelisted domain).
App({
  globalData: {
    serverUrl: 'ws://127.0.0.1:8080/',
    // The Lifeline's options (see the package's README): the seed pattern's strings (any string or
    // ArrayBuffer works) and its timing. A shorter pingInterval/pongTimeout finds a dead link
    // sooner, for more pings; reconnectDelay/maxReconnectDelay shape the backoff.
    socketOptions: {
      pingMessage: 'ping',
      pongMessage: 'pong',
      pingInterval: 10000,
      pongTimeout: 10000,
    },
  },
});
