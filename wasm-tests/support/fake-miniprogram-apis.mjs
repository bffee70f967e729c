// Fakes of the mini-program platform APIs. Test support only.
//
// createRealWx(options): a `wx` whose SocketTasks are REAL WebSocket clients (`ws`), so that the
//   mini-program build can be driven through the fault proxy. What it imitates (../../../shared/
//   PLATFORMS.md): connectSocket returns a SocketTask (send/close/onOpen/onMessage/onError/onClose),
//   every event and callback is delivered asynchronously, messages arrive as a string or an
//   ArrayBuffer (of the sandbox's realm when `realm` is given; never a Buffer); at most `maxTasks`
//   (5) tasks live at once, a task counting from connectSocket until its onClose has fired (a 6th:
//   `fail({ errMsg: 'connectSocket:fail exceed max task count' })` and no task events); a close
//   waits for the closing handshake at most `closeTimeoutMs` (the platform's own wait, ws's
//   closeTimeout: 600 ms is Chromium's 60 s scaled like a 10 s pingInterval to 100 ms) before
//   onClose fires; onAppShow/onAppHide, onNetworkStatusChange and their off*,
//   getNetworkType, and what frameworks read at start-up (addStartupApis). Test controls:
//   - hide(): onAppHide; from then on connectSocket fails with 'connectSocket:fail interrupted'
//     and, `backgroundCutMs` later (50 ms for WeChat's ~5 s), every live task is cut: onClose
//     { code: 1000, reason: 'interrupted' };
//   - show(): onAppShow (a cut not yet done is cancelled);
//   - setNetwork(isConnected): onNetworkStatusChange; offline, connectSocket fails, nothing is
//     sent or received any more, and `networkLossMs` later every live task gets onError then
//     onClose 1006 (a lost network);
//   - stats: connectCalls, tasksCreated, maxLive, live, closesSeen, limitFailures,
//     refusedHidden, refusedOffline, cut, lost; tasks: a record per task (url, params, opened,
//     sent, closeRequested { at, code, reason }, closed { at, code, reason }, createdAt, openedAt);
//     listenerCount(); dispose() terminates every socket, quietly.
//
// createMemoryApi(flavor, options): in-memory fakes (no network) of each platform's difference:
//   'wx', 'qq', 'swan'  SocketTask, as WeChat;
//   'tt'                a task's send/close throw before connectSocket's `success` has been called;
//   'my'                returns a SocketTask only with `multiple: true`, else undefined and the
//                       global socket (my.onSocketOpen/…/sendSocketMessage/closeSocket); a
//                       ws:// URL is refused the Alipay way: fail({ error: 20, errorMessage });
//   'my-legacy'         never a SocketTask: the global socket only;
//   'uni'               returns a SocketTask only when success/fail/complete is passed, else a
//                       Promise of a result object (not a task);
//   'taro'              returns a Promise of the SocketTask (resolved by `resolve(record)` when
//                       `autoResolve: false`);
//   'wx-legacy'         connectSocket returns undefined: the global socket only.
//   The test plays the remote side: record.open(), record.message(data), record.error(msg),
//   record.remoteClose(code, reason), record.finishClose() (with `holdClose: true`, the reply to a
//   close() is held until then). `closeCodeAsString`: onClose's code is a string, as Douyin
//   documents it. All events are delivered asynchronously (setImmediate).

import vm from 'node:vm';
import { types } from 'node:util';
import WebSocket from 'ws';

export const LIMIT_ERRMSG = 'connectSocket:fail exceed max task count';
/** Alipay's refusal of a ws:// URL, as its documentation gives it (my.connectSocket, error 20). */
export const ALIPAY_WS_REFUSED = Object.freeze({ error: 20, errorMessage: '请求 url 不支持 ws,请使用 wss。' });
const noop = () => {};
const later = (fn) => setImmediate(fn);

function callSafely(fn, arg) {
  if (typeof fn !== 'function') return;
  try {
    fn(arg);
  } catch (error) {
    // A platform reports an app callback's exception without stopping; surface it in the test.
    setImmediate(() => {
      throw error;
    });
  }
}

