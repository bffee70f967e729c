// ResumeServer (ws-lifeline/server): the server side of lossless resume (PROTOCOL.md) on real `ws`
// sockets on 127.0.0.1, spoken to by a raw client that writes the protocol by hand. Time never
// passes by sleeping: the server gets a fake clock and timers, advanced by the tests.
import { test as nodeTest } from 'node:test';
import assert from 'node:assert/strict';
import { once, EventEmitter } from 'node:events';
import { WebSocketServer, WebSocket } from 'ws';
import { init } from '../js/index.js';
import { core } from '../js/loader.js';
import { contract } from '../js/contract.js';
import { ResumeServer, ResumeSession } from '../js/server/index.js';
import { FakeTime } from './support/fakes.mjs';

await init();

// A failure shows as a failed assertion or a timeout, never as a run that hangs.
const test = (/** @type {string} */ name, /** @type {() => any} */ fn) => nodeTest(name, { timeout: 10000 }, fn);

const R = /** @type {any} */ (contract().resume);
const P = R.prefix;
const ESC = R.escape;
const PROTOCOL_ERROR = R.protocolError;
const SUPERSEDED = R.superseded;

/** A clock and timers that move only when told (the shim tests' FakeTime, as ResumeServer's options). */
function fakeTime() {
  const time = new FakeTime(1000);
  return Object.assign(time, { clock: () => time.now(), timers: time });
}

/** A WebSocketServer on 127.0.0.1 with a ResumeServer on it. */
async function setup(options = {}) {
  const time = fakeTime();
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  const resume = new ResumeServer({ clock: time.clock, timers: time.timers, ...options });
  wss.on('connection', (ws, req) => resume.accept(ws, req));
  const url = `ws://127.0.0.1:${/** @type {any} */ (wss.address()).port}`;
  return {
    time,
    wss,
    resume,
    url,
    async close() {
      resume.close();
      for (const ws of wss.clients) ws.terminate();
      await new Promise((r) => wss.close(r));
    },
  };
}

/** A client that speaks the protocol by hand: frames as strings (texts) or { binary: Buffer }. */
async function rawClient(url, headers) {
  const ws = new WebSocket(url, { headers });
  const inbox = [];
  const waiters = [];
  ws.on('message', (data, isBinary) => {
    const m = isBinary ? { binary: Buffer.from(data) } : data.toString();
    if (waiters.length) waiters.shift()(m);
    else inbox.push(m);
  });
  const closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on('error', () => {});
  await once(ws, 'open');
  return {
    ws,
    inbox,
    closed,
    next: () => (inbox.length ? Promise.resolve(inbox.shift()) : new Promise((r) => waiters.push(r))),
    async take(n) {
      const got = [];
      for (let i = 0; i < n; i++) got.push(await this.next());
      return got;
    },
    send: (t) => ws.send(t),
    control: (t) => ws.send(P + t),
  };
}

/** The next `n` messages a session delivers, as strings (binary: { binary }). */
function collect(session, n) {
  return new Promise((resolve) => {
    const got = [];
    const on = (data, isBinary) => {
      got.push(isBinary ? { binary: Buffer.from(data) } : Buffer.from(data).toString());
      if (got.length === n) {
        session.off('message', on);
        resolve(got);
      }
    };
    session.on('message', on);
  });
}

/** Opens a session: new, hello; returns the client, the server's session and the id. */
async function handshake(env, headers) {
  const sessionP = once(env.resume, 'session');
  const c = await rawClient(env.url, headers);
  c.control('new');
  const hello = await c.next();
  const m = /^\x1fll:hello ([A-Za-z0-9_-]+) (\d+)$/.exec(hello);
  assert.ok(m, `hello expected, got ${JSON.stringify(hello)}`);
  const [session] = await sessionP;
  assert.equal(session.id, m[1]);
  return { c, session, id: m[1], window: Number(m[2]) };
}

/** A round trip on the client's connection: everything sent before it has been handled. */
async function sync(c) {
  c.control('ping 0');
  for (;;) {
    const m = await c.next();
    if (typeof m === 'string' && m.startsWith(P + 'pong ')) return;
    c.inbox.unshift(m); // not ours: put back (only used when nothing else is expected)
    throw new Error(`sync: unexpected ${JSON.stringify(m)}`);
  }
}

