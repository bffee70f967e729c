// The far end of the resume benchmark, in a process of its own (forked by run.mjs), so that the
// server's work per message and the client's run on separate cores and the client's figures are
// the client's. One HTTP server, two kinds of WebSocket endpoint:
//   /p?...       a plain `ws` server (for the raw WebSocket and for Lifeline with resume off);
//                it answers the Lifeline heartbeat "ping" with "pong"
//   /r?...       a ResumeServer (ws-lifeline/server), one per run, so its sessions are this
//                run's and its timers can be scaled for this run alone
//   /report      the Chromium page's results (forwarded to the parent)
// The query says what to do: id (the run), dir (s2c: send n; c2s: count n, then "done"; both;
// chat: one message every `period` ms of simulated time each way), n, bytes, scale (chat: real
// ms per simulated ms); gate=0 lets the server send past the kept window (a look at the CPU cost
// alone: the oldest kept messages are then dropped from the replay buffer; not used by run.mjs).
//
// Bytes on the wire are counted at the TCP socket (net.Socket bytesRead/bytesWritten: WebSocket
// frames and the HTTP upgrade, not TCP/IP headers). Each frame is also classified as it passes
// (an app message, or a control frame by verb, or the resume-off heartbeat) and its wire size
// computed from its payload (RFC 6455 header: 2/4/10 bytes, +4 for the client's mask), so the
// total splits into upgrade, app, handshake, heartbeat, acks and the rest (close frames).
//
//   ← { op: 'ready', port }     ← { op: 'conn', rec } at each connection's close
//   ← { op: 'report', text }    → { op: 'exit' }
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { init } from '../../js/index.js';
import { ResumeServer } from '../../js/server/index.js';
import { messageOfSize } from '../lib/blaster.mjs';

await init(); // ResumeServer needs the core
const PREFIX = '\u001fll:';
// Bytes buffered in the socket before the sender waits (every kind alike; looked at every K
// messages, at most 256 KiB): well under the 1 MiB past which ResumeServer drops a connection
// whose client does not read (its maxBufferedBytes).
const HIGH_WATER = 512 * 1024;

/** Wire bytes of one WebSocket frame with `n` payload bytes (RFC 6455); masked: client→server. */
const frameBytes = (n, masked) => n + (n < 126 ? 2 : n < 65536 ? 4 : 10) + (masked ? 4 : 0);

const server = http.createServer((_req, res) => res.writeHead(426).end());
const wss = new WebSocketServer({ server, perMessageDeflate: false });
const messages = new Map(); // bytes -> the message text (the same for every message of a run)
const message = (bytes) => {
  if (!messages.has(bytes)) messages.set(bytes, messageOfSize(bytes));
  return messages.get(bytes);
};

// A run's state outlives its connections: a Lifeline that reconnects (a false dead-link verdict
// on a loaded machine, in the chat's scaled time) comes back to the same run, and with resume to
// the same ResumeServer, which resumes the session.
const runs = new Map();

function runState(q, pathname) {
  let r = runs.get(q.id);
  if (r) return r;
  const scale = Number(q.scale ?? 1);
  r = { id: String(Number(q.id)), q, n: Number(q.n), bytes: Number(q.bytes), scale, resume: pathname === '/r', sent: 0, received: 0, done: false, started: false };
  r.ws = null; // the connection in use
  r.session = null;
  r.waiting = false; // the sender waits for the client's next frame (an ack)
  r.limits = { kept: Infinity, keptBytes: Infinity };
  if (r.resume) {
    const timers = { setTimeout: (fn, ms) => setTimeout(fn, ms * scale), clearTimeout: (t) => clearTimeout(t) };
    r.rs = new ResumeServer(scale === 1 ? {} : { clock: () => performance.now() / scale, timers });
    r.limits = { kept: r.rs.options.maxBuffered, keptBytes: r.rs.options.maxBufferedBytes };
    r.rs.on('error', (e) => console.error('resume bench server:', e));
    r.rs.on('session', (s) => {
      // The first session, or a new one after an expiry (its predecessor's messages are lost).
      r.session = s;
      s.on('message', () => onApp(r));
      s.on('resumed', () => pump(r));
      start(r);
    });
  }
  runs.set(q.id, r);
  return r;
}

const send = (r, text) => {
  if (r.resume) r.session.send(text);
  else if (r.ws?.readyState === 1) r.ws.send(text); // a plain server has no one to send to between connections
};

function onApp(r) {
  if (++r.received === r.n && r.q.dir !== 's2c') finish(r);
}

function finish(r) {
  // "done" once both halves are over: the client closes when it has it (and everything else).
  if (r.done || r.received < r.n || (r.q.dir !== 'c2s' && r.sent < r.n)) return;
  r.done = true;
  send(r, 'done');
}

