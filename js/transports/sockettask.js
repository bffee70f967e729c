// Transport over mini-program sockets: WeChat `wx.connectSocket` SocketTasks, and the same shape
// on Douyin (tt), QQ (qq), Baidu (swan), Alipay (my), uni-app (uni) and Taro, each with its
// documented difference. Where no SocketTask is returned (WeChat base library < 1.7.0, Alipay
// without `multiple`), the platform's one global socket (`onSocketOpen`, `sendSocketMessage`, …)
// is used instead, one socket at a time.
import { globalObject } from '../options.js';
import { isAppCloseCode } from '../contract.js';

/** How many sockets a mini-program may have at once (WeChat, Douyin, Alipay: 5). */
export const SOCKET_LIMIT = 5;
const FLAVORS = ['wx', 'tt', 'qq', 'swan', 'my', 'uni', 'taro'];
// Globals to look for, the specific ones before wx (which some of them also define).
const GLOBALS = [
  ['tt', 'tt'],
  ['qq', 'qq'],
  ['swan', 'swan'],
  ['my', 'my'],
  ['wx', 'wx'],
  ['uni', 'uni'],
  ['Taro', 'taro'],
];

/**
 * The mini-program API object present here, and its name: the first of tt, qq, swan, my, wx, uni,
 * Taro found as a global (the specific ones before wx, which some of them also define).
 * @returns {{ api: any, flavor: string } | null}
 */
export function detectMiniProgram() {
  const G = /** @type {any} */ (globalObject());
  for (const [name, flavor] of GLOBALS) {
    const api = G[name];
    if (api && typeof api.connectSocket === 'function') return { api, flavor };
  }
  return null;
}

/**
 * @param {any} api the platform object (wx, tt, qq, swan, my, uni, Taro)
 * @param {{ flavor?: string, socketOptions?: object }} [options] flavor: which platform's
 *   differences apply (default: guessed from the global it is, else 'wx'); socketOptions: passed to
 *   connectSocket as they are (header, timeout, tcpNoDelay, perMessageDeflate, …)
 * @returns {import('../lifeline.js').Transport & { liveSockets(): number }}
 */