test('handshake: new -> hello with a 128-bit id and the window; messages both ways; ping answered with pong <received>', async () => {
  const env = await setup({ window: 45000 });
  try {
    const { c, session, id, window } = await handshake(env);
    assert.equal(id.length, 22);
    assert.equal(window, 45000);
    assert.ok(session instanceof ResumeSession);
    assert.equal(session.connected, true);
    const got = collect(session, 2);
    c.send('{"a":1}');
    c.send('two');
    assert.deepEqual(await got, ['{"a":1}', 'two']);
    assert.equal(session.send('s1'), true);
    assert.equal(await c.next(), 's1');
    c.control('ping 1');
    assert.equal(await c.next(), `${P}pong 2`);
    assert.equal(session.stats.kept, 0, 'the ping acknowledged s1');
    assert.deepEqual(session.stats, { sent: 1, received: 2, acked: 1, kept: 0, keptBytes: 0, connected: true });
    // Two sessions never share an id.
    const other = await handshake(env);
    assert.notEqual(other.id, id);
    assert.equal(env.resume.stats.sessions, 2);
  } finally {
    await env.close();
  }
});

test('resume after a dead link with messages in flight both ways (PROTOCOL.md, step by step): nothing lost, nothing doubled', async () => {
  const env = await setup();
  try {
    const { c: a, session, id } = await handshake(env);
    let got = collect(session, 3);
    a.send('c1');
    a.send('c2');
    a.send('c3');
    assert.deepEqual(await got, ['c1', 'c2', 'c3']);
    session.send('s1');
    session.send('s2');
    assert.deepEqual(await a.take(2), ['s1', 's2']);
    // The client gives the link up (its pong deadline passed): c4, c5 and what arrives from now
    // on are lost in it. The server has not noticed: it writes s3..s5 into the dead link.
    session.send('s3');
    session.send('s4');
    session.send('s5');
    assert.equal(session.connected, true);
    const resumed = once(session, 'resumed');
    const b = await rawClient(env.url);
    got = collect(session, 3);
    b.control(`resume ${id} 2`);
    assert.equal(await b.next(), `${P}resumed 3`);
    assert.deepEqual(await b.take(3), ['s3', 's4', 's5'], 'resent exactly after R = 2');
    await resumed;
    assert.deepEqual(await a.closed, { code: SUPERSEDED, reason: '' }, 'the old connection is closed 4011');
    b.send('c4');
    b.send('c5');
    b.send('c6');
    assert.deepEqual(await got, ['c4', 'c5', 'c6'], 'delivered exactly after c3');
    assert.equal(session.stats.kept, 3);
    b.control('ack 5');
    await sync(b);
    assert.equal(session.stats.kept, 0);
    assert.equal(session.stats.received, 6);
  } finally {
    await env.close();
  }
});

test('a connection the server saw close: the session detaches, holds what the app sends, and resends it on resume', async () => {
  const env = await setup();
  try {
    const { c: a, session, id } = await handshake(env);
    const detached = once(session, 'detached');
    a.ws.terminate();
    await detached;
    assert.equal(session.connected, false);
    assert.equal(session.send('while away 1'), true);
    assert.equal(session.send(Buffer.from([1, 2, 3])), true);
    const b = await rawClient(env.url);
    b.control(`resume ${id} 0`);
    assert.deepEqual(await b.take(3), [`${P}resumed 0`, 'while away 1', { binary: Buffer.from([1, 2, 3]) }]);
    assert.equal(session.connected, true);
  } finally {
    await env.close();
  }
});

test('a stale resume (its session since attached to a newer connection) is closed 4011 without an answer', async () => {
  const env = await setup();
  try {
    const { c: a, session, id } = await handshake(env);
    a.ws.terminate();
    await once(session, 'detached');
    // Two connections, accepted in this order; the newer one resumes first.
    const older = await rawClient(env.url);
    const newer = await rawClient(env.url);
    await new Promise((r) => setImmediate(r));
    newer.control(`resume ${id} 0`);
    assert.equal(await newer.next(), `${P}resumed 0`);
    older.control(`resume ${id} 0`);
    assert.deepEqual(await older.closed, { code: SUPERSEDED, reason: '' });
    assert.deepEqual(older.inbox, [], 'no answer');
    assert.equal(session.connected, true, 'the newer connection keeps the session');
    session.send('still here');
    assert.equal(await newer.next(), 'still here');
  } finally {
    await env.close();
  }
});