// The sender: as fast as the socket takes it, waiting while over the high-water mark (for the
// socket's 'drain') or, with resume, while the kept window is full (for the client's next frame,
// an ack): beyond the window the oldest kept message would be dropped from the replay buffer, so
// a careful app waits, and what is measured is lossless throughput. Waiting on events, not
// polling, keeps this process's CPU time its work.
function pump(r) {
  if (r.q.dir !== 's2c' && r.q.dir !== 'both') return;
  const K = Math.max(1, Math.min(32, Math.floor(262144 / Math.max(1, r.bytes))));
  const text = message(r.bytes);
  r.waiting = false;
  while (r.sent < r.n) {
    if (r.sent % K === 0) {
      const ws = r.ws;
      if (!ws || ws.readyState !== 1) return void (r.waiting = true); // a reconnect resumes it
      if (ws.bufferedAmount > HIGH_WATER) return void ws._socket.once('drain', () => pump(r));
      const k = r.session ? r.session.stats : null;
      if (k && r.q.gate !== '0' && (k.kept + K > r.limits.kept || k.keptBytes + K * r.bytes > r.limits.keptBytes)) return void (r.waiting = true);
    }
    send(r, text);
    r.sent++;
  }
  finish(r);
}

function start(r) {
  if (r.started) return;
  r.started = true;
  pump(r);
  if (r.q.dir === 'chat') {
    // One message every `period` simulated ms, the first one period in, connected or not.
    r.chatTimer = setInterval(() => {
      send(r, message(r.bytes));
      if (++r.sent >= r.n) {
        clearInterval(r.chatTimer);
        finish(r);
      }
    }, Number(r.q.period) * r.scale);
  }
}

wss.on('connection', (ws, req) => {
  ws.on('error', () => {});
  const u = new URL(req.url, 'http://x');
  if (u.pathname === '/report') {
    ws.on('message', (data) => process.send({ op: 'report', text: data.toString() }));
    return;
  }
  const q = Object.fromEntries(u.searchParams);
  const r = runState(q, u.pathname);
  r.ws = ws;
  const sock = req.socket;
  // The HTTP upgrade: what was read and written before the first frame (the client sends nothing
  // before the 101, and ws has written the 101 by now).
  const rec = {
    id: r.id,
    path: u.pathname,
    upgradeIn: sock.bytesRead,
    upgradeOut: sock.bytesWritten,
    app: { in: 0, out: 0, inWire: 0, outWire: 0 },
    control: {}, // verb -> { in, out, inWire, outWire }; the resume-off heartbeat as 'app-ping'/'app-pong'
  };
  // This process's CPU time over the connection (runs are one at a time, chat aside).
  const cpu0 = process.cpuUsage();
  const control = (verb, dir, len) => {
    const c = (rec.control[verb] ??= { in: 0, out: 0, inWire: 0, outWire: 0 });
    c[dir]++;
    c[`${dir}Wire`] += frameBytes(len, dir === 'in');
  };
  const classify = (data, dir) => {
    const len = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength ?? data.length;
    const head = typeof data === 'string' ? data.slice(0, 16) : Buffer.from(data.buffer ?? data, data.byteOffset ?? 0, Math.min(16, len)).toString('latin1');
    if (head.startsWith(PREFIX) && !head.startsWith(`${PREFIX}esc `)) return control(head.slice(PREFIX.length).split(' ')[0], dir, len), false;
    if (!r.resume && len === 4 && (head === 'ping' || head === 'pong')) return control(`app-${head}`, dir, len), false;
    rec.app[dir]++;
    rec.app[`${dir}Wire`] += frameBytes(len, dir === 'in');
    return true;
  };
  // Every frame this side writes passes here (ResumeServer writes through ws.send too).
  const wsSend = ws.send.bind(ws);
  ws.send = (data, ...rest) => {
    classify(data, 'out');
    return wsSend(data, ...rest);
  };

  if (r.resume) {
    r.rs.accept(ws, req);
    // After accept's listener: an ack has been taken in by the time the classifier sees it.
    ws.on('message', (data) => {
      classify(data, 'in');
      if (r.waiting && r.ws === ws) pump(r);
    });
  } else {
    ws.on('message', (data, isBinary) => {
      if (classify(data, 'in')) onApp(r);
      else if (!isBinary && data.length === 4 && data.toString() === 'ping') ws.send('pong');
    });
    if (r.started) pump(r);
    start(r);
  }

  sock.on('close', () => {
    rec.bytesIn = sock.bytesRead;
    rec.bytesOut = sock.bytesWritten;
    const cpu = process.cpuUsage(cpu0);
    rec.serverCpuMs = (cpu.user + cpu.system) / 1000;
    rec.received = r.received;
    rec.sent = r.sent;
    rec.session = r.session ? { id: r.session.id, stats: r.session.stats } : null;
    if (r.ws === ws) r.ws = null;
    // The run is over once "done" went out and its connection closed: free its session now rather
    // than after its window. Otherwise the client may come back.
    if (r.done && !r.ws) {
      clearInterval(r.chatTimer);
      r.rs?.close();
      runs.delete(r.q.id);
    }
    process.send({ op: 'conn', rec });
  });
});

process.on('message', (msg) => {
  if (msg.op === 'exit') {
    for (const ws of wss.clients) ws.terminate();
    for (const r of runs.values()) {
      clearInterval(r.chatTimer);
      r.rs?.close();
    }
    server.close();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
server.listen(0, '127.0.0.1', () => process.send({ op: 'ready', port: server.address().port }));