/** Calls success/fail then complete of a platform call, asynchronously. */
function settle(params, ok, res) {
  later(() => {
    callSafely(ok ? params?.success : params?.fail, res);
    callSafely(params?.complete, res);
  });
}

const isArrayBuffer = (v) => types.isArrayBuffer(v); // any realm
const describeData = (v) => (typeof v === 'string' ? v : isArrayBuffer(v) ? `bin:${Buffer.from(v).toString('hex')}` : v);

function validCloseCode(code) {
  return code === undefined || code === 1000 || (Number.isInteger(code) && code >= 3000 && code <= 4999);
}

/** Listener sets for onAppShow/onAppHide/onNetworkStatusChange and their off* methods. */
function appEvents(api) {
  const sets = { appShow: new Set(), appHide: new Set(), network: new Set() };
  const offCalls = { appShow: 0, appHide: 0, network: 0 };
  api.onAppShow = (cb) => sets.appShow.add(cb);
  api.onAppHide = (cb) => sets.appHide.add(cb);
  api.onNetworkStatusChange = (cb) => sets.network.add(cb);
  api.offAppShow = (cb) => {
    offCalls.appShow++;
    sets.appShow.delete(cb);
  };
  api.offAppHide = (cb) => {
    offCalls.appHide++;
    sets.appHide.delete(cb);
  };
  api.offNetworkStatusChange = (cb) => {
    offCalls.network++;
    sets.network.delete(cb);
  };
  const fire = (name, res) => later(() => [...sets[name]].forEach((cb) => callSafely(cb, res)));
  return {
    sets,
    offCalls,
    fire,
    listenerCount: () => ({ appShow: sets.appShow.size, appHide: sets.appHide.size, network: sets.network.size }),
  };
}

// ---------------------------------------------------------------------------------------------
// What frameworks' runtimes read at start-up (uni-app's vendor.js: wx.getSystemInfoSync or the
// newer getAppBaseInfo/getWindowInfo/getDeviceInfo, getLaunchOptionsSync, getAccountInfoSync, and
// storage for its device id): WeChat's documented shapes, values of an iPhone X in the developer
// tools. Each call returns a fresh object (of the sandbox's realm when `realm` is given).
// Storage is in memory: getStorageSync of a missing key returns '' (as WeChat does), getStorage
// fails with 'getStorage:fail data not found'.

const APP_BASE_INFO = { SDKVersion: '3.8.0', enableDebug: false, host: { appId: '' }, language: 'zh_CN', version: '8.0.50', theme: 'light', fontSizeSetting: 16 };
const WINDOW_INFO = {
  pixelRatio: 3,
  screenWidth: 375,
  screenHeight: 812,
  windowWidth: 375,
  windowHeight: 812,
  statusBarHeight: 44,
  safeArea: { left: 0, right: 375, top: 44, bottom: 778, width: 375, height: 734 },
  screenTop: 0,
};
const DEVICE_INFO = { brand: 'iPhone', model: 'iPhone X', system: 'iOS 16.0', platform: 'ios', benchmarkLevel: 1, memorySize: 3072 };