test('unknown id, or another principal: expired, the session left alone; new on the same connection starts over', async () => {
  const env = await setup({ principal: (req) => req.headers['x-user'] });
  try {
    const { c: alice, session, id } = await handshake(env, { 'x-user': 'alice' });
    const expiredEvents = [];
    env.resume.on('expired', (s, cause) => expiredEvents.push(cause));
    const mallory = await rawClient(env.url, { 'x-user': 'mallory' });
    mallory.control(`resume ${id} 0`);
    assert.equal(await mallory.next(), `${P}expired`);
    assert.equal(session.connected, true, 'alice keeps her session and her connection');
    assert.equal(session.principal, 'alice');
    const stranger = await rawClient(env.url, { 'x-user': 'alice' });
    stranger.control('resume AAAAAAAAAAAAAAAAAAAAAA 3');
    assert.equal(await stranger.next(), `${P}expired`);
    // After expired: the old session's messages and numbers are ignored; a ping is answered pong 0.
    stranger.send('old message');
    stranger.control('ack 99');
    stranger.control('ping 7');
    assert.equal(await stranger.next(), `${P}pong 0`);
    const sessionP = once(env.resume, 'session');
    stranger.control('new');
    assert.match(await stranger.next(), /^\x1fll:hello [A-Za-z0-9_-]{22} \d+$/);
    const [fresh] = await sessionP;
    assert.equal(fresh.principal, 'alice');
    assert.deepEqual(expiredEvents, []);
    session.send('for alice');
    assert.equal(await alice.next(), 'for alice');
    assert.equal(env.resume.stats.sessions, 2);
  } finally {
    await env.close();
  }
});

test('a gap (messages dropped at the bound before the client had them), or more than was sent: expired, the session freed', async () => {
  const env = await setup({ maxBuffered: 2 });
  try {
    const { c: a, session, id } = await handshake(env);
    a.ws.terminate();
    await once(session, 'detached');
    const drops = [];
    session.on('drop', (data, seq) => drops.push([data, seq]));
    for (let i = 1; i <= 5; i++) assert.equal(session.send(`m${i}`), true);
    assert.deepEqual(drops, [['m1', 1], ['m2', 2], ['m3', 3]], 'drop-oldest at the bound');
    const expired = once(env.resume, 'expired');
    const b = await rawClient(env.url);
    b.control(`resume ${id} 0`);
    assert.equal(await b.next(), `${P}expired`);
    const [s, cause] = await expired;
    assert.equal(s, session);
    assert.equal(cause, 'gap');
    assert.equal(session.ended, true);
    assert.equal(session.send('late'), false);
    assert.deepEqual(env.resume.stats, { sessions: 0, connections: 1, kept: 0, keptBytes: 0 });
    // The client starts over on the same connection.
    b.control('new');
    assert.match(await b.next(), /^\x1fll:hello /);

    // R beyond what was sent: expired too.
    const second = await handshake(env);
    second.session.send('x');
    await second.c.next();
    second.c.ws.terminate();
    await once(second.session, 'detached');
    const c2 = await rawClient(env.url);
    const expired2 = once(second.session, 'expired');
    c2.control(`resume ${second.id} 2`);
    assert.equal(await c2.next(), `${P}expired`);
    assert.deepEqual(await expired2, ['gap']);
  } finally {
    await env.close();
  }
});

test('window expiry: a session with no connection for `window` ms is freed, the app told; a later resume is expired', async () => {
  const env = await setup({ window: 10000 });
  try {
    const { c: a, session, id } = await handshake(env);
    session.send('kept');
    await a.next();
    a.ws.terminate();
    await once(session, 'detached');
    const events = [];
    env.resume.on('expired', (s, cause) => events.push([s.id, cause]));
    session.on('expired', (cause) => events.push(['session', cause]));
    env.time.advance(9999);
    assert.deepEqual(events, []);
    env.time.advance(1);
    assert.deepEqual(events, [['session', 'window'], [id, 'window']]);
    assert.equal(env.resume.stats.sessions, 0);
    assert.equal(env.time.pending(), 0, 'no timer left');
    const b = await rawClient(env.url);
    b.control(`resume ${id} 1`);
    assert.equal(await b.next(), `${P}expired`);
  } finally {
    await env.close();
  }
});

test('escaping both ways: an app text that starts with the control prefix', async () => {
  const env = await setup();
  try {
    const { c, session } = await handshake(env);
    const got = collect(session, 2);
    c.send(`${ESC}${P}looks like a control`);
    c.send(`${ESC}`);
    assert.deepEqual(await got, [`${P}looks like a control`, '']);
    session.send(`${P}x`);
    session.send(`${ESC}y`);
    session.send('plain');
    assert.deepEqual(await c.take(3), [`${ESC}${P}x`, `${ESC}${ESC}y`, 'plain']);
    assert.equal(session.stats.received, 2, 'escaped messages count');
  } finally {
    await env.close();
  }
});

