// The Lifeline shim against a fake transport, a fake clock and a fake platform:
//   node --test wasm-tests/shim.test.mjs
// No test sleeps or reads the real clock: time moves only through FakeTime, and the only awaits
// are microtasks (flush()). The Lifeline starts connecting one microtask after construction.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { init, Lifeline, SEED_PATTERN, DEFAULTS } from '../js/index.js';
import { FakeTime, FakeTransport, FakePlatform, makeFakeWebSocket, flush } from './support/fakes.mjs';
import { URL_, TYPES, record, rig, started, opened, withoutType, captureReported } from './support/rig.mjs';

before(async () => {
  await init();
});

// --- the fakes themselves ------------------------------------------------------------------------------

describe('fakes', () => {
  test('FakeTime runs due timers in time order, including those set while advancing', () => {
    const time = new FakeTime();
    const ran = [];
    time.setTimeout(() => ran.push(['b', time.now()]), 20);
    time.setTimeout(() => {
      ran.push(['a', time.now()]);
      time.setTimeout(() => ran.push(['a2', time.now()]), 5); // due at 15: inside the window
      time.setTimeout(() => ran.push(['a3', time.now()]), 100); // outside
    }, 10);
    const cleared = time.setTimeout(() => ran.push(['never', time.now()]), 1);
    time.clearTimeout(cleared);
    time.advance(30);
    assert.deepEqual(ran, [['a', 10], ['a2', 15], ['b', 20]]);
    assert.equal(time.now(), 30);
    assert.equal(time.pending(), 1);
    assert.equal(time.nextAt(), 110);
    time.jump(200);
    assert.equal(time.pending(), 1, 'jump() runs nothing');
    time.runDue();
    assert.deepEqual(ran.at(-1), ['a3', 230], 'an overdue timer runs late, at the current time');
    time.setTimeout(() => time.setTimeout(() => ran.push(['idle', time.now()]), 50), 50);
    assert.equal(time.runUntilIdle(), 2);
    assert.deepEqual(ran.at(-1), ['idle', 330]);
    assert.equal(time.maxPending, 3);
  });

  test('FakeTransport and FakePlatform record what happens', () => {
    const transport = FakeTransport();
    const calls = [];
    const handlers = { open: () => calls.push('open'), message: (d) => calls.push(d), error: () => calls.push('error'), close: (c) => calls.push(c) };
    const s = transport('ws://x', ['p'], handlers, 'arraybuffer');
    assert.equal(transport.last, s);
    assert.deepEqual([s.url, s.protocols, s.binaryType], ['ws://x', ['p'], 'arraybuffer']);
    s.open({ protocol: 'p' }).message('m').error().remoteClose(4000, 'r', true);
    assert.deepEqual(calls, ['open', 'm', 'error', 4000]);
    assert.equal(s.protocol, 'p');
    assert.equal(transport.liveCount, 0);
    const s2 = transport('ws://y', undefined, handlers, 'blob');
    assert.equal(transport.liveCount, 1);
    s2.close(1000, '', false);
    assert.deepEqual(s2.closed, { code: 1000, reason: '', abandon: false });
    assert.equal(transport.liveCount, 0);
    const platform = new FakePlatform({ online: false });
    assert.deepEqual(platform.initial(), { online: false, foreground: true });
    const seen = [];
    const off = platform.subscribe({ network: (o) => seen.push(['net', o]), foreground: (f) => seen.push(['fg', f]) });
    assert.equal(platform.subscribed, true);
    platform.goOnline();
    platform.hide();
    off();
    platform.show();
    assert.equal(platform.subscribed, false);
    assert.deepEqual(seen, [['net', true], ['fg', false]]);
  });
});

// --- connecting, events, readyState ------------------------------------------------------------------

describe('connecting and events', () => {
  test('starts connecting one microtask after construction, not synchronously', async (t) => {
    const { ll, transport, events } = rig(t);
    assert.equal(ll.state, 'idle');
    assert.equal(ll.readyState, Lifeline.CONNECTING);
    assert.equal(transport.sockets.length, 0);
    assert.equal(ll.url, URL_);
    await flush();
    assert.equal(transport.sockets.length, 1);
    const s = transport.last;
    assert.equal(s.url, URL_);
    assert.equal(s.protocols, undefined);
    assert.equal(s.binaryType, 'blob');
    assert.equal(ll.state, 'connecting');
    assert.equal(ll.readyState, Lifeline.CONNECTING);
    assert.deepEqual(events, [{ type: 'statechange', from: 'idle', to: 'connecting' }]);
    assert.equal(ll.stats.attempts, 1);
    assert.equal(ll.stats.connects, 0);
  });

  test('open: event, readyState OPEN, state open, protocol and extensions of the socket', async (t) => {
    const { ll, transport, events } = await started(t, { protocols: ['chat', 'superchat'] });
    const s = transport.last;
    assert.deepEqual(s.protocols, ['chat', 'superchat']);
    assert.equal(ll.protocol, '');
    events.clear();
    s.open({ protocol: 'chat', extensions: 'permessage-deflate' });
    assert.deepEqual(events, [
      { type: 'statechange', from: 'connecting', to: 'open' },
      { type: 'open' },
    ]);
    assert.equal(ll.readyState, Lifeline.OPEN);
    assert.equal(ll.readyState, ll.OPEN);
    assert.equal(ll.state, 'open');
    assert.equal(ll.protocol, 'chat');
    assert.equal(ll.extensions, 'permessage-deflate');
    assert.equal(ll.stats.connects, 1);
    s.setBufferedAmount(17);
    assert.equal(ll.bufferedAmount, 17);
  });

  test('a single protocol string is passed as a one-element list', async (t) => {
    const { transport } = await started(t, { protocols: 'chat' });
    assert.deepEqual(transport.last.protocols, ['chat']);
  });

  test('message events carry the data as received; messagesReceived counts them', async (t) => {
    const { ll, transport, events } = await opened(t);
    const bytes = new Uint8Array([1, 2, 3]);
    transport.last.message('hello').message(bytes.buffer).message(bytes);
    assert.deepEqual(events.of('message').map((e) => e.data), ['hello', bytes.buffer, bytes]);
    assert.equal(events.of('message')[1].data, bytes.buffer, 'the same object, not a copy');
    assert.equal(ll.stats.messagesReceived, 3);
  });

  test('close(code, reason): close event, the socket closed with a handshake, readyState CLOSED', async (t) => {
    const { ll, transport, events, time } = await opened(t);
    ll.close(4100, 'bye');
    assert.deepEqual(transport.last.closed, { code: 4100, reason: 'bye', abandon: false });
    assert.deepEqual(events, [
      { type: 'statechange', from: 'open', to: 'closed' },
      { type: 'close', code: 4100, reason: 'bye', wasClean: true, willReconnect: false, cause: 'explicit' },
    ]);
    assert.equal(ll.readyState, Lifeline.CLOSED);
    assert.equal(ll.state, 'closed');
    assert.equal(time.pending(), 0);
  });

  test('close() without arguments: code 1000 and an empty reason', async (t) => {
    const { ll, transport, events } = await opened(t);
    ll.close();
    assert.deepEqual(transport.last.closed, { code: 1000, reason: '', abandon: false });
    assert.deepEqual(withoutType(events.of('close')[0]), {
      code: 1000,
      reason: '',
      wasClean: true,
      willReconnect: false,
      cause: 'explicit',
    });
  });

  test('error: an error event, the socket abandoned, and one reconnect although its close follows', async (t) => {
    const { ll, transport, events, time } = await opened(t);
    const s1 = transport.last;
    const boom = new Error('boom');
    s1.error(boom);
    assert.equal(events.of('error').length, 1);
    assert.equal(events.of('error')[0].error, boom);
    assert.equal(events.of('error')[0].message, 'boom');
    assert.deepEqual(s1.closed, { code: 1006, reason: 'error', abandon: true });
    assert.deepEqual(withoutType(events.of('close')[0]), {
      code: 1006,
      reason: 'error',
      wasClean: false,
      willReconnect: true,
      cause: 'error',
    });
    assert.deepEqual(events.of('reconnecting').map(withoutType), [{ attempt: 1, delay: 1000 }]);
    assert.equal(ll.state, 'backoff');
    assert.equal(ll.readyState, Lifeline.CONNECTING);
    // The close that usually follows an error belongs to an abandoned socket.
    events.clear();
    s1.remoteClose(1006, '', false);
    assert.deepEqual(events, []);
    time.advance(999);
    assert.equal(transport.sockets.length, 1);
    time.advance(1);
    assert.equal(transport.sockets.length, 2);
    time.advance(5000);
    assert.equal(transport.sockets.length, 2, 'exactly one reconnect');
  });

  test('error event message: a string detail, or "error" without one', async (t) => {
    const { transport, events, time } = await opened(t);
    transport.last.error('network down');
    assert.equal(events.of('error')[0].message, 'network down');
    assert.equal(events.of('error')[0].error, 'network down');
    time.advance(1000);
    transport.last.error({});
    assert.equal(events.of('error')[1].message, 'error');
  });

  test('remote close: the server code and reason, cause remote, then a reconnect', async (t) => {
    const { ll, transport, events } = await opened(t);
    transport.last.remoteClose(4500, 'going away for a bit', true);
    assert.deepEqual(events.map((e) => (e.type === 'statechange' ? `${e.from}->${e.to}` : e.type)), [
      'open->backoff',
      'close',
      'reconnecting',
    ]);
    assert.deepEqual(withoutType(events.of('close')[0]), {
      code: 4500,
      reason: 'going away for a bit',
      wasClean: true,
      willReconnect: true,
      cause: 'remote',
    });
    assert.deepEqual(withoutType(events.of('reconnecting')[0]), { attempt: 1, delay: 1000 });
    assert.equal(transport.last.closed, null, 'a closed socket is not closed again');
    assert.equal(ll.readyState, Lifeline.CONNECTING);
  });

  test('readyState constants on the class and the instance; CLOSING is never used', async (t) => {
    assert.equal(Lifeline.CONNECTING, 0);
    assert.equal(Lifeline.OPEN, 1);
    assert.equal(Lifeline.CLOSING, 2);
    assert.equal(Lifeline.CLOSED, 3);
    const { ll, transport, time } = rig(t, { maxRetries: 1 });
    assert.deepEqual([ll.CONNECTING, ll.OPEN, ll.CLOSING, ll.CLOSED], [0, 1, 2, 3]);
    const seen = [[ll.state, ll.readyState]];
    ll.addEventListener('statechange', () => seen.push([ll.state, ll.readyState]));
    await flush();
    transport.last.open();
    transport.last.remoteClose(1006);
    time.advance(1000);
    transport.last.remoteClose(1006);
    ll.reconnect();
    ll.close();
    // reconnect() schedules its fresh attempt (backoff) rather than starting it inside the call.
    assert.deepEqual(seen, [
      ['idle', 0],
      ['connecting', 0],
      ['open', 1],
      ['backoff', 0],
      ['connecting', 0],
      ['gave-up', 3],
      ['backoff', 0],
      ['closed', 3],
    ]);
  });

  test('paused: readyState CONNECTING', async (t) => {
    const platform = new FakePlatform({ online: false });
    const { ll } = await started(t, { platform });
    assert.equal(ll.state, 'paused');
    assert.equal(ll.readyState, Lifeline.CONNECTING);
  });

  test('binaryType: the option reaches the transport; the setter applies to the next socket', async (t) => {
    const { ll, transport, time } = await opened(t, { binaryType: 'arraybuffer' });
    assert.equal(transport.last.binaryType, 'arraybuffer');
    assert.equal(ll.binaryType, 'arraybuffer');
    ll.binaryType = 'blob';
    assert.equal(ll.binaryType, 'blob');
    transport.last.remoteClose(1006);
    time.advance(1000);
    assert.equal(transport.last.binaryType, 'blob');
  });

  test('binaryType set right after construction applies to the first socket', async (t) => {
    const { ll, transport } = rig(t);
    ll.binaryType = 'arraybuffer';
    await flush();
    assert.equal(transport.last.binaryType, 'arraybuffer');
  });

  test('DEFAULTS are the documented ones and frozen', () => {
    assert.deepEqual({ ...DEFAULTS }, {
      pingInterval: 10000,
      pongTimeout: 10000,
      connectTimeout: 10000,
      reconnectDelay: 1000,
      maxReconnectDelay: 18000,
      backoffFactor: 3,
      jitter: 0.75,
      maxRetries: Infinity,
      minUptime: 5000,
      timerSlack: 2000,
      answerServerPings: true,
      pauseInBackground: false,
      adaptivePongTimeout: false,
      minPongTimeout: 400,
      serverHints: true,
      restartWindow: 10000,
      maxHintDelay: 300000,
      resume: false,
      pingMessage: 'ping',
      pongMessage: 'pong',
      pongReply: 'pong',
      maxQueued: 1000,
      maxQueuedBytes: 1048576,
      binaryType: 'blob',
    });
    assert.ok(Object.isFrozen(DEFAULTS));
  });
});

