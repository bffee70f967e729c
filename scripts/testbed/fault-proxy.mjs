// A loopback TCP proxy that sits between a WebSocket client and a real server and injects
// network faults on demand. Testbed only (wasm-tests, bench, the demo): it listens on, and connects
// to, 127.0.0.1 only.
//
//   const proxy = await startFaultProxy({ targetPort: server.port });
//   new WebSocket(proxy.url('/chat'));
//   await proxy.setMode('blackhole');   // 'forward' | 'blackhole' | 'refuse' | 'hang'
//
// Modes (they apply to new connections, and as described to existing ones):
// - forward:   bytes are piped both ways.
// - blackhole: a half-open link. Existing and new connections stay open at TCP level on both
//              sides, but nothing (no data, no FIN, no RST) crosses the proxy any more; bytes that
//              arrive are discarded, not buffered. A blackholed connection is dead for good:
//              switching back to 'forward' does NOT revive it (whatever was dropped left its byte
//              stream corrupt); only connections accepted afterwards forward again.
// - refuse:    the listening socket is closed, so new connections fail with ECONNREFUSED; it is
//              re-opened on the same port when the mode leaves 'refuse'. Existing connections are
//              reset. If re-listening ever fails (port taken meanwhile), the proxy keeps retrying
//              in the background and from then on implements 'refuse' as accept-and-reset (the
//              client sees ECONNRESET); `proxy.port` never changes.
// - hang:      new connections are accepted but never connected upstream nor answered, so the
//              WebSocket handshake never completes. Existing connections are unaffected. A hung
//              connection stays hung after the mode changes (its request bytes were discarded).
//
// setMode() applies the mode synchronously (resets, blackholing, closing the listener) and
// returns a promise that settles once the listener matches the mode (re-listening is async);
// await it before connecting after leaving 'refuse'. The proxy is an EventEmitter and emits
// 'mode' (mode, previous) on every change.
//
// Throttle (a slow link), independent of the mode: it shapes the server->client bytes of every
// forwarding connection, existing and new; client->server bytes are never delayed.
//
//   await startFaultProxy({ targetPort, throttle: { bytesPerSecond: 1e6 } });
//   proxy.setThrottle({ bytesPerSecond: 1e6, latencyMs: 20, jitterMs: 10 });
//   proxy.setThrottle(null);           // back to plain forwarding (the backlog is flushed at once)
//
// - bytesPerSecond: the link's rate (default Infinity: no limit). Bytes cross a modelled wire one
//   after the other, in pieces of chunkBytes (default: about 10 ms worth, 1 B..64 KiB); a piece is
//   delivered when its last byte has crossed. Delivery times come from the model, not from when
//   the proxy's timers happen to run: after a stall of the process the overdue pieces are
//   delivered at once (as a kernel would hand over what arrived meanwhile).
// - latencyMs, jitterMs: each piece is delivered latencyMs + a uniform random [0, jitterMs) after
//   it crossed the wire, never before the piece ahead of it (TCP does not reorder).
// - The proxy holds up to 1 MiB per connection; beyond that it stops reading from the server
//   (TCP backpressure: the server's send buffer fills up).
// - A FIN from the server is passed on after the backlog; a reset, 'blackhole' or 'refuse' drops
//   the backlog (counted in bytesDropped). stats().bytesQueued: bytes held by the throttle now.
// - setThrottle() re-plans what is not yet delivered from the moment of the call, returns the
//   settings in force (frozen, defaults filled in) and emits 'throttle' (settings, previous).

import net from 'node:net';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

const LOOPBACK = '127.0.0.1';
const MODES = new Set(['forward', 'blackhole', 'refuse', 'hang']);
const noop = () => {};
const MAX_BACKLOG = 1 << 20; // bytes a throttled connection holds before it stops reading upstream
const UNTHROTTLED = Object.freeze({ bytesPerSecond: Infinity, latencyMs: 0, jitterMs: 0, chunkBytes: Infinity });