test('binary both ways, never a control frame even when it starts with the prefix bytes', async () => {
  const env = await setup();
  try {
    const { c, session } = await handshake(env);
    const got = collect(session, 2);
    c.ws.send(Buffer.from(`${P}ack 99`), { binary: true });
    c.ws.send(new Uint8Array([0, 255]), { binary: true });
    assert.deepEqual(await got, [{ binary: Buffer.from(`${P}ack 99`) }, { binary: Buffer.from([0, 255]) }]);
    session.send(new Uint8Array([9, 8, 7]).buffer);
    session.send(new Uint16Array([1]));
    session.send(Buffer.from(`${P}ping 1`));
    assert.deepEqual(await c.take(3), [{ binary: Buffer.from([9, 8, 7]) }, { binary: Buffer.from(new Uint16Array([1]).buffer) }, { binary: Buffer.from(`${P}ping 1`) }]);
  } finally {
    await env.close();
  }
});

test('found by a hostile review: a resend carries what was sent though the app reused its buffer; accept() twice or a non-string principal is a named error', async () => {
  const env = await setup({ principal: (req) => (req.headers['x-user'] === 'seven' ? 7 : req.headers['x-user']) });
  const errors = [];
  env.resume.on('error', (e) => errors.push(String(e.message)));
  try {
    const { c, session, id } = await handshake(env, { 'x-user': 'ann' });
    const buf = Buffer.from('ORIGINAL');
    const bytes = new Uint8Array([1, 2, 3]);
    session.send(buf);
    session.send(bytes);
    buf.write('CLOBBERD');
    bytes[0] = 99;
    await c.take(2);
    c.ws.terminate();
    await once(session, 'detached');
    const again = await rawClient(env.url, { 'x-user': 'ann' });
    again.control(`resume ${id} 0`);
    assert.deepEqual(await again.take(3), [`${P}resumed 0`, { binary: Buffer.from('ORIGINAL') }, { binary: Buffer.from([1, 2, 3]) }]);
    const odd = await rawClient(env.url, { 'x-user': 'seven' });
    assert.equal((await odd.closed).code, 1011);
    assert.match(errors.join('\n'), /options\.principal: expected a string or undefined, got 7/);
    const ws = { readyState: 1, on() {}, off() {}, send() {}, close() {} };
    env.resume.accept(ws, { headers: {} });
    assert.throws(() => env.resume.accept(ws, { headers: {} }), /ResumeServer\.accept: this ws was accepted already/);
    again.ws.close();
  } finally {
    await env.close();
  }
});

test('a legacy client (first frame not new/resume) is handed to the app with its first message; no control frame is sent to it', async () => {
  const env = await setup();
  try {
    const legacy = once(env.resume, 'legacy');
    const c = await rawClient(env.url);
    c.send('hello server');
    const [ws, req, data, isBinary] = await legacy;
    assert.equal(String(data), 'hello server');
    assert.equal(isBinary, false);
    assert.ok(req.headers);
    ws.on('message', (d) => ws.send(`echo ${d}`));
    c.send(`${P}ping 0`);
    assert.equal(await c.next(), `echo ${P}ping 0`, 'the app sees it as it is');
    assert.equal(env.resume.stats.connections, 0);
    // An unknown verb first: a later version's client we do not speak; legacy too.
    const later = once(env.resume, 'legacy');
    const d = await rawClient(env.url);
    d.control('hello2 x');
    assert.equal(String((await later)[2]), `${P}hello2 x`);
    // An escaped text first: legacy, passed on as it came (no unescaping on a legacy connection).
    const escaped = once(env.resume, 'legacy');
    const e = await rawClient(env.url);
    e.send(`${ESC}x`);
    assert.equal(String((await escaped)[2]), `${ESC}x`);
  } finally {
    await env.close();
  }
  // Without a 'legacy' listener: closed with 1008.
  const bare = await setup();
  try {
    const c = await rawClient(bare.url);
    c.send('{"legacy":true}');
    assert.equal((await c.closed).code, 1008);
    assert.deepEqual(c.inbox, []);
  } finally {
    await bare.close();
  }
});

