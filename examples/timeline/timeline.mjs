// The timeline page: a ws-lifeline Lifeline and the classic heartCheck pattern, side by side,
// through the same fault proxy, drawn live on a scrolling time axis (SVG). Plain ES module, no
// framework, no eval. Served by examples/timeline/server.mjs.
//
// Query string: ?scale=0.1 divides every timing (both clients' ping, pong, delays; the message
// rate; fault durations; the visible window) by 10; ?window=SECONDS is the visible span at scale 1.
//
// For tests and the curious: window.timeline holds the counts per lane, and every lane's <g> carries
// them as data attributes (data-state, data-opens, data-verdicts, ...); marks carry data-t (ms
// since the page started) and verdicts data-cause.
import { init, Lifeline } from '/js/index.js';
import { createClassic } from '/classic.mjs';

const params = new URL(location.href).searchParams;
const scale = clamp(Number(params.get('scale') ?? 1), 0.02, 10, 1);
const windowMs = clamp(Number(params.get('window') ?? 45), 5, 600, 45) * 1000 * scale;
const S = (ms) => ms * scale;

// ws-lifeline: the terminal demo's fast timings. The classic: the same ping and pong timings, and
// its fixed delay in the seed pattern's proportion (10 s / 10 s / 5 s there).
const LIFELINE_OPTIONS = {
  pingInterval: S(1000),
  pongTimeout: S(1000),
  reconnectDelay: S(300),
  maxReconnectDelay: S(3000),
  connectTimeout: S(2000),
  minUptime: S(2000),
  timerSlack: S(2000),
};
const CLASSIC_OPTIONS = { pingInterval: S(1000), pongTimeout: S(1000), reconnectDelay: S(500), maxReconnects: 12 };
const MESSAGE_EVERY = S(1500);
const FAULTS = {
  'half-open': { holdMs: S(5000) },
  refuse: { holdMs: S(4000) },
  latency: { latencyMs: S(300), jitterMs: S(200) },
  reset: {},
  heal: {},
};

// --- geometry ---------------------------------------------------------------------------------
const W = 1200;
const GUTTER = 178;
const PLOT_W = W - GUTTER - 14;
const PX = PLOT_W / windowMs; // px per ms
const AXIS_H = 22;
const NET_Y = AXIS_H + 2;
const NET_H = 46;
const LANE_H = 142;
const LANE_GAP = 10;
const LANE_Y = [NET_Y + NET_H + 6, NET_Y + NET_H + 6 + LANE_H + LANE_GAP];
const H = LANE_Y[1] + LANE_H + 8;
// rows inside a lane
const BAND_Y = 6;
const BAND_H = 24;
const PING_Y = [38, 52];
const PONG_Y = [52, 66];
const RTT_Y = 78;
const EVENT_Y = 100;
const MSG_Y = 126;

const SVG_NS = 'http://www.w3.org/2000/svg';
const svg = document.getElementById('timeline');
svg.setAttribute('viewBox', `0 0 ${W} ${H}`);