/** Validates throttle settings; null for none. */
function resolveThrottle(throttle) {
  if (throttle === null || throttle === undefined) return null;
  if (typeof throttle !== 'object') throw new TypeError(`fault-proxy: throttle must be an object or null, got ${throttle}`);
  const { bytesPerSecond = Infinity, latencyMs = 0, jitterMs = 0, chunkBytes } = throttle;
  if (typeof bytesPerSecond !== 'number' || !(bytesPerSecond > 0)) {
    throw new TypeError(`fault-proxy: throttle.bytesPerSecond must be a number > 0, got ${bytesPerSecond}`);
  }
  for (const [name, value] of [['latencyMs', latencyMs], ['jitterMs', jitterMs]]) {
    if (!Number.isFinite(value) || value < 0) throw new TypeError(`fault-proxy: throttle.${name} must be a finite number >= 0, got ${value}`);
  }
  if (chunkBytes !== undefined && (!Number.isInteger(chunkBytes) || chunkBytes <= 0)) {
    throw new TypeError(`fault-proxy: throttle.chunkBytes must be an integer > 0, got ${chunkBytes}`);
  }
  const piece =
    chunkBytes ?? (Number.isFinite(bytesPerSecond) ? Math.max(1, Math.min(65536, Math.floor(bytesPerSecond / 100))) : Infinity);
  return Object.freeze({ bytesPerSecond, latencyMs, jitterMs, chunkBytes: piece });
}

export async function startFaultProxy({
  targetPort,
  targetHost = LOOPBACK,
  port = 0,
  // Re-listen attempts (EADDRINUSE) when leaving 'refuse', and the base delay between them.
  relistenRetries = 10,
  relistenDelayMs = 20,
  // Initial throttle of server->client bytes (see the top of this file); null for none.
  throttle = null,
} = {}) {
  if (!Number.isInteger(targetPort) || targetPort <= 0 || targetPort > 65535) {
    throw new TypeError(`fault-proxy: targetPort must be a port number, got ${targetPort}`);
  }
  // Tests must never talk to anything but the loopback interface.
  if (targetHost !== LOOPBACK) {
    throw new Error(`fault-proxy: only ${LOOPBACK} is allowed as targetHost, got ${targetHost}`);
  }
  const settings = resolveThrottle(throttle); // checked before anything starts
  const proxy = new FaultProxy({ targetPort, targetHost, relistenRetries, relistenDelayMs });
  // The settings as given: resolved ones carry chunkBytes Infinity (no rate), which is no input.
  if (settings) proxy.setThrottle(throttle);
  await proxy._start(port);
  return proxy;
}

