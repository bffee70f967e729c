// A small event target: addEventListener/removeEventListener/dispatchEvent and on<type>
// properties, the same in browsers, Node and mini-programs (which have no EventTarget).
//
// Events: where the runtime has `Event` (browsers, Node, Deno, Bun), each event but 'message' is
// an instance of a subclass of it, whose `target` and `currentTarget` are the Lifeline and whose
// own properties are the event's fields (code, reason, …). Where it has none (mini-programs), and
// for 'message' everywhere (the hot path), the plain shape: an object with `type`, `target`,
// `currentTarget` and the same fields. Either way an event is built only when someone listens.
import { globalObject } from './options.js';

// Symbol keys: invisible to Object.keys, for…in and JSON, so that an event's own string keys are
// its fields.
const kTarget = Symbol('target');
const kCurrent = Symbol('currentTarget');
const kStop = Symbol('stopImmediatePropagation');

/** @type {any} the runtime's Event constructor that EventClass extends */
let eventBase;
/** @type {any} */
let EventClass = null;

/** The event class over the runtime's `Event`, or null where there is none (read at each
 * dispatch, so that an `Event` installed later is used). */
function eventClass() {
  const base = globalObject().Event;
  if (base !== eventBase) {
    eventBase = base;
    EventClass = typeof base === 'function' ? subclassOf(base) : null;
  }
  return EventClass;
}

/** @param {any} Base */
function subclassOf(Base) {
  // Not an EventTarget's event: its target and phase are this class's own, read from the symbols
  // that the Emitter sets (a runtime's Event keeps them in slots that only its EventTarget sets);
  // the runtime's own, while an EventTarget it was forwarded to dispatches it.
  return class LifelineEvent extends Base {
    /** @param {string} type @param {object} target */
    constructor(type, target) {
      super(type);
      /** @type {any} */ (this)[kTarget] = target;
      /** @type {any} */ (this)[kCurrent] = target;
    }
    get target() {
      return super.currentTarget ? super.target : /** @type {any} */ (this)[kTarget];
    }
    get srcElement() {
      return this.target;
    }
    get currentTarget() {
      return super.currentTarget ?? /** @type {any} */ (this)[kCurrent];
    }
    get eventPhase() {
      if (super.currentTarget) return super.eventPhase;
      return /** @type {any} */ (this)[kCurrent] ? 2 : 0; // AT_TARGET while dispatched, else NONE
    }
    composedPath() {
      if (super.currentTarget) return super.composedPath();
      return /** @type {any} */ (this)[kCurrent] ? [/** @type {any} */ (this)[kTarget]] : [];
    }
    stopImmediatePropagation() {
      /** @type {any} */ (this)[kStop] = true;
      super.stopImmediatePropagation();
    }
  };
}

/**
 * @typedef {{ fn: any, once: boolean, capture: boolean, removed?: boolean }} Entry
 */

export class Emitter {
  constructor() {
    /** @type {Map<string, Entry[]>} */
    this._listeners = new Map();
  }

  /**
   * As EventTarget's: a listener is a function or an object with handleEvent, once per (type,
   * listener, capture). Options: `once`, `signal` (an AbortSignal: aborted, it removes the
   * listener; already aborted, nothing is added), `capture` (or a boolean third argument: there is
   * no tree, so capture listeners only run first), `passive` (accepted, no effect).
   * @param {string} type
   * @param {Function | {handleEvent: Function} | null} listener
   * @param {boolean | {once?: boolean, capture?: boolean, passive?: boolean, signal?: any}} [options]
   */
  addEventListener(type, listener, options) {
    if (typeof type !== 'string') throw new TypeError(`addEventListener: type must be a string, got ${typeof type}`);
    const opts = typeof options === 'object' && options !== null ? options : null;
    const signal = opts?.signal;
    if (signal != null && (typeof signal !== 'object' || typeof signal.addEventListener !== 'function')) {
      throw new TypeError('addEventListener: options.signal must be an AbortSignal');
    }
    if (signal?.aborted) return;
    if (listener == null) return;
    if (typeof listener !== 'function' && (typeof listener !== 'object' || !listener.handleEvent)) {
      throw new TypeError('addEventListener: listener must be a function or an object with handleEvent');
    }
    const capture = opts ? !!opts.capture : !!options;
    const list = this._listeners.get(type) ?? [];
    if (list.some((l) => l.fn === listener && l.capture === capture)) return;
    /** @type {Entry} */
    const entry = { fn: listener, once: !!opts?.once, capture };
    // At the target, capture listeners run before the others (DOM dispatch: capture phase first).
    if (capture) {
      let i = 0;
      while (i < list.length && list[i].capture) i++;
      list.splice(i, 0, entry);
    } else list.push(entry);
    this._listeners.set(type, list);
    if (signal) signal.addEventListener('abort', () => this._remove(type, entry), { once: true });
  }

  /**
   * @param {string} type
   * @param {Function | {handleEvent: Function} | null} listener
   * @param {boolean | {capture?: boolean}} [options]
   */
  removeEventListener(type, listener, options) {
    const list = this._listeners.get(type);
    if (!list) return;
    const capture = typeof options === 'object' && options !== null ? !!options.capture : !!options;
    const entry = list.find((l) => l.fn === listener && l.capture === capture);
    if (entry) this._remove(type, entry);
  }

  /** @param {string} type @param {Entry} entry */
  _remove(type, entry) {
    entry.removed = true; // a dispatch under way skips it, as EventTarget does
    const list = this._listeners.get(type);
    const i = list ? list.indexOf(entry) : -1;
    if (i >= 0) /** @type {Entry[]} */ (list).splice(i, 1);
  }