export function socketTaskTransport(api, options = {}) {
  if (!api || typeof api.connectSocket !== 'function') {
    throw new TypeError('socketTaskTransport: expected a mini-program API object with connectSocket (wx, tt, qq, swan, my, uni or Taro)');
  }
  const flavor = options.flavor ?? guessFlavor(api);
  if (!FLAVORS.includes(flavor)) {
    throw new TypeError(`socketTaskTransport: flavor must be one of ${FLAVORS.join(', ')}, got ${JSON.stringify(flavor)}`);
  }
  const socketOptions = options.socketOptions ?? {};
  if (typeof socketOptions !== 'object' || socketOptions === null) {
    throw new TypeError('socketTaskTransport: socketOptions must be an object');
  }
  let live = 0; // tasks asked for and not yet reported closed: what the platform's limit counts
  let globalMode = null; // set once a connectSocket returns no SocketTask

  /** @type {any} */
  const transport = (url, protocols, handlers) => {
    if (globalMode) return globalMode.connect(url, protocols, handlers);
    let done = false; // this socket closed (by us or by the platform): its late events are ignored
    let counted = true;
    live++;
    const release = () => {
      if (counted) {
        counted = false;
        live--;
      }
    };
    const params = {
      ...socketOptions,
      url,
      ...(protocols && protocols.length ? { protocols } : {}),
      ...(flavor === 'my' ? { multiple: true } : {}),
      // uni-app returns a SocketTask only when a callback is given; every platform reports a
      // refused call (such as the socket limit) here.
      success: () => {
        ready = true;
        flushPending();
      },
      fail: (/** @type {any} */ res) => {
        if (done) return;
        done = true;
        release();
        const msg = errorMessage(res);
        handlers.error(/limit|max|exceed|count/i.test(msg) ? `mini-program socket limit (${SOCKET_LIMIT}) reached: ${msg}` : msg);
      },
    };
    // Douyin: a task's methods may be called only after `success`.
    let ready = flavor !== 'tt';
    /** @type {Array<(task: any) => void>} */
    let pending = [];
    /** @type {any} */
    let task = null;
    const flushPending = () => {
      if (!task || !ready) return;
      const calls = pending;
      pending = [];
      for (const call of calls) call(task);
    };
    const attach = (/** @type {any} */ t) => {
      task = t;
      // Synchronously: an open that fires before onOpen is attached is missed.
      t.onOpen(() => {
        if (!done) handlers.open();
      });
      t.onMessage((/** @type {any} */ res) => {
        if (!done) handlers.message(res?.data);
      });
      // The task counts against the platform's limit until its onClose, whatever came before.
      t.onError((/** @type {any} */ res) => {
        if (done) return;
        done = true;
        handlers.error(errorMessage(res));
      });
      t.onClose((/** @type {any} */ res) => {
        release();
        if (done) return;
        done = true;
        const code = closeCode(res);
        handlers.close(code, res?.reason ?? '', code === 1000);
      });
      flushPending();
    };
    const result = api.connectSocket(params);
    if (result && typeof result.then === 'function') {
      // Taro: a Promise of the SocketTask.
      result.then(attach, (/** @type {any} */ e) => params.fail(e));
    } else if (result && typeof result.onOpen === 'function') {
      attach(result);
    } else {
      // No SocketTask: the platform's single global socket from now on.
      live--;
      globalMode = globalSocket(api, socketOptions);
      return globalMode.adopt(handlers);
    }
    const call = (/** @type {(task: any) => void} */ fn) => {
      if (task && ready) fn(task);
      else pending.push(fn);
    };
    return {
      send(data) {
        if (done) return false;
        call((t) =>
          t.send({
            data: toPlatformData(data),
            fail: (/** @type {any} */ res) => {
              // A send the platform refused: this socket is not usable; the core replaces it.
              if (done) return;
              done = true;
              handlers.error(`send failed: ${errorMessage(res)}`);
            },
          }),
        );
      },
      close(code, reason) {
        done = true;
        // The task still counts against the limit until the platform reports it closed.
        call((t) => t.close(closeParams(code, reason)));
      },
      ...NO_SOCKET_INFO,
    };
  };
  transport.liveSockets = () => (globalMode ? globalMode.liveSockets() : live);
  return transport;
}

/**
 * The global socket API: one socket at a time, for all Lifelines on this transport. A new socket
 * is not started until the previous one has reported its close (or a second passed); a close
 * that comes later than that, before the new socket opened, is the old socket's and is ignored.
 */