// --- listeners -----------------------------------------------------------------------------------

describe('listeners', () => {
  test('on<type> is called first, then the listeners, all with the same event (type, target)', async (t) => {
    const { ll, transport } = await started(t);
    const calls = [];
    ll.addEventListener('open', (e) => calls.push(['listener', e]));
    ll.onopen = (e) => calls.push(['onopen', e]);
    transport.last.open();
    assert.deepEqual(calls.map((c) => c[0]), ['onopen', 'listener']);
    assert.equal(calls[0][1], calls[1][1]);
    assert.equal(calls[0][1].type, 'open');
    assert.equal(calls[0][1].target, ll);
  });

  test('every on<type> property works', async (t) => {
    const { ll, transport, time } = await started(t, { maxRetries: 1, maxQueued: 0 });
    const got = [];
    const types = TYPES.filter((type) => type !== 'expired'); // resume only: resume-client.test.mjs
    for (const type of types) ll['on' + type] = (e) => got.push(e.type);
    transport.last.open();
    transport.last.message('m');
    time.advance(10000); // ping
    transport.last.message('pong'); // heartbeat
    transport.last.error('e'); // error, close, reconnecting
    ll.send('x'); // dropped: maxQueued 0
    time.advance(1000);
    transport.last.remoteClose(1006); // giveup
    for (const type of types) assert.ok(got.includes(type), `on${type} was called`);
  });

  test('addEventListener: once, removeEventListener, duplicates ignored, handleEvent objects', async (t) => {
    const { ll, transport } = await opened(t);
    const s = transport.last;
    const got = [];
    const a = (e) => got.push('a:' + e.data);
    const once = (e) => got.push('once:' + e.data);
    const obj = { handleEvent(e) { got.push('obj:' + e.data + ':' + (this === obj)); } };
    ll.addEventListener('message', a);
    ll.addEventListener('message', a); // the same listener twice: once
    ll.addEventListener('message', once, { once: true });
    ll.addEventListener('message', obj);
    ll.addEventListener('message', null); // ignored, as by EventTarget
    s.message('1');
    s.message('2');
    ll.removeEventListener('message', a);
    ll.removeEventListener('message', obj);
    ll.removeEventListener('message', () => {}); // unknown: no effect
    ll.removeEventListener('nothing', a);
    s.message('3');
    assert.deepEqual(got, ['a:1', 'once:1', 'obj:1:true', 'a:2', 'obj:2:true']);
  });

  test('setting on<type> to null stops it; assigning replaces it', async (t) => {
    const { ll, transport } = await opened(t);
    const got = [];
    ll.onmessage = (e) => got.push('first:' + e.data);
    transport.last.message('1');
    ll.onmessage = (e) => got.push('second:' + e.data);
    transport.last.message('2');
    ll.onmessage = null;
    transport.last.message('3');
    assert.deepEqual(got, ['first:1', 'second:2']);
  });

  test('a listener added during an event is not called for that event', async (t) => {
    const { ll, transport } = await opened(t);
    const got = [];
    const late = (e) => got.push('late:' + e.data);
    ll.addEventListener('message', (e) => {
      got.push('first:' + e.data);
      ll.addEventListener('message', late);
    });
    transport.last.message('1');
    transport.last.message('2');
    assert.deepEqual(got, ['first:1', 'first:2', 'late:2']);
  });

  test('a listener removed by an earlier one during an event is not called (as EventTarget does)', async (t) => {
    const { ll, transport } = await opened(t);
    const got = [];
    const second = (e) => got.push('second:' + e.data);
    ll.addEventListener('message', (e) => {
      got.push('first:' + e.data);
      ll.removeEventListener('message', second);
    });
    ll.addEventListener('message', second);
    transport.last.message('1');
    assert.deepEqual(got, ['first:1']);
  });

  test('a listener removed by onmessage is not called', async (t) => {
    const { ll, transport } = await opened(t);
    const got = [];
    const removed = () => got.push('removed');
    ll.addEventListener('message', removed);
    ll.onmessage = () => {
      got.push('onmessage');
      ll.removeEventListener('message', removed);
    };
    transport.last.message('x');
    assert.deepEqual(got, ['onmessage']);
  });

  test('a throwing listener stops neither the other listeners nor the connection; its error is rethrown later', async (t) => {
    const { ll, transport, time } = await started(t);
    const oops = new Error('listener bug');
    const got = [];
    ll.onopen = () => {
      throw oops;
    };
    ll.addEventListener('open', () => {
      throw oops;
    });
    ll.addEventListener('open', () => got.push('second listener'));
    ll.send('queued');
    const reported = captureReported(() => transport.last.open());
    assert.deepEqual(reported, [oops, oops]);
    assert.deepEqual(got, ['second listener']);
    assert.equal(ll.state, 'open');
    assert.deepEqual(transport.last.sent, ['queued']);
    // and the connection goes on working
    ll.onmessage = () => {
      throw oops;
    };
    const again = captureReported(() => transport.last.message('data'));
    assert.deepEqual(again, [oops]);
    time.advance(10000);
    assert.deepEqual(transport.last.sent, ['queued', 'ping']);
    transport.last.message('pong');
    assert.equal(ll.stats.pongsReceived, 1);
  });
});

// --- heartbeat -----------------------------------------------------------------------------------

describe('heartbeat', () => {
  test('a ping after pingInterval of inbound silence, not before', async (t) => {
    const { ll, transport, time } = await opened(t);
    const s = transport.last;
    time.advance(9999);
    assert.deepEqual(s.sent, []);
    time.advance(1);
    assert.deepEqual(s.sentAt, [{ data: 'ping', at: 10000 }]);
    assert.equal(ll.stats.pingsSent, 1);
    assert.equal(ll.stats.messagesSent, 0, 'pings are not app messages');
  });

  test('a pong: heartbeat event with the rtt, not delivered as a message; the next ping pingInterval later', async (t) => {
    const { ll, transport, time, events } = await opened(t);
    const s = transport.last;
    time.advance(10000);
    time.advance(30);
    s.message('pong');
    assert.deepEqual(events.map(withoutType), [{ rtt: 30 }]);
    assert.equal(events[0].type, 'heartbeat');
    assert.equal(ll.stats.pongsReceived, 1);
    assert.equal(ll.stats.lastRtt, 30);
    assert.equal(ll.stats.messagesReceived, 0);
    time.advance(9999);
    assert.equal(s.sent.length, 1);
    time.advance(1);
    assert.deepEqual(s.sentAt.map((x) => x.at), [10000, 20030]);
  });

  test('lastRtt is null before the first pong', async (t) => {
    const { ll } = await opened(t);
    assert.equal(ll.stats.lastRtt, null);
  });

  test('any inbound message postpones the ping: a busy connection sends no pings', async (t) => {
    const { ll, transport, time } = await opened(t);
    const s = transport.last;
    for (let i = 0; i < 60; i++) {
      time.advance(5000);
      s.message(`tick ${i}`);
    }
    assert.deepEqual(s.sent, []);
    assert.equal(ll.stats.pingsSent, 0);
    assert.equal(ll.stats.messagesReceived, 60);
    time.advance(9999);
    assert.deepEqual(s.sent, []);
    time.advance(1);
    assert.deepEqual(s.sent, ['ping']);
  });

  test('a message after a ping proves life as well as a pong (no verdict)', async (t) => {
    const { ll, transport, time, events } = await opened(t);
    const s = transport.last;
    time.advance(10000); // ping
    time.advance(5000);
    s.message('data');
    time.advance(9999);
    assert.equal(s.closed, null);
    assert.equal(ll.stats.deadLinks, 0);
    time.advance(1); // 25000: silence since 15000
    assert.deepEqual(s.sentAt.map((x) => x.at), [10000, 25000]);
    assert.equal(events.of('heartbeat').length, 0, 'no rtt without a pong');
  });

  test('pingMessage: a string', async (t) => {
    const { transport, time } = await opened(t, { pingMessage: '{"type":"ping"}' });
    time.advance(10000);
    assert.deepEqual(transport.last.sent, ['{"type":"ping"}']);
  });

  test('pingMessage: an ArrayBuffer, sent as is', async (t) => {
    const ping = new Uint8Array([0x89]).buffer;
    const { transport, time } = await opened(t, { pingMessage: ping });
    time.advance(10000);
    assert.equal(transport.last.sent[0], ping);
  });

  test('pingMessage: a function, called for each ping', async (t) => {
    let n = 0;
    const { transport, time } = await opened(t, { pingMessage: () => `ping ${++n}` });
    time.advance(10000);
    transport.last.message('pong');
    time.advance(10000);
    assert.deepEqual(transport.last.sent, ['ping 1', 'ping 2']);
  });

  test('pongMessage: a custom string is the pong, and "pong" becomes an ordinary message', async (t) => {
    const { ll, transport, time, events } = await opened(t, { pongMessage: '{"type":"pong"}' });
    time.advance(10000);
    transport.last.message('pong');
    assert.deepEqual(events.of('message').map((e) => e.data), ['pong']);
    transport.last.message('{"type":"pong"}');
    assert.equal(events.of('heartbeat').length, 1);
    assert.equal(events.of('message').length, 1);
    assert.equal(ll.stats.pongsReceived, 1);
  });

  test('pongMessage: binary, matched byte for byte whether it arrives as ArrayBuffer or view', async (t) => {
    const { transport, time, events } = await opened(t, { pongMessage: new Uint8Array([0x8a, 0x01]), binaryType: 'arraybuffer' });
    const s = transport.last;
    time.advance(10000);
    s.message(new Uint8Array([0x8a, 0x01]).buffer);
    time.advance(10000);
    s.message(new Uint8Array([0, 0x8a, 0x01]).subarray(1));
    time.advance(10000);
    s.message(new Uint8Array([0x8a, 0x02]).buffer); // not the pong
    s.message('\u008a\u0001'); // a string is never a binary pong
    assert.equal(events.of('heartbeat').length, 2);
    assert.equal(events.of('message').length, 2);
  });

  test('isPong replaces pongMessage', async (t) => {
    const { transport, time, events } = await opened(t, {
      isPong: (d) => typeof d === 'string' && d.startsWith('{"pong"'),
    });
    time.advance(10000);
    transport.last.message('pong');
    transport.last.message('{"pong":1}');
    assert.deepEqual(events.of('message').map((e) => e.data), ['pong']);
    assert.equal(events.of('heartbeat').length, 1);
  });

  test('isServerPing: answered with pongReply at once, not delivered, and it proves life', async (t) => {
    const { ll, transport, time, events } = await opened(t, { isServerPing: (d) => d === 'server-ping' });
    const s = transport.last;
    time.advance(6000);
    s.message('server-ping');
    assert.deepEqual(s.sentAt, [{ data: 'pong', at: 6000 }]);
    assert.equal(events.of('message').length, 0);
    assert.equal(ll.stats.messagesReceived, 0);
    assert.equal(ll.stats.messagesSent, 0, 'a pong reply is not an app message');
    time.advance(9999); // 15999: silence since 6000
    assert.deepEqual(s.sent, ['pong']);
    time.advance(1);
    assert.deepEqual(s.sent, ['pong', 'ping']);
  });

  test('pongReply: binary and function', async (t) => {
    const reply = new Uint8Array([0x8a]);
    const a = await opened(t, { isServerPing: (d) => d === 'sp', pongReply: reply });
    a.transport.last.message('sp');
    assert.equal(a.transport.last.sent[0], reply);
    let n = 0;
    const b = await opened(t, { isServerPing: (d) => d === 'sp', pongReply: () => `pong ${++n}` });
    b.transport.last.message('sp').message('sp');
    assert.deepEqual(b.transport.last.sent, ['pong 1', 'pong 2']);
  });

  test('a pong is checked before isServerPing', async (t) => {
    const { transport, time, events } = await opened(t, { isServerPing: () => true });
    time.advance(10000);
    transport.last.message('pong');
    assert.equal(events.of('heartbeat').length, 1);
    assert.deepEqual(transport.last.sent, ['ping']);
  });

  test('a pingMessage function that throws: an error event naming it; the ping is judged by its deadline like any other', async (t) => {
    const bad = new Error('cannot build ping');
    const { ll, transport, time, events } = await opened(t, {
      pingMessage: () => {
        throw bad;
      },
    });
    time.advance(10000);
    assert.deepEqual(events.of('error').map(withoutType), [{ error: bad, message: 'options.pingMessage: cannot build ping' }]);
    assert.deepEqual(transport.last.sent, []);
    assert.equal(ll.stats.pingsSent, 1);
    time.advance(10000);
    assert.equal(transport.sockets[0].closed?.code, 4000);
  });

  test('pingInterval Infinity: no heartbeat and no timer while open', async (t) => {
    const { ll, transport, time } = await opened(t, { pingInterval: Infinity });
    assert.equal(time.pending(), 0);
    time.advance(1e9);
    assert.deepEqual(transport.last.sent, []);
    assert.equal(ll.state, 'open');
  });

  test('an interval beyond setTimeout\'s limit is waited out in several timers', async (t) => {
    const { transport, time } = await opened(t, { pingInterval: 3e9 });
    assert.deepEqual(time.delays.at(-1), 2147483647);
    time.advance(2147483647);
    assert.deepEqual(transport.last.sent, []);
    assert.equal(time.pending(), 1);
    time.advance(3e9 - 2147483647);
    assert.deepEqual(transport.last.sentAt, [{ data: 'ping', at: 3e9 }]);
  });
});