test('protocol errors close the connection with 4010 (and only detach the session)', async () => {
  const env = await setup();
  try {
    const cases = [
      ['malformed new first', async (c) => c.control('new 1')],
      ['malformed resume first', async (c) => c.control('resume bad id 1')],
      ['hello sent to a server', async (c) => c.control('hello abc 1')],
      ['esc without its space', async (c) => c.control('esc')],
    ];
    for (const [name, act] of cases) {
      const c = await rawClient(env.url);
      await act(c);
      assert.equal((await c.closed).code, PROTOCOL_ERROR, name);
    }
    const inSession = [
      ['malformed ack', (c) => c.control('ack 01')],
      ['ack beyond what was sent', (c) => c.control('ack 1')],
      ['ping beyond what was sent', (c) => c.control('ping 5')],
      ['resume not first', (c, id) => c.control(`resume ${id} 0`)],
      ['new while attached', (c) => c.control('new')],
      ['resumed sent to a server', (c) => c.control('resumed 0')],
      ['a number above 2^53 - 1', (c) => c.control('ack 9007199254740992')],
    ];
    for (const [name, act] of inSession) {
      const { c, session, id } = await handshake(env);
      const detached = once(session, 'detached');
      act(c, id);
      assert.equal((await c.closed).code, PROTOCOL_ERROR, name);
      await detached;
      assert.equal(session.ended, false, `${name}: the session waits for a resume`);
    }
  } finally {
    await env.close();
  }
});

test('the server acknowledges: ack after ackEvery messages, or ackDelay after the oldest unacknowledged one', async () => {
  const env = await setup({ ackEvery: 3, ackDelay: 5000 });
  try {
    const { c, session } = await handshake(env);
    const got = collect(session, 4);
    for (const m of ['a', 'b', 'c', 'd']) c.send(m);
    await got;
    assert.equal(await c.next(), `${P}ack 3`);
    env.time.advance(4999);
    assert.deepEqual(c.inbox, []);
    env.time.advance(1);
    assert.equal(await c.next(), `${P}ack 4`);
    c.control('expired');
    const [cause] = await once(session, 'expired');
    assert.equal(cause, 'peer');
    c.control('new');
    assert.match(await c.next(), /^\x1fll:hello /);
  } finally {
    await env.close();
  }
});

test('kept messages are dropped by age (maxAge) and the app told', async () => {
  const env = await setup({ maxAge: 1000 });
  try {
    const { c, session } = await handshake(env);
    const drops = [];
    session.on('drop', (data, seq) => drops.push([data, seq]));
    session.send('old');
    env.time.advance(500);
    session.send('young');
    env.time.advance(500);
    assert.deepEqual(drops, [['old', 1]]);
    assert.equal(session.stats.kept, 1);
    assert.deepEqual(await c.take(2), ['old', 'young']);
    // Larger than maxBufferedBytes on its own: refused.
    const small = await setup({ maxBufferedBytes: 4 });
    try {
      const h = await handshake(small);
      assert.equal(h.session.send('12345'), false);
      assert.equal(h.session.send('1234'), true);
    } finally {
      await small.close();
    }
  } finally {
    await env.close();
  }
});

test('session.expire(): the client is told, the app gets expired (explicit), the connection stays for new', async () => {
  const env = await setup();
  try {
    const { c, session } = await handshake(env);
    session.send('unacked');
    await c.next();
    const expired = once(env.resume, 'expired');
    session.expire();
    assert.equal(await c.next(), `${P}expired`);
    assert.equal((await expired)[1], 'explicit');
    c.send('from the old session');
    c.control('new');
    assert.match(await c.next(), /^\x1fll:hello /);
    assert.equal(env.resume.stats.sessions, 1);
  } finally {
    await env.close();
  }
});

/** A `ws`-like socket driven by hand (the table only uses on/off/send/close/readyState). */
class FakeSocket extends EventEmitter {
  constructor() {
    super();
    this.readyState = 1;
    this.sent = [];
    this.closedWith = null;
  }
  send(data) {
    this.sent.push(typeof data === 'string' ? data : Buffer.from(data));
  }
  close(code) {
    this.closedWith = code;
    this.readyState = 2;
  }
  text(t) {
    this.emit('message', Buffer.from(t), false);
  }
}

test('nothing from an abandoned connection counts: a superseded connection\'s late messages are ignored', () => {
  const time = fakeTime();
  const resume = new ResumeServer({ clock: time.clock, timers: time.timers });
  try {
    const delivered = [];
    resume.on('session', (s) => s.on('message', (d) => delivered.push(String(d))));
    const a = new FakeSocket();
    resume.accept(a, {});
    a.text(`${P}new`);
    const id = a.sent[0].split(' ')[1];
    a.text('c1');
    const b = new FakeSocket();
    resume.accept(b, {});
    b.text(`${P}resume ${id} 0`);
    assert.equal(a.closedWith, SUPERSEDED);
    assert.deepEqual(b.sent, [`${P}resumed 1`]);
    a.text('c2 (late, on the old connection)');
    a.text(`${P}ack 0`);
    a.emit('error', new Error('a bad frame on the abandoned connection')); // no uncaught exception
    a.emit('close');
    b.text('c2');
    assert.deepEqual(delivered, ['c1', 'c2']);
    assert.equal([...resume.sessions][0].connected, true, 'the old connection closing does not detach the session');
  } finally {
    resume.close();
  }
});

