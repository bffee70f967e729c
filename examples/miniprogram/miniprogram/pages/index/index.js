// One page that keeps a connection alive through network loss, background/foreground switches
// and half-open links: the whole integration is init() and new Lifeline().
const { init, Lifeline } = require('ws-lifeline');

Page({
  data: { state: 'idle', rtt: '-', sent: 0, received: 0, log: [] },

  async onLoad() {
    // Loads miniprogram_npm/ws-lifeline/lifeline-core.wasm.br through WXWebAssembly. In a subpackage,
    // pass its path: init({ wasmPath: '/sub/miniprogram_npm/ws-lifeline/lifeline-core.wasm.br' }).
    await init();
    const { serverUrl, socketOptions } = getApp().globalData; // set in app.js
    const sock = new Lifeline(serverUrl, socketOptions);
    this.sock = sock;
    sock.onopen = () => this.note('open');
    sock.onmessage = (e) => {
      this.setData({ received: this.data.received + 1 });
      this.note(`message ${e.data}`);
    };
    sock.onclose = (e) => this.note(`close ${e.code} (${e.cause})${e.willReconnect ? ', reconnecting' : ''}`);
    sock.addEventListener('heartbeat', (e) => this.setData({ rtt: Math.round(e.rtt) }));
    sock.addEventListener('reconnecting', (e) => this.note(`attempt ${e.attempt} in ${Math.round(e.delay)} ms`));
    sock.addEventListener('statechange', (e) => this.setData({ state: e.to }));
  },

  sendNow() {
    // Sent now when open; otherwise queued and delivered in order on the next connection.
    this.sock.send(`hello ${this.data.sent + 1}`);
    this.setData({ sent: this.data.sent + 1 });
  },

  reconnectNow() {
    this.sock.reconnect();
  },

  onUnload() {
    // Final: no reconnection, the app's show/hide and network listeners are removed.
    if (this.sock) this.sock.close(1000, 'page closed');
  },

  note(line) {
    this.setData({ log: [line].concat(this.data.log).slice(0, 30) });
  },
});