// Ends a socket abruptly. RST when the socket is connected, plain destroy otherwise
// (resetAndDestroy() on a still-connecting socket would wait for the connection first).
function hardClose(socket) {
  if (!socket || socket.destroyed) return;
  try {
    if (socket.connecting) socket.destroy();
    else socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

class FaultProxy extends EventEmitter {
  #targetPort;
  #targetHost;
  #retries;
  #retryDelayMs;
  #port = 0;
  #mode = 'forward';
  #server = null; // the current listening net.Server, null while closed for 'refuse'
  #refuseStrategy = 'close'; // 'close' (ECONNREFUSED) or, after a failed re-listen, 'reset'
  #recovering = false; // background re-listen loop running
  #queue = Promise.resolve(); // serialises listener changes
  #pairs = new Set(); // { client, upstream, state: 'forward' | 'blackhole' | 'hang', down }
  #sockets = new Set(); // every open socket, both sides, for close()
  #stats = { accepted: 0, open: 0, bytesUp: 0, bytesDown: 0, bytesDropped: 0 };
  #throttle = null; // resolved throttle settings, null for none
  #closed = false;
  #closing = null;
  #abort = new AbortController(); // cancels flap() and background sleeps on close()

  constructor({ targetPort, targetHost, relistenRetries, relistenDelayMs }) {
    super();
    this.#targetPort = targetPort;
    this.#targetHost = targetHost;
    this.#retries = relistenRetries;
    this.#retryDelayMs = relistenDelayMs;
  }

  async _start(port) {
    this.#server = await this.#listenOnce(port);
    this.#port = this.#server.address().port;
  }

  get port() {
    return this.#port;
  }

  get mode() {
    return this.#mode;
  }

  /** 'close' while refusing by closing the listener; 'reset' after the accept-and-reset fallback. */
  get refuseStrategy() {
    return this.#refuseStrategy;
  }

  /** Whether a listening socket is open on `port` right now. */
  get listening() {
    return this.#server !== null;
  }

  url(path = '/') {
    return `ws://${LOOPBACK}:${this.#port}${path.startsWith('/') ? path : `/${path}`}`;
  }

  stats() {
    let bytesQueued = 0;
    for (const pair of this.#pairs) bytesQueued += pair.down?.bytes ?? 0;
    return { ...this.#stats, bytesQueued };
  }

  /** The throttle settings in force (frozen, defaults filled in), or null. */
  get throttle() {
    return this.#throttle;
  }

  /** Shapes server->client bytes from now on (see the top of this file); null turns it off. */
  setThrottle(throttle) {
    const settings = resolveThrottle(throttle);
    const previous = this.#throttle;
    this.#throttle = settings;
    // Re-plan what is not delivered yet, from now, with the new settings.
    const now = performance.now();
    for (const pair of this.#pairs) {
      const d = pair.down;
      if (!d || d.bytes === 0) continue;
      clearTimeout(d.timer);
      d.timer = null;
      d.pending = null;
      d.wireFreeAt = now;
      this.#pump(pair);
    }
    this.emit('throttle', settings, previous);
    return settings;
  }

  setMode(mode) {
    if (!MODES.has(mode)) throw new TypeError(`fault-proxy: unknown mode ${mode}`);
    if (this.#closed) return Promise.resolve();
    const previous = this.#mode;
    this.#mode = mode;
    if (mode === 'blackhole') {
      for (const pair of this.#pairs) {
        if (pair.state !== 'forward') continue;
        pair.state = 'blackhole';
        this.#dropBacklog(pair);
        // Sources may be paused by backpressure; resume them so arriving bytes are drained
        // and discarded instead of piling up in kernel buffers.
        pair.client.resume();
        pair.upstream?.resume();
      }
    }
    if (mode === 'refuse') this.resetAll();
    // Close synchronously so a client connecting right after setMode('refuse') is refused.
    if (!this.#wantListening()) this.#closeListener();
    const settled = this.#reconcile();
    if (mode !== previous) this.emit('mode', mode, previous);
    return settled;
  }

  resetAll() {
    let count = 0;
    for (const pair of this.#pairs) {
      if (!pair.client.destroyed) count++;
      hardClose(pair.client);
      hardClose(pair.upstream);
    }
    return count;
  }

  async flap({ upMs, downMs, cycles, downMode = 'refuse' }) {
    if (!['refuse', 'blackhole', 'hang'].includes(downMode)) {
      throw new TypeError(`fault-proxy: flap downMode must be refuse, blackhole or hang, got ${downMode}`);
    }
    const { signal } = this.#abort;
    try {
      for (let i = 0; i < cycles; i++) {
        await this.setMode('forward');
        await sleep(upMs, undefined, { signal });
        this.resetAll(); // going down always drops what is connected, whatever the down mode
        await this.setMode(downMode);
        await sleep(downMs, undefined, { signal });
      }
      await this.setMode('forward');
    } catch (err) {
      if (err.name !== 'AbortError') throw err; // close() ended the flap early: not an error
    }
  }

  close() {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close() {
    this.#closed = true;
    this.#abort.abort();
    await this.#queue; // let an in-flight listen settle so it cannot leave a listener behind
    const server = this.#server;
    this.#server = null;
    const waits = [...this.#sockets].map((s) => new Promise((resolve) => s.once('close', resolve)));
    for (const socket of this.#sockets) socket.destroy();
    if (server) waits.push(new Promise((resolve) => server.close(() => resolve())));
    await Promise.all(waits);
  }

  // --- listener management -------------------------------------------------------------------

  #wantListening() {
    return !this.#closed && !(this.#mode === 'refuse' && this.#refuseStrategy === 'close');
  }

  #closeListener() {
    const server = this.#server;
    if (!server) return;
    this.#server = null;
    server.close(); // closes the listening fd now; accepted sockets are ours to manage
  }

  #reconcile() {
    const run = this.#queue.then(async () => {
      if (!this.#wantListening()) this.#closeListener();
      else if (!this.#server && !this.#recovering) await this.#relisten();
    });
    this.#queue = run.catch(noop); // also marks `run` handled, so callers may ignore it
    return run;
  }

  async #relisten() {
    for (let attempt = 0; ; attempt++) {
      try {
        this.#adopt(await this.#listenOnce(this.#port));
        return;
      } catch (err) {
        if (this.#closed) return;
        if (err.code !== 'EADDRINUSE') throw err;
        if (attempt >= this.#retries) {
          this.#refuseStrategy = 'reset';
          this.#recover();
          throw new Error(
            `fault-proxy: could not re-listen on ${LOOPBACK}:${this.#port} (EADDRINUSE); ` +
              `retrying in the background, 'refuse' now accepts and resets`,
            { cause: err },
          );
        }
      }
      await sleep(this.#retryDelayMs * (attempt + 1));
      if (!this.#wantListening()) return; // back to 'refuse' meanwhile
    }
  }

  // Keeps trying to get the port back after a failed re-listen; port stays unchanged.
  async #recover() {
    this.#recovering = true;
    try {
      while (!this.#closed && !this.#server) {
        await sleep(Math.max(50, this.#retryDelayMs), undefined, { signal: this.#abort.signal });
        try {
          this.#adopt(await this.#listenOnce(this.#port));
        } catch (err) {
          if (err.code !== 'EADDRINUSE') throw err;
        }
      }
    } catch {
      // AbortError on close(), or an unexpected listen error: stop quietly, tests will notice.
    } finally {
      this.#recovering = false;
    }
  }

  #adopt(server) {
    if (this.#closed) server.close();
    else this.#server = server;
  }

  #listenOnce(port) {
    return new Promise((resolve, reject) => {
      const server = net.createServer({ allowHalfOpen: true }, (socket) => this.#onConnection(socket));
      server.once('error', reject);
      server.listen({ port, host: LOOPBACK }, () => {
        server.off('error', reject);
        server.on('error', noop);
        resolve(server);
      });
    });
  }

  // --- connections ---------------------------------------------------------------------------

  #track(socket) {
    socket.on('error', noop); // ECONNRESET / EPIPE are expected here, never fatal
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
  }

  #onConnection(client) {
    this.#stats.accepted++;
    this.#track(client);
    if (this.#mode === 'refuse') {
      // Accept-and-reset fallback (or a connection that raced the listener's close).
      hardClose(client);
      return;
    }
    client.setNoDelay(true);
    this.#stats.open++;
    const pair = { client, upstream: null, state: this.#mode, down: null };
    this.#pairs.add(pair);
    client.on('data', (chunk) => this.#relay(pair, chunk, client, pair.upstream, 'bytesUp'));
    client.on('end', () => {
      if (pair.state === 'forward') pair.upstream?.end();
    });
    client.once('close', (hadError) => {
      this.#stats.open--;
      this.#dropBacklog(pair);
      if (pair.state === 'forward' && pair.upstream) {
        if (hadError) hardClose(pair.upstream);
        else pair.upstream.end();
      }
      if (!pair.upstream || pair.upstream.destroyed) this.#pairs.delete(pair);
    });
    if (pair.state === 'hang') return; // never connect upstream, never answer

    // In 'blackhole' the upstream is still connected so both sides are open at TCP level.
    const upstream = net.connect({ host: this.#targetHost, port: this.#targetPort, allowHalfOpen: true });
    pair.upstream = upstream;
    this.#track(upstream);
    upstream.setNoDelay(true);
    upstream.on('data', (chunk) => this.#relayDown(pair, chunk));
    upstream.on('end', () => {
      if (pair.state === 'forward') this.#endClient(pair);
    });
    upstream.once('close', (hadError) => {
      if (pair.state === 'forward') {
        if (hadError) hardClose(client);
        else this.#endClient(pair);
      }
      if (client.destroyed) this.#pairs.delete(pair);
    });
  }

  #relay(pair, chunk, from, to, counter) {
    if (pair.state !== 'forward' || !to || to.destroyed) {
      this.#stats.bytesDropped += chunk.length;
      return;
    }
    this.#stats[counter] += chunk.length;
    if (!to.write(chunk)) {
      // Simple backpressure, as stream.pipe() would do.
      from.pause();
      to.once('drain', () => from.resume());
    }
  }

  // --- throttle (server->client) -------------------------------------------------------------

  #relayDown(pair, chunk) {
    if (!this.#throttle && !(pair.down?.bytes > 0)) {
      this.#relay(pair, chunk, pair.upstream, pair.client, 'bytesDown');
      return;
    }
    if (pair.state !== 'forward' || pair.client.destroyed) {
      this.#stats.bytesDropped += chunk.length;
      return;
    }
    this.#stats.bytesDown += chunk.length;
    pair.down ??= {
      queue: [], // { buf, at } in arrival order; the head is partly delivered up to `offset`
      offset: 0,
      bytes: 0, // not yet delivered
      wireFreeAt: 0, // when the modelled wire has finished the pieces planned so far
      pending: null, // { n, due }: the head's next piece, planned
      timer: null,
      waitingDrain: false,
      endPending: false, // the server's FIN, passed on once the backlog is delivered
      pausedUpstream: false,
    };
    const d = pair.down;
    d.queue.push({ buf: chunk, at: performance.now() });
    d.bytes += chunk.length;
    if (d.bytes >= MAX_BACKLOG && !d.pausedUpstream) {
      d.pausedUpstream = true;
      pair.upstream.pause();
    }
    this.#pump(pair);
  }

  // Delivers every piece that is due, then arms a timer for the next one.
  #pump(pair) {
    const d = pair.down;
    const client = pair.client;
    if (d.timer !== null || d.waitingDrain) return; // the head is already scheduled
    while (d.bytes > 0) {
      if (client.destroyed || pair.state !== 'forward') {
        this.#dropBacklog(pair);
        return;
      }
      const now = performance.now();
      d.pending ??= this.#plan(d);
      if (d.pending.due > now) {
        d.timer = setTimeout(() => {
          d.timer = null;
          this.#pump(pair);
        }, Math.max(1, Math.ceil(d.pending.due - now)));
        return;
      }
      const head = d.queue[0];
      const { n } = d.pending;
      const piece = d.offset === 0 && n === head.buf.length ? head.buf : head.buf.subarray(d.offset, d.offset + n);
      d.pending = null;
      d.offset += n;
      d.bytes -= n;
      if (d.offset === head.buf.length) {
        d.queue.shift();
        d.offset = 0;
      }
      if (d.pausedUpstream && d.bytes < MAX_BACKLOG / 2) {
        d.pausedUpstream = false;
        pair.upstream?.resume();
      }
      if (!client.write(piece)) {
        d.waitingDrain = true;
        client.once('drain', () => {
          d.waitingDrain = false;
          this.#pump(pair);
        });
        return;
      }
    }
    if (d.endPending) {
      d.endPending = false;
      client.end();
    }
  }

  // Plans the head's next piece: when its last byte has crossed the wire, plus latency and jitter.
  #plan(d) {
    const t = this.#throttle ?? UNTHROTTLED;
    const head = d.queue[0];
    const n = Math.min(head.buf.length - d.offset, t.chunkBytes);
    const start = Math.max(head.at, d.wireFreeAt);
    const crossed = start + (n * 1000) / t.bytesPerSecond;
    d.wireFreeAt = crossed;
    const due = crossed + t.latencyMs + (t.jitterMs > 0 ? Math.random() * t.jitterMs : 0);
    return { n, due }; // never before the piece ahead: pieces are planned one at a time, in order
  }

  #endClient(pair) {
    if (pair.down?.bytes > 0) pair.down.endPending = true;
    else pair.client.end();
  }

  #dropBacklog(pair) {
    const d = pair.down;
    if (!d) return;
    clearTimeout(d.timer);
    d.timer = null;
    d.pending = null;
    this.#stats.bytesDropped += d.bytes;
    d.bytes = 0;
    d.queue.length = 0;
    d.offset = 0;
    d.endPending = false;
    if (d.pausedUpstream) {
      d.pausedUpstream = false;
      pair.upstream?.resume();
    }
  }
}