// --- dead links ----------------------------------------------------------------------------------

describe('dead links', () => {
  test('pong timeout: the socket is abandoned with 4000 and replaced after the delay, without waiting for its close', async (t) => {
    const { ll, transport, time, events } = await opened(t);
    const s1 = transport.last;
    time.advance(10000); // ping
    time.advance(9999);
    assert.equal(s1.closed, null);
    time.advance(1); // 20000
    assert.deepEqual(s1.closed, { code: 4000, reason: 'pong-timeout', abandon: true });
    assert.deepEqual(withoutType(events.of('close')[0]), {
      code: 4000,
      reason: 'pong-timeout',
      wasClean: false,
      willReconnect: true,
      cause: 'pong-timeout',
    });
    assert.deepEqual(events.of('reconnecting').map(withoutType), [{ attempt: 1, delay: 1000 }]);
    assert.equal(ll.stats.deadLinks, 1);
    assert.equal(ll.state, 'backoff');
    time.advance(1000);
    assert.equal(transport.sockets.length, 2, 'the new attempt did not wait for the old socket');
    assert.equal(transport.last.createdAt, 21000);
    assert.equal(s1.remoteClosed, null);
  });

  test('events of an abandoned socket are ignored, whenever they come', async (t) => {
    const { ll, transport, time, events } = await opened(t);
    const s1 = transport.last;
    time.advance(20000); // dead at 20000
    time.advance(1000); // new attempt
    const s2 = transport.last;
    s2.open();
    events.clear();
    s1.message('late data');
    s1.message('pong');
    s1.open();
    s1.error('late error');
    s1.remoteClose(1006, '', false);
    assert.deepEqual(events, []);
    assert.equal(ll.state, 'open');
    assert.equal(ll.stats.messagesReceived, 0);
    assert.equal(s2.closed, null);
    s2.message('fresh');
    assert.deepEqual(events.of('message').map((e) => e.data), ['fresh']);
  });

  test('connect timeout: 4001, the attempt abandoned and retried', async (t) => {
    const { ll, transport, time, events } = await started(t, { connectTimeout: 3000 });
    const s1 = transport.last;
    time.advance(2999);
    assert.equal(s1.closed, null);
    time.advance(1);
    assert.deepEqual(s1.closed, { code: 4001, reason: 'connect-timeout', abandon: true });
    assert.deepEqual(withoutType(events.of('close')[0]), {
      code: 4001,
      reason: 'connect-timeout',
      wasClean: false,
      willReconnect: true,
      cause: 'connect-timeout',
    });
    assert.equal(ll.readyState, Lifeline.CONNECTING);
    time.advance(1000);
    assert.equal(transport.sockets.length, 2);
    s1.open(); // too late: ignored
    assert.equal(ll.state, 'connecting');
    transport.last.open();
    assert.equal(ll.state, 'open');
  });

  test('pongTimeout Infinity: an unanswered ping never condemns the link', async (t) => {
    const { ll, transport, time } = await opened(t, { pongTimeout: Infinity });
    time.advance(10000);
    assert.deepEqual(transport.last.sent, ['ping']);
    assert.equal(time.pending(), 0);
    time.advance(1e9);
    assert.equal(ll.state, 'open');
    assert.equal(transport.last.closed, null);
  });

  test('connectTimeout Infinity: an attempt may take forever', async (t) => {
    const { ll, transport, time } = await started(t, { connectTimeout: Infinity });
    assert.equal(time.pending(), 0);
    time.advance(1e9);
    assert.equal(ll.state, 'connecting');
    assert.equal(transport.sockets.length, 1);
  });
});

// --- backoff, retries, giving up ------------------------------------------------------------------

describe('backoff', () => {
  test('without jitter: 1000, 2000, 4000 ... capped at maxReconnectDelay', async (t) => {
    const { transport, time, events } = await started(t, { maxReconnectDelay: 20000 });
    const expected = [1000, 2000, 4000, 8000, 16000, 20000, 20000];
    for (const [i, delay] of expected.entries()) {
      const before = transport.sockets.length;
      transport.last.remoteClose(1006);
      assert.deepEqual(withoutType(events.of('reconnecting').at(-1)), { attempt: i + 1, delay });
      time.advance(delay - 1);
      assert.equal(transport.sockets.length, before, `attempt ${i + 1} not before ${delay} ms`);
      time.advance(1);
      assert.equal(transport.sockets.length, before + 1, `attempt ${i + 1} after ${delay} ms`);
    }
  });

  test('backoffFactor and reconnectDelay shape the delays', async (t) => {
    const { transport, time, events } = await started(t, { reconnectDelay: 500, backoffFactor: 3, maxReconnectDelay: 10000 });
    for (let i = 0; i < 5; i++) {
      transport.last.remoteClose(1006);
      time.advance(events.of('reconnecting').at(-1).delay);
    }
    assert.deepEqual(events.of('reconnecting').map((e) => e.delay), [500, 1500, 4500, 10000, 10000]);
  });

  test('reconnectDelay 0: the next attempt 1 ms later, from a timer, never inside the close', async (t) => {
    const { transport, time, events } = await started(t, { reconnectDelay: 0, maxReconnectDelay: 0 });
    transport.last.remoteClose(1006);
    assert.equal(transport.sockets.length, 1);
    assert.deepEqual(withoutType(events.of('reconnecting')[0]), { attempt: 1, delay: 1 });
    time.advance(1);
    assert.equal(transport.sockets.length, 2);
  });

  test('jitter: seeded delays are reproducible, within [delay * (1 - jitter), delay]', async (t) => {
    const delaysOf = async (seed, jitter) => {
      const { transport, time, events } = await started(t, { seed, jitter });
      for (let i = 0; i < 6; i++) {
        transport.last.remoteClose(1006);
        time.advance(events.of('reconnecting').at(-1).delay);
      }
      return events.of('reconnecting').map((e) => e.delay);
    };
    const base = [1000, 2000, 4000, 8000, 16000, 30000];
    const a = await delaysOf(42, 1);
    const b = await delaysOf(42, 1);
    const c = await delaysOf(43, 1);
    assert.deepEqual(a, b, 'same seed, same schedule');
    assert.notDeepEqual(a, c, 'another seed, another schedule');
    a.forEach((d, i) => assert.ok(d >= 0 && d <= base[i], `${d} within [0, ${base[i]}]`));
    const half = await delaysOf(42, 0.5);
    half.forEach((d, i) => assert.ok(d >= base[i] / 2 && d <= base[i], `${d} within [${base[i] / 2}, ${base[i]}]`));
  });

  test('the failure count resets only after a connection lived minUptime', async (t) => {
    const { transport, time, events } = await started(t);
    transport.last.remoteClose(1006); // 1000
    time.advance(1000);
    transport.last.remoteClose(1006); // 2000
    time.advance(2000);
    transport.last.open();
    time.advance(4999);
    transport.last.remoteClose(1006); // lived 4999 ms: 4000
    time.advance(4000);
    transport.last.open();
    time.advance(5000);
    transport.last.remoteClose(1006); // lived 5000 ms: back to 1000
    assert.deepEqual(events.of('reconnecting').map(withoutType), [
      { attempt: 1, delay: 1000 },
      { attempt: 2, delay: 2000 },
      { attempt: 3, delay: 4000 },
      { attempt: 1, delay: 1000 },
    ]);
  });

  test('a dead link was useful only until its last sign of life', async (t) => {
    const { transport, time, events } = await started(t);
    transport.last.remoteClose(1006);
    time.advance(1000);
    transport.last.open(); // at 1000, retries 1
    time.advance(2000);
    transport.last.message('x'); // last sign of life at 3000
    time.advance(30000); // ping at 13000, verdict at 23000: 22 s later, but useful for 2 s only
    assert.deepEqual(events.of('reconnecting').map(withoutType), [
      { attempt: 1, delay: 1000 },
      { attempt: 2, delay: 2000 },
    ]);
  });

  test('maxRetries: then giveup; nothing happens afterwards; reconnect() starts a fresh run', async (t) => {
    const { ll, transport, time, events } = await started(t, { maxRetries: 2 });
    transport.last.remoteClose(1006);
    time.advance(1000);
    transport.last.remoteClose(1006);
    time.advance(2000);
    events.clear();
    transport.last.remoteClose(1006);
    assert.deepEqual(events, [
      { type: 'statechange', from: 'connecting', to: 'gave-up' },
      { type: 'close', code: 1006, reason: '', wasClean: false, willReconnect: false, cause: 'remote' },
      { type: 'giveup', attempts: 2 },
    ]);
    assert.equal(ll.state, 'gave-up');
    assert.equal(ll.readyState, Lifeline.CLOSED);
    assert.equal(time.pending(), 0);
    time.advance(1e8);
    assert.equal(transport.sockets.length, 3);
    assert.equal(ll.stats.retries, 2);
    events.clear();
    assert.equal(ll.reconnect(), true);
    assert.equal(transport.sockets.length, 3, 'the fresh attempt comes from the next timer');
    time.advance(1);
    assert.equal(transport.sockets.length, 4);
    assert.deepEqual(events, [
      { type: 'statechange', from: 'gave-up', to: 'backoff' },
      { type: 'reconnecting', attempt: 0, delay: 1 },
      { type: 'statechange', from: 'backoff', to: 'connecting' },
    ]);
    assert.equal(ll.stats.retries, 0);
    transport.last.open();
    assert.equal(ll.state, 'open');
    transport.last.remoteClose(1006);
    assert.deepEqual(withoutType(events.of('reconnecting').at(-1)), { attempt: 1, delay: 1000 });
  });

  test('maxRetries 0: the first failure gives up', async (t) => {
    const { ll, transport, events } = await started(t, { maxRetries: 0 });
    transport.last.remoteClose(1006);
    assert.deepEqual(events.of('giveup').map(withoutType), [{ attempts: 0 }]);
    assert.equal(ll.state, 'gave-up');
  });

  test('reconnect() while open: the socket closed with 4002 (handshake), a new one 1 ms later', async (t) => {
    const { ll, transport, time, events } = await opened(t);
    const s1 = transport.last;
    time.advance(500);
    /** @type {any[]} */
    const inClose = [];
    ll.addEventListener('close', () => inClose.push([ll.state, ll.readyState]));
    assert.equal(ll.reconnect(), true);
    assert.deepEqual(s1.closed, { code: 4002, reason: 'forced', abandon: false });
    assert.deepEqual(inClose, [['backoff', Lifeline.CONNECTING]], 'the close event carries the state after the change');
    assert.equal(ll.reconnect(), false, 'a fresh attempt is already due');
    time.advance(1);
    assert.deepEqual(events.map((e) => (e.type === 'statechange' ? `${e.from}->${e.to}` : e.type)), [
      'open->backoff',
      'close',
      'reconnecting',
      'backoff->connecting',
    ]);
    assert.deepEqual(withoutType(events.of('close')[0]), {
      code: 4002,
      reason: 'forced',
      wasClean: true,
      willReconnect: true,
      cause: 'forced',
    });
    assert.equal(transport.sockets.length, 2);
    assert.equal(transport.last.createdAt, 501);
    s1.remoteClose(4002, 'forced', true);
    assert.equal(ll.state, 'connecting');
  });

  test('reconnect() during backoff attempts 1 ms later, and the backoff timer is gone', async (t) => {
    const { ll, transport, time } = await opened(t);
    transport.last.remoteClose(1006);
    time.advance(200);
    assert.equal(ll.reconnect(), true);
    time.advance(1);
    assert.equal(transport.sockets.length, 2);
    time.advance(5000);
    assert.equal(transport.sockets.length, 2);
  });

  test('reconnect() before the start does nothing (false) and the start still happens', async (t) => {
    const { ll, transport } = rig(t);
    assert.equal(ll.reconnect(), false);
    await flush();
    assert.equal(transport.sockets.length, 1);
  });
});

