// A `ws` server that, asked by a client with `blast:<count>:<bytes>`, writes <count> text messages
// of <bytes> bytes each as fast as the socket takes them. The frames are built once and written
// straight to the TCP socket, so the server costs almost nothing per message and the client
// under test is the bottleneck. It answers 'ping' with 'pong' too (heartbeats of the clients).
import http from 'node:http';
import { WebSocketServer } from 'ws';

const LOOPBACK = '127.0.0.1';
const CHUNK_BYTES = 256 * 1024;

function frame(payload) {
  const n = payload.length;
  let header;
  if (n < 126) header = Buffer.from([0x81, n]);
  else if (n < 65536) header = Buffer.from([0x81, 126, n >> 8, n & 255]);
  else throw new RangeError('blaster: messages up to 64 KB');
  return Buffer.concat([header, payload]);
}

/** The message text of a given size: printable ASCII, the same for every message. */
export function messageOfSize(bytes) {
  const base = '{"seq":0,"data":"';
  let s = base + 'x'.repeat(Math.max(0, bytes - base.length - 2)) + '"}';
  return s.slice(0, bytes).padEnd(bytes, 'x');
}

export async function startBlaster() {
  const reports = []; // `result:<json>` / `progress:<n>` messages from autonomous pages
  const reportWaiters = [];
  const chunks = new Map(); // bytes -> { buf, perChunk }
  const chunkFor = (bytes) => {
    let c = chunks.get(bytes);
    if (!c) {
      const one = frame(Buffer.from(messageOfSize(bytes)));
      const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / one.length));
      c = { one, perChunk, buf: Buffer.concat(Array(perChunk).fill(one)) };
      chunks.set(bytes, c);
    }
    return c;
  };
  const server = http.createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '' : data.toString();
      if (text === 'ping') return void ws.send('pong');
      if (text.startsWith('result:') || text.startsWith('progress:')) {
        const r = text.startsWith('result:') ? { result: JSON.parse(text.slice(7)) } : { progress: Number(text.slice(9)) };
        const w = reportWaiters.shift();
        if (w) w(r);
        else reports.push(r);
        return;
      }
      const m = /^blast:(\d+):(\d+)$/.exec(text);
      if (m) blast(ws._socket, Number(m[1]), Number(m[2]));
      const p = /^pace:(\d+):(\d+):(\d+)$/.exec(text);
      if (p) pace(ws._socket, Number(p[1]), Number(p[2]), Number(p[3]));
    });
  });
  function blast(socket, count, bytes) {
    const { one, perChunk, buf } = chunkFor(bytes);
    let left = count;
    const pump = () => {
      while (left > 0) {
        let ok;
        if (left >= perChunk) {
          ok = socket.write(buf);
          left -= perChunk;
        } else {
          ok = socket.write(Buffer.concat(Array(left).fill(one)));
          left = 0;
        }
        if (!ok) return void socket.once('drain', pump);
      }
    };
    pump();
  }
  /** `count` messages at `perSecond`, written every 2 ms: the client reads the same chunks whatever it is. */
  function pace(socket, count, bytes, perSecond) {
    const { one } = chunkFor(bytes);
    const start = performance.now();
    let sent = 0;
    const timer = setInterval(() => {
      if (socket.destroyed) return void clearInterval(timer);
      const due = Math.min(count, Math.floor(((performance.now() - start) / 1000) * perSecond));
      if (due > sent) {
        socket.write(Buffer.concat(Array(due - sent).fill(one)));
        sent = due;
      }
      if (sent >= count) clearInterval(timer);
    }, 2);
  }
  await new Promise((resolve) => server.listen(0, LOOPBACK, resolve));
  const port = server.address().port;
  return {
    port,
    url: `ws://${LOOPBACK}:${port}/`,
    /** The next report message (progress or result), in order, none missed. */
    nextReport: () => (reports.length ? Promise.resolve(reports.shift()) : new Promise((resolve) => reportWaiters.push(resolve))),
    async close() {
      for (const ws of wss.clients) ws.terminate();
      for (const s of sockets) s.destroy();
      await new Promise((r) => wss.close(() => r()));
      await new Promise((r) => server.close(() => r()));
    },
  };
}
