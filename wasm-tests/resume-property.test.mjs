// Lossless resume end to end, as a property: a Lifeline (the shim and its core, on fakes) and a
// ResumeServer (the server helper and its core) joined by a model of the network in which every
// connection is an ordered byte stream that can stall, die silently (half-open), be reset, or
// deliver its last frames late, after the client has moved on to a newer connection; and the
// server can crash (its session table lost). Random app traffic both ways throughout. After the
// network heals, every message is delivered once and in order, or an expiry explains it:
//   - no message is delivered twice, and each direction's messages arrive in the order sent;
//   - a client message the server never got was reported by a client 'drop' (expired / refused);
//   - a server message the client never got was sent on a session that expired or was lost in a
//     crash (and then the client saw 'expired');
//   - a run with no expiry and no crash loses nothing at all;
//   - nothing stays kept on either side, and the client's timers are one.
//   node --test wasm-tests/resume-property.test.mjs
//   RESUME_PROPERTY_RUNS=2000 RESUME_PROPERTY_SEED=7 node --test wasm-tests/resume-property.test.mjs
//   RESUME_PROPERTY_ACTIONS='[{"kind":"accept"},…]' …   replays one counterexample, with its error
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { init, Lifeline } from '../js/index.js';
import { ResumeServer } from '../js/server/index.js';
import { FakeTime, FakeTransport, flush } from './support/fakes.mjs';

before(async () => {
  await init();
});

const RUNS = Number(process.env.RESUME_PROPERTY_RUNS ?? 1000);
const SEED = process.env.RESUME_PROPERTY_SEED === undefined ? undefined : Number(process.env.RESUME_PROPERTY_SEED);

/** The server side of one connection, as `ws` shows it to ResumeServer. */
class ServerWs {
  constructor(/** @type {Link} */ link) {
    this.link = link;
    this.readyState = 1;
    /** @type {Map<string, Set<Function>>} */
    this.listeners = new Map();
  }
  on(/** @type {string} */ event, /** @type {Function} */ fn) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)?.add(fn);
    return this;
  }
  off(/** @type {string} */ event, /** @type {Function} */ fn) {
    this.listeners.get(event)?.delete(fn);
    return this;
  }
  emit(/** @type {string} */ event, /** @type {any[]} */ ...args) {
    for (const fn of [...(this.listeners.get(event) ?? [])]) fn(...args);
  }
  send(/** @type {any} */ data, /** @type {{ binary?: boolean }} */ options = {}) {
    if (this.readyState !== 1 || this.link.dead) return; // written into a dead link: lost
    this.link.toClient.push(options.binary ? new Uint8Array(data) : String(data));
  }
  close(/** @type {number} */ code = 1005) {
    if (this.readyState !== 1) return;
    this.readyState = 3;
    this.link.serverClosed(code);
  }
}

/** One connection: frames queued each way, delivered in order when the model says so. */
class Link {
  constructor(/** @type {any} */ socket, /** @type {Net} */ net) {
    this.socket = socket; // the client's FakeSocket
    this.net = net;
    this.server = net.server;
    this.ws = new ServerWs(this);
    /** @type {any[]} */
    this.toServer = [];
    /** @type {any[]} */
    this.toClient = [];
    this.accepted = false;
    this.dead = false; // no more bytes cross (half-open), or reset
    this.clientGone = false; // the client has closed or abandoned it
    const send = socket.send.bind(socket);
    socket.send = (/** @type {any} */ d) => {
      send(d);
      if (!this.dead) this.toServer.push(d);
    };
    const close = socket.close.bind(socket);
    socket.close = (/** @type {number} */ code, /** @type {string} */ reason, /** @type {boolean} */ abandon) => {
      close(code, reason, abandon);
      this.clientGone = true;
      // A closing handshake reaches the server after what was written before it; an abandoned
      // socket's end reaches it only if the link still works (later, as 'close' or never).
      if (!this.dead && !abandon) this.toServer.push({ close: code });
    };
  }
  accept() {
    if (this.accepted || this.dead || this.clientGone) return;
    this.accepted = true;
    this.socket.open();
    this.server.accept(this.ws, {});
  }
  deliverToServer(/** @type {number} */ n) {
    for (let i = 0; i < n && this.accepted && this.toServer.length > 0 && this.ws.readyState === 1; i++) {
      const d = this.toServer.shift();
      if (d && typeof d === 'object' && 'close' in d) {
        this.ws.readyState = 3;
        this.ws.emit('close', d.close, Buffer.alloc(0));
      } else if (typeof d === 'string') this.ws.emit('message', Buffer.from(d), false);
      else this.ws.emit('message', Buffer.from(d instanceof ArrayBuffer ? new Uint8Array(d) : d), true);
    }
  }
  /** `late`: also after the client let the socket go (a transport may still report what it had
   * read; the shim must ignore it). */
  deliverToClient(/** @type {number} */ n, late = false) {
    for (let i = 0; i < n && this.toClient.length > 0 && (late || (!this.clientGone && this.socket.live)); i++) {
      this.socket.message(this.toClient.shift());
    }
  }
  /** The server closed it: the client hears the close after what was queued (if the link works). */
  serverClosed(/** @type {number} */ code) {
    if (this.dead) return;
    this.deliverToClient(Infinity);
    if (!this.clientGone && this.socket.live) this.socket.remoteClose(code, '', true);
  }
  /** Half-open: nothing crosses any more, and no one is told. */
  cut() {
    this.dead = true;
    this.toServer.length = 0;
    this.toClient.length = 0;
  }
  /** Reset: both ends are told, what was in flight is lost. */
  reset() {
    this.cut();
    if (this.ws.readyState === 1) {
      this.ws.readyState = 3;
      this.ws.emit('close', 1006, Buffer.alloc(0));
    }
    if (!this.clientGone && this.socket.live) this.socket.remoteClose(1006, '', false);
  }
}