function addStartupApis(api, realm) {
  const realmJson = realm ? vm.runInContext('JSON', realm) : JSON;
  const fresh = (value) => realmJson.parse(JSON.stringify(value));
  const storage = new Map(); // key -> JSON text
  api.getAppBaseInfo = () => fresh(APP_BASE_INFO);
  api.getWindowInfo = () => fresh(WINDOW_INFO);
  api.getDeviceInfo = () => fresh(DEVICE_INFO);
  api.getSystemInfoSync = () => fresh({ ...DEVICE_INFO, ...WINDOW_INFO, ...APP_BASE_INFO, windowTop: 0, windowBottom: 0 });
  api.getLaunchOptionsSync = () => fresh({ path: '', scene: 1001, query: {}, referrerInfo: {}, forwardMaterials: [], apiCategory: 'default' });
  api.getEnterOptionsSync = api.getLaunchOptionsSync;
  api.getAccountInfoSync = () => fresh({ miniProgram: { appId: 'touristappid', envVersion: 'develop', version: '' }, plugin: {} });
  api.getStorageSync = (key) => (storage.has(String(key)) ? realmJson.parse(storage.get(String(key))) : '');
  api.setStorageSync = (key, data) => void storage.set(String(key), JSON.stringify(data ?? null));
  api.removeStorageSync = (key) => void storage.delete(String(key));
  api.getStorage = (params = {}) =>
    storage.has(String(params.key))
      ? settle(params, true, { data: realmJson.parse(storage.get(String(params.key))), errMsg: 'getStorage:ok' })
      : settle(params, false, { errMsg: 'getStorage:fail data not found' });
  api.setStorage = (params = {}) => {
    storage.set(String(params.key), JSON.stringify(params.data ?? null));
    settle(params, true, { errMsg: 'setStorage:ok' });
  };
  api.removeStorage = (params = {}) => {
    storage.delete(String(params.key));
    settle(params, true, { errMsg: 'removeStorage:ok' });
  };
}

// ---------------------------------------------------------------------------------------------
// Real sockets

/**
 * @param {{ realm?: object, maxTasks?: number, backgroundCutMs?: number, networkLossMs?: number,
 *   closeTimeoutMs?: number, now?: () => number }} [options]
 */
