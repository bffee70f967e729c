// The payloads of a resume session (PROTOCOL.md), keyed by seq: the core numbers each message and
// says which to write, resend, release or drop; this only holds them. Bounded by the core (the
// count and bytes of the kept messages are its decision: a send beyond them is refused).

export class Kept {
  /** @param {(data: any, reason: string) => void} onDrop */
  constructor(onDrop) {
    /** @type {Map<number, { data: any, bytes: number }>} */
    this._items = new Map();
    this._onDrop = onDrop;
    this.written = 0; // the highest seq handed to a socket
    this.heldBytes = 0; // bytes of kept messages not yet written (bufferedAmount)
  }

  get size() {
    return this._items.size;
  }

  add(/** @type {number} */ seq, /** @type {any} */ data, /** @type {number} */ bytes) {
    this._items.set(seq, { data, bytes });
    this.heldBytes += bytes;
  }

  /** The payload of `seq` (undefined if not kept), now counted as written. */
  take(/** @type {number} */ seq) {
    const item = this._items.get(seq);
    if (item && seq > this.written) {
      this.written = seq;
      this.heldBytes -= item.bytes;
    }
    return item?.data;
  }

  /** The peer has first..last: forget them. */
  release(/** @type {number} */ first, /** @type {number} */ last) {
    for (let seq = first; seq <= last; seq++) this._forget(seq);
  }

  /** first..last will never be resent (the session expired): each goes to the app as a drop. */
  drop(/** @type {number} */ first, /** @type {number} */ last, /** @type {string} */ reason) {
    for (let seq = first; seq <= last; seq++) {
      const item = this._forget(seq);
      if (item) this._onDrop(item.data, reason);
    }
    if (this._items.size === 0) this.written = 0; // a new session numbers from 1
  }

  /** Everything kept goes to the app as a drop (the Lifeline is closed). */
  dropAll(/** @type {string} */ reason) {
    const items = [...this._items.values()];
    this._items.clear();
    this.heldBytes = 0;
    for (const { data } of items) this._onDrop(data, reason);
  }

  _forget(/** @type {number} */ seq) {
    const item = this._items.get(seq);
    if (!item) return undefined;
    this._items.delete(seq);
    if (seq > this.written) this.heldBytes -= item.bytes;
    return item;
  }
}