/** The network, the server and the apps on both ends, with what each app saw. */
class Net {
  constructor(/** @type {FakeTime} */ time) {
    this.time = time;
    /** @type {Link[]} */
    this.links = [];
    this.crashes = 0;
    this.serverExpiries = 0;
    this.nextC = 1;
    this.nextS = 1;
    /** client message ids the server app got, in order */
    this.serverGot = /** @type {number[]} */ ([]);
    /** server message ids the client app got, in order */
    this.clientGot = /** @type {number[]} */ ([]);
    /** server message id -> the session it was sent on */
    this.sentOn = new Map();
    /** sessions that expired or were lost in a crash */
    this.lostSessions = new Set();
    this.newServer();
  }
  newServer() {
    this.server = new ResumeServer({ window: 5000, pingInterval: 3000, pongTimeout: 1000, clock: () => this.time.now(), timers: this.time });
    /** @type {any} */
    this.session = null; // the newest session (the client's, as far as the server knows)
    this.server.on('session', (/** @type {any} */ s) => {
      this.session = s;
      s.on('message', (/** @type {Buffer} */ data) => this.serverGot.push(Number(String(data).slice(1))));
      s.on('expired', () => {
        this.serverExpiries++;
        this.lostSessions.add(s);
      });
    });
    this.server.on('error', (/** @type {unknown} */ e) => {
      throw e;
    });
  }
  crash() {
    this.crashes++;
    for (const l of this.links) l.cut();
    for (const s of this.server.sessions) this.lostSessions.add(s);
    if (this.session) this.lostSessions.add(this.session);
    this.server.close();
    this.newServer();
  }
  get live() {
    return this.links.filter((l) => !l.dead && !l.clientGone);
  }
  get current() {
    return this.links.at(-1);
  }
}

export const actionArb = fc.oneof(
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('csend'), n: fc.integer({ min: 1, max: 5 }) }) },
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('ssend'), n: fc.integer({ min: 1, max: 5 }) }) },
  { weight: 24, arbitrary: fc.record({ kind: fc.constant('deliver'), toServer: fc.integer({ min: 0, max: 6 }), toClient: fc.integer({ min: 0, max: 6 }) }) },
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('accept') }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('cut') }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('reset') }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('late'), n: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('tick'), ms: fc.constantFrom(50, 300, 1000, 2500, 7000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('crash') }) },
);

