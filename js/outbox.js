// The outbox: what the app sends. Written at once when the socket is open and nothing waits,
// else queued (bounded in messages and bytes) and flushed in order on the next open. Every
// message is accounted for: sent, still queued, dropped (with a 'drop' event) or maybe lost
// (sent on a socket after its last sign of life, on a socket that then died).

// What write() did with a message.
const SENT = 0;
const NOT_OPEN = 1; // the socket cannot take it now: keep it for the next connection
const REFUSED = 2; // the transport rejected this message: dropped with an event

export class Outbox {
  /**
   * @param {{ maxQueued: number, maxQueuedBytes: number }} limits
   * @param {(data: any, reason: string, error?: unknown) => void} onDrop called after the count
   */
  constructor(limits, onDrop) {
    this._limits = limits;
    this._onDrop = onDrop;
    /** @type {Array<{ data: any, bytes: number }>} */
    this._queue = [];
    this.queuedBytes = 0;
    this.counters = { messagesSent: 0, messagesReceived: 0, dropped: 0, maybeLost: 0 };
    this._sentSinceLife = 0; // sent on the live socket since its last sign of life
    this._gone = 0; // how many sockets went away: a send() during which this moves went nowhere
    this._flushing = false;
    this._closed = false;
  }

  get queued() {
    return this._queue.length;
  }

  /**
   * Sends `data` on `socket` if it may go now, else queues it. False when it was not accepted
   * (dropped, with its event).
   * @param {any} data
   * @param {import('./lifeline.js').TransportSocket | null} socket the open socket, or null
   */
  accept(data, socket) {
    if (socket && this._queue.length === 0) {
      const written = this._write(socket, data);
      if (written === SENT) return true;
      if (written === REFUSED) return false;
      return this._enqueue(data); // not taken now: kept for the next connection
    }
    if (!this._enqueue(data)) return false;
    if (socket) this.flush(socket);
    return true;
  }

  /** Queues `data` behind what waits (false: dropped, with its event). */
  hold(/** @type {any} */ data) {
    return this._enqueue(data);
  }

  /** Sends what is queued, in order, until the socket takes no more. A 'drop' listener that
   * sends during the flush only queues: this loop sends it, in its turn. */
  flush(/** @type {import('./lifeline.js').TransportSocket} */ socket) {
    if (this._flushing) return;
    this._flushing = true;
    try {
      while (this._queue.length > 0) {
        const item = /** @type {{ data: any, bytes: number }} */ (this._queue.shift());
        this.queuedBytes -= item.bytes;
        if (this._write(socket, item.data) !== NOT_OPEN) continue;
        if (this._closed) {
          this.drop(item.data, 'closed'); // closed while it was being written
        } else {
          this._queue.unshift(item);
          this.queuedBytes += item.bytes;
        }
        break;
      }
    } finally {
      this._flushing = false;
    }
  }

  /** Something arrived: what was sent before it is not at risk. */
  lifeSeen() {
    this._sentSinceLife = 0;
  }

  /** The live socket went away; without a closing handshake, what it took since its last sign of life may be lost. */
  socketGone(/** @type {boolean} */ handshake) {
    if (!handshake) this.counters.maybeLost += this._sentSinceLife;
    this._sentSinceLife = 0;
    this._gone++;
  }

  /** Drops everything queued, now and later (the Lifeline is closed). */
  dropAll(/** @type {string} */ reason) {
    this._closed = true;
    const items = this._queue.splice(0);
    this.queuedBytes = 0;
    for (const { data } of items) this.drop(data, reason);
  }

  drop(/** @type {any} */ data, /** @type {string} */ reason, /** @type {unknown} */ error) {
    this.counters.dropped++;
    this._onDrop(data, reason, error);
  }

  _write(/** @type {import('./lifeline.js').TransportSocket} */ socket, /** @type {any} */ data) {
    const gone = this._gone;
    try {
      // A socket that failed inside its own send() (a SocketTask's synchronous `fail`) took
      // nothing: the message waits for the next connection.
      if (socket.send(data) === false || this._gone !== gone) return NOT_OPEN;
    } catch (error) {
      this.drop(data, 'refused', error);
      return REFUSED;
    }
    this.counters.messagesSent++;
    this._sentSinceLife++;
    return SENT;
  }

  _enqueue(/** @type {any} */ data) {
    const budget = this._limits.maxQueuedBytes - this.queuedBytes;
    // A string's UTF-8 is at least as many bytes as it has UTF-16 units: one too long for the
    // budget is refused without counting it (counting 64 MB takes most of a second).
    const bytes = typeof data === 'string' && data.length > budget ? Infinity : byteLength(data);
    if (this._queue.length + 1 > this._limits.maxQueued || bytes > budget) {
      this.drop(data, 'queue-full');
      return false;
    }
    this._queue.push({ data, bytes });
    this.queuedBytes += bytes;
    return true;
  }
}

/** @param {any} data */
export function byteLength(data) {
  if (typeof data === 'string') return utf8Length(data);
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  return data?.size ?? 0; // Blob (a transport's odd null: 0)
}

// Node's Buffer counts natively; a long string's JavaScript loop costs tens of microseconds
// (16 KiB: about 40 µs measured), which resume pays for every message it keeps or receives.
const nativeByteLength = typeof Buffer === 'function' && typeof Buffer.byteLength === 'function' ? Buffer.byteLength : null;
const encoder = typeof TextEncoder === 'function' ? new TextEncoder() : null;

/** @param {string} s */
export function utf8Length(s) {
  if (s.length > 256) {
    if (nativeByteLength) return nativeByteLength(s, 'utf8');
    if (encoder) return encoder.encode(s).byteLength;
  }
  return utf8LengthByLoop(s);
}

/** @param {string} s */
function utf8LengthByLoop(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4; // a surrogate pair
      i++;
    } else n += 3; // includes a lone surrogate, sent as U+FFFD
  }
  return n;
}
