// The payloads of a resume session (PROTOCOL.md), oldest first: the core numbers each message and
// says which to write, resend, release or drop; this only holds them. Bounded by the core (a send
// beyond its count and bytes is refused).
//
// A queue, not a map by seq: the core always releases and drops from the oldest, and a session
// that expires numbers from 1 again, possibly while the old session's drops are still being
// carried out (a 'drop' listener that sends). By position, the old entries are the oldest and the
// new ones the newest, whatever their numbers.

/** @typedef {{ seq: number, data: any, bytes: number, written: boolean, refused?: { error: unknown } }} KeptItem */

export class Kept {
  constructor() {
    /** @type {KeptItem[]} */
    this._items = [];
    this._head = 0;
    this.heldBytes = 0; // bytes of kept messages not yet written (bufferedAmount)
  }

  get size() {
    return this._items.length - this._head;
  }

  add(/** @type {number} */ seq, /** @type {any} */ data, /** @type {number} */ bytes) {
    this._items.push({ seq, data, bytes, written: false });
    this.heldBytes += bytes;
  }

  /** The entry of `seq` in the current session (the newest entries are numbered consecutively up
   * to the last one), or undefined if it is not kept. */
  find(/** @type {number} */ seq) {
    const last = this._items.length - 1;
    if (last < this._head) return undefined;
    const i = last - (this._items[last].seq - seq);
    const item = i >= this._head && i <= last ? this._items[i] : undefined;
    return item?.seq === seq ? item : undefined;
  }

  /** `item` went to a socket (bufferedAmount no longer counts it). */
  written(/** @type {KeptItem} */ item) {
    if (item.written) return;
    item.written = true;
    this.heldBytes -= item.bytes;
  }

  /** Removes the oldest `count` entries and returns them. */
  shift(/** @type {number} */ count) {
    const end = Math.min(this._items.length, this._head + Math.max(0, count));
    const out = this._items.slice(this._head, end);
    this._head = end;
    for (const item of out) if (!item.written) this.heldBytes -= item.bytes;
    if (this._head === this._items.length) {
      this._items = [];
      this._head = 0;
    } else if (this._head > 1024 && this._head * 2 > this._items.length) {
      this._items = this._items.slice(this._head);
      this._head = 0;
    }
    return out;
  }
}