function el(tag, attrs, parent) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (parent) parent.appendChild(node);
  return node;
}
function text(content, attrs, parent) {
  const node = el('text', attrs, parent);
  node.textContent = content;
  return node;
}
function clamp(v, min, max, fallback) {
  return Number.isFinite(v) && v > 0 ? Math.min(max, Math.max(min, v)) : fallback;
}
const fmtMs = (ms) => (ms < 10 ? `${ms.toFixed(1)} ms` : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10000 ? 1 : 0)} s`);
const latencyRange = (l) => `${Math.round(l.latencyMs)}–${Math.round(l.latencyMs + l.jitterMs)} ms`;
const fmtS = (ms) => (ms >= 10000 ? `${Math.round(ms / 1000)} s` : `${+(ms / 1000).toFixed(2)} s`);

// Everything drawn in time lives in a scrolling group; `items` remembers when each element ends,
// so what scrolled out of the window is removed.
const scrollGroups = [];
const items = []; // { node, end } with end null while the item is still growing
const live = new Set(); // objects with update(now) called every frame
function scrolling(parent) {
  const clip = el('g', { 'clip-path': 'url(#plot)' }, parent);
  const g = el('g', { class: 'scroll' }, clip);
  scrollGroups.push(g);
  return g;
}
function remember(node, end) {
  const item = { node, end };
  items.push(item);
  return item;
}
const x = (t) => t * PX;

el('clipPath', { id: 'plot' }, el('defs', {}, svg)).appendChild(
  el('rect', { x: GUTTER, y: 0, width: PLOT_W, height: H }),
);
el('rect', { x: 0, y: 0, width: GUTTER - 6, height: H, fill: '#f3f5f7' }, svg);
const backdrop = scrolling(svg); // fault shades and the grid, behind everything

// --- the clock -----------------------------------------------------------------------------------
let t0 = null;
const now = () => (t0 === null ? 0 : performance.now() - t0);

// --- lanes ----------------------------------------------------------------------------------------
class Lane {
  constructor(key, title, subtitle, y) {
    this.key = key;
    this.g = el('g', { class: 'lane', id: `lane-${key}`, transform: `translate(0,${y})`, 'data-state': 'idle' }, svg);
    el('rect', { x: GUTTER, y: 0, width: PLOT_W, height: LANE_H, fill: 'none', stroke: '#d9dee4' }, this.g);
    text(title, { x: 10, y: 18, class: 'lane-title' }, this.g);
    text(subtitle, { x: 10, y: 33, class: 'lane-info' }, this.g);
    this.info = [0, 1, 2, 3, 4].map((i) => text('', { x: 10, y: 52 + i * 16, class: 'lane-info stat' }, this.g));
    this.scroll = scrolling(this.g);
    this.counts = { opens: 0, reconnects: 0, verdicts: 0, pongTimeouts: 0, closes: 0, pings: 0, pongs: 0, echoed: 0, queued: 0, lost: 0, sent: 0, uncaught: 0 };
    this.state = 'idle';
    this.band = null;
    this.ended = []; // ended bands still in view: their captions follow the window's left edge
    this.lastRtt = null;
    this.lastPing = null;
    this.messages = new Map(); // id -> { t, queued, node, written, done }
    this.labelEnd = {}; // row -> x where its last label ends: a label that would overlap is left out
    this.setState('idle');
  }

  /** Whether a label of `chars` characters fits at x0 in `row` (and if so, it takes the room). */
  roomFor(row, x0, chars) {
    if (x0 < (this.labelEnd[row] ?? -Infinity) + 6) return false;
    this.labelEnd[row] = x0 + chars * 6.3;
    return true;
  }

  setState(state, label = state) {
    const t = now();
    if (this.band) this.#endBand(t);
    this.state = state;
    const rect = el('rect', { class: `band s-${state}`, x: x(t), y: BAND_Y, width: 0, height: BAND_H, 'data-state': state, 'data-t': Math.round(t) }, this.scroll);
    const caption = text(label, { class: `band-label on-${state}`, x: x(t) + 4, y: BAND_Y + 16 }, this.scroll);
    this.band = { rect, caption, start: t, label, width: caption.getComputedTextLength(), item: remember(rect, null), captionItem: remember(caption, null) };
    live.add(this);
    this.g.dataset.state = state;
    this.refresh();
  }

  #endBand(t) {
    const b = this.band;
    b.item.end = b.captionItem.end = b.end = t;
    this.#layoutBand(b, t, now());
    this.ended.push(b);
    this.band = null;
  }

  #layoutBand(b, end, at) {
    b.rect.setAttribute('width', Math.max(0, x(end) - x(b.start)));
    // The caption stays readable while its band scrolls out on the left.
    const left = Math.max(b.start, at - windowMs);
    const room = x(end) - x(left);
    b.caption.setAttribute('x', x(left) + 4);
    b.caption.style.visibility = room > b.width + 8 ? 'visible' : 'hidden';
  }

  update(t) {
    if (this.band) this.#layoutBand(this.band, t, t);
    this.ended = this.ended.filter((b) => b.end > t - windowMs);
    for (const b of this.ended) this.#layoutBand(b, b.end, t);
  }

  ping() {
    const t = now();
    this.counts.pings++;
    this.lastPing = el('rect', { class: 'tick ping', x: x(t) - 0.8, width: 1.6, y: PING_Y[0], height: PING_Y[1] - PING_Y[0], 'data-t': Math.round(t) }, this.scroll);
    remember(this.lastPing, t);
  }

  pong(rtt) {
    const t = now();
    this.counts.pongs++;
    this.lastRtt = rtt;
    this.lastPing = null;
    remember(el('rect', { class: 'tick pong', x: x(t) - 0.8, width: 1.6, y: PONG_Y[0], height: PONG_Y[1] - PONG_Y[0], 'data-t': Math.round(t), 'data-rtt': rtt.toFixed(1) }, this.scroll), t);
    if (this.roomFor('rtt', x(t) - 16, 6)) {
      remember(text(fmtMs(rtt), { class: 'rtt', x: x(t), y: RTT_Y, 'text-anchor': 'middle' }, this.scroll), t);
    }
    this.refresh();
  }

  /** A dead-link verdict: a red line across the lane, and what the client concluded. */
  verdict(cause, label) {
    const t = now();
    this.counts.verdicts++;
    if (cause === 'pong-timeout') this.counts.pongTimeouts++;
    this.lastPing?.classList.add('unanswered');
    this.lastPing = null;
    const g = el('g', { class: 'mark verdict', 'data-cause': cause, 'data-t': Math.round(t) }, this.scroll);
    el('rect', { x: x(t) - 1.25, width: 2.5, y: 2, height: LANE_H - 4 }, g);
    if (this.roomFor('upper', x(t) + 4, label.length)) text(label, { x: x(t) + 4, y: EVENT_Y - 10 }, g);
    remember(g, t + 200 / PX);
    this.refresh();
  }

  /** A close that is not a verdict (a reset, an error): a small grey mark. */
  closed(label) {
    const t = now();
    this.counts.closes++;
    const g = el('g', { class: 'mark closed-mark', 'data-t': Math.round(t) }, this.scroll);
    el('path', { d: `M${x(t)} ${EVENT_Y - 18} l5 6 l-5 6 l-5 -6 z` }, g);
    if (this.roomFor('upper', x(t) + 7, label.length)) text(label, { x: x(t) + 7, y: EVENT_Y - 9 }, g);
    remember(g, t + 100 / PX);
    this.lastPing = null;
  }

  /** An exception the client's own code threw (uncaught: the page's error event saw it). */
  threw(label) {
    const t = now();
    this.counts.uncaught++;
    const g = el('g', { class: 'mark threw', 'data-t': Math.round(t) }, this.scroll);
    el('rect', { x: x(t) - 1, width: 2, y: EVENT_Y - 20, height: 14 }, g);
    if (this.roomFor('upper', x(t) + 4, label.length)) text(label, { x: x(t) + 4, y: EVENT_Y - 9 }, g);
    remember(g, t + 100 / PX);
    this.refresh();
  }

  /** The delay before the next attempt, as a bracket from now to when it is due. */
  reconnectIn(delay, label) {
    const t = now();
    const x0 = x(t);
    const x1 = x(t + delay);
    const g = el('g', { class: 'span reconnect', 'data-t': Math.round(t), 'data-delay': Math.round(delay) }, this.scroll);
    el('path', { d: `M${x0} ${EVENT_Y - 4} v6 H${x1} v-6` }, g);
    if (this.roomFor('lower', x0 + 2, label.length)) text(label, { x: x0 + 2, y: EVENT_Y + 13 }, g);
    remember(g, t + delay + 150 / PX);
  }

  opened() {
    this.counts.opens++;
    this.counts.reconnects = this.counts.opens - 1;
    this.refresh();
  }

  // Messages: queued (not connected), written to a socket, echoed back, or lost.
  message(id, queued) {
    const t = now();
    const node = el('circle', { class: `msg ${queued ? 'queued' : 'pending'}`, cx: x(t), cy: MSG_Y, r: 4, 'data-id': id, 'data-t': Math.round(t) }, this.scroll);
    const m = { t, queued, node, written: false, done: false, item: remember(node, null) };
    this.messages.set(id, m);
    if (queued) this.counts.queued++;
    this.refresh();
    return m;
  }

  written(id) {
    const m = this.messages.get(id);
    if (m) m.written = true;
  }

  echoed(id) {
    const m = this.messages.get(id);
    if (!m || m.done) return;
    const t = now();
    m.done = true;
    m.item.end = t;
    this.counts.echoed++;
    if (m.queued) {
      // How long it waited: a line from when it was sent to when its echo came back.
      const line = el('line', { class: 'wait', x1: x(m.t), x2: x(t), y1: MSG_Y, y2: MSG_Y }, this.scroll);
      this.scroll.insertBefore(line, m.node);
      remember(line, t);
      remember(el('circle', { class: 'msg queued delivered', cx: x(t), cy: MSG_Y, r: 4, 'data-id': id, 'data-t': Math.round(t) }, this.scroll), t);
    } else {
      m.node.setAttribute('class', 'msg delivered');
    }
    this.messages.delete(id);
    this.refresh();
  }

  lost(id, why) {
    const m = this.messages.get(id);
    if (!m || m.done) return;
    m.done = true;
    m.item.end = m.t;
    this.counts.lost++;
    const cx = x(m.t);
    const g = el('g', { class: 'msg-lost', 'data-id': id, 'data-t': Math.round(m.t) }, this.scroll);
    el('path', { d: `M${cx - 4} ${MSG_Y - 4} l8 8 m0 -8 l-8 8` }, g);
    el('title', {}, g).textContent = `${id} lost: ${why}`;
    m.node.replaceWith(g);
    remember(g, m.t);
    this.messages.delete(id);
    this.refresh();
  }

  refresh() {
    const c = this.counts;
    this.info[0].textContent = `state: ${this.state}`;
    this.info[1].textContent = `dead links ${c.pongTimeouts} · reconnects ${c.reconnects}`;
    this.info[2].textContent = `pings ${c.pings} · pongs ${c.pongs}${this.lastRtt === null ? '' : ` · rtt ${fmtMs(this.lastRtt)}`}`;
    this.info[3].textContent = `messages: echoed ${c.echoed}, lost ${c.lost}`;
    this.info[4].textContent = `queued while down ${c.queued}`;
    const d = this.g.dataset;
    d.opens = c.opens;
    d.reconnects = c.reconnects;
    d.verdicts = c.verdicts;
    d.pongTimeouts = c.pongTimeouts;
    d.echoed = c.echoed;
    d.lost = c.lost;
    d.queued = c.queued;
  }
}

/**
 * A WebSocket that tells its lane what crosses it: pings and pongs (with the rtt seen on this
 * socket), messages written and echoed, and messages lost with it. Both clients use it, so both
 * are measured the same way.
 */
function tracedWebSocket(lane, hooks = {}) {
  return class TracedWebSocket extends WebSocket {
    #pingAt = null;
    #written = new Set();
    #gone = false;
    constructor(url, protocols) {
      super(url, protocols);
      this.addEventListener('message', (e) => {
        if (e.data === 'pong') {
          if (this.#pingAt !== null) lane.pong(now() - this.#pingAt);
          this.#pingAt = null;
        } else if (typeof e.data === 'string' && e.data.startsWith('#')) {
          this.#written.delete(e.data);
          lane.echoed(e.data);
        }
      });
      this.addEventListener('open', () => hooks.opened?.(this));
      this.addEventListener('error', () => hooks.errored?.(this));
      this.addEventListener('close', (e) => {
        this.#lose('the socket closed before its echo');
        hooks.closed?.(this, e);
      });
      hooks.created?.(this);
    }
    send(data) {
      if (data === 'ping') {
        this.#pingAt = now();
        lane.ping();
      } else if (typeof data === 'string' && data.startsWith('#')) {
        this.#written.add(data);
        lane.written(data);
      }
      super.send(data);
    }
    close(code, reason) {
      // Nothing arrives on a socket once close() is called: what it still owed is lost.
      this.#lose('written to a socket that was then closed (a dead link)');
      hooks.closeCalled?.(this);
      if (code === undefined) super.close();
      else super.close(code, reason);
    }
    #lose(why) {
      if (this.#gone) return;
      this.#gone = true;
      for (const id of this.#written) lane.lost(id, why);
      this.#written.clear();
    }
  };
}

// --- the network row: faults as bands, resets and heals as marks ------------------------------------
class Network {
  constructor(y) {
    this.g = el('g', { class: 'lane network', id: 'lane-network', transform: `translate(0,${y})` }, svg);
    el('rect', { x: GUTTER, y: 0, width: PLOT_W, height: NET_H, fill: 'none', stroke: '#d9dee4' }, this.g);
    text('network (proxy)', { x: 10, y: 18, class: 'lane-title' }, this.g);
    this.info = text('', { x: 10, y: 34, class: 'lane-info' }, this.g);
    this.scroll = scrolling(this.g);
    this.mode = null;
    this.latency = null;
    this.modeBand = null;
    this.latencyBand = null;
    this.ended = [];
    this.y = y;
  }

  #band(kind, label, y, h) {
    const t = now();
    const rect = el('rect', { class: `band f-${kind}`, x: x(t), y, width: 0, height: h, 'data-t': Math.round(t) }, this.scroll);
    const caption = text(label, { class: `band-label on-${kind}`, x: x(t) + 4, y: y + h - 4 }, this.scroll);
    const shade = el('rect', { class: `f-${kind}`, x: x(t), y: this.y, width: 0, height: H - this.y, opacity: 0.07 }, backdrop);
    const band = { rect, caption, shade, start: t, width: caption.getComputedTextLength(), items: [remember(rect, null), remember(caption, null), remember(shade, null)] };
    live.add(this);
    return band;
  }

  #end(band) {
    if (!band) return;
    const t = now();
    for (const item of band.items) item.end = t;
    band.end = t;
    this.#layout(band, t, t);
    this.ended.push(band);
  }

  #layout(b, end, at) {
    const w = Math.max(0, x(end) - x(b.start));
    b.rect.setAttribute('width', w);
    b.shade.setAttribute('width', w);
    const left = Math.max(b.start, at - windowMs);
    b.caption.setAttribute('x', x(left) + 4);
    b.caption.style.visibility = x(end) - x(left) > b.width + 8 ? 'visible' : 'hidden';
  }

  update(t) {
    if (this.modeBand) this.#layout(this.modeBand, t, t);
    if (this.latencyBand) this.#layout(this.latencyBand, t, t);
    this.ended = this.ended.filter((b) => b.end > t - windowMs);
    for (const b of this.ended) this.#layout(b, b.end, t);
  }

  /** A status from the server (GET /api/status or the event stream). */
  status(s) {
    if (s.mode !== this.mode) {
      if (this.mode !== null && s.mode === 'forward') this.mark('heal-mark', 'forward');
      this.#end(this.modeBand);
      this.modeBand = null;
      const names = { blackhole: ['half-open', 'half-open: nothing crosses'], refuse: ['refuse', 'refusing connections'], hang: ['half-open', 'hanging handshakes'] };
      if (names[s.mode]) this.modeBand = this.#band(names[s.mode][0], names[s.mode][1], 6, 18);
      this.mode = s.mode;
    }
    const latencyKey = s.latency ? `${s.latency.latencyMs}/${s.latency.jitterMs}` : null;
    if (latencyKey !== this.latency) {
      this.#end(this.latencyBand);
      this.latencyBand = s.latency
        ? this.#band('latency', `latency +${latencyRange(s.latency)}`, 27, 15)
        : null;
      this.latency = latencyKey;
    }
    const words = { forward: 'forwarding', blackhole: 'HALF-OPEN (nothing crosses)', refuse: 'REFUSING connections', hang: 'hanging handshakes' };
    let line = `network: ${words[s.mode] ?? s.mode}`;
    if (s.latency) line += `, added latency ${latencyRange(s.latency)}`;
    if (s.healAt) line += `, heals by itself in ${fmtS(Math.max(0, s.healAt - Date.now()))}`;
    const status = document.getElementById('network');
    status.textContent = line;
    status.classList.toggle('faulty', s.mode !== 'forward' || Boolean(s.latency));
    this.info.textContent = s.mode === 'forward' ? (s.latency ? 'slow' : 'healthy') : words[s.mode];
    this.g.dataset.mode = s.mode;
    document.querySelector('button[data-fault="latency"]').setAttribute('aria-pressed', String(Boolean(s.latency)));
  }

  /** A moment: a line through every lane (resets) or this row only (heals). */
  mark(kind, label) {
    const t = now();
    const g = el('g', { class: `mark ${kind}`, 'data-t': Math.round(t) }, this.scroll);
    el('line', { x1: x(t), x2: x(t), y1: 2, y2: kind === 'reset-mark' ? H - this.y : NET_H - 2 }, g);
    text(label, { x: x(t) + 4, y: 19 }, g);
    remember(g, t + 60 / PX);
  }
}

// --- the time axis --------------------------------------------------------------------------------
const GRID_STEP = [100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000].find((s) => s * PX >= 80) ?? 60000;
let nextGrid = 0;
function drawGrid(t) {
  while (nextGrid <= t) {
    const gx = x(nextGrid);
    remember(el('line', { class: 'grid', x1: gx, x2: gx, y1: AXIS_H - 4, y2: H }, backdrop), nextGrid);
    remember(text(fmtS(nextGrid), { class: 'axis-label', x: gx + 3, y: 14 }, backdrop), nextGrid + 40 / PX);
    nextGrid += GRID_STEP;
  }
}

// --- wiring ---------------------------------------------------------------------------------------
const errorBox = document.getElementById('error');
function showError(message) {
  errorBox.hidden = false;
  errorBox.textContent = message;
}
// The classic pattern's timers outlive its sockets: a heartCheck ping on a socket that is still
// connecting throws InvalidStateError from its own timer. That is its flaw, drawn in its lane; any
// other uncaught error is this page's, and shown.
let classicLane = null;
window.addEventListener('error', (e) => {
  if (classicLane && String(e.error?.stack).includes('/classic.mjs')) classicLane.threw(`threw ${e.error?.name ?? 'an error'}`);
  else showError(`error: ${e.message}`);
});
window.addEventListener('unhandledrejection', (e) => showError(`error: ${e.reason?.message ?? e.reason}`));

const timeline = {
  ready: false,
  scale,
  windowMs,
  options: { lifeline: LIFELINE_OPTIONS, classic: CLASSIC_OPTIONS, messageEvery: MESSAGE_EVERY },
  now,
  lanes: {},
  network: null,
  /** Presses a fault button's action (the buttons call this too). */
  fault: null,
};
window.timeline = timeline;

document.getElementById('msg-every').textContent = fmtS(MESSAGE_EVERY);
if (scale !== 1) document.getElementById('speed').textContent = `Time runs ${+(1 / scale).toFixed(2)}× faster than normal (?scale=${scale}).`;
for (const [cls, ms] of [['t-ping', LIFELINE_OPTIONS.pingInterval], ['t-pong', LIFELINE_OPTIONS.pongTimeout], ['t-delay', LIFELINE_OPTIONS.reconnectDelay], ['t-classic-delay', CLASSIC_OPTIONS.reconnectDelay]]) {
  for (const node of document.getElementsByClassName(cls)) node.textContent = fmtS(ms);
}

await init();
const config = await (await fetch('/api/config')).json();
t0 = performance.now();

const network = new Network(NET_Y);
timeline.network = network;
network.status(config.status);
const lifelineLane = new Lane('lifeline', 'ws-lifeline', 'Lifeline (this package)', LANE_Y[0]);
classicLane = new Lane('classic', 'classic heartCheck', 'ping/pong, close(), onclose', LANE_Y[1]);
timeline.lanes = { lifeline: lifelineLane.counts, classic: classicLane.counts };
Object.defineProperty(timeline.lanes.lifeline, 'state', { get: () => lifelineLane.state, enumerable: true });
Object.defineProperty(timeline.lanes.classic, 'state', { get: () => classicLane.state, enumerable: true });

// ws-lifeline: its own events say everything.
const sock = new Lifeline(config.wsUrl.lifeline, { ...LIFELINE_OPTIONS, WebSocket: tracedWebSocket(lifelineLane) });
sock.addEventListener('statechange', (e) => lifelineLane.setState(e.to));
let lifelineWasOpen = false;
sock.addEventListener('open', () => {
  lifelineWasOpen = true;
  lifelineLane.opened();
});
sock.addEventListener('close', (e) => {
  const wasOpen = lifelineWasOpen;
  lifelineWasOpen = false;
  if (e.cause === 'pong-timeout') lifelineLane.verdict(e.cause, 'pong-timeout: dead link, socket abandoned');
  else if (e.cause === 'connect-timeout') lifelineLane.verdict(e.cause, 'connect-timeout');
  else if (wasOpen && e.cause !== 'explicit' && e.cause !== 'final') lifelineLane.closed(`closed (${e.cause})`);
});
sock.addEventListener('reconnecting', (e) => {
  if (e.delay > 0) lifelineLane.reconnectIn(e.delay, `retry ${e.attempt} in ${fmtMs(e.delay)}`);
});
sock.addEventListener('drop', (e) => lifelineLane.lost(String(e.data), `dropped (${e.reason})`));

// The classic pattern has no events of its own beyond its socket's: its states are derived from
// the sockets it creates (connecting, open), the close() its heartCheck calls (a verdict, then
// "waiting for onclose"), and its reconnect counter (a fixed delay, then a new socket).
let classic = null;
let classicSocket = null;
let classicReconnects = 0;
const classicHooks = {
  created(ws) {
    classicSocket = ws;
    classicLane.setState('connecting');
  },
  opened(ws) {
    if (ws !== classicSocket) return;
    classicLane.setState('open');
    classicLane.opened();
  },
  closeCalled(ws) {
    if (ws !== classicSocket || classicLane.state !== 'open') return;
    classicLane.verdict('pong-timeout', 'pong-timeout: close(), waiting for onclose');
    classicLane.setState('closing', 'closing: waiting for onclose');
  },
  // A task later: the classic's own handlers run after these listeners (and their microtasks).
  errored(ws) {
    setTimeout(() => classicAfter(ws, false), 0);
  },
  closed(ws, e) {
    if (ws === classicSocket && classicLane.state === 'open') classicLane.closed(`closed (${e.code})`);
    setTimeout(() => classicAfter(ws, true), 0);
  },
};
// After the classic's own onerror/onclose ran: did it schedule a reconnect?
function classicAfter(ws, closed) {
  const n = classic?.reconnects ?? 0;
  if (n > classicReconnects) {
    classicReconnects = n;
    classicLane.reconnectIn(CLASSIC_OPTIONS.reconnectDelay, `retry ${n}/${CLASSIC_OPTIONS.maxReconnects} in ${fmtMs(CLASSIC_OPTIONS.reconnectDelay)}`);
    if (ws === classicSocket) classicLane.setState('backoff');
  } else if (closed && ws === classicSocket && classicLane.state !== 'backoff') {
    classicLane.setState(n >= CLASSIC_OPTIONS.maxReconnects ? 'gave-up' : 'closed', n >= CLASSIC_OPTIONS.maxReconnects ? 'gave up (12 reconnects used)' : 'closed');
  }
}
classic = createClassic(config.wsUrl.classic, { ...CLASSIC_OPTIONS, WebSocket: tracedWebSocket(classicLane, classicHooks) });

// The app: a message every MESSAGE_EVERY ms on both clients, connected or not.
let counter = 0;
setInterval(() => {
  const id = `#${++counter}`;
  const m = lifelineLane.message(id, false);
  lifelineLane.counts.sent++;
  const accepted = sock.send(id);
  if (accepted && !m.written && !m.done) {
    m.queued = true; // held by the Lifeline, sent in order on the next open
    m.node.setAttribute('class', 'msg queued');
    lifelineLane.counts.queued++;
    lifelineLane.refresh();
  } else if (!accepted) lifelineLane.lost(id, 'not accepted by send()');

  classicLane.message(id, false);
  classicLane.counts.sent++;
  if (!classic.send(id)) classicLane.lost(id, 'sent while not connected: the classic pattern drops it');
}, MESSAGE_EVERY);