test('a listener that throws does not break the table: error event, and the next message is delivered', () => {
  const time = fakeTime();
  const resume = new ResumeServer({ clock: time.clock, timers: time.timers });
  try {
    const errors = [];
    resume.on('error', (e) => errors.push(e.message));
    const delivered = [];
    resume.on('session', (s) =>
      s.on('message', (d) => {
        delivered.push(String(d));
        if (delivered.length === 1) throw new Error('app bug');
      }),
    );
    const a = new FakeSocket();
    resume.accept(a, {});
    a.text(`${P}new`);
    a.text('one');
    a.text('two');
    assert.deepEqual(delivered, ['one', 'two']);
    assert.deepEqual(errors, ['app bug']);
    // A principal that throws: error, the connection closed 1011.
    const strict = new ResumeServer({ clock: time.clock, timers: time.timers, principal: () => { throw new Error('no auth'); } });
    strict.on('error', (e) => errors.push(e.message));
    const b = new FakeSocket();
    strict.accept(b, {});
    assert.equal(b.closedWith, 1011);
    assert.deepEqual(errors, ['app bug', 'no auth']);
    strict.close();
  } finally {
    resume.close();
  }
});

test('bounded memory: clients gone for good cost at most the bounds, for at most the window; then nothing (sessions, payloads, WASM heap, timers)', () => {
  const time = fakeTime();
  const heapBefore = core().heapInUse();
  const resume = new ResumeServer({ clock: time.clock, timers: time.timers, window: 60000, maxBuffered: 50, maxBufferedBytes: 4096, maxAge: Infinity });
  const sessions = [];
  resume.on('session', (s) => sessions.push(s));
  const N = 200;
  for (let i = 0; i < N; i++) {
    const ws = new FakeSocket();
    resume.accept(ws, {});
    ws.text(`${P}new`);
    ws.emit('close'); // gone for good
  }
  assert.equal(sessions.length, N);
  // The app keeps sending to every session: each keeps at most its bounds.
  for (let round = 0; round < 100; round++) {
    for (const s of sessions) assert.equal(s.send(`payload ${round} `.padEnd(100, '.')), true);
    time.advance(100);
  }
  const full = resume.stats;
  assert.equal(full.sessions, N);
  assert.ok(full.kept <= N * 40, `kept ${full.kept}: at most 4096 bytes of 100-byte messages per session`);
  assert.ok(full.keptBytes <= N * 4096);
  assert.ok(core().heapInUse() > heapBefore);
  time.advance(60000);
  assert.deepEqual(resume.stats, { sessions: 0, connections: 0, kept: 0, keptBytes: 0 });
  assert.equal(time.pending(), 0);
  assert.ok(sessions.every((s) => s.ended && s.expiredCause === 'window'));
  assert.equal(core().heapInUse(), heapBefore, 'every ResumeState freed');
  resume.close();
});

test('close(): frees every session and timer and closes the connections (1001); later connections are refused', () => {
  const time = fakeTime();
  const heapBefore = core().heapInUse();
  const resume = new ResumeServer({ clock: time.clock, timers: time.timers });
  const a = new FakeSocket();
  resume.accept(a, {});
  a.text(`${P}new`);
  const b = new FakeSocket();
  resume.accept(b, {});
  b.text(`${P}new`);
  b.emit('close');
  [...resume.sessions][0].send('x');
  resume.close();
  assert.equal(a.closedWith, 1001);
  assert.deepEqual(resume.stats, { sessions: 0, connections: 0, kept: 0, keptBytes: 0 });
  assert.equal(time.pending(), 0);
  assert.equal(core().heapInUse(), heapBefore);
  const c = new FakeSocket();
  resume.accept(c, {});
  assert.equal(c.closedWith, 1001);
});