  /**
   * As EventTarget's: the event goes to on<type> and the listeners, with this as its target;
   * false when a listener called preventDefault() on a cancelable event. Takes an Event, or (as
   * where there is none) any object with a string `type`.
   * @param {any} event
   */
  dispatchEvent(event) {
    if (event === null || typeof event !== 'object' || typeof event.type !== 'string') {
      throw new TypeError('dispatchEvent: expected an Event (or an object with a string type)');
    }
    if (event.currentTarget != null) throw invalidState('dispatchEvent: the event is already being dispatched');
    const type = event.type;
    const name = hasOwn.call(ON, type) ? ON[type] : undefined; // no on<type> of other types
    const handler = name === undefined ? undefined : /** @type {any} */ (this)[name];
    const list = this._listeners.get(type);
    const E = eventClass();
    if (event[kStop]) event[kStop] = false;
    if (E !== null && event instanceof E) {
      event[kTarget] = this;
      event[kCurrent] = this;
      this._dispatch(type, event, handler, list);
      event[kCurrent] = null;
    } else if (E !== null && event instanceof eventBase) {
      // Another Event: target and currentTarget as own properties over the prototype's getters
      // (its own slots are set only by an EventTarget), and its stopImmediatePropagation noticed.
      const stop = event.stopImmediatePropagation;
      Object.defineProperties(event, {
        target: { value: this, configurable: true, enumerable: false, writable: true },
        srcElement: { value: this, configurable: true, enumerable: false, writable: true },
        currentTarget: { value: this, configurable: true, enumerable: false, writable: true },
        eventPhase: { value: 2, configurable: true, enumerable: false, writable: true }, // AT_TARGET
        stopImmediatePropagation: {
          value() {
            event[kStop] = true;
            return stop.call(event);
          },
          configurable: true,
          enumerable: false,
          writable: true,
        },
      });
      try {
        this._dispatch(type, event, handler, list);
      } finally {
        event.currentTarget = null;
        event.eventPhase = 0; // NONE
        delete event.stopImmediatePropagation;
      }
    } else {
      event.target = this;
      event.currentTarget = this;
      this._dispatch(type, event, handler, list);
      event.currentTarget = null;
    }
    return !event.defaultPrevented;
  }

  /**
   * Dispatches an event of the Lifeline's own: builds it only when someone listens.
   * @param {string} type @param {object} fields the event's fields: a fresh object, which becomes
   * the event where there is no `Event`
   */
  _emit(type, fields) {
    // Hot for 'message': no event object is built when nobody listens, and without an `Event`
    // the caller's fresh object becomes the event (no copy).
    const handler = /** @type {any} */ (this)[ON[type]];
    const list = this._listeners.get(type);
    if (typeof handler !== 'function' && (list === undefined || list.length === 0)) return;
    // 'message' is the plain shape everywhere: an Event costs several times the rest of the
    // message path (see the README's table of differences from the WebSocket standard).
    const E = type === 'message' ? null : eventClass();
    if (E === null) {
      const event = /** @type {any} */ (fields);
      event.type = type;
      event.target = this;
      event.currentTarget = this;
      this._dispatch(type, event, handler, list);
      event.currentTarget = null;
    } else {
      const event = new E(type, this);
      for (const key in fields) event[key] = /** @type {any} */ (fields)[key];
      this._dispatch(type, event, handler, list);
      event[kCurrent] = null;
    }
  }

  /**
   * Calls the on<type> property, then the listeners (a snapshot: those added meanwhile wait for
   * the next event; those removed meanwhile are skipped), until one stops the event. A listener
   * that throws does not stop the others or the connection: its error is rethrown on its own, as
   * the DOM reports it.
   * @param {string} type @param {any} event @param {any} handler @param {Entry[] | undefined} list
   */
  _dispatch(type, event, handler, list) {
    if (typeof handler === 'function') callSafely(handler, this, event);
    if (list === undefined || list.length === 0 || event[kStop]) return;
    // One listener (the common case) without copying the list: no allocation per message.
    if (list.length === 1) {
      this._call(type, list[0], event);
      return;
    }
    for (const l of list.slice()) {
      this._call(type, l, event);
      if (event[kStop]) return;
    }
  }

  _call(/** @type {string} */ type, /** @type {Entry} */ l, /** @type {any} */ event) {
    if (l.removed) return;
    if (l.once) this._remove(type, l);
    const fn = l.fn;
    if (typeof fn === 'function') callSafely(fn, this, event);
    else callHandleEvent(fn, event);
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
  expired: 'onexpired',
  heartbeat: 'onheartbeat',
  drop: 'ondrop',
  statechange: 'onstatechange',
});
const hasOwn = Object.prototype.hasOwnProperty;

/** @param {Function} fn @param {any} self @param {any} event */
function callSafely(fn, self, event) {
  try {
    fn.call(self, event);
  } catch (error) {
    reportLater(error);
  }
}

/** A listener object's handleEvent, looked up when it is called (as EventTarget does). */
function callHandleEvent(/** @type {any} */ listener, /** @type {any} */ event) {
  try {
    const handleEvent = listener.handleEvent;
    if (typeof handleEvent !== 'function') throw new TypeError('listener.handleEvent is not a function');
    handleEvent.call(listener, event);
  } catch (error) {
    reportLater(error);
  }
}

/** @param {string} message */
function invalidState(message) {
  const DOMExceptionClass = globalObject().DOMException;
  if (typeof DOMExceptionClass === 'function') return new DOMExceptionClass(message, 'InvalidStateError');
  const error = new Error(message);
  error.name = 'InvalidStateError';
  return error;
}

/** @param {unknown} error */
export function reportLater(error) {
  setTimeout(() => {
    throw error;
  }, 0);
}