// --- closing ---------------------------------------------------------------------------------------

describe('closing', () => {
  test('close() is final: no socket ever after, platform unsubscribed, reconnect() false', async (t) => {
    const platform = new FakePlatform();
    const { ll, transport, time, events } = await opened(t, { platform });
    assert.equal(platform.subscribed, true);
    assert.equal(platform.subscribeCalls, 1);
    ll.close();
    assert.equal(platform.subscribed, false);
    assert.equal(time.pending(), 0);
    time.advance(1e9);
    platform.goOffline();
    platform.goOnline();
    platform.show();
    assert.equal(ll.reconnect(), false);
    time.advance(1e9);
    assert.equal(transport.sockets.length, 1);
    assert.equal(ll.state, 'closed');
    assert.equal(events.of('close').length, 1);
    assert.equal(ll.stats.state, 'closed');
    assert.equal(ll.stats.connects, 1, 'stats still readable after close');
  });

  test('close() during backoff cancels the pending attempt', async (t) => {
    const { ll, transport, time, events } = await opened(t);
    transport.last.remoteClose(1006);
    events.clear();
    ll.close();
    // The app had the socket's close event when it went; no socket now, so no second one.
    assert.deepEqual(events, [{ type: 'statechange', from: 'backoff', to: 'closed' }]);
    assert.equal(ll.readyState, Lifeline.CLOSED);
    time.advance(1e9);
    assert.equal(transport.sockets.length, 1);
  });

  test('close() while connecting closes the connecting socket; its later open is ignored', async (t) => {
    const { ll, transport, time, events } = await started(t);
    ll.close(3001, 'never mind');
    assert.deepEqual(transport.last.closed, { code: 3001, reason: 'never mind', abandon: false });
    transport.last.open();
    assert.equal(events.of('open').length, 0);
    assert.equal(ll.readyState, Lifeline.CLOSED);
    time.advance(1e9);
    assert.equal(transport.sockets.length, 1);
  });

  test('close() before the start: closed at once, no close event (no socket existed), and no socket ever', async (t) => {
    const { ll, transport, time, events } = rig(t);
    ll.close(4000, 'changed my mind');
    assert.deepEqual(events, [{ type: 'statechange', from: 'idle', to: 'closed' }]);
    assert.equal(ll.state, 'closed');
    assert.equal(ll.readyState, Lifeline.CLOSED);
    await flush();
    time.advance(1e9);
    assert.equal(transport.sockets.length, 0);
    assert.equal(ll.stats.attempts, 0);
  });

  test('close() twice: the second is a no-op', async (t) => {
    const { ll, transport, events } = await opened(t);
    ll.close(4001);
    ll.close(4002, 'again');
    assert.equal(events.of('close').length, 1);
    assert.equal(transport.last.closeCalls.length, 1);
  });

  test('close() after giveup: no second close event, only the state change', async (t) => {
    const { ll, transport, events } = await started(t, { maxRetries: 0 });
    transport.last.remoteClose(1006);
    assert.equal(events.of('close').length, 1);
    events.clear();
    ll.close();
    assert.deepEqual(events, [{ type: 'statechange', from: 'gave-up', to: 'closed' }]);
    assert.equal(ll.state, 'closed');
  });

  test('shouldReconnect returning false makes a remote close final', async (t) => {
    const platform = new FakePlatform();
    const asked = [];
    const { ll, transport, time, events } = await opened(t, {
      platform,
      shouldReconnect: (e) => {
        asked.push(e);
        return e.code !== 4403;
      },
    });
    transport.last.remoteClose(4403, 'forbidden', true);
    assert.deepEqual(asked, [{ code: 4403, reason: 'forbidden', wasClean: true }]);
    assert.deepEqual(events, [
      { type: 'statechange', from: 'open', to: 'closed' },
      { type: 'close', code: 4403, reason: 'forbidden', wasClean: true, willReconnect: false, cause: 'final' },
    ]);
    assert.equal(ll.readyState, Lifeline.CLOSED);
    assert.equal(platform.subscribed, false);
    time.advance(1e9);
    assert.equal(transport.sockets.length, 1);
    assert.equal(ll.reconnect(), false);
  });

  test('shouldReconnect returning true: the close reconnects', async (t) => {
    const { transport, time, events } = await opened(t, { shouldReconnect: (e) => e.code !== 4403 });
    transport.last.remoteClose(4500, 'retry later', true);
    assert.equal(events.of('close')[0].willReconnect, true);
    time.advance(1000);
    assert.equal(transport.sockets.length, 2);
  });

  test('code 1000 from the server reconnects by default', async (t) => {
    const { transport, time, events } = await opened(t);
    transport.last.remoteClose(1000, 'bye', true);
    assert.deepEqual(withoutType(events.of('close')[0]), {
      code: 1000,
      reason: 'bye',
      wasClean: true,
      willReconnect: true,
      cause: 'remote',
    });
    time.advance(1000);
    assert.equal(transport.sockets.length, 2);
  });

  test('a throwing shouldReconnect does not strand the client: it reconnects, an error event names it', async (t) => {
    const bug = new Error('predicate bug');
    const { transport, time, events } = await opened(t, {
      shouldReconnect: () => {
        throw bug;
      },
    });
    transport.last.remoteClose(1006);
    assert.deepEqual(events.of('error').map(withoutType), [{ error: bug, message: 'options.shouldReconnect: predicate bug' }]);
    time.advance(1000);
    assert.equal(transport.sockets.length, 2);
  });
});

// --- the url ---------------------------------------------------------------------------------------

describe('url', () => {
  test('a URL object is accepted; url is its string', async (t) => {
    const { ll, transport } = await started(t, { url: new URL('wss://example.test/a?b=1') });
    assert.equal(ll.url, 'wss://example.test/a?b=1');
    assert.equal(transport.last.url, 'wss://example.test/a?b=1');
  });

  test('a url function is called for each attempt with { attempt }', async (t) => {
    const calls = [];
    const { ll, transport, time } = rig(t, {
      url: (info) => {
        calls.push(info);
        return `wss://example.test/live?attempt=${info.attempt}`;
      },
    });
    assert.equal(ll.url, '');
    await flush();
    transport.last.remoteClose(1006);
    time.advance(1000);
    transport.last.remoteClose(1006);
    time.advance(2000);
    assert.deepEqual(calls, [{ attempt: 0 }, { attempt: 1 }, { attempt: 2 }]);
    assert.deepEqual(transport.sockets.map((s) => s.url), [
      'wss://example.test/live?attempt=0',
      'wss://example.test/live?attempt=1',
      'wss://example.test/live?attempt=2',
    ]);
    assert.equal(ll.url, 'wss://example.test/live?attempt=2');
  });

  test('an async url provider: the socket is created when it resolves', async (t) => {
    let resolve = (_u) => {};
    const { ll, transport, time } = rig(t, {
      url: () =>
        new Promise((r) => {
          resolve = r;
        }),
    });
    await flush();
    assert.equal(ll.state, 'connecting');
    assert.equal(transport.sockets.length, 0);
    ll.send('early');
    resolve(new URL('wss://example.test/token=abc'));
    await flush();
    assert.equal(transport.sockets.length, 1);
    assert.equal(transport.last.url, 'wss://example.test/token=abc');
    assert.equal(ll.url, 'wss://example.test/token=abc');
    transport.last.open();
    assert.deepEqual(transport.last.sent, ['early']);
    assert.equal(time.pending(), 1);
  });

  test('the connect timeout runs while the url is on its way', async (t) => {
    const { ll, transport, time, events } = await started(t, { url: () => new Promise(() => {}), connectTimeout: 2000 });
    time.advance(2000);
    assert.equal(events.of('close')[0].cause, 'connect-timeout');
    assert.equal(transport.sockets.length, 0);
    assert.equal(ll.state, 'backoff');
  });

  test('a throwing url provider: an error event, a failed attempt, retried', async (t) => {
    const bad = new Error('no token');
    let n = 0;
    const { ll, transport, time, events } = await started(t, {
      url: () => {
        if (n++ === 0) throw bad;
        return URL_;
      },
    });
    assert.deepEqual(events.of('error').map(withoutType), [{ error: bad, message: 'url: no token' }]);
    assert.equal(events.of('close')[0].cause, 'error');
    assert.equal(events.of('close')[0].willReconnect, true);
    assert.equal(ll.state, 'backoff');
    assert.equal(transport.sockets.length, 0);
    time.advance(1000);
    assert.equal(transport.sockets.length, 1);
  });

  test('a rejecting url provider: an error event, a failed attempt, retried', async (t) => {
    const bad = new Error('token service down');
    let n = 0;
    const { transport, time, events } = await started(t, {
      url: async () => {
        if (n++ === 0) throw bad;
        return URL_;
      },
    });
    assert.deepEqual(events.of('error').map(withoutType), [{ error: bad, message: 'url: token service down' }]);
    assert.deepEqual(withoutType(events.of('reconnecting')[0]), { attempt: 1, delay: 1000 });
    time.advance(1000);
    await flush();
    assert.equal(transport.sockets.length, 1);
  });

  test('a url provider returning something that is not a ws URL: an error event naming url()', async (t) => {
    const { ll, events, time } = await started(t, { url: () => 'http://example.test/' });
    time.advance(0);
    assert.equal(events.of('error').length, 1);
    assert.ok(events.of('error')[0].error instanceof TypeError);
    assert.match(events.of('error')[0].message, /^url\(\): /);
    assert.equal(ll.state, 'backoff');
  });

  test('a url provider resolving after its attempt was abandoned is ignored', async (t) => {
    const pending = [];
    const { ll, transport, time } = await started(t, {
      connectTimeout: 1000,
      url: () => new Promise((resolve) => pending.push(resolve)),
    });
    time.advance(1000); // the first attempt times out
    pending[0]('wss://example.test/first');
    await flush();
    assert.equal(transport.sockets.length, 0);
    time.advance(1000); // the second attempt starts
    await flush();
    assert.equal(pending.length, 2);
    pending[0]('wss://example.test/first-again');
    await flush();
    assert.equal(transport.sockets.length, 0);
    pending[1]('wss://example.test/second');
    await flush();
    assert.deepEqual(transport.sockets.map((s) => s.url), ['wss://example.test/second']);
    transport.last.open();
    assert.equal(ll.state, 'open');
  });

  test('a url provider resolving after close() is ignored', async (t) => {
    let resolve = (_u) => {};
    const { ll, transport } = await started(t, { url: () => new Promise((r) => (resolve = r)) });
    ll.close();
    resolve(URL_);
    await flush();
    assert.equal(transport.sockets.length, 0);
  });

  test('a transport that throws: an error event, a failed attempt, retried', async (t) => {
    const { ll, transport, time, events } = rig(t);
    const refused = new Error('SyntaxError: bad url');
    transport.failNext(refused);
    await flush();
    time.advance(0);
    assert.equal(events.of('error')[0].error, refused);
    assert.equal(ll.state, 'backoff');
    time.advance(1000);
    assert.equal(transport.sockets.length, 1);
  });
});

