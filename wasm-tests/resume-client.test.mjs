// The Lifeline with `resume: true` on fakes: the shim carries out what the core decides (the
// handshake first on each socket, resends in order, acks on the heartbeat, protocol errors,
// expiry) and the app sees each message once, in order.
//   node --test wasm-tests/resume-client.test.mjs
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { init, Lifeline, DEFAULTS } from '../js/index.js';
import { contract } from '../js/contract.js';
import { utf8Length } from '../js/outbox.js';
import { flush } from './support/fakes.mjs';
import { started } from './support/rig.mjs';

before(async () => {
  await init();
});

const P = '\u001fll:';
const ESC = `${P}esc `;

/** A rig with resume on and its socket opened; returns what the client wrote on it. */
async function resumed(t, options = {}) {
  const r = await started(t, { resume: true, ...options });
  const s = r.transport.last;
  s.open();
  return { ...r, s };
}

describe('resume: the shim', () => {
  test('the contract gives the prefixes, and resume is an option like any field', () => {
    assert.equal(contract().resume.prefix, P);
    assert.equal(contract().resume.escape, ESC);
    assert.equal(DEFAULTS.resume, false);
  });

  test('the first frame on a socket is new; messages wait for hello, then go in order', async (t) => {
    const { ll, s, events } = await resumed(t);
    assert.deepEqual(s.sent, [`${P}new`]);
    assert.equal(ll.send('a'), true);
    assert.equal(ll.send(new Uint8Array([1, 2])), true);
    assert.deepEqual(s.sent, [`${P}new`], 'nothing before hello');
    assert.equal(ll.stats.queued, 2);
    s.message(`${P}hello abc 120000`);
    assert.deepEqual(s.sent.slice(1), ['a', new Uint8Array([1, 2])]);
    ll.send('c');
    assert.equal(s.sent.at(-1), 'c');
    assert.equal(events.of('drop').length, 0);
  });

  test('inbound messages are counted and delivered; the ping carries the count; its pong releases', async (t) => {
    const { ll, s, time, events } = await resumed(t);
    s.message(`${P}hello abc 120000`);
    ll.send('x');
    ll.send('y');
    s.message('m1').message('m2').message(`${ESC}${P}looks like a frame`);
    assert.deepEqual(events.of('message').map((e) => e.data), ['m1', 'm2', `${P}looks like a frame`]);
    time.advance(10000);
    assert.equal(s.sent.at(-1), `${P}ping 3`);
    assert.equal(ll.stats.queued, 2);
    s.message(`${P}pong 2`);
    assert.equal(ll.stats.queued, 0, 'released by the ack in the pong');
    assert.equal(events.of('heartbeat').length, 1);
  });

  test('an app text that starts with the prefix is escaped on the wire', async (t) => {
    const { ll, s } = await resumed(t);
    s.message(`${P}hello abc 120000`);
    ll.send(`${P}ack 5`);
    assert.equal(s.sent.at(-1), `${ESC}${P}ack 5`);
  });

  test('after a dead link, the next socket resumes; what the server lacks is resent, in order', async (t) => {
    const { ll, s, time, transport, events } = await resumed(t);
    s.message(`${P}hello abc 120000`);
    for (const m of ['1', '2', '3']) ll.send(m);
    s.message('s1');
    time.advance(20000); // ping at 10 s, no pong: the link is dead at 20 s
    assert.equal(s.closed?.code, 4000);
    ll.send('4'); // while away
    time.advance(1000);
    const s2 = transport.last;
    assert.notEqual(s2, s);
    s2.open();
    assert.deepEqual(s2.sent, [`${P}resume abc 1`]);
    s2.message(`${P}resumed 1`);
    assert.deepEqual(s2.sent.slice(1), ['2', '3', '4'], 'exactly after what the server had');
    s2.message('s2');
    assert.deepEqual(events.of('message').map((e) => e.data), ['s1', 's2']);
    assert.equal(ll.stats.resumes, 1);
    // A late message on the old socket counts for nothing.
    s.message('late');
    assert.equal(events.of('message').length, 2);
  });

  test('expired: what was kept is dropped with its data, an expired event, and a new session', async (t) => {
    const { ll, s, time, transport, events } = await resumed(t);
    s.message(`${P}hello abc 120000`);
    ll.send('a');
    ll.send('b');
    s.remoteClose(1006);
    time.advance(1000);
    const s2 = transport.last;
    const onexpired = [];
    ll.onexpired = (e) => onexpired.push(e.cause);
    s2.open();
    s2.message(`${P}expired`);
    assert.deepEqual(events.of('drop').map((e) => [e.data, e.reason]), [['a', 'expired'], ['b', 'expired']]);
    assert.deepEqual(events.of('expired').map((e) => e.cause), ['peer']);
    assert.deepEqual(onexpired, ['peer'], 'onexpired is called like the other on<type> properties');
    assert.deepEqual(s2.sent, [`${P}resume abc 0`, `${P}new`]);
    s2.message(`${P}hello def 120000`);
    ll.send('c');
    assert.equal(s2.sent.at(-1), 'c');
    assert.equal(ll.stats.expiries, 1);
  });

  test('a malformed frame closes the socket with 4010 and the client reconnects', async (t) => {
    const { ll, s, time, transport, events } = await resumed(t);
    s.message(`${P}hello abc 120000`);
    s.message(`${P}ack 01`);
    assert.equal(s.closed?.code, 4010);
    assert.equal(events.of('close').at(-1).cause, 'protocol-error');
    assert.equal(ll.stats.protocolErrors, 1);
    time.advance(1000);
    assert.equal(transport.sockets.length, 2);
  });

  test('a write that fails abandons the socket: the next handshake says what the server had', async (t) => {
    const { ll, s, time, transport, events } = await resumed(t);
    s.message(`${P}hello abc 120000`);
    ll.send('1');
    s.notOpen = true; // the socket takes nothing more (send returns false)
    assert.equal(ll.send('2'), true, 'accepted: it is kept');
    assert.ok(events.of('error').some((e) => /send: the socket did not take a message/.test(e.message)));
    assert.ok(s.closed, 'abandoned');
    time.advance(1000);
    const s2 = transport.last;
    s2.open();
    s2.message(`${P}resumed 1`);
    assert.deepEqual(s2.sent.slice(1), ['2']);
    assert.equal(ll.stats.messagesSent, 2, 'a resend is not counted again');
  });

  test('a message the transport refuses (throws) ends the session: it is dropped as refused, not resent for ever', async (t) => {
    const { ll, s, time, transport, events } = await resumed(t);
    s.message(`${P}hello abc 120000`);
    ll.send('1');
    s.sendThrows = new Error('too big for this platform');
    assert.equal(ll.send('poison'), true);
    s.sendThrows = null;
    assert.deepEqual(events.of('drop').map((e) => [e.data, e.reason, e.error?.message]), [['1', 'expired', undefined], ['poison', 'refused', 'too big for this platform']]);
    assert.deepEqual(events.of('expired').map((e) => e.cause), ['explicit']);
    ll.send('after');
    time.advance(1000);
    const s2 = transport.last;
    s2.open();
    assert.deepEqual(s2.sent, [`${P}new`], 'a new session');
    s2.message(`${P}hello def 120000`);
    assert.deepEqual(s2.sent.slice(1), ['after']);
  });

  test('the bound: beyond maxQueued kept, send() refuses with a drop', async (t) => {
    const { ll, events } = await resumed(t, { maxQueued: 2 });
    assert.equal(ll.send('a'), true);
    assert.equal(ll.send('b'), true);
    assert.equal(ll.send('c'), false);
    assert.deepEqual(events.of('drop').map((e) => [e.data, e.reason]), [['c', 'queue-full']]);
  });

  test('close(): what was never written is dropped, what was written and not acknowledged may have arrived', async (t) => {
    const { ll, s, events } = await resumed(t);
    s.message(`${P}hello abc 120000`);
    ll.send('a');
    s.notOpen = true;
    ll.send('b'); // not taken: the socket is abandoned, 'b' waits for the next one
    ll.close();
    assert.deepEqual(events.of('drop').map((e) => [e.data, e.reason]), [['b', 'closed']]);
    assert.equal(ll.stats.maybeLost, 1);
    assert.equal(ll.stats.queued, 0);
  });

  // --- found by a hostile review ---

  test('a drop listener that sends during an expiry: every old message dropped once, every new one written once', async (t) => {
    const { ll, s, events } = await resumed(t);
    s.message(`${P}hello abc 120000`);
    for (const m of ['old1', 'old2', 'old3']) ll.send(m);
    let n = 0;
    ll.addEventListener('drop', () => {
      if (n < 2) ll.send(`new-${'AB'[n++]}`); // into the next session, numbered from 1 again
    });
    s.message(`${P}expired`);
    assert.deepEqual(events.of('drop').map((e) => e.data), ['old1', 'old2', 'old3']);
    s.message(`${P}hello def 120000`);
    ll.send('new-C');
    assert.deepEqual(s.sent.slice(-3), ['new-A', 'new-B', 'new-C']);
    assert.equal(ll.stats.queued, 3);
    assert.equal(ll.bufferedAmount, 0, 'nothing waits to be written');
  });

  test('bufferedAmount after an expiry with nothing kept counts only what waits', async (t) => {
    const { ll, s } = await resumed(t);
    s.message(`${P}hello abc 120000`);
    for (const m of ['a', 'b', 'c']) ll.send(m);
    s.message(`${P}ack 3`);
    s.message(`${P}expired`);
    s.message(`${P}hello def 120000`);
    ll.send('bbbbbbbbbb');
    assert.equal(ll.bufferedAmount, 0);
  });

  test('a send from an error listener after a failed write is not written on the abandoned socket', async (t) => {
    const { ll, s, time, transport } = await resumed(t);
    s.message(`${P}hello abc 120000`);
    ll.addEventListener('error', () => ll.send('error-report'));
    ll.send('m1');
    s.notOpen = true;
    ll.send('m2');
    assert.deepEqual(s.sent.slice(1), ['m1'], 'nothing more on the abandoned socket');
    time.advance(5000);
    const s2 = transport.last;
    s2.open();
    s2.message(`${P}resumed 1`);
    assert.deepEqual(s2.sent.slice(1), ['m2', 'error-report']);
  });

  test('a transport that answers synchronously from send(): resends stay ahead of new messages', async (t) => {
    const { ll, s, time, transport } = await resumed(t);
    s.message(`${P}hello abc 120000`);
    for (const m of ['c1', 'c2', 'c3']) ll.send(m);
    s.remoteClose(1006);
    time.advance(1000);
    const s2 = transport.last;
    s2.open();
    const send = s2.send.bind(s2);
    s2.send = (d) => {
      send(d);
      if (!String(d).startsWith(P) && !String(d).startsWith('reply')) s2.message(`got ${d}`);
    };
    ll.addEventListener('message', (e) => ll.send(`reply to ${e.data}`));
    s2.message(`${P}resumed 0`);
    assert.deepEqual(s2.sent.slice(1), ['c1', 'c2', 'c3', 'reply to got c1', 'reply to got c2', 'reply to got c3']);
  });

  test('a protocol error closes with a close frame (4010), not by abandoning the socket', async (t) => {
    const { s } = await resumed(t);
    s.message(`${P}hello abc 120000`);
    s.message(`${P}ack x`);
    assert.deepEqual(s.closed, { code: 4010, reason: 'protocol-error', abandon: false });
  });

  test('odd inbound data from a transport (null, undefined) is counted and delivered, not thrown', async (t) => {
    const { s, events } = await resumed(t);
    s.message(`${P}hello abc 120000`);
    s.message(null).message(undefined);
    assert.deepEqual(events.of('message').map((e) => e.data), [null, undefined]);
  });

  test('UTF-8 lengths: the native count of long strings agrees with the loop of short ones', () => {
    for (const [unit, bytes] of [['a', 1], ['é', 2], ['€', 3], ['😀', 4], ['\ud800', 3], ['\udc00x', 4]]) {
      assert.equal(utf8Length(unit), bytes, `${JSON.stringify(unit)} alone`);
      assert.equal(utf8Length(unit.repeat(300)), bytes * 300, `${JSON.stringify(unit)} x 300`);
    }
    assert.equal(utf8Length('x'.repeat(300) + '\ud83d'), 303, 'a lone high surrogate at the end');
  });

  test('bad options are named', () => {
    assert.throws(() => new Lifeline('wss://x.test', { resume: true, pingMessage: 'hi' }), /options\.pingMessage: not used with resume/);
    assert.throws(() => new Lifeline('wss://x.test', { resume: true, maxQueued: Infinity }), /options\.maxQueued: with resume, expected a whole number from 1 to 1048576/);
    assert.throws(() => new Lifeline('wss://x.test', { resume: 1 }), /options\.resume: expected a boolean/);
  });

  test('expireSession() ends the session from the app', async (t) => {
    const { ll, s, events } = await resumed(t);
    assert.equal(ll.expireSession(), false, 'no session yet');
    s.message(`${P}hello abc 120000`);
    ll.send('a');
    assert.equal(ll.expireSession(), true);
    assert.deepEqual(events.of('expired').map((e) => e.cause), ['explicit']);
    assert.deepEqual(s.sent.slice(-2), [`${P}expired`, `${P}new`]);
    await flush();
  });
});
