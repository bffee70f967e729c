// The core's Connection, as JavaScript holds it. The binding exports embind functions taking a
// Core's address first, not an embind class (whose class-handle runtime would add several KB to
// the glue; src/wasm/binding.cpp); this gives them back their shape: `new (coreClass(mod))()`.

/**
 * @param {any} mod the loaded core module
 */
export function coreClass(mod) {
  return class Core {
    constructor() {
      /** @type {number} the Core's address in the module's memory; 0 once deleted */
      this.p = mod.createCore();
    }
    set(/** @type {number} */ field, /** @type {number} */ value) {
      return mod.set(this.p, field, value);
    }
    configure() {
      return mod.configure(this.p);
    }
    open(/** @type {number} */ now) {
      return mod.open(this.p, now);
    }
    close(/** @type {number} */ now, /** @type {number} */ code) {
      return mod.close(this.p, now, code);
    }
    reconnect(/** @type {number} */ now) {
      return mod.reconnect(this.p, now);
    }
    opened(/** @type {number} */ id, /** @type {number} */ now) {
      return mod.opened(this.p, id, now);
    }
    activity(/** @type {number} */ id, /** @type {number} */ at) {
      return mod.activity(this.p, id, at);
    }
    pong(/** @type {number} */ id, /** @type {number} */ now) {
      return mod.pong(this.p, id, now);
    }
    serverPing(/** @type {number} */ id, /** @type {number} */ now) {
      return mod.serverPing(this.p, id, now);
    }
    /** `retryAfter`: an HTTP 503's Retry-After in ms, NaN if none. */
    error(/** @type {number} */ id, /** @type {number} */ now, retryAfter = NaN) {
      return mod.error(this.p, id, now, retryAfter);
    }
    /** `retryAfter`: an HTTP 503's Retry-After in ms, NaN if none. */
    attemptFailed(/** @type {number} */ id, /** @type {number} */ now, retryAfter = NaN) {
      return mod.attemptFailed(this.p, id, now, retryAfter);
    }
    /** `reasonSize`: the reason's length as writeReason() left it in the module (0: none). */
    closed(/** @type {number} */ id, /** @type {number} */ now, /** @type {number} */ code, /** @type {boolean} */ clean, /** @type {boolean} */ allowed, reasonSize = 0) {
      return mod.closed(this.p, id, now, code, clean, allowed, reasonSize);
    }
    /** Resume: a message of `bytes` bytes from the app; the outcome (its seq: sentSeq()). */
    send(/** @type {number} */ bytes, /** @type {number} */ now) {
      return mod.send(this.p, bytes, now);
    }
    /** Resume: bounds of the kept messages (before configure()); false if out of range. */
    bounds(/** @type {number} */ count, /** @type {number} */ bytes) {
      return mod.bounds(this.p, count, bytes);
    }
    /** An application message arrived: ok means deliver it. */
    message(/** @type {number} */ id, /** @type {number} */ bytes, /** @type {number} */ now) {
      return mod.message(this.p, id, bytes, now);
    }
    /** A text starting with the control prefix (writeFrame() left `size` of it): ok means it is an escaped application message. */
    control(/** @type {number} */ id, /** @type {number} */ now, /** @type {number} */ size, /** @type {number} */ bytes) {
      return mod.control(this.p, id, now, size, bytes);
    }
    expire(/** @type {number} */ now) {
      return mod.expire(this.p, now);
    }
    timeout(/** @type {number} */ now) {
      return mod.timeout(this.p, now);
    }
    network(/** @type {boolean} */ online, /** @type {number} */ now) {
      return mod.network(this.p, online, now);
    }
    foreground(/** @type {boolean} */ shown, /** @type {number} */ now) {
      return mod.foreground(this.p, shown, now);
    }
    pollTimeout() {
      return mod.pollTimeout(this.p);
    }
    /** The next output's kind, its fields left in the module's records (contract.js reads them). */
    poll() {
      return mod.poll(this.p);
    }
    /** Leaves the stats in the module's records. */
    stats() {
      mod.stats(this.p);
    }
    state() {
      return mod.state(this.p);
    }
    liveSocket() {
      return mod.liveSocket(this.p);
    }
    delete() {
      if (this.p !== 0) mod.deleteCore(this.p);
      this.p = 0;
    }
  };
}