function globalSocket(api, socketOptions) {
  /** @type {any} */
  let current = null; // handlers of the socket the platform is running now
  let opened = false; // whether `current` has opened
  let closing = false; // a previous socket has not reported its close yet
  let owedCloses = 0; // closes still to come from sockets we stopped waiting for
  /** @type {(() => void) | null} */
  let afterClose = null; // the next socket's start, waiting for the previous close
  /** @type {any} */
  let pendingFor = null; // whose start that is
  /** @type {any} */
  let closeTimer = null;
  const finishClose = (/** @type {boolean} */ timedOut) => {
    if (!closing) return;
    closing = false;
    if (timedOut) owedCloses++;
    if (closeTimer) clearTimeout(closeTimer);
    closeTimer = null;
    const next = afterClose;
    afterClose = null;
    next?.();
  };
  const startClosing = () => {
    current = null;
    closing = true;
    closeTimer = setTimeout(() => finishClose(true), 1000);
  };
  api.onSocketOpen(() => {
    if (!current) return;
    opened = true;
    current.open();
  });
  api.onSocketMessage((/** @type {any} */ res) => current?.message(res?.data));
  api.onSocketError((/** @type {any} */ res) => {
    const h = current;
    if (!h) return;
    startClosing(); // its close is still to come: the next socket waits for it
    h.error(errorMessage(res));
  });
  api.onSocketClose((/** @type {any} */ res) => {
    if (closing) {
      finishClose(false);
      return;
    }
    if (owedCloses > 0 && !opened) {
      owedCloses--; // a late close of a socket we stopped waiting for
      return;
    }
    const h = current;
    current = null;
    const code = closeCode(res);
    h?.close(code, res?.reason ?? '', code === 1000);
  });
  const socketFor = (/** @type {any} */ handlers) => {
    let mine = true;
    return {
      send(data) {
        if (!mine || current !== handlers) return false;
        api.sendSocketMessage({
          data: toPlatformData(data),
          fail: (/** @type {any} */ res) => {
            if (current !== handlers) return;
            startClosing();
            api.closeSocket(closeParams(1000, 'send failed'));
            handlers.error(`send failed: ${errorMessage(res)}`);
          },
        });
      },
      close(code, reason) {
        if (!mine) return;
        mine = false;
        if (current === handlers) {
          startClosing();
          api.closeSocket(closeParams(code, reason));
        } else if (afterClose && pendingFor === handlers) {
          afterClose = null; // it never started
          pendingFor = null;
        }
      },
      ...NO_SOCKET_INFO,
    };
  };
  return {
    adopt(/** @type {any} */ handlers) {
      current = handlers;
      opened = false;
      return socketFor(handlers);
    },
    connect(/** @type {string} */ url, /** @type {string[] | undefined} */ protocols, /** @type {any} */ handlers) {
      if (current || (afterClose && pendingFor !== handlers)) {
        // One global socket for the whole app: another Lifeline holds it.
        throw new Error('the single global socket of this mini-program is already in use by another connection');
      }
      const start = () => {
        pendingFor = null;
        current = handlers;
        opened = false;
        api.connectSocket({
          ...socketOptions,
          url,
          ...(protocols && protocols.length ? { protocols } : {}),
          fail: (/** @type {any} */ res) => {
            if (current !== handlers) return;
            current = null;
            handlers.error(errorMessage(res));
          },
        });
      };
      if (closing) {
        afterClose = start;
        pendingFor = handlers;
      } else start();
      return socketFor(handlers);
    },
    liveSockets: () => (current || closing ? 1 : 0),
  };
}

/** Platforms report errors as { errMsg } (Alipay: { error, errorMessage }). */
function errorMessage(/** @type {any} */ res) {
  if (res == null) return 'socket error';
  if (typeof res === 'string') return res;
  if (res.errMsg) return String(res.errMsg);
  if (res.errorMessage) return String(res.errorMessage);
  if (res.error != null) return `error ${res.error}`;
  if (res.message) return String(res.message);
  return String(res);
}

/** The close code, also when it comes as a string (Douyin); 1006 when there is none. */
function closeCode(/** @type {any} */ res) {
  const n = Number(res?.code);
  return Number.isInteger(n) && n > 0 ? n : 1006;
}

/** What a mini-program socket cannot tell: it reports no buffered amount, protocol or extensions. */
const NO_SOCKET_INFO = Object.freeze({ bufferedAmount: 0, protocol: '', extensions: '' });

/** Platforms refuse close codes a client may not send (1006 only reports an error): 1000 instead. */
function closeParams(/** @type {number} */ code, /** @type {string} */ reason) {
  return isAppCloseCode(code) ? { code, reason } : { code: 1000, reason };
}

/** Mini-programs send strings and ArrayBuffers, not typed arrays or Blobs. */
function toPlatformData(/** @type {any} */ data) {
  if (typeof data === 'string' || data instanceof ArrayBuffer) return data;
  if (ArrayBuffer.isView(data)) return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
  throw new TypeError('mini-programs can send only strings and binary data (ArrayBuffer or typed arrays)');
}

function guessFlavor(/** @type {any} */ api) {
  const G = /** @type {any} */ (globalObject());
  for (const [name, flavor] of GLOBALS) {
    if (G[name] === api) return flavor;
  }
  return 'wx';
}
