// A loopback TCP proxy that sits between a WebSocket client and a real server and injects
// network faults on demand. Test support only: it listens on, and connects to, 127.0.0.1 only.
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

import net from 'node:net';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

const LOOPBACK = '127.0.0.1';
const MODES = new Set(['forward', 'blackhole', 'refuse', 'hang']);
const noop = () => {};

export async function startFaultProxy({
  targetPort,
  targetHost = LOOPBACK,
  port = 0,
  // Re-listen attempts (EADDRINUSE) when leaving 'refuse', and the base delay between them.
  relistenRetries = 10,
  relistenDelayMs = 20,
} = {}) {
  if (!Number.isInteger(targetPort) || targetPort <= 0 || targetPort > 65535) {
    throw new TypeError(`fault-proxy: targetPort must be a port number, got ${targetPort}`);
  }
  // Tests must never talk to anything but the loopback interface.
  if (targetHost !== LOOPBACK) {
    throw new Error(`fault-proxy: only ${LOOPBACK} is allowed as targetHost, got ${targetHost}`);
  }
  const proxy = new FaultProxy({ targetPort, targetHost, relistenRetries, relistenDelayMs });
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
  #pairs = new Set(); // { client, upstream, state: 'forward' | 'blackhole' | 'hang' }
  #sockets = new Set(); // every open socket, both sides, for close()
  #stats = { accepted: 0, open: 0, bytesUp: 0, bytesDown: 0, bytesDropped: 0 };
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
    return { ...this.#stats };
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
    const pair = { client, upstream: null, state: this.#mode };
    this.#pairs.add(pair);
    client.on('data', (chunk) => this.#relay(pair, chunk, client, pair.upstream, 'bytesUp'));
    client.on('end', () => {
      if (pair.state === 'forward') pair.upstream?.end();
    });
    client.once('close', (hadError) => {
      this.#stats.open--;
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
    upstream.on('data', (chunk) => this.#relay(pair, chunk, upstream, client, 'bytesDown'));
    upstream.on('end', () => {
      if (pair.state === 'forward') client.end();
    });
    upstream.once('close', (hadError) => {
      if (pair.state === 'forward') {
        if (hadError) hardClose(client);
        else client.end();
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
}