export function createRealWx({
  realm,
  maxTasks = 5,
  backgroundCutMs = 50,
  networkLossMs = 20,
  closeTimeoutMs = 600,
  now = () => performance.now(),
} = {}) {
  const RealmArrayBuffer = realm ? vm.runInContext('ArrayBuffer', realm) : ArrayBuffer;
  const RealmUint8Array = realm ? vm.runInContext('Uint8Array', realm) : Uint8Array;
  const toRealm = (buf) => {
    const ab = new RealmArrayBuffer(buf.length);
    new RealmUint8Array(ab).set(buf);
    return ab;
  };

  const wx = {};
  const app = appEvents(wx);
  let hidden = false;
  let online = true;
  let disposed = false;
  let cutTimer = null;
  let lossTimer = null;
  const records = [];
  const stats = {
    connectCalls: 0,
    tasksCreated: 0,
    live: 0,
    maxLive: 0,
    closesSeen: 0,
    limitFailures: 0,
    refusedHidden: 0,
    refusedOffline: 0,
    cut: 0,
    lost: 0,
  };
  const liveRecords = () => records.filter((r) => r.live);

  /** A task the platform refused: it exists, but never emits anything. */
  const inertTask = () => ({
    send: (p) => settle(p, false, { errMsg: 'sendSocketMessage:fail WebSocket is not connected' }),
    close: (p) => settle(p, false, { errMsg: 'closeSocket:fail WebSocket is not connected' }),
    onOpen: noop,
    onMessage: noop,
    onError: noop,
    onClose: noop,
  });

  wx.connectSocket = (params = {}) => {
    stats.connectCalls++;
    const refuse = (errMsg) => {
      settle(params, false, { errMsg });
      return inertTask();
    };
    if (hidden) {
      stats.refusedHidden++;
      return refuse('connectSocket:fail interrupted');
    }
    if (!online) {
      stats.refusedOffline++;
      return refuse('connectSocket:fail network is down');
    }
    if (stats.live >= maxTasks) {
      stats.limitFailures++;
      return refuse(LIMIT_ERRMSG);
    }
    if (typeof params.url !== 'string' || !/^wss?:\/\//.test(params.url)) {
      return refuse(`connectSocket:fail invalid url "${params.url}"`);
    }
    const listeners = { open: [], message: [], error: [], close: [] };
    const record = {
      id: records.length + 1,
      url: params.url,
      params,
      live: true,
      createdAt: now(),
      openedAt: undefined,
      sent: [],
      closeRequested: null,
      closed: null,
      errors: [],
      ws: null,
      detached: false, // the platform cut it: the ws's own events are no longer ours
    };
    records.push(record);
    stats.tasksCreated++;
    stats.live++;
    stats.maxLive = Math.max(stats.maxLive, stats.live);

    const emit = (name, res) => later(() => listeners[name].slice().forEach((cb) => callSafely(cb, res)));
    const finish = (code, reason) => {
      if (!record.live) return;
      later(() => {
        // Counted until its onClose has fired.
        record.live = false;
        stats.live--;
        stats.closesSeen++;
        record.closed = { at: now(), code, reason };
        listeners.close.slice().forEach((cb) => callSafely(cb, { code, reason }));
      });
    };
    record.cut = (code, reason, withError) => {
      if (!record.live || record.detached) return;
      record.detached = true;
      record.ws.terminate();
      if (withError) emit('error', { errMsg: reason });
      finish(code, reason);
    };

    let ws;
    try {
      ws = new WebSocket(params.url, params.protocols, {
        headers: params.header,
        handshakeTimeout: params.timeout,
        closeTimeout: closeTimeoutMs,
        perMessageDeflate: false,
      });
    } catch (error) {
      record.live = false;
      stats.live--;
      return refuse(`connectSocket:fail ${error.message}`);
    }
    record.ws = ws;
    settle(params, true, { errMsg: 'connectSocket:ok' });
    ws.on('open', () => {
      if (record.detached) return;
      record.openedAt = now();
      emit('open', { header: {}, profile: {} });
    });
    ws.on('message', (data, isBinary) => {
      if (record.detached || !online) return; // a network that is down delivers nothing
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      emit('message', { data: isBinary ? toRealm(buf) : buf.toString('utf8') });
    });
    ws.on('error', (error) => {
      if (record.detached || record.closeRequested) return;
      record.errors.push(error.message);
      emit('error', { errMsg: error.message });
    });
    ws.on('close', (code, reason) => {
      if (record.detached) return;
      finish(code === 1005 ? 1000 : code, reason.toString('utf8'));
    });

    return {
      send(p = {}) {
        const { data } = p;
        if (typeof data !== 'string' && !isArrayBuffer(data)) {
          settle(p, false, { errMsg: 'SocketTask.send:fail parameter error: data should be String or ArrayBuffer' });
          return;
        }
        if (record.detached || ws.readyState !== WebSocket.OPEN) {
          settle(p, false, { errMsg: 'SocketTask.send:fail WebSocket is not connected' });
          return;
        }
        record.sent.push(describeData(data));
        if (online) ws.send(typeof data === 'string' ? data : Buffer.from(new Uint8Array(data)));
        settle(p, true, { errMsg: 'sendSocketMessage:ok' });
      },
      close(p = {}) {
        const { code, reason } = p;
        if (!validCloseCode(code)) {
          settle(p, false, { errMsg: `SocketTask.close:fail invalid code ${code}` });
          return;
        }
        if (!record.live || record.detached || record.closeRequested) {
          settle(p, false, { errMsg: 'SocketTask.close:fail WebSocket is not connected' });
          return;
        }
        record.closeRequested = { at: now(), code, reason };
        if (ws.readyState === WebSocket.CONNECTING) {
          // Abort the handshake; the platform reports the close.
          record.detached = true;
          ws.terminate();
          finish(code ?? 1000, reason ?? '');
        } else {
          ws.close(code ?? 1000, reason ?? '');
        }
        settle(p, true, { errMsg: 'closeSocket:ok' });
      },
      onOpen: (cb) => listeners.open.push(cb),
      onMessage: (cb) => listeners.message.push(cb),
      onError: (cb) => listeners.error.push(cb),
      onClose: (cb) => listeners.close.push(cb),
    };
  };

  wx.getNetworkType = (params = {}) => settle(params, true, { networkType: online ? 'wifi' : 'none' });
  addStartupApis(wx, realm);

  return {
    wx,
    stats,
    tasks: records,
    listenerCount: app.listenerCount,
    offCalls: app.offCalls,
    get hidden() {
      return hidden;
    },
    get online() {
      return online;
    },
    liveTasks: () => liveRecords().length,
    hide() {
      if (hidden) return;
      hidden = true;
      app.fire('appHide', {});
      clearTimeout(cutTimer);
      cutTimer = setTimeout(() => {
        cutTimer = null;
        for (const r of liveRecords()) {
          stats.cut++;
          r.cut(1000, 'interrupted', false);
        }
      }, backgroundCutMs);
    },
    show() {
      if (!hidden) return;
      hidden = false;
      clearTimeout(cutTimer);
      cutTimer = null;
      app.fire('appShow', { scene: 1001, path: 'pages/index/index', query: {} });
    },
    setNetwork(isConnected) {
      online = !!isConnected;
      app.fire('network', { isConnected: online, networkType: online ? 'wifi' : 'none' });
      clearTimeout(lossTimer);
      lossTimer = null;
      if (!online) {
        lossTimer = setTimeout(() => {
          lossTimer = null;
          for (const r of liveRecords()) {
            stats.lost++;
            r.cut(1006, 'network lost', true);
          }
        }, networkLossMs);
      }
    },
    /** Terminates every socket without events; resolves when they are all closed. */
    async dispose() {
      if (disposed) return;
      disposed = true;
      clearTimeout(cutTimer);
      clearTimeout(lossTimer);
      const waits = [];
      for (const r of records) {
        r.detached = true;
        const ws = r.ws;
        if (ws && ws.readyState !== WebSocket.CLOSED) {
          waits.push(new Promise((resolve) => ws.once('close', resolve)));
          ws.terminate();
        }
      }
      await Promise.all(waits);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// In-memory fakes of each platform's difference

const FLAVORS = ['wx', 'qq', 'swan', 'tt', 'my', 'my-legacy', 'uni', 'taro', 'wx-legacy'];

/**
 * @param {string} flavor one of FLAVORS
 * @param {{ autoAccept?: boolean, autoResolve?: boolean, holdClose?: boolean, maxTasks?: number }} [options]
 *   autoAccept: call connectSocket's success by itself (else record.accept());
 *   autoResolve (taro): resolve the Promise by itself (else api.resolve(record));
 *   holdClose: answer a close() only on record.finishClose().
 */
export function createMemoryApi(
  flavor,
  { autoAccept = true, autoResolve = true, holdClose = false, maxTasks = 5, closeCodeAsString = false } = {},
) {
  if (!FLAVORS.includes(flavor)) throw new TypeError(`createMemoryApi: unknown flavor ${flavor}`);
  const api = {};
  const app = appEvents(api);
  const records = []; // SocketTasks
  const globals = []; // global sockets (one live at a time)
  const calls = []; // every connectSocket call: { params, returned: 'task' | 'promise' | 'undefined' }
  const problems = []; // misuse the platform would reject (a method called too early, …)
  let live = 0;
  let globalListeners = null;

  const isAlipay = flavor === 'my' || flavor === 'my-legacy';
  const isGlobalCall = (params) =>
    flavor === 'wx-legacy' || flavor === 'my-legacy' || (flavor === 'my' && params.multiple !== true);

  // --- SocketTask ---------------------------------------------------------------------------
  const makeTask = (params) => {
    const listeners = { open: [], message: [], error: [], close: [] };
    const record = {
      id: records.length + 1,
      params,
      accepted: false,
      state: 'connecting', // 'connecting' | 'open' | 'closing' | 'closed' | 'refused'
      live: false,
      sent: [],
      closeCalls: [],
      listeners,
      task: null,
    };
    const emit = (name, res) => later(() => listeners[name].slice().forEach((cb) => callSafely(cb, res)));
    const deliverClose = (code, reason) => {
      later(() => {
        if (record.state === 'closed') return;
        record.state = 'closed';
        if (record.live) {
          record.live = false;
          live--;
        }
        // Douyin documents onClose's code as a string (SocketTask.onClose, base library 1.81.0).
        const res = { code: closeCodeAsString ? String(code) : code, reason };
        listeners.close.slice().forEach((cb) => callSafely(cb, res));
      });
    };
    const early = (what) => {
      if (flavor === 'tt' && !record.accepted) {
        const message = `tt: SocketTask.${what} called before connectSocket's success`;
        problems.push(message);
        throw new Error(message);
      }
    };
    const task = {
      send(p = {}) {
        early('send');
        if (typeof p.data !== 'string' && !isArrayBuffer(p.data)) {
          problems.push(`send: data of type ${Object.prototype.toString.call(p.data)}`);
          settle(p, false, { errMsg: 'SocketTask.send:fail parameter error: data should be String or ArrayBuffer' });
          return;
        }
        if (record.state !== 'open') {
          settle(p, false, { errMsg: 'SocketTask.send:fail WebSocket is not connected' });
          return;
        }
        record.sent.push(describeData(p.data));
        settle(p, true, { errMsg: 'sendSocketMessage:ok' });
      },
      close(p = {}) {
        early('close');
        record.closeCalls.push({ code: p.code, reason: p.reason });
        if (!validCloseCode(p.code)) {
          problems.push(`close: invalid code ${p.code}`);
          settle(p, false, { errMsg: `SocketTask.close:fail invalid code ${p.code}` });
          return;
        }
        if (record.state === 'closed' || record.state === 'refused' || record.state === 'closing') {
          settle(p, false, { errMsg: 'SocketTask.close:fail WebSocket is not connected' });
          return;
        }
        record.state = 'closing';
        settle(p, true, { errMsg: 'closeSocket:ok' });
        record.finishClose = () => deliverClose(p.code ?? 1000, p.reason ?? '');
        if (!holdClose) record.finishClose();
      },
      onOpen: (cb) => listeners.open.push(cb),
      onMessage: (cb) => listeners.message.push(cb),
      onError: (cb) => listeners.error.push(cb),
      onClose: (cb) => listeners.close.push(cb),
    };
    if (flavor === 'my') {
      // Alipay's tasks have off* too.
      for (const name of ['Open', 'Message', 'Error', 'Close']) {
        task[`off${name}`] = (cb) => {
          const list = listeners[name.toLowerCase()];
          const i = list.indexOf(cb);
          if (i >= 0) list.splice(i, 1);
        };
      }
    }
    record.task = task;
    record.accept = () => {
      if (record.accepted) return;
      record.accepted = true;
      settle(params, true, { errMsg: 'connectSocket:ok', socketTaskId: record.id });
    };
    // Remote side.
    record.open = () => {
      if (!record.accepted) throw new Error('fake: a socket cannot open before connectSocket succeeded');
      later(() => {
        if (record.state !== 'connecting') return;
        record.state = 'open';
        listeners.open.slice().forEach((cb) => callSafely(cb, { header: {} }));
      });
    };
    record.message = (data) => emit('message', { data });
    record.error = (errMsg = 'socket error') => emit('error', { errMsg });
    record.remoteClose = (code = 1000, reason = '') => deliverClose(code, reason);
    record.finishClose = record.finishClose ?? noop;
    if (isAlipay && /^ws:/i.test(String(params.url))) {
      // Alipay's documented refusal: { error, errorMessage }, no errMsg (my.connectSocket, error 20).
      record.state = 'refused';
      settle(params, false, ALIPAY_WS_REFUSED);
    } else if (live >= maxTasks) {
      record.state = 'refused';
      settle(params, false, { errMsg: LIMIT_ERRMSG });
    } else {
      record.live = true;
      live++;
      if (autoAccept) record.accept();
    }
    records.push(record);
    return record;
  };

  // --- the global socket --------------------------------------------------------------------
  const ensureGlobalApi = () => {
    if (globalListeners) return;
    globalListeners = { open: [], message: [], error: [], close: [] };
    const fireGlobal = (name, res) => globalListeners[name].slice().forEach((cb) => callSafely(cb, res));
    api._fireGlobal = fireGlobal;
  };
  api.onSocketOpen = (cb) => (ensureGlobalApi(), globalListeners.open.push(cb));
  api.onSocketMessage = (cb) => (ensureGlobalApi(), globalListeners.message.push(cb));
  api.onSocketError = (cb) => (ensureGlobalApi(), globalListeners.error.push(cb));
  api.onSocketClose = (cb) => (ensureGlobalApi(), globalListeners.close.push(cb));
  const currentGlobal = () => globals.find((g) => g.current) ?? null;
  api.sendSocketMessage = (p = {}) => {
    const g = currentGlobal();
    if (!g || g.state !== 'open') {
      settle(p, false, { errMsg: 'sendSocketMessage:fail WebSocket is not connected' });
      return;
    }
    g.sent.push(describeData(p.data));
    settle(p, true, { errMsg: 'sendSocketMessage:ok' });
  };
  api.closeSocket = (p = {}) => {
    const g = currentGlobal();
    if (!g) {
      settle(p, false, { errMsg: 'closeSocket:fail WebSocket is not connected' });
      return;
    }
    g.closeCalls.push({ code: p.code, reason: p.reason });
    if (!validCloseCode(p.code)) {
      problems.push(`closeSocket: invalid code ${p.code}`);
      settle(p, false, { errMsg: `closeSocket:fail invalid code ${p.code}` });
      return;
    }
    g.state = 'closing';
    settle(p, true, { errMsg: 'closeSocket:ok' });
    g.finishClose = () => g.remoteClose(p.code ?? 1000, p.reason ?? '');
    if (!holdClose) g.finishClose();
  };
  const makeGlobal = (params) => {
    ensureGlobalApi();
    // One socket: a new connectSocket replaces the previous one, whose late events (driven by
    // the test) still arrive through the same global callbacks, indistinguishable.
    for (const g of globals) g.current = false;
    const g = {
      id: globals.length + 1,
      params,
      current: true,
      state: 'connecting',
      sent: [],
      closeCalls: [],
      finishClose: noop,
    };
    const fire = (name, res) => later(() => api._fireGlobal(name, res));
    g.open = () => {
      later(() => {
        if (g.state !== 'connecting') return;
        g.state = 'open';
        api._fireGlobal('open', { header: {} });
      });
    };
    g.message = (data) => fire('message', { data });
    g.error = (errMsg = 'socket error') => fire('error', { errMsg });
    g.remoteClose = (code = 1000, reason = '') =>
      later(() => {
        g.state = 'closed';
        api._fireGlobal('close', { code, reason });
      });
    globals.push(g);
    if (isAlipay && /^ws:/i.test(String(params.url))) {
      g.current = false;
      g.state = 'refused';
      settle(params, false, ALIPAY_WS_REFUSED);
      return g;
    }
    settle(params, true, { errMsg: 'connectSocket:ok' });
    return g;
  };

  api.connectSocket = (params = {}) => {
    const call = { params, returned: 'undefined' };
    calls.push(call);
    if (isGlobalCall(params)) {
      makeGlobal(params);
      return undefined;
    }
    if (flavor === 'uni') {
      const hasCallback = ['success', 'fail', 'complete'].some((k) => typeof params[k] === 'function');
      if (!hasCallback) {
        // uni-app's promisified form: a Promise of the call's result, not a task.
        const record = makeTask(params);
        call.returned = 'promise';
        return Promise.resolve({ errMsg: 'connectSocket:ok', socketTaskId: record.id });
      }
    }
    const record = makeTask(params);
    if (flavor === 'taro') {
      call.returned = 'promise';
      return new Promise((resolve) => {
        record.resolveTask = () => resolve(record.task);
        if (autoResolve) later(record.resolveTask);
      });
    }
    call.returned = 'task';
    return record.task;
  };

  api.getNetworkType = (params = {}) => settle(params, true, { networkType: 'wifi' });

  return {
    api,
    flavor,
    tasks: records,
    globals,
    calls,
    problems,
    listenerCount: app.listenerCount,
    offCalls: app.offCalls,
    fireApp: app.fire,
    liveTasks: () => live,
    resolve: (record) => record.resolveTask(),
  };
}