// --- the send queue --------------------------------------------------------------------------------

describe('send queue', () => {
  test('sent while not open: held, then delivered once, in order, on open', async (t) => {
    const { ll, transport, time } = rig(t);
    assert.equal(ll.send('a'), true); // idle
    await flush();
    assert.equal(ll.send('bé'), true); // connecting
    assert.equal(ll.send(new Uint8Array([1, 2, 3])), true);
    assert.equal(ll.stats.queued, 3);
    assert.equal(ll.stats.queuedBytes, 1 + 3 + 3);
    assert.equal(ll.bufferedAmount, 7);
    assert.deepEqual(transport.last.sent, []);
    transport.last.open();
    assert.deepEqual(transport.last.sent, ['a', 'bé', new Uint8Array([1, 2, 3])]);
    assert.equal(ll.stats.queued, 0);
    assert.equal(ll.stats.queuedBytes, 0);
    assert.equal(ll.stats.messagesSent, 3);
    // not sent again on the next connection
    transport.last.remoteClose(1006);
    time.advance(1000);
    transport.last.open();
    assert.deepEqual(transport.last.sent, []);
  });

  test('sent while open: written at once', async (t) => {
    const { ll, transport } = await opened(t);
    assert.equal(ll.send('now'), true);
    assert.deepEqual(transport.last.sent, ['now']);
    assert.equal(ll.stats.messagesSent, 1);
    assert.equal(ll.stats.queued, 0);
  });

  test('queued across failed attempts, delivered on the next open', async (t) => {
    const { ll, transport, time } = await opened(t);
    transport.last.remoteClose(1006);
    ll.send('1');
    time.advance(1000);
    ll.send('2');
    transport.last.error('refused');
    ll.send('3');
    time.advance(2000);
    transport.last.open();
    assert.deepEqual(transport.last.sent, ['1', '2', '3']);
  });

  test('maxQueued: the message over the limit is refused with a queue-full drop', async (t) => {
    const { ll, events } = await started(t, { maxQueued: 2 });
    assert.equal(ll.send('a'), true);
    assert.equal(ll.send('b'), true);
    assert.equal(ll.send('c'), false);
    assert.deepEqual(events.of('drop').map(withoutType), [{ data: 'c', reason: 'queue-full' }]);
    assert.equal(ll.stats.dropped, 1);
    assert.equal(ll.stats.queued, 2);
  });

  test('maxQueuedBytes counts UTF-8 bytes', async (t) => {
    const { ll, events } = await started(t, { maxQueuedBytes: 5 });
    assert.equal(ll.send('ab'), true); // 2
    assert.equal(ll.send('éa'), true); // 3: 5 in all
    assert.equal(ll.send('x'), false);
    assert.equal(ll.send(new Uint8Array(1)), false);
    assert.equal(ll.send(''), true, 'an empty message takes no bytes');
    assert.deepEqual(events.of('drop').map((e) => e.reason), ['queue-full', 'queue-full']);
    assert.equal(ll.stats.queuedBytes, 5);
  });

  test('maxQueued 0: nothing is held while not open, sends while open still go', async (t) => {
    const { ll, transport, events } = await started(t, { maxQueued: 0 });
    assert.equal(ll.send('lost'), false);
    assert.deepEqual(events.of('drop').map(withoutType), [{ data: 'lost', reason: 'queue-full' }]);
    transport.last.open();
    assert.equal(ll.send('ok'), true);
    assert.deepEqual(transport.last.sent, ['ok']);
  });

  test('send after close: false and a closed drop', async (t) => {
    const { ll, events } = await opened(t);
    ll.close();
    const data = new Uint8Array([9]);
    assert.equal(ll.send(data), false);
    assert.equal(events.of('drop').length, 1);
    assert.equal(events.of('drop')[0].data, data);
    assert.equal(events.of('drop')[0].reason, 'closed');
    assert.equal(ll.stats.dropped, 1);
  });

  test('messages queued at close() are reported as dropped, in order', async (t) => {
    const { ll, events } = await started(t);
    ll.send('a');
    ll.send('b');
    ll.close();
    assert.deepEqual(events.of('drop').map(withoutType), [
      { data: 'a', reason: 'closed' },
      { data: 'b', reason: 'closed' },
    ]);
    assert.equal(ll.stats.dropped, 2);
    assert.equal(ll.stats.queued, 0);
    assert.equal(ll.stats.queuedBytes, 0);
    assert.equal(ll.bufferedAmount, 0);
  });

  test('messages queued before the start and closed at once are dropped too', async (t) => {
    const { ll, events } = rig(t);
    ll.send('x');
    ll.close();
    assert.deepEqual(events.of('drop').map(withoutType), [{ data: 'x', reason: 'closed' }]);
  });

  test('a send() whose pong deadline is already due: the verdict first, the message queued, not written into the dead socket', async (t) => {
    const { ll, transport, time, events } = await opened(t);
    const s1 = transport.last;
    time.advance(10000); // ping; pong deadline 20000
    time.jump(10000); // 20000, the timer has not run yet
    assert.equal(ll.send('important'), true);
    assert.deepEqual(s1.sent, ['ping']);
    assert.deepEqual(s1.closed, { code: 4000, reason: 'pong-timeout', abandon: true });
    assert.equal(events.of('close')[0].cause, 'pong-timeout');
    assert.equal(ll.stats.queued, 1);
    assert.equal(ll.stats.maybeLost, 0);
    time.advance(1000);
    transport.last.open();
    assert.deepEqual(transport.last.sent, ['important']);
  });

  test('a send() whose ping is overdue: the ping goes out first', async (t) => {
    const { ll, transport, time } = await opened(t);
    time.jump(10000);
    ll.send('x');
    assert.deepEqual(transport.last.sent, ['ping', 'x']);
  });

  test('a socket whose send throws refuses that message: dropped with an event, the rest go on', async (t) => {
    const { ll, transport, events } = await opened(t);
    const refusal = new TypeError('cannot send this');
    transport.last.sendThrows = refusal;
    assert.equal(ll.send('bad'), false);
    assert.deepEqual(events.of('drop').map(withoutType), [{ data: 'bad', reason: 'refused', error: refusal }]);
    transport.last.sendThrows = null;
    assert.equal(ll.send('good'), true);
    assert.deepEqual(transport.last.sent, ['good']);
    assert.equal(ll.stats.queued, 0);
  });

  test('a refused message in the queue is dropped at flush and does not hold up the others', async (t) => {
    const { ll, transport, time, events } = await started(t);
    ll.send('m1');
    ll.send('BAD');
    ll.send('m2');
    transport.last.sendThrowsFor = 'BAD';
    const original = transport.last.send.bind(transport.last);
    transport.last.send = (d) => {
      if (d === 'BAD') throw new TypeError('refused');
      return original(d);
    };
    transport.last.open();
    assert.deepEqual(transport.last.sent, ['m1', 'm2']);
    assert.deepEqual(events.of('drop').map((e) => [e.data, e.reason]), [['BAD', 'refused']]);
    assert.equal(ll.stats.queued, 0);
    void time;
  });

  test('a socket that cannot take messages now (send returns false): they stay queued for the next connection', async (t) => {
    const { ll, transport, time, events } = await opened(t);
    transport.last.notOpen = true;
    assert.equal(ll.send('keep me'), true);
    assert.equal(ll.stats.queued, 1);
    assert.equal(ll.stats.messagesSent, 0);
    assert.equal(events.of('drop').length, 0);
    transport.last.remoteClose(1006);
    time.advance(1000);
    transport.last.open();
    assert.deepEqual(transport.last.sent, ['keep me']);
  });

  test('Blob, ArrayBuffer, typed arrays and DataView are accepted; their bytes counted', async (t) => {
    const { ll, transport } = await started(t);
    const items = [new Blob(['abcd']), new ArrayBuffer(3), new Uint16Array(2), new DataView(new ArrayBuffer(5))];
    for (const item of items) assert.equal(ll.send(item), true);
    assert.equal(ll.stats.queuedBytes, 4 + 3 + 4 + 5);
    transport.last.open();
    assert.equal(transport.last.sent.length, 4);
    transport.last.sent.forEach((d, i) => assert.equal(d, items[i]));
  });
});

// --- maybeLost ---------------------------------------------------------------------------------------

describe('maybeLost', () => {
  test('counts messages sent after the last sign of life on a socket that then died', async (t) => {
    const { ll, transport, time } = await opened(t);
    time.advance(1000);
    transport.last.message('hello'); // life at 1000
    time.advance(1000);
    ll.send('a');
    time.advance(1000);
    ll.send('b');
    time.advance(20000); // ping at 11000, verdict at 21000
    assert.equal(ll.stats.deadLinks, 1);
    assert.equal(ll.stats.maybeLost, 2);
    assert.equal(ll.stats.messagesSent, 2);
  });

  test('a pong is a sign of life: what was sent before it is safe', async (t) => {
    const { ll, transport, time } = await opened(t);
    ll.send('before');
    time.advance(10000);
    transport.last.message('pong');
    ll.send('after');
    time.advance(20000); // ping at 20000, verdict at 30000
    assert.equal(ll.stats.maybeLost, 1);
  });

  test('an unclean remote close counts; a clean one and close() do not', async (t) => {
    const { ll, transport, time } = await opened(t);
    ll.send('a');
    transport.last.remoteClose(1000, '', true);
    assert.equal(ll.stats.maybeLost, 0);
    time.advance(1000);
    transport.last.open();
    ll.send('b');
    ll.send('c');
    transport.last.remoteClose(1006, '', false);
    assert.equal(ll.stats.maybeLost, 2);
    time.advance(2000);
    transport.last.open();
    ll.send('d');
    ll.close();
    assert.equal(ll.stats.maybeLost, 2);
  });

  test('an error counts what was sent since the last sign of life', async (t) => {
    const { ll, transport } = await opened(t);
    ll.send('a');
    transport.last.message('reply');
    ll.send('b');
    transport.last.error('reset');
    assert.equal(ll.stats.maybeLost, 1);
  });
});

