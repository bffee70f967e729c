// Transport over a WebSocket constructor: the browser's, Node's global one, or the `ws` package's.
//
// Liveness from bytes: with the `ws` package the underlying net.Socket (`ws._socket`, set just
// before 'open' is emitted) is visible, so every chunk it reads is reported as
// handlers.activity(true) ("bytes arrived, a message may not be complete yet"): a large message on a
// slow link is life, not silence. It is reported before `ws` parses the chunk, and
// handlers.activityDone() after: the messages parsed from one chunk (a thousand of 32 B in a
// 64 KB read) share the time read for the chunk, so the clock is read once per read, not per
// message. A browser WebSocket, Node's global (undici) WebSocket and
// SocketTask show only complete messages: no activity() from them.
import { isAppCloseCode } from '../contract.js';

/**
 * @param {any} WebSocketImpl a WebSocket constructor
 * @returns {import('../lifeline.js').Transport}
 */
export function webSocketTransport(WebSocketImpl) {
  return (url, protocols, handlers, binaryType) => {
    const ws = protocols && protocols.length ? new WebSocketImpl(url, protocols) : new WebSocketImpl(url);
    try {
      ws.binaryType = binaryType;
    } catch {
      // an implementation without this binaryType keeps its default
    }
    let detached = false;
    /** @type {any} the underlying socket while we listen to its 'data' events */
    let tap = null;
    // Two listeners for the socket's life, around ws's own: no allocation per chunk.
    const onData = () => {
      if (!detached) handlers.activity(true);
    };
    const onDataDone = () => {
      if (!detached) handlers.activityDone?.();
    };
    const untap = () => {
      if (tap === null) return;
      tap.removeListener('data', onData);
      tap.removeListener('data', onDataDone);
      tap = null;
    };
    ws.onopen = () => {
      if (typeof handlers.activity === 'function') {
        try {
          const socket = ws._socket;
          if (socket && typeof socket.prependListener === 'function' && typeof socket.removeListener === 'function') {
            socket.prependListener('data', onData); // before ws's own listener parses the chunk
            socket.on('data', onDataDone); // after it
            tap = socket;
          }
        } catch {
          // not the `ws` package after all: complete messages are the only sign of life
        }
      }
      handlers.open();
    };
    ws.onmessage = (/** @type {any} */ e) => handlers.message(e.data);
    /** @type {{ detail: Error, retryAfter: number } | null} the upgrade's answer, when it was not 101 */
    let refused = null;
    ws.onerror = (/** @type {any} */ e) => {
      if (refused) handlers.error(refused.detail, refused.retryAfter);
      else handlers.error(e?.error ?? e?.message ?? 'error');
    };
    if (typeof ws.on === 'function' && typeof ws.terminate === 'function') {
      // `ws` shows the HTTP answer to the upgrade when it is not 101: a 503's Retry-After is the
      // server's word on when to come back (the core decides what to do with it). With this
      // listener `ws` leaves the request to us; terminate() ends it as `ws` would by itself
      // (request aborted, its socket destroyed, then one 'error' and one 'close').
      ws.on('unexpected-response', (/** @type {any} */ req, /** @type {any} */ res) => {
        const status = res?.statusCode;
        refused = {
          detail: new Error(`Unexpected server response: ${status}`),
          retryAfter: status === 503 ? retryAfterMs(res.headers?.['retry-after']) : NaN,
        };
        res?.resume?.(); // nothing reads the body
        ws.terminate();
      });
    }
    ws.onclose = (/** @type {any} */ e) => {
      untap();
      handlers.close(e.code, e.reason, e.wasClean);
    };
    return {
      send(data) {
        // A closing socket silently discards what it is given (ws and browsers alike): say it is
        // not open, so the Lifeline keeps the message for the next connection instead.
        if (ws.readyState !== 1) return false;
        ws.send(data);
        return true;
      },
      close(code, reason, abandon) {
        if (!detached) {
          detached = true;
          untap();
          ws.onopen = ws.onmessage = ws.onclose = null;
          // `ws` (Node) emits an error when a connecting socket is closed: it must have a listener.
          ws.onerror = () => {};
        }
        try {
          // A dead link gets no closing handshake to wait for: free it now where we can (ws).
          if (abandon && typeof ws.terminate === 'function') ws.terminate();
          else if (ws.readyState === 0 || ws.readyState === 1) {
            // Browsers throw on a code a client may not send (1006 reports an error).
            if (isAppCloseCode(code)) ws.close(code, reason);
            else ws.close();
          }
        } catch {
          // closing an already failed socket may throw in some implementations: it is gone anyway
        }
      },
      setBinaryType(type) {
        try {
          ws.binaryType = type;
        } catch {
          // an implementation without this binaryType keeps its own
        }
      },
      get bufferedAmount() {
        return ws.bufferedAmount ?? 0;
      },
      get protocol() {
        return ws.protocol ?? '';
      },
      get extensions() {
        return ws.extensions ?? '';
      },
    };
  };
}

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const LONG_DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const TIME = '(\\d\\d):(\\d\\d):(\\d\\d)';
const MONTH = `(${MONTHS.join('|')})`;
// RFC 9110, 5.6.7: IMF-fixdate, the obsolete RFC 850 form (two-digit year), asctime (no zone: GMT).
const IMF_FIXDATE = new RegExp(`^(?:${DAYS.join('|')}), (\\d\\d) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC850 = new RegExp(`^(?:${LONG_DAYS.join('|')}), (\\d\\d)-${MONTH}-(\\d\\d) ${TIME} GMT$`);
const ASCTIME = new RegExp(`^(?:${DAYS.join('|')}) ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

/**
 * A Retry-After header (RFC 9110, 10.2.3) in milliseconds from `now` (the wall clock, as the date
 * is): delay-seconds, or an HTTP-date in one of its three forms (one in the past: 0). Anything
 * else: NaN (none), a date that does not exist too (31 Feb, 24:00:00). Only a conversion: what to
 * do with it is the core's decision.
 * @param {unknown} value
 * @param {number} [now] Date.now()
 */
export function retryAfterMs(value, now = Date.now()) {
  if (typeof value !== 'string') return NaN;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Math.min(Number(v) * 1000, Number.MAX_VALUE); // 1e400 s: very long, not none
  /** @type {RegExpExecArray | null} */
  let m;
  /** @type {[number, string, number, string, string, string] | null} day, month, year, h, m, s */
  let parts = null;
  if ((m = IMF_FIXDATE.exec(v))) parts = [Number(m[1]), m[2], Number(m[3]), m[4], m[5], m[6]];
  else if ((m = ASCTIME.exec(v))) parts = [Number(m[2].trim()), m[1], Number(m[6]), m[3], m[4], m[5]];
  else if ((m = RFC850.exec(v))) {
    // A two-digit year more than 50 years ahead is the latest past year with those digits.
    const nowYear = new Date(now).getUTCFullYear();
    let year = nowYear - (nowYear % 100) + Number(m[3]);
    if (year > nowYear + 50) year -= 100;
    parts = [Number(m[1]), m[2], year, m[4], m[5], m[6]];
  }
  if (parts === null) return NaN;
  const [day, month, year, hh, mm, ss] = parts;
  const [h, min, s] = [Number(hh), Number(mm), Number(ss)];
  if (h > 23 || min > 59 || s > 60) return NaN; // 60: a leap second
  const date = new Date(0);
  date.setUTCFullYear(year, MONTHS.indexOf(month), day); // not Date.UTC: it reads years 0 to 99 as 19xx
  // A day the month does not have rolls over into the next: then it was not a date.
  if (date.getUTCDate() !== day) return NaN;
  date.setUTCHours(h, min, s);
  const at = date.getTime();
  return at === at ? Math.max(0, at - now) : NaN;
}
