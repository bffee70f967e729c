// A scriptable `ws` WebSocket server for tests, benchmarks and the demo, on 127.0.0.1 only.
//
// - A text message equal to `pingText` is answered with `pongText` while answerPings is on, and is
//   not recorded. While answerPings is off it is recorded but neither answered nor echoed (an
//   echoed 'ping' would look like traffic, or like a server ping, to the client under test).
// - Every other message is recorded in `received` as { conn, data } (conn is the 0-based index of
//   the connection; binary data as 'bin:<hex>') and echoed back unchanged.
// - With serverPingEveryMs > 0, each client gets the text 'server-ping' every that many ms.
// - setAcceptConnections(false) answers upgrade requests with HTTP 503, so the handshake fails.
//
// Events: 'connection' (ws, conn, req), 'message' ({ conn, data }, ws), 'ping' ({ conn }, ws).

import http from 'node:http';
import { EventEmitter } from 'node:events';
import { WebSocketServer, WebSocket } from 'ws';

const LOOPBACK = '127.0.0.1';
const SERVER_PING = 'server-ping';
const noop = () => {};

export async function startTestServer({
  port = 0,
  answerPings = true,
  pingText = 'ping',
  pongText = 'pong',
  serverPingEveryMs = 0,
} = {}) {
  const server = new TestServer({ answerPings, pingText, pongText, serverPingEveryMs });
  await server._start(port);
  return server;
}

class TestServer extends EventEmitter {
  received = [];
  connections = 0;
  pingsReceived = 0; // every pingText message, answered or not
  #answerPings;
  #pingText;
  #pongText;
  #serverPingEveryMs;
  #accept = true;
  #port = 0;
  #http = null;
  #wss = null;
  #clients = new Set(); // WebSocket instances not yet closed
  #sockets = new Set(); // raw TCP sockets (also the ones that never upgrade), for close()
  #closing = null;

  constructor({ answerPings, pingText, pongText, serverPingEveryMs }) {
    super();
    this.#answerPings = answerPings;
    this.#pingText = pingText;
    this.#pongText = pongText;
    this.#serverPingEveryMs = serverPingEveryMs;
  }

  async _start(port) {
    // Own HTTP server + noServer so upgrades can be refused with a plain 503.
    this.#http = http.createServer((req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain', connection: 'close' });
      res.end('WebSocket only\n');
    });
    this.#http.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    this.#wss = new WebSocketServer({ noServer: true });
    this.#wss.on('error', noop);
    this.#wss.on('connection', (ws, req) => this.#onConnection(ws, req));
    this.#http.on('upgrade', (req, socket, head) => {
      socket.on('error', noop);
      if (!this.#accept) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#wss.emit('connection', ws, req));
    });
    this.#http.on('clientError', (_err, socket) => socket.destroy());
    await new Promise((resolve, reject) => {
      this.#http.once('error', reject);
      this.#http.listen({ port, host: LOOPBACK }, () => {
        this.#http.off('error', reject);
        resolve();
      });
    });
    this.#port = this.#http.address().port;
  }

  get port() {
    return this.#port;
  }

  url(path = '/') {
    return `ws://${LOOPBACK}:${this.#port}${path.startsWith('/') ? path : `/${path}`}`;
  }

  open() {
    let n = 0;
    for (const ws of this.#clients) if (ws.readyState === WebSocket.OPEN) n++;
    return n;
  }

  closeAll(code = 1000, reason = '') {
    for (const ws of this.#clients) if (ws.readyState === WebSocket.OPEN) ws.close(code, reason);
  }

  terminateAll() {
    for (const ws of this.#clients) ws.terminate();
  }

  setAnswerPings(on) {
    this.#answerPings = Boolean(on);
  }

  setAcceptConnections(on) {
    this.#accept = Boolean(on);
  }

  sendAll(data) {
    for (const ws of this.#clients) if (ws.readyState === WebSocket.OPEN) ws.send(data);
  }

  close() {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close() {
    this.#accept = false;
    for (const ws of this.#clients) ws.terminate(); // also clears ws's 30 s close timers
    for (const socket of this.#sockets) socket.destroy();
    await new Promise((resolve) => this.#wss.close(() => resolve()));
    await new Promise((resolve) => this.#http.close(() => resolve()));
  }

  #onConnection(ws, req) {
    const conn = this.connections++;
    this.#clients.add(ws);
    ws.on('error', noop); // resets from the fault proxy are expected
    let timer = null;
    if (this.#serverPingEveryMs > 0) {
      timer = setInterval(() => {
        if (ws.readyState === WebSocket.OPEN) ws.send(SERVER_PING);
      }, this.#serverPingEveryMs);
    }
    ws.once('close', () => {
      clearInterval(timer);
      this.#clients.delete(ws);
    });
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? null : data.toString();
      if (text === this.#pingText) {
        this.pingsReceived++;
        this.emit('ping', { conn }, ws);
        if (this.#answerPings) {
          ws.send(this.#pongText);
          return;
        }
        this.#record(conn, text, ws); // recorded, but not echoed (see top of file)
        return;
      }
      this.#record(conn, isBinary ? `bin:${Buffer.from(data).toString('hex')}` : text, ws);
      ws.send(data, { binary: isBinary });
    });
    this.emit('connection', ws, conn, req);
  }

  #record(conn, data, ws) {
    const entry = { conn, data };
    this.received.push(entry);
    this.emit('message', entry, ws);
  }
}