// The network: the server's status stream, and the buttons.
const events = new EventSource('/api/events');
events.addEventListener('status', (e) => network.status(JSON.parse(e.data)));

async function fault(kind) {
  if (!(kind in FAULTS)) throw new TypeError(`unknown fault ${kind}`);
  if (kind === 'reset') network.mark('reset-mark', 'reset');
  const response = await fetch('/api/fault', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ fault: kind, ...FAULTS[kind] }),
  });
  if (!response.ok) throw new Error(`fault ${kind}: HTTP ${response.status}`);
  const s = await response.json();
  network.status(s);
  return s;
}
timeline.fault = fault;
for (const button of document.querySelectorAll('button[data-fault]')) {
  button.addEventListener('click', () => fault(button.dataset.fault).catch((err) => showError(err.message)));
}

// Every frame: scroll, grow what is still going on, forget what scrolled out.
let lastPrune = 0;
function frame() {
  const t = now();
  const shift = `translate(${GUTTER + PLOT_W - x(t)},0)`;
  for (const g of scrollGroups) g.setAttribute('transform', shift);
  drawGrid(t);
  for (const thing of live) thing.update(t);
  if (t - lastPrune > 1000) {
    lastPrune = t;
    const horizon = t - windowMs - 500;
    for (let i = items.length - 1; i >= 0; i--) {
      if (items[i].end !== null && items[i].end < horizon) {
        items[i].node.remove();
        items.splice(i, 1);
      }
    }
  }
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);
el('line', { class: 'now', x1: GUTTER + PLOT_W, x2: GUTTER + PLOT_W, y1: AXIS_H - 4, y2: H }, svg);
timeline.ready = true;
document.body.dataset.ready = 'true';