test('the server\'s heartbeat (pingInterval): ping <received> after silence; a connection silent past pongTimeout is dropped and its session detached', () => {
  const time = fakeTime();
  const resume = new ResumeServer({ clock: time.clock, timers: time.timers, pingInterval: 5000, pongTimeout: 2000 });
  try {
    let session;
    resume.on('session', (s) => (session = s));
    const a = new FakeSocket();
    a.terminated = false;
    a.terminate = () => {
      a.terminated = true;
      a.readyState = 3;
    };
    resume.accept(a, {});
    a.text(`${P}new`);
    a.text('c1');
    time.advance(4999);
    assert.equal(a.sent.length, 1, 'hello only');
    time.advance(1);
    assert.deepEqual(a.sent.slice(1), [`${P}ping 1`]);
    a.text(`${P}pong 0`); // answered: alive
    time.advance(4999);
    assert.equal(a.terminated, false);
    time.advance(1);
    assert.deepEqual(a.sent.slice(2), [`${P}ping 1`]);
    time.advance(1999);
    assert.equal(a.terminated, false);
    time.advance(1);
    assert.equal(a.terminated, true, 'no answer within pongTimeout');
    assert.equal(session.connected, false);
    assert.equal(session.ended, false, 'detached, waiting for a resume');
    a.emit('close');
    // A connection that never says its first frame is dropped by the silence alone (no ping).
    const b = new FakeSocket();
    b.terminate = () => (b.readyState = 3);
    resume.accept(b, {});
    time.advance(7000);
    assert.equal(b.readyState, 3);
    assert.deepEqual(b.sent, []);
    assert.equal(resume.stats.connections, 0);
  } finally {
    resume.close();
  }
  assert.equal(time.pending(), 0);
});

test('maxSessions: a new beyond it is refused with 1013 (the client backs off); once one is freed, new works again', async () => {
  const env = await setup({ maxSessions: 2, window: 1000 });
  try {
    const a = await handshake(env);
    await handshake(env);
    const c = await rawClient(env.url);
    c.control('new');
    assert.equal((await c.closed).code, 1013);
    assert.equal(env.resume.stats.sessions, 2);
    a.c.ws.close();
    await once(a.session, 'detached');
    env.time.advance(1000); // a's window: freed
    assert.equal(env.resume.stats.sessions, 1);
    const d = await rawClient(env.url);
    d.control('new');
    assert.match(String(await d.next()), /hello /);
    d.ws.close();
  } finally {
    await env.close();
  }
});

test('options: each wrong one is named with what was expected', () => {
  const bad = [
    [{ window: -1 }, /options\.window: expected a finite number of ms >= 0, got -1/],
    [{ window: Infinity }, /options\.window/],
    [{ maxBuffered: 0 }, /options\.maxBuffered: expected a whole number from 1 to 1048576, got 0/],
    [{ maxBufferedBytes: 1.5 }, /options\.maxBufferedBytes/],
    [{ maxAge: 0 }, /options\.maxAge: expected a number of ms > 0, or Infinity/],
    [{ ackDelay: -5 }, /options\.ackDelay/],
    [{ ackEvery: 33 }, /options\.ackEvery: expected a whole number from 1 to 32, got 33/],
    [{ ackBytes: 65537 }, /options\.ackBytes: expected a whole number from 1 to 65536/],
    [{ window: '5' }, /options\.window: expected .* got "5"/],
    [{ principal: 'alice' }, /options\.principal: expected a function/],
    [{ clock: 5 }, /options\.clock: expected a function/],
    [{ timers: {} }, /options\.timers: expected \{ setTimeout, clearTimeout \}/],
    [{ pingInterval: 0 }, /options\.pingInterval: expected a number of ms > 0, or Infinity/],
    [{ pongTimeout: Infinity }, /options\.pongTimeout: expected a finite number of ms > 0/],
    [{ maxSessions: 0 }, /options\.maxSessions: expected a whole number >= 1, or Infinity/],
    [{ maxUnsent: 0.5 }, /options\.maxUnsent: expected a whole number of bytes >= 1/],
  ];
  for (const [options, message] of bad) assert.throws(() => new ResumeServer(/** @type {any} */ (options)), message, JSON.stringify(options));
  assert.throws(() => new ResumeServer(/** @type {any} */ (null)), /expected an options object, got null/);
  const defaults = new ResumeServer();
  assert.deepEqual({ ...defaults.options }, { window: R.server.window, maxBuffered: R.server.maxUnacked, maxBufferedBytes: R.server.maxUnackedBytes, maxAge: R.server.maxAge, ackDelay: R.server.ackDelay, ackEvery: R.server.ackEvery, ackBytes: R.server.ackBytes, pingInterval: 3 * (contract().fields.find((f) => f.js === 'pingInterval')?.default ?? NaN), pongTimeout: contract().fields.find((f) => f.js === 'pongTimeout')?.default, maxSessions: 100000, maxUnsent: 4 * R.server.maxUnackedBytes });
  assert.throws(() => defaults.accept(/** @type {any} */ ({})), /ResumeServer\.accept: expected a ws WebSocket/);
  defaults.close();
});