// --- platform signals --------------------------------------------------------------------------------

describe('platform', () => {
  test('initially offline: no attempt while offline, however long; online connects at once', async (t) => {
    const platform = new FakePlatform({ online: false });
    const { ll, transport, time, events } = await started(t, { platform });
    assert.equal(ll.state, 'paused');
    assert.equal(time.pending(), 0);
    time.advance(1e9);
    assert.equal(transport.sockets.length, 0);
    platform.goOnline();
    assert.equal(transport.sockets.length, 1);
    assert.deepEqual(events.types(), ['statechange', 'statechange']);
    assert.deepEqual(events.map((e) => e.to), ['paused', 'connecting']);
  });

  test('offline during backoff pauses; no socket while offline; online reconnects at once', async (t) => {
    const platform = new FakePlatform();
    const urls = [];
    const { ll, transport, time, events } = await opened(t, {
      platform,
      url: ({ attempt }) => {
        urls.push(attempt);
        return URL_;
      },
    });
    transport.last.remoteClose(1006);
    platform.goOffline();
    assert.equal(ll.state, 'paused');
    assert.equal(time.pending(), 0);
    time.advance(1e7);
    assert.equal(transport.sockets.length, 1);
    events.clear();
    platform.goOnline();
    assert.equal(transport.sockets.length, 2);
    assert.equal(transport.last.createdAt, 1e7);
    assert.deepEqual(events.of('reconnecting').map(withoutType), [{ attempt: 1, delay: 0 }]);
    assert.deepEqual(urls, [0, 1], 'the paused attempt was not spent');
    assert.equal(ll.stats.retries, 1);
  });

  test('back online during backoff: the attempt now, not after the rest of the delay', async (t) => {
    const platform = new FakePlatform();
    const { transport, time, events } = await opened(t, { platform });
    transport.last.remoteClose(1006);
    time.advance(300);
    platform.goOnline();
    assert.equal(transport.sockets.length, 2);
    assert.equal(transport.last.createdAt, 300);
    assert.deepEqual(events.of('reconnecting').map(withoutType), [
      { attempt: 1, delay: 1000 },
      { attempt: 1, delay: 0 },
    ]);
  });

  test('offline while open: a probe at once; a socket lost while offline waits for the network', async (t) => {
    const platform = new FakePlatform();
    const { ll, transport, time, events } = await opened(t, { platform });
    time.advance(3000);
    platform.goOffline();
    assert.deepEqual(transport.last.sentAt, [{ data: 'ping', at: 3000 }]);
    time.advance(10000); // no pong: dead at 13000
    assert.equal(events.of('close')[0].cause, 'pong-timeout');
    assert.equal(events.of('close')[0].willReconnect, true);
    assert.equal(events.of('reconnecting').length, 0);
    assert.equal(ll.state, 'paused');
    time.advance(1e7);
    assert.equal(transport.sockets.length, 1);
    platform.goOnline();
    assert.equal(transport.sockets.length, 2);
  });

  test('online while open probes the socket', async (t) => {
    const platform = new FakePlatform();
    const { transport, time } = await opened(t, { platform });
    time.advance(2000);
    platform.goOnline();
    assert.deepEqual(transport.last.sentAt, [{ data: 'ping', at: 2000 }]);
  });

  test('pauseInBackground: hidden stops attempts, shown reconnects at once', async (t) => {
    const platform = new FakePlatform();
    const { ll, transport, time, events } = await opened(t, { platform, pauseInBackground: true });
    platform.hide();
    assert.equal(ll.state, 'open', 'an open socket stays open in the background');
    transport.last.remoteClose(1006);
    assert.equal(ll.state, 'paused');
    time.advance(1e7);
    assert.equal(transport.sockets.length, 1);
    platform.show();
    assert.equal(transport.sockets.length, 2);
    assert.deepEqual(events.of('reconnecting').map(withoutType), [{ attempt: 1, delay: 0 }]);
  });

  test('pauseInBackground: hidden during backoff pauses it', async (t) => {
    const platform = new FakePlatform();
    const { ll, transport, time } = await opened(t, { platform, pauseInBackground: true });
    transport.last.remoteClose(1006);
    assert.equal(ll.state, 'backoff');
    platform.hide();
    assert.equal(ll.state, 'paused');
    time.advance(1e7);
    assert.equal(transport.sockets.length, 1);
    platform.show();
    assert.equal(transport.sockets.length, 2);
  });

  test('without pauseInBackground, a hidden client keeps reconnecting', async (t) => {
    const platform = new FakePlatform();
    const { ll, transport, time } = await opened(t, { platform });
    platform.hide();
    transport.last.remoteClose(1006);
    assert.equal(ll.state, 'backoff');
    time.advance(1000);
    assert.equal(transport.sockets.length, 2);
  });

  test('show probes an open socket: a ping at once', async (t) => {
    const platform = new FakePlatform();
    const { ll, transport, time, events } = await opened(t, { platform });
    time.advance(3000);
    platform.hide();
    assert.deepEqual(transport.last.sent, []);
    time.advance(500);
    platform.show();
    assert.deepEqual(transport.last.sentAt, [{ data: 'ping', at: 3500 }]);
    time.advance(25);
    transport.last.message('pong');
    assert.deepEqual(events.of('heartbeat').map(withoutType), [{ rtt: 25 }]);
    assert.equal(ll.stats.pingsSent, 1);
  });

  test('show while a ping is already out sends no second one', async (t) => {
    const platform = new FakePlatform();
    const { transport, time } = await opened(t, { platform });
    time.advance(10000);
    platform.show();
    assert.deepEqual(transport.last.sent, ['ping']);
  });

  test('initially hidden with pauseInBackground: no attempt until shown', async (t) => {
    const platform = new FakePlatform({ foreground: false });
    const { ll, transport, time } = await started(t, { platform, pauseInBackground: true });
    assert.equal(ll.state, 'paused');
    time.advance(1e7);
    assert.equal(transport.sockets.length, 0);
    platform.show();
    assert.equal(transport.sockets.length, 1);
  });

  test('initially hidden without pauseInBackground: connects as usual', async (t) => {
    const platform = new FakePlatform({ foreground: false });
    const { transport } = await started(t, { platform });
    assert.equal(transport.sockets.length, 1);
  });

  test('hidden and offline: both must clear', async (t) => {
    const platform = new FakePlatform();
    const { transport } = await opened(t, { platform, pauseInBackground: true });
    platform.goOffline();
    platform.hide();
    transport.last.remoteClose(1006);
    platform.goOnline();
    assert.equal(transport.sockets.length, 1);
    platform.show();
    assert.equal(transport.sockets.length, 2);
  });

  test('a platform without initial() is fine', async (t) => {
    let handlers = null;
    const platform = { subscribe: (h) => ((handlers = h), () => (handlers = null)) };
    const { ll, transport } = await started(t, { platform });
    assert.equal(transport.sockets.length, 1);
    assert.ok(handlers);
    ll.close();
    assert.equal(handlers, null);
  });
});

// --- late timers -------------------------------------------------------------------------------------

describe('late timers', () => {
  test('a pong deadline handled far too late earns a fresh probe, not a verdict', async (t) => {
    const { ll, transport, time, events } = await opened(t);
    const s = transport.last;
    time.advance(10000); // ping; pong deadline 20000
    time.jump(40000); // 50000: frozen tab, the timer did not run
    time.runDue();
    assert.equal(s.closed, null);
    assert.equal(events.of('close').length, 0);
    assert.deepEqual(s.sentAt.map((x) => x.at), [10000, 50000]);
    assert.equal(ll.stats.lateTimers, 1);
    assert.equal(ll.stats.deadLinks, 0);
    time.advance(40);
    s.message('pong');
    assert.deepEqual(events.of('heartbeat').map(withoutType), [{ rtt: 40 }]);
    assert.equal(ll.state, 'open');
  });

  test('the probe answered on time by nothing: the verdict', async (t) => {
    const { ll, transport, time } = await opened(t);
    time.advance(10000);
    time.jump(40000);
    time.runDue(); // probe at 50000
    time.advance(10000); // on time: dead
    assert.equal(transport.last.closed?.code, 4000);
    assert.equal(ll.stats.deadLinks, 1);
  });

  test('the probe late too, and nothing at all arrived: the silence stands', async (t) => {
    const { ll, transport, time } = await opened(t);
    time.advance(10000);
    time.jump(40000);
    time.runDue(); // probe at 50000, deadline 60000
    time.jump(100000);
    time.runDue();
    assert.equal(transport.last.closed?.code, 4000);
    assert.equal(ll.stats.lateTimers, 1);
    assert.equal(ll.stats.deadLinks, 1);
  });

  test('a message that arrived before the overdue timer ran counts', async (t) => {
    const { ll, transport, time } = await opened(t);
    const s = transport.last;
    time.advance(10000); // ping
    time.jump(15000); // 25000, pong deadline 20000 overdue
    s.message('data');
    time.runDue();
    assert.equal(s.closed, null);
    assert.equal(ll.stats.lateTimers, 0);
    assert.deepEqual(s.sent, ['ping'], 'no probe needed: the link spoke');
    time.advance(10000);
    assert.deepEqual(s.sentAt.map((x) => x.at), [10000, 35000]);
  });

  test('a pong that arrived before the overdue timer ran counts', async (t) => {
    const { ll, transport, time, events } = await opened(t);
    time.advance(10000);
    time.jump(15000);
    transport.last.message('pong');
    time.runDue();
    assert.equal(transport.last.closed, null);
    assert.deepEqual(events.of('heartbeat').map(withoutType), [{ rtt: 15000 }]);
    assert.equal(ll.stats.deadLinks, 0);
  });

  test('a connect deadline handled late waits once more', async (t) => {
    const { ll, transport, time } = await started(t);
    time.jump(30000);
    time.runDue();
    assert.equal(transport.last.closed, null);
    assert.equal(ll.stats.lateTimers, 1);
    time.advance(9999);
    assert.equal(transport.last.closed, null);
    time.advance(1);
    assert.equal(transport.last.closed?.code, 4001);
  });

  test('a deadline late by less than timerSlack is a verdict', async (t) => {
    const { ll, transport, time } = await opened(t);
    time.advance(10000);
    time.jump(12000); // 2000 late: not more than timerSlack
    time.runDue();
    assert.equal(transport.last.closed?.code, 4000);
    assert.equal(ll.stats.lateTimers, 0);
  });

  test('timerSlack Infinity trusts every timer', async (t) => {
    const { ll, transport, time } = await opened(t, { timerSlack: Infinity });
    time.advance(10000);
    time.jump(1e6);
    time.runDue();
    assert.equal(transport.last.closed?.code, 4000);
    assert.equal(ll.stats.lateTimers, 0);
  });
});

// --- one timer --------------------------------------------------------------------------------------

