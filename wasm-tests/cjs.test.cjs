// The CommonJS entry: require('ws-lifeline') gives the same API as the ES module, and works.
const { test } = require('node:test');
const assert = require('node:assert/strict');

test('require("ws-lifeline") loads the core and drives a connection', async () => {
  const lib = require('ws-lifeline');
  const esm = await import('ws-lifeline');
  assert.deepEqual(Object.keys(lib).filter((k) => k !== '__esModule').sort(), Object.keys(esm).sort());
  await lib.init();
  await lib.init(); // idempotent
  const opened = [];
  const sockets = [];
  const l = new lib.Lifeline('ws://127.0.0.1:9/', {
    platform: null,
    transport: (url, protocols, handlers) => {
      sockets.push(handlers);
      return { send() {}, close() {}, bufferedAmount: 0, protocol: '', extensions: '' };
    },
  });
  l.onopen = () => opened.push(l.readyState);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(sockets.length, 1);
  sockets[0].open();
  assert.deepEqual(opened, [lib.Lifeline.OPEN]);
  assert.equal(l.state, 'open');
  l.close();
  assert.equal(l.readyState, lib.Lifeline.CLOSED);
});
