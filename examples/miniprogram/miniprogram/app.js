// The server to talk to: any WebSocket server that answers "ping" with "pong" (the demo's
// `node examples/demo.mjs` prints one; for a phone, use a wss:// URL on a whitelisted domain).
App({
  globalData: {
    serverUrl: 'ws://127.0.0.1:8080/',
  },
});