describe('one timer', () => {
  test('at most one timer armed at any time, through a whole life', async (t) => {
    const platform = new FakePlatform();
    const { ll, transport, time } = rig(t, { platform, connectTimeout: 4000 });
    const steps = [];
    const check = (what, due) => {
      steps.push(what);
      assert.ok(time.pending() <= 1, `${what}: ${time.pending()} timers`);
      if (due !== undefined) assert.deepEqual(time.dueTimes(), due === null ? [] : [due], what);
    };
    check('constructed', null);
    await flush();
    check('connecting', 4000);
    time.advance(4000); // connect timeout
    check('backoff', 5000);
    time.advance(1000);
    check('second attempt', 9000);
    transport.last.open();
    check('open', 15000);
    for (let i = 0; i < 5; i++) {
      time.advance(3000);
      transport.last.message('busy');
      ll.send('out');
      check('busy');
    }
    time.advance(10000); // ping
    check('ping out');
    transport.last.message('pong');
    check('pong');
    platform.hide();
    platform.show();
    check('probe');
    time.advance(10000);
    check('dead');
    platform.goOffline();
    check('paused', null);
    platform.goOnline();
    check('online');
    transport.last.open();
    ll.reconnect();
    check('reconnect()');
    time.jump(50000);
    time.runDue();
    check('late');
    ll.close();
    check('closed', null);
    assert.ok(time.maxPending <= 1, `at most one timer (saw ${time.maxPending})`);
    assert.ok(time.delays.length > 10, 'timers were used');
  });

  test('at most one timer through a long run of failures and a giveup', async (t) => {
    const { ll, transport, time } = await started(t, { maxRetries: 8 });
    while (ll.state !== 'gave-up') {
      if (ll.state === 'connecting' && transport.last.live) transport.last.error('refused');
      else time.runNext();
      assert.ok(time.pending() <= 1);
    }
    assert.equal(time.pending(), 0);
    assert.ok(time.maxPending <= 1);
  });
});

// --- the seed pattern ------------------------------------------------------------------------------

describe('seed pattern', () => {
  test('SEED_PATTERN is the documented configuration, frozen', () => {
    assert.deepEqual({ ...SEED_PATTERN }, {
      pingInterval: 10000,
      pongTimeout: 10000,
      connectTimeout: Infinity,
      reconnectDelay: 5000,
      maxReconnectDelay: 5000,
      backoffFactor: 1,
      jitter: 0,
      maxRetries: 12,
      minUptime: Infinity,
      timerSlack: Infinity,
      minPongTimeout: 400,
      serverHints: false,
      restartWindow: 10000,
      maxHintDelay: 300000,
    });
    assert.ok(Object.isFrozen(SEED_PATTERN));
  });

  test('pings at 10, 20, 30, 40 s; condemned at 50 s; the next attempt at 55 s; 12 reconnects, then giveup', async (t) => {
    const { ll, transport, time, events } = await opened(t, { ...SEED_PATTERN });
    const s1 = transport.last;
    for (let i = 0; i < 3; i++) {
      time.advance(10000);
      s1.message('pong'); // answered at once
    }
    time.advance(10000); // 40 s: the link is now half-open
    assert.deepEqual(s1.sentAt.map((x) => x.at), [10000, 20000, 30000, 40000]);
    time.advance(9999);
    assert.equal(s1.closed, null);
    time.advance(1);
    assert.deepEqual(s1.closed, { code: 4000, reason: 'pong-timeout', abandon: true });
    time.advance(4999);
    assert.equal(transport.sockets.length, 1);
    time.advance(1);
    assert.equal(transport.sockets.length, 2);
    assert.equal(transport.last.createdAt, 55000);
    // The server refuses from now on.
    while (ll.state !== 'gave-up') {
      transport.last.error('refused');
      time.advance(5000);
      assert.ok(transport.sockets.length <= 13, 'at most 12 reconnects');
    }
    assert.equal(transport.sockets.length, 13);
    assert.deepEqual(
      transport.sockets.slice(1).map((s) => s.createdAt),
      Array.from({ length: 12 }, (_, i) => 55000 + 5000 * i),
    );
    assert.deepEqual(events.of('reconnecting').map((e) => e.delay), Array(12).fill(5000));
    assert.deepEqual(events.of('reconnecting').map((e) => e.attempt), Array.from({ length: 12 }, (_, i) => i + 1));
    assert.deepEqual(events.of('giveup').map(withoutType), [{ attempts: 12 }]);
    time.advance(1e9);
    assert.equal(transport.sockets.length, 13);
    assert.equal(ll.stats.attempts, 13);
    assert.equal(time.pending(), 0);
  });

  test('the count spans the client\'s life: long healthy connections do not reset it', async (t) => {
    const { ll, transport, time, events } = await opened(t, { ...SEED_PATTERN });
    for (let i = 0; i < 12; i++) {
      // an hour of healthy traffic, then a drop
      for (let k = 0; k < 360; k++) {
        time.advance(10000);
        transport.last.message('pong');
      }
      transport.last.remoteClose(1006);
      time.advance(5000);
      transport.last.open();
      assert.equal(ll.state, 'open', `reconnect ${i + 1}`);
    }
    transport.last.remoteClose(1006);
    assert.equal(ll.state, 'gave-up');
    assert.equal(events.of('giveup').length, 1);
  });

  test('contrast: with the default minUptime a healthy connection resets the count', async (t) => {
    const { ll, transport, time } = await opened(t, { ...SEED_PATTERN, minUptime: 5000 });
    for (let i = 0; i < 20; i++) {
      time.advance(10000);
      transport.last.message('pong');
      transport.last.remoteClose(1006);
      time.advance(5000);
      transport.last.open();
    }
    assert.equal(ll.state, 'open');
    assert.equal(ll.stats.retries, 1);
  });
});

// --- re-entrancy -----------------------------------------------------------------------------------

describe('re-entrancy', () => {
  test('close() inside onopen: one open, one final close, the socket closed, nothing after', async (t) => {
    const { ll, transport, time, events } = await started(t);
    ll.send('queued');
    ll.onopen = () => ll.close(4000, 'only wanted to check');
    events.clear();
    transport.last.open();
    assert.deepEqual(events.map((e) => (e.type === 'statechange' ? `${e.from}->${e.to}` : e.type)), [
      'connecting->open',
      'open',
      'open->closed',
      'close',
    ]);
    assert.deepEqual(transport.last.sent, ['queued']);
    assert.deepEqual(transport.last.closed, { code: 4000, reason: 'only wanted to check', abandon: false });
    assert.equal(ll.state, 'closed');
    assert.equal(time.pending(), 0);
    time.advance(1e9);
    assert.equal(transport.sockets.length, 1);
  });

  test('send() inside onopen goes out after the queued messages', async (t) => {
    const { ll, transport } = await started(t);
    ll.send('a');
    ll.send('b');
    ll.onopen = () => ll.send('c');
    transport.last.open();
    assert.deepEqual(transport.last.sent, ['a', 'b', 'c']);
  });

  test('send() inside a statechange listener for open keeps the order too', async (t) => {
    const { ll, transport } = await started(t);
    ll.send('a');
    ll.onstatechange = (e) => e.to === 'open' && ll.send('b');
    ll.onopen = () => ll.send('c');
    transport.last.open();
    assert.deepEqual(transport.last.sent, ['a', 'b', 'c']);
  });

  test('send() inside onclose: queued when a reconnect follows, and delivered on the next open', async (t) => {
    const { ll, transport, time } = await opened(t);
    const results = [];
    ll.onclose = (e) => results.push(ll.send(`after ${e.cause}`));
    transport.last.remoteClose(1006);
    assert.deepEqual(results, [true]);
    assert.equal(ll.stats.queued, 1);
    time.advance(1000);
    transport.last.open();
    assert.deepEqual(transport.last.sent, ['after remote']);
  });

  test('send() inside onclose: dropped when the close is final', async (t) => {
    const a = await opened(t);
    const results = [];
    a.ll.onclose = () => results.push(a.ll.send('too late'));
    a.ll.close();
    const b = await opened(t, { shouldReconnect: () => false });
    b.ll.onclose = () => results.push(b.ll.send('too late'));
    b.transport.last.remoteClose(1000, '', true);
    assert.deepEqual(results, [false, false]);
    assert.deepEqual(a.events.of('drop').map(withoutType), [{ data: 'too late', reason: 'closed' }]);
    assert.deepEqual(b.events.of('drop').map(withoutType), [{ data: 'too late', reason: 'closed' }]);
  });

  test('reconnect() inside onclose: one fresh attempt 1 ms later, and only one', async (t) => {
    const { ll, transport, time, events } = await opened(t);
    const results = [];
    ll.onclose = (e) => {
      if (e.willReconnect) results.push(ll.reconnect());
    };
    transport.last.remoteClose(1006);
    assert.deepEqual(results, [true]);
    // The backoff's announcement was replaced by the fresh run's.
    assert.deepEqual(events.of('reconnecting').map(withoutType), [{ attempt: 0, delay: 1 }]);
    assert.equal(ll.state, 'backoff');
    time.advance(1);
    assert.equal(transport.sockets.length, 2);
    assert.equal(transport.last.createdAt, 1);
    assert.equal(ll.state, 'connecting');
    time.advance(5000);
    assert.equal(transport.sockets.length, 2, 'the cancelled backoff starts nothing');
    transport.last.open();
    assert.equal(ll.state, 'open');
  });

  test('reconnect() inside onclose of a final close returns false', async (t) => {
    const { ll, transport, time } = await opened(t, { shouldReconnect: () => false });
    const results = [];
    ll.onclose = () => results.push(ll.reconnect());
    transport.last.remoteClose(4000, 'no', true);
    assert.deepEqual(results, [false]);
    time.advance(1e9);
    assert.equal(transport.sockets.length, 1);
  });

  test('close() inside onmessage: no later message is delivered', async (t) => {
    const { ll, transport, time, events } = await opened(t);
    ll.onmessage = (e) => {
      if (e.data === 'stop') ll.close(1000, 'told to');
    };
    transport.last.message('go').message('stop').message('more');
    assert.deepEqual(events.of('message').map((e) => e.data), ['go', 'stop']);
    assert.deepEqual(transport.last.closed, { code: 1000, reason: 'told to', abandon: false });
    assert.equal(ll.stats.messagesReceived, 2);
    time.advance(1e9);
    assert.equal(transport.sockets.length, 1);
  });

  test('close() inside onclose (a reconnect was planned): no reconnecting event after the final close', async (t) => {
    const { ll, transport, time, events } = await opened(t);
    ll.onclose = (e) => {
      if (e.willReconnect) ll.close();
    };
    transport.last.remoteClose(1006);
    time.advance(1e9);
    assert.equal(transport.sockets.length, 1);
    assert.equal(ll.state, 'closed');
    // One close event, the socket's (no socket was left for close() to close).
    assert.equal(events.of('close').length, 1);
    // The app closed in its close listener: telling it "reconnecting" afterwards is false news.
    assert.deepEqual(
      events.slice(events.findIndex((e) => e.type === 'close') + 1).filter((e) => e.type === 'reconnecting'),
      [],
      `events: ${JSON.stringify(events)}`,
    );
  });

  test('close() inside onerror: the error\'s abandon and the close are one final close', async (t) => {
    const { ll, transport, time, events } = await opened(t);
    ll.onerror = () => ll.close();
    transport.last.error('boom');
    assert.equal(ll.state, 'closed');
    assert.equal(events.of('close').length, 1);
    assert.equal(events.of('close')[0].cause, 'explicit');
    assert.equal(transport.last.closeCalls.length, 1);
    time.advance(1e9);
    assert.equal(transport.sockets.length, 1);
  });
});

// --- the built-in transport over a WebSocket constructor -------------------------------------------