export async function run(/** @type {any[]} */ actions) {
  const time = new FakeTime();
  const net = new Net(time);
  const transport = FakeTransport({ now: () => time.now() });
  transport.onCreate = (/** @type {any} */ socket) => net.links.push(new Link(socket, net));
  const ll = new Lifeline('wss://resume.test/', {
    ...time.options(),
    transport,
    platform: null,
    resume: true,
    pingInterval: 1000,
    pongTimeout: 1000,
    connectTimeout: 2000,
    reconnectDelay: 100,
    maxReconnectDelay: 2000,
    seed: 1,
  });
  /** @type {number[]} */
  const dropped = [];
  let clientExpiries = 0;
  ll.addEventListener('message', (/** @type {any} */ e) => net.clientGot.push(Number(String(e.data).slice(1))));
  ll.addEventListener('drop', (/** @type {any} */ e) => dropped.push(Number(String(e.data).slice(1))));
  ll.addEventListener('expired', () => clientExpiries++);
  await flush();
  try {
    for (const a of actions) {
      switch (a.kind) {
        case 'csend':
          for (let i = 0; i < a.n; i++) ll.send(`c${net.nextC++}`);
          break;
        case 'ssend':
          for (let i = 0; i < a.n; i++) {
            const s = net.session;
            if (!s || s.ended) break;
            const id = net.nextS++;
            net.sentOn.set(id, s);
            s.send(`s${id}`);
          }
          break;
        case 'deliver': {
          const l = net.current;
          l?.deliverToServer(a.toServer);
          l?.deliverToClient(a.toClient);
          break;
        }
        case 'accept':
          net.current?.accept();
          break;
        case 'cut':
          net.current?.cut();
          break;
        case 'reset':
          net.current?.reset();
          break;
        case 'late':
          // An older connection's frames arrive after the client moved on, both ways.
          for (const l of net.links.slice(0, -1)) {
            l.deliverToServer(a.n);
            l.deliverToClient(a.n, true);
          }
          break;
        case 'tick':
          time.advance(a.ms);
          break;
        case 'crash':
          net.crash();
          break;
      }
    }
    // The network heals: every connection from now on works, and time passes.
    for (let i = 0; i < 400; i++) {
      const l = net.current;
      l?.accept();
      l?.deliverToServer(Infinity);
      l?.deliverToClient(Infinity);
      time.advance(250);
      const s = net.server.stats;
      if (i > 40 && ll.stats.queued === 0 && s.kept === 0 && ll.state === 'open' && l && l.toServer.length === 0 && l.toClient.length === 0) break;
    }

    const inOrder = (/** @type {number[]} */ ids, /** @type {string} */ what) => {
      for (let i = 1; i < ids.length; i++) assert.ok(ids[i] > ids[i - 1], `${what}: ${ids[i]} after ${ids[i - 1]} (doubled or out of order): ${ids.join(',')}`);
    };
    inOrder(net.serverGot, 'client -> server');
    inOrder(net.clientGot, 'server -> client');
    const serverGot = new Set(net.serverGot);
    const droppedSet = new Set(dropped);
    for (let c = 1; c < net.nextC; c++) {
      assert.ok(serverGot.has(c) || droppedSet.has(c), `client message c${c}: neither delivered nor dropped`);
      assert.ok(!(serverGot.has(c) && droppedSet.has(c)) || clientExpiries > 0, `c${c} delivered and dropped without an expiry`);
    }
    const clientGot = new Set(net.clientGot);
    for (let s = 1; s < net.nextS; s++) {
      if (clientGot.has(s)) continue;
      assert.ok(net.lostSessions.has(net.sentOn.get(s)), `server message s${s} lost on a session that never expired`);
      assert.ok(clientExpiries > 0 || net.crashes > 0 || net.serverExpiries > 0, `s${s} lost with no expiry`);
    }
    if (clientExpiries === 0 && net.crashes === 0 && net.serverExpiries === 0) {
      assert.equal(dropped.length, 0, 'no expiry: nothing dropped');
      assert.equal(net.serverGot.length, net.nextC - 1, 'no expiry: every client message delivered');
      assert.equal(net.clientGot.length, net.nextS - 1, 'no expiry: every server message delivered');
    }
    assert.equal(ll.stats.queued, 0, 'nothing kept by the client once healed');
    assert.equal(net.server.stats.kept, 0, 'nothing kept by the server once healed');
    return { clientExpiries, crashes: net.crashes, resumes: ll.stats.resumes, c: net.nextC - 1, s: net.nextS - 1 };
  } finally {
    ll.close();
    net.server.close();
  }
}

test('resume end to end: once, in order, or an expiry, across loss, late frames, resets and crashes', async () => {
  if (process.env.RESUME_PROPERTY_ACTIONS) {
    await run(JSON.parse(process.env.RESUME_PROPERTY_ACTIONS));
    return;
  }
  const totals = { runs: 0, resumes: 0, expiries: 0, crashes: 0, messages: 0 };
  await fc.assert(
    fc.asyncProperty(fc.array(actionArb, { minLength: 20, maxLength: 120, size: 'max' }), async (actions) => {
      const r = await run(actions);
      totals.runs++;
      totals.resumes += r.resumes;
      totals.expiries += r.clientExpiries;
      totals.crashes += r.crashes;
      totals.messages += r.c + r.s;
    }),
    { numRuns: RUNS, seed: SEED },
  );
  // The runs must reach the cases they are about, not only quiet links.
  assert.ok(totals.resumes > totals.runs / 3, `resumes reached: ${JSON.stringify(totals)}`);
  assert.ok(totals.expiries > 0 && totals.crashes > 0, `expiries and crashes reached: ${JSON.stringify(totals)}`);
  console.log(`resume property: ${JSON.stringify(totals)}`);
});