test('ResumeServer.create() loads the core and makes the server', async () => {
  const resume = await ResumeServer.create({ window: 1000 });
  assert.equal(resume.options.window, 1000);
  resume.close();
});

test('end to end: a Lifeline with resume: true against ResumeServer, across a connection the server drops, messages sent both ways meanwhile', async () => {
  const { Lifeline } = await import('../js/index.js');
  // Real time here: the client's reconnect timers run on their own.
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  const resume = new ResumeServer();
  wss.on('connection', (ws, req) => resume.accept(ws, req));
  const url = `ws://127.0.0.1:${/** @type {any} */ (wss.address()).port}`;
  const ll = new Lifeline(url, { resume: true, WebSocket, platform: null, binaryType: 'arraybuffer', reconnectDelay: 20, maxReconnectDelay: 50, jitter: 0 });
  try {
    const received = [];
    let waiting = null;
    ll.addEventListener('message', (/** @type {any} */ e) => {
      received.push(typeof e.data === 'string' ? e.data : `binary:${Buffer.from(e.data).toString('hex')}`);
      if (waiting && received.length >= waiting.n) waiting.resolve();
    });
    const clientGot = (n) => (received.length >= n ? Promise.resolve() : new Promise((resolve) => (waiting = { n, resolve })));
    const expired = [];
    ll.addEventListener('expired', (/** @type {any} */ e) => expired.push(e.cause));

    const [session] = await once(resume, 'session');
    let serverGot = collect(session, 3);
    ll.send('c1');
    ll.send(`${P}c2 looks like a control`);
    ll.send(new Uint8Array([0xc3]));
    assert.deepEqual(await serverGot, ['c1', `${P}c2 looks like a control`, { binary: Buffer.from([0xc3]) }]);
    session.send('s1');
    session.send(`${P}s2`);
    session.send(Buffer.from([0x53]));
    await clientGot(3);
    assert.deepEqual(received, ['s1', `${P}s2`, 'binary:53']);

    // The server drops the connection; both sides send while it is down.
    const detached = once(session, 'detached');
    for (const ws of wss.clients) ws.terminate();
    await detached;
    session.send('s4 (while down)');
    session.send('s5 (while down)');
    ll.send('c4 (while down)');
    ll.send('c5 (while down)');
    serverGot = collect(session, 2);
    await once(session, 'resumed');
    assert.deepEqual(await serverGot, ['c4 (while down)', 'c5 (while down)']);
    await clientGot(5);
    assert.deepEqual(received.slice(3), ['s4 (while down)', 's5 (while down)']);
    assert.deepEqual(expired, []);
    assert.equal(ll.stats.resumes, 1);
    assert.equal(resume.stats.sessions, 1, 'the same session, resumed');
    assert.equal(session.stats.received, 5);

    // The server expires it: the client is told and starts a new session on the same connection.
    const fresh = once(resume, 'session');
    session.expire();
    const [next] = await fresh;
    assert.notEqual(next.id, session.id);
    assert.deepEqual(expired, ['peer']);
    serverGot = collect(next, 1);
    ll.send('c1 of the new session');
    assert.deepEqual(await serverGot, ['c1 of the new session']);
  } finally {
    ll.close();
    resume.close();
    for (const ws of wss.clients) ws.terminate();
    await new Promise((r) => wss.close(r));
  }
});

test('the CommonJS build (dist/cjs, scripts/build.sh): require("ws-lifeline/server").ResumeServer after the CommonJS init()', async (t) => {
  const { createRequire } = await import('node:module');
  const { existsSync } = await import('node:fs');
  if (!existsSync(new URL('../dist/cjs/server/resume.js', import.meta.url))) {
    t.skip('dist/cjs not built (scripts/build.sh)');
    return;
  }
  const require = createRequire(import.meta.url);
  const lib = require('ws-lifeline');
  const server = require('ws-lifeline/server');
  await lib.init();
  const resume = new server.ResumeServer();
  const a = new FakeSocket();
  const got = [];
  resume.on('session', (s) => s.on('message', (d) => got.push(String(d))));
  resume.accept(a, {});
  a.text(`${P}new`);
  a.text('hi');
  assert.match(a.sent[0], /^\x1fll:hello [A-Za-z0-9_-]{22} \d+$/);
  assert.deepEqual(got, ['hi']);
  resume.close();
});