describe('WebSocket option', () => {
  function wsRig(t, options = {}, { withTerminate = false } = {}) {
    const time = new FakeTime();
    const FakeWebSocket = makeFakeWebSocket({ withTerminate });
    const ll = new Lifeline(URL_, { ...time.options(), platform: null, jitter: 0, WebSocket: FakeWebSocket, ...options });
    const events = record(ll);
    t.after(() => ll.close());
    return { ll, time, FakeWebSocket, events };
  }

  test('a WebSocket constructor drives the connection', async (t) => {
    const { ll, FakeWebSocket, events } = wsRig(t, { protocols: ['v1'], binaryType: 'arraybuffer' });
    await flush();
    const ws = FakeWebSocket.instances[0];
    assert.equal(ws.url, URL_);
    assert.deepEqual(ws.protocols, ['v1']);
    assert.equal(ws.binaryType, 'arraybuffer');
    ws.fireOpen();
    assert.equal(ll.readyState, Lifeline.OPEN);
    ws.fireMessage('hi');
    assert.deepEqual(events.of('message').map((e) => e.data), ['hi']);
    ll.send('x');
    assert.deepEqual(ws.sent, ['x']);
    ll.close(4321, 'done');
    assert.deepEqual(ws.closeCalls, [{ code: 4321, reason: 'done' }]);
    ws.fireClose(4321, 'done', true); // detached: nothing more
    assert.equal(events.of('close').length, 1);
  });

  test('without protocols, the constructor gets the url alone', async (t) => {
    const { FakeWebSocket } = wsRig(t);
    await flush();
    assert.equal(FakeWebSocket.instances[0].constructorArgs, 1);
  });

  test('a dead link: close(4000) where there is no terminate(), terminate() where there is', async (t) => {
    const a = wsRig(t);
    await flush();
    a.FakeWebSocket.instances[0].fireOpen();
    a.time.advance(20000);
    assert.deepEqual(a.FakeWebSocket.instances[0].closeCalls, [{ code: 4000, reason: 'pong-timeout' }]);
    const b = wsRig(t, {}, { withTerminate: true });
    await flush();
    b.FakeWebSocket.instances[0].fireOpen();
    b.time.advance(20000);
    assert.equal(b.FakeWebSocket.instances[0].terminated, true);
    assert.deepEqual(b.FakeWebSocket.instances[0].closeCalls, []);
  });

  test('error and close events of the WebSocket reach the Lifeline', async (t) => {
    const { ll, time, FakeWebSocket, events } = wsRig(t);
    await flush();
    FakeWebSocket.instances[0].fireOpen();
    FakeWebSocket.instances[0].fireClose(4500, 'later', true);
    assert.deepEqual(withoutType(events.of('close')[0]), {
      code: 4500,
      reason: 'later',
      wasClean: true,
      willReconnect: true,
      cause: 'remote',
    });
    time.advance(1000);
    const err = new Error('ECONNREFUSED');
    FakeWebSocket.instances[1].fireError(err);
    assert.equal(events.of('error')[0].error, err);
    assert.equal(ll.state, 'backoff');
  });

  test('binaryType changed while open applies to the live WebSocket', async (t) => {
    const { ll, FakeWebSocket } = wsRig(t);
    await flush();
    const ws = FakeWebSocket.instances[0];
    ws.fireOpen();
    ll.binaryType = 'arraybuffer';
    // As with a WebSocket: messages from now on arrive as ArrayBuffers.
    assert.equal(ws.binaryType, 'arraybuffer');
  });
});

// --- robustness ------------------------------------------------------------------------------------

describe('robustness', () => {
  test('a transport socket whose close() throws does not strand the client', async (t) => {
    const { ll, transport, time } = await opened(t);
    transport.last.closeThrows = new Error('already closed');
    try {
      time.advance(20000); // the verdict closes the socket: its close() throws
    } catch {
      // whether it is rethrown is not the point
    }
    assert.equal(ll.state, 'backoff', `state ${ll.state}, ${time.pending()} timers`);
    time.advance(1000);
    assert.equal(transport.sockets.length, 2, 'the next attempt happens');
  });

  test('an async url and a transport that opens synchronously: the queue is still flushed', async (t) => {
    const { ll, transport } = rig(t, { url: async () => URL_ });
    ll.send('a');
    ll.send('b');
    transport.onCreate = (s) => s.open();
    await flush();
    assert.equal(ll.state, 'open');
    assert.deepEqual(transport.last.sent, ['a', 'b']);
    assert.equal(ll.stats.queued, 0);
  });

  test('an async url and a transport that fails synchronously: the failed socket is closed, not kept', async (t) => {
    const { ll, transport } = rig(t, { url: async () => URL_ });
    transport.onCreate = (s) => {
      transport.onCreate = null;
      s.error('refused at once');
    };
    await flush();
    assert.equal(ll.state, 'backoff');
    const s1 = transport.sockets[0];
    assert.deepEqual(s1.closed, { code: 1006, reason: 'error', abandon: true });
    s1.setBufferedAmount(1000);
    assert.equal(ll.bufferedAmount, 0, 'the failed socket is not the live one');
  });

  test('a binary pongMessage with the default binaryType ("blob") is refused: a Blob cannot be compared as it arrives', async (t) => {
    const time = new FakeTime();
    const transport = FakeTransport({ now: () => time.now() });
    const make = (options) =>
      new Lifeline(URL_, { ...time.options(), transport, platform: null, pongMessage: new Uint8Array([0x8a]), ...options });
    assert.throws(() => make({}), (error) => {
      assert.ok(error instanceof TypeError, String(error));
      assert.match(error.message, /^options\.pongMessage: .*"arraybuffer"/);
      return true;
    });
    // Accepted with binaryType "arraybuffer" (and then the setter refuses "blob"), or with isPong.
    const a = make({ binaryType: 'arraybuffer' });
    t.after(() => a.close());
    assert.throws(() => {
      a.binaryType = 'blob';
    }, TypeError);
    assert.equal(a.binaryType, 'arraybuffer');
    const b = make({ isPong: (d) => d instanceof Blob });
    t.after(() => b.close());
    assert.equal(b.binaryType, 'blob');
    await flush();
    assert.equal(transport.sockets.length, 2, 'both accepted ones connect');
  });
});

// --- stats -------------------------------------------------------------------------------------------

describe('stats', () => {
  test('every field after a scripted life', async (t) => {
    const { ll, transport, time } = await started(t, { maxQueued: 1 });
    ll.send('q1');
    ll.send('q2'); // dropped: queue full
    transport.last.open(); // q1 sent
    time.advance(10000); // ping 1
    time.advance(20);
    transport.last.message('pong'); // rtt 20
    transport.last.message('m1');
    ll.send('s1');
    time.advance(10000); // ping 2 at 20020
    time.advance(10000); // dead at 30020
    ll.send('q3'); // queued during backoff
    time.advance(1000);
    time.jump(20000);
    time.runDue(); // connect deadline late: grace
    assert.deepEqual(ll.stats, {
      attempts: 2,
      connects: 1,
      pingsSent: 2,
      pongsReceived: 1,
      deadLinks: 1,
      lateTimers: 1,
      deadlineMisses: 0,
      retries: 1,
      lastRtt: 20,
      smoothedRtt: null, // the socket it was learnt on is gone
      pongWait: 10000,
      resumes: 0,
      expiries: 0,
      protocolErrors: 0,
      state: 'connecting',
      messagesSent: 2,
      messagesReceived: 1,
      dropped: 1,
      maybeLost: 1,
      queued: 1,
      queuedBytes: 2,
    });
    ll.close();
    const after = ll.stats;
    assert.equal(after.state, 'closed');
    assert.equal(after.dropped, 2);
    assert.equal(after.queued, 0);
    assert.equal(after.attempts, 2);
    assert.equal(after.lastRtt, 20);
  });
});

// --- found in review --------------------------------------------------------------------------------

describe('review regressions', () => {
  test('a ping that cannot be written (socket closing, send returns false or throws) raises nothing', async (t) => {
    const { ll, transport, time } = await opened(t);
    const scheduled = [];
    const realSetTimeout = globalThis.setTimeout;
    globalThis.setTimeout = (fn, ms) => {
      scheduled.push(fn);
      return realSetTimeout(() => {}, 0);
    };
    try {
      transport.last.notOpen = true;
      time.advance(10000); // the ping deadline: send() returns false
      transport.last.notOpen = false;
      transport.last.sendThrows = new Error('socket not open');
      time.advance(10000); // no pong: dead; the next attempt...
    } finally {
      globalThis.setTimeout = realSetTimeout;
    }
    assert.equal(scheduled.length, 0, 'no error is rethrown for a transport that cannot send a ping');
    assert.equal(ll.stats.deadLinks, 1);
  });

  test('reconnectDelay 0 with an attempt that fails at once does not loop synchronously', async (t) => {
    // Timers as an event loop runs them: one task at a time, each a separate turn.
    const tasks = new Map();
    let next = 1;
    const timers = {
      setTimeout: (fn) => {
        tasks.set(next, fn);
        return next++;
      },
      clearTimeout: (id) => tasks.delete(id),
    };
    let now = 0;
    const turn = () => {
      const [id, fn] = tasks.entries().next().value;
      tasks.delete(id);
      now += 1; // a turn of the loop takes about a millisecond
      fn();
    };
    let calls = 0;
    const ll = new Lifeline(
      () => {
        calls++;
        throw new Error('no token');
      },
      { transport: FakeTransport(), platform: null, clock: () => now, timers, reconnectDelay: 0, maxReconnectDelay: 0 },
    );
    t.after(() => ll.close());
    await flush();
    assert.equal(calls, 1);
    assert.equal(tasks.size, 1, 'one timer, for the failure');
    turn();
    assert.equal(calls, 2, 'one attempt per turn of the event loop');
    turn();
    assert.equal(calls, 3);
    assert.equal(tasks.size, 1);
  });

  test('close() inside a listener: CLOSED at once (CLOSING is never used), and send() right after it drops', async (t) => {
    const { ll, transport, events } = await started(t);
    let seen;
    ll.onopen = () => {
      ll.close(1000, 'bye');
      seen = { readyState: ll.readyState, sent: ll.send('after close') };
    };
    transport.last.open();
    assert.deepEqual(seen, { readyState: Lifeline.CLOSED, sent: false });
    assert.deepEqual(transport.last.sent, []);
    assert.deepEqual(events.of('drop').map((e) => [e.data, e.reason]), [['after close', 'closed']]);
    assert.equal(ll.readyState, Lifeline.CLOSED);
  });
});

test('the messages of one read (activity(true) … activityDone()) share its arrival time: one clock read for all', async (t) => {
  let reads = 0;
  /** @type {any} */
  let time = null;
  const clock = () => {
    reads++;
    return time.now();
  };
  const r = await opened(t, { clock, pingInterval: 1000, pongTimeout: 1000 });
  time = r.time;
  const h = r.transport.last.handlers;
  const got = [];
  r.ll.onmessage = (e) => got.push(e.data);
  reads = 0;
  h.activity(true);
  for (const m of ['a', 'b', 'c']) h.message(m);
  h.activityDone();
  assert.deepEqual(got, ['a', 'b', 'c']);
  assert.equal(reads, 1, 'one clock read for the read and its three messages');
  h.message('d'); // outside a read: its own time
  assert.equal(reads, 2);
  h.activity(); // a transport that reports bytes without batching: messages keep their own times
  h.message('e');
  assert.equal(reads, 4);
  // The heartbeat counts from the read: a ping 1000 ms after it, not before.
  r.events.clear();
  await r.time.advance(999);
  assert.equal(r.ll.stats.pingsSent, 0);
  await r.time.advance(2);
  assert.equal(r.ll.stats.pingsSent, 1);
});
