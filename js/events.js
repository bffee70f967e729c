// A small event target: addEventListener/removeEventListener and on<type> properties, the same in
// browsers, Node and mini-programs (which have no EventTarget).

export class Emitter {
  constructor() {
    /** @type {Map<string, Array<{fn: any, once: boolean, removed?: boolean}>>} */
    this._listeners = new Map();
  }

  /**
   * @param {string} type
   * @param {Function | {handleEvent: Function}} listener
   * @param {boolean | {once?: boolean}} [options]
   */
  addEventListener(type, listener, options) {
    if (typeof type !== 'string') throw new TypeError(`addEventListener: type must be a string, got ${typeof type}`);
    if (listener == null) return;
    const fn = typeof listener === 'function' ? listener : listener.handleEvent && listener;
    if (!fn) throw new TypeError('addEventListener: listener must be a function or an object with handleEvent');
    const list = this._listeners.get(type) ?? [];
    if (list.some((l) => l.fn === fn)) return;
    list.push({ fn, once: typeof options === 'object' && options !== null && !!options.once });
    this._listeners.set(type, list);
  }

  /** @param {string} type @param {Function | {handleEvent: Function}} listener */
  removeEventListener(type, listener) {
    const list = this._listeners.get(type);
    if (!list) return;
    const i = list.findIndex((l) => l.fn === listener);
    if (i >= 0) {
      list[i].removed = true; // a dispatch under way skips it, as EventTarget does
      list.splice(i, 1);
    }
  }

  /**
   * Calls the on<type> property, then the listeners. A listener that throws does not stop the
   * others or the connection: its error is rethrown on its own, as the DOM reports it.
   * @param {string} type @param {object} fields
   */
  _emit(type, fields) {
    // Hot for 'message': no event object is built when nobody listens, and the caller's fresh
    // object becomes the event (no copy).
    const handler = /** @type {any} */ (this)[ON[type] ?? 'on' + type];
    const list = this._listeners.get(type);
    const listening = list !== undefined && list.length > 0;
    if (typeof handler !== 'function' && !listening) return;
    const event = /** @type {any} */ (fields);
    event.type = type;
    event.target = this;
    if (typeof handler === 'function') callSafely(handler, this, event);
    if (!listening) return;
    for (const l of list.length === 1 ? [list[0]] : list.slice()) {
      if (l.removed) continue;
      if (l.once) this.removeEventListener(type, l.fn);
      if (typeof l.fn === 'function') callSafely(l.fn, this, event);
      else callSafely(l.fn.handleEvent, l.fn, event);
    }
  }
}

/** on<type> property names, so that dispatch builds no string. */
const ON = /** @type {Record<string, string>} */ ({
  open: 'onopen',
  message: 'onmessage',
  close: 'onclose',
  error: 'onerror',
  reconnecting: 'onreconnecting',
  giveup: 'ongiveup',
  heartbeat: 'onheartbeat',
  drop: 'ondrop',
  statechange: 'onstatechange',
});

function callSafely(fn, self, event) {
  try {
    fn.call(self, event);
  } catch (error) {
    reportLater(error);
  }
}

/** @param {unknown} error */
export function reportLater(error) {
  setTimeout(() => {
    throw error;
  }, 0);
}
