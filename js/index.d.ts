// Types of ws-lifeline's public API (hand-written; checked by `tsc --noEmit` in the tests).

export type LifelineState = 'idle' | 'connecting' | 'open' | 'backoff' | 'paused' | 'gave-up' | 'closed';
export type CloseCause = 'explicit' | 'remote' | 'error' | 'pong-timeout' | 'connect-timeout' | 'forced' | 'final' | 'protocol-error';
/**
 * The instance type of the host's global class `K` (Blob, URL, Response) where the consumer's libs
 * declare it (lib "dom", @types/node), else never: these types need no DOM lib.
 */
type HostInstance<K extends string> = typeof globalThis extends Record<K, { prototype: infer T }> ? T : never;
/** The host's WebAssembly.Module where its libs declare one (lib "dom"), else never. */
type HostWasmModule = typeof globalThis extends { WebAssembly: { Module: { prototype: infer T } } } ? T : never;
export type MessageData = string | ArrayBuffer | ArrayBufferView | HostInstance<'Blob'>;
export type UrlSource =
  | string
  | HostInstance<'URL'>
  | ((info: { attempt: number }) => string | HostInstance<'URL'> | Promise<string | HostInstance<'URL'>>);

/** What a transport gives the Lifeline for one socket. */
export interface TransportSocket {
  /** false: not open now (the message is kept for the next connection); a throw: this message is refused (dropped with a 'drop' event). */
  send(data: any): boolean | void;
  /** `abandon`: the link is dead, free it without a closing handshake. */
  close(code: number, reason: string, abandon: boolean): void;
  readonly bufferedAmount: number;
  readonly protocol: string;
  readonly extensions: string;
  /** Applies a binaryType change to the live socket. */
  setBinaryType?(type: 'blob' | 'arraybuffer'): void;
}
export interface TransportHandlers {
  open(): void;
  message(data: any): void;
  /**
   * The socket failed. `retryAfter`: the server's word on when to come back, in ms from now (an
   * HTTP 503's Retry-After, as the `ws` transport reads it); omitted, NaN or negative: none;
   * Infinity: very long (as Number.MAX_VALUE, what a huge header becomes: cut to maxHintDelay).
   * The core heeds it only while connecting (and with `serverHints`), as it would a 1012/1013
   * close's hint, with restartWindow as its window.
   */
  error(detail: unknown, retryAfter?: number): void;
  /** `reason`: the close frame's; a 1012/1013 close's retry hint is read from it. */
  close(code: number, reason: string, wasClean: boolean): void;
  /**
   * Bytes arrived, a message may not be complete yet: life (a transport that can see bytes calls
   * it). With `batch` true, the messages the transport hands over until it calls activityDone()
   * came with these bytes, and share their arrival time (one clock read per read, not per message).
   */
  activity?(batch?: boolean): void;
  /** The bytes reported by activity(true) are all handed over. */
  activityDone?(): void;
}
/** Creates one socket; handlers must be attached before it returns. */
export type Transport = (
  url: string,
  protocols: string[] | undefined,
  handlers: TransportHandlers,
  binaryType: 'blob' | 'arraybuffer',
) => TransportSocket;

/** Network and foreground signals of a platform. */
export interface Platform {
  initial?(): { online?: boolean; foreground?: boolean };
  subscribe(handlers: { network(online: boolean): void; foreground(shown: boolean): void }): () => void;
}

export interface LifelineOptions {
  protocols?: string | string[];
  /** Inbound silence (ms, >= 1) before a ping. Infinity: no heartbeat. Default 10000. */
  pingInterval?: number;
  /** How long after a ping, with nothing inbound, the link is declared dead. Default 10000. */
  pongTimeout?: number;
  /** An attempt not open within this is abandoned. Default 10000. */
  connectTimeout?: number;
  /** First reconnect delay (ms): 0, or >= 1. Default 1000. The next attempt is never less than 1 ms after a loss. */
  reconnectDelay?: number;
  /** Cap of the delay, applied before jitter. Default 30000. */
  maxReconnectDelay?: number;
  /** Growth per failed attempt. Default 2. */
  backoffFactor?: number;
  /** Random fraction of each delay: 1 = full jitter, 0 = none. Default 1. */
  jitter?: number;
  /** Consecutive failed reconnects before 'giveup'. Default Infinity. */
  maxRetries?: number;
  /** A connection must live this long before the failure count resets. Default 5000. */
  minUptime?: number;
  /** A verdict deadline handled later than this (a throttled tab) earns a fresh probe. Default 2000. */
  timerSlack?: number;
  /** What to send as a ping. Default 'ping'. */
  pingMessage?: string | ArrayBuffer | ArrayBufferView | (() => string | ArrayBuffer | ArrayBufferView);
  /** The server's pong. Default 'pong'. Pongs are not delivered as messages. */
  pongMessage?: string | ArrayBuffer | ArrayBufferView;
  /** Recognizes a pong (instead of pongMessage). */
  isPong?: (data: any) => boolean;
  /** Recognizes a server-initiated ping, answered with pongReply and not delivered. */
  isServerPing?: (data: any) => boolean;
  /** The answer to a server ping. Default 'pong'. */
  pongReply?: string | ArrayBuffer | ArrayBufferView | (() => string | ArrayBuffer | ArrayBufferView);
  /** False makes a remote close final. Default: every remote close reconnects. */
  shouldReconnect?: (event: { code: number; reason: string; wasClean: boolean }) => boolean;
  /** A WebSocket constructor to use instead of the global one (or `ws` in Node). */
  WebSocket?: new (url: string, protocols?: string | string[]) => any;
  /** Messages held while not open. Default 1000. */
  maxQueued?: number;
  /** Bytes held while not open. Default 1 MiB. */
  maxQueuedBytes?: number;
  binaryType?: 'blob' | 'arraybuffer';
  /** Make no attempts while the app is hidden (mini-programs). Default false (true in the mini-program build). */
  pauseInBackground?: boolean;
  /** Answer a server ping (isServerPing) with pongReply. Default true. */
  answerServerPings?: boolean;
  /**
   * Learn the pong deadline from the measured round trips (RFC 6298: smoothed rtt + max(10 ms,
   * 4 x its variation)), between minPongTimeout and pongTimeout; pongTimeout until 3 pongs have
   * come on the socket. A missed learnt deadline earns one more probe, with twice the wait (never
   * past pongTimeout from the first ping), before the verdict. After a late timer's fresh probe
   * the pong's rtt is reported from that probe and not learnt (Karn's rule). Default false.
   */
  adaptivePongTimeout?: boolean;
  /**
   * The floor of the learnt pong deadline (adaptivePongTimeout), ms. Default 400. A dead link then
   * costs up to 3x this after the ping; a floor far below 100 ms makes a stall of the server or of
   * the event loop (a garbage collection, a busy main thread) a verdict on a fast link.
   */
  minPongTimeout?: number;
  /**
   * Follow a server's retry hint: a close with 1012 (Service Restart) or 1013 (Try Again Later),
   * whose reason may carry "retry-after=<ms> window=<ms>", or (Node, `ws`) an HTTP 503 answer to
   * the upgrade with Retry-After, schedules the next attempt at retry-after + u * window (u drawn
   * in [0, 1)). Never sooner than reconnectDelay (a hint starting sooner is moved there); a window
   * reaching past maxHintDelay is narrowed to end there (a retry-after past it: within the
   * window's width before maxHintDelay). The first hinted loss after a useful connection (one that
   * lived minUptime) spends no retry (its `reconnecting` has attempt 0); further hinted losses in a
   * row count as retries (maxRetries applies) and wait at least the ordinary backoff for that
   * count. Default true (false in SEED_PATTERN).
   */
  serverHints?: boolean;
  /** The window (ms) of a 1012/1013 close without a hint, and of a Retry-After (which has none). Default 10000. */
  restartWindow?: number;
  /**
   * The longest wait (ms) a server's hint can ask for (retry-after + window): a window reaching
   * past it is narrowed to end here. (A run of hinted losses may still wait the ordinary backoff,
   * up to maxReconnectDelay.) Default 300000.
   */
  maxHintDelay?: number;
  /**
   * Lossless resume (PROTOCOL.md; the server must speak it, e.g. `ResumeServer` from
   * 'ws-lifeline/server'): a session with the server; every message is numbered, kept until the
   * server acknowledges it and resent after a reconnect; what the server sent while the link was
   * down is resent to this client. Each message is delivered once, in order, both ways, or an
   * 'expired' event says the session could not be resumed (messages may have been lost: reload
   * your state). maxQueued / maxQueuedBytes bound the kept messages (maxQueued at most 1048576);
   * beyond them send() refuses. The heartbeat is the protocol's ping and pong, so pingMessage,
   * pongMessage, isPong, isServerPing and pongReply may not be given. Default false.
   */
  resume?: boolean;
  /** Seed of the jitter draws (0 to 2^32-1). Default: random. */
  seed?: number;
  /** Milliseconds. Default performance.now, or Date.now with its steps back absorbed. A clock that throws or returns a non-finite number gets one 'error' event; time then goes on by the default clock. */
  clock?: () => number;
  timers?: { setTimeout(fn: () => void, ms: number): any; clearTimeout(id: any): void };
  /** Network/foreground signals; null for none. Default: the browser's events where present. */
  platform?: Platform | null;
  /** A socket factory to use instead of a WebSocket constructor. */
  transport?: Transport;
}

/**
 * What every event has. Where the runtime has `Event` (browsers, Node, Deno, Bun), every event but
 * 'message' is an `Event` (an instance of a subclass of the runtime's `Event`, whose own
 * properties are its fields: `e instanceof Event` narrows to one). 'message' events everywhere,
 * and every event where there is no `Event` (mini-programs), are the plain shape: an object with
 * `type`, `target`, `currentTarget` and the event's fields.
 */
export interface LifelineEvent<T extends string = string> {
  readonly type: T;
  /** The Lifeline. */
  readonly target: Lifeline;
  /** The Lifeline while the event is dispatched, then null. */
  readonly currentTarget: Lifeline | null;
}
/** A listener: a function (called with the Lifeline as `this`) or an object with `handleEvent`. */
export type LifelineEventListener<E> = ((this: Lifeline, event: E) => void) | { handleEvent(event: E): void };
/** What addEventListener needs of an AbortSignal (the runtime's, or a polyfill's). */
export interface LifelineAbortSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
}
/** addEventListener's options, as EventTarget's. */
export interface LifelineListenerOptions {
  /** Called once: removed just before its first call. */
  once?: boolean;
  /** Removed when the signal aborts; nothing is added if it already has. */
  signal?: LifelineAbortSignal;
  /** Part of the listener's identity, as in EventTarget (a Lifeline has no tree: capture listeners only run before the others). */
  capture?: boolean;
  /** Accepted; no effect (no event of a Lifeline is cancelable). */
  passive?: boolean;
}
export interface LifelineEventMap {
  open: LifelineEvent<'open'>;
  message: LifelineEvent<'message'> & { data: any };
  close: LifelineEvent<'close'> & {
    code: number;
    reason: string;
    wasClean: boolean;
    willReconnect: boolean;
    cause: CloseCause;
  };
  error: LifelineEvent<'error'> & { error: unknown; message: string };
  /**
   * The next attempt is scheduled `delay` ms from now. It fires again, with delay 0, when a
   * platform signal (online, shown) brings a scheduled attempt forward; attempt 0 is the fresh
   * start of reconnect().
   */
  reconnecting: LifelineEvent<'reconnecting'> & { attempt: number; delay: number };
  giveup: LifelineEvent<'giveup'> & { attempts: number };
  heartbeat: LifelineEvent<'heartbeat'> & { rtt: number };
  /** queue-full: over maxQueued/maxQueuedBytes; closed: after close() (with resume: never written; what was written and not acknowledged counts in maybeLost); refused: the transport rejected this message (error); expired: resume, the session expired before the server had it. */
  drop: LifelineEvent<'drop'> & { data: MessageData; reason: 'queue-full' | 'closed' | 'refused' | 'expired'; error?: unknown };
  /**
   * Resume: the session could not be resumed; messages may have been lost both ways (what this
   * side had not had acknowledged came first, each as a 'drop' with reason 'expired'). A new
   * session starts at once. peer: the server said so (it no longer had what this client had not
   * received, or did not know the session); gap: the server had lost what it had acknowledged;
   * explicit: expireSession(), or a message the transport refused (its send threw: it cannot be
   * taken out of the numbering; its 'drop' has reason 'refused').
   */
  expired: LifelineEvent<'expired'> & { cause: 'peer' | 'gap' | 'explicit' };
  statechange: LifelineEvent<'statechange'> & { from: LifelineState; to: LifelineState };
}

export interface LifelineStats {
  attempts: number;
  connects: number;
  pingsSent: number;
  pongsReceived: number;
  deadLinks: number;
  lateTimers: number;
  /** Learnt pong deadlines missed (adaptivePongTimeout): each earned one more probe. */
  deadlineMisses: number;
  retries: number;
  lastRtt: number | null;
  /** The live socket's smoothed rtt (RFC 6298's SRTT); null until a pong on this socket. */
  smoothedRtt: number | null;
  /** How long the next ping waits for its pong: pongTimeout, or the learnt deadline. */
  pongWait: number;
  /** Resume: reconnects that resumed the session. */
  resumes: number;
  /** Resume: sessions that expired ('expired' events). */
  expiries: number;
  /** Resume: sockets closed with 4010 because the server broke the protocol. */
  protocolErrors: number;
  state: LifelineState;
  messagesSent: number;
  messagesReceived: number;
  dropped: number;
  /** Messages sent on a socket after its last sign of life, on a socket that then died. */
  maybeLost: number;
  /** Messages waiting for a connection; with resume, every message kept for a resend (sent and not acknowledged, or waiting). */
  queued: number;
  queuedBytes: number;
}

export declare class Lifeline {
  constructor(url: UrlSource, options?: LifelineOptions);
  static readonly CONNECTING: 0;
  static readonly OPEN: 1;
  static readonly CLOSING: 2;
  static readonly CLOSED: 3;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;
  readonly readyState: 0 | 1 | 2 | 3;
  readonly url: string;
  readonly protocol: string;
  readonly extensions: string;
  readonly bufferedAmount: number;
  binaryType: 'blob' | 'arraybuffer';
  readonly state: LifelineState;
  readonly stats: LifelineStats;
  /** False when the message was not accepted (a 'drop' event carries it). */
  send(data: MessageData): boolean;
  /** Final: no reconnect follows. */
  close(code?: number, reason?: string): void;
  /** A fresh attempt 1 ms from now, whatever the backoff; restarts after 'giveup'. False when there is nothing to do: before the start, after close(), or while a fresh attempt is already due. */
  reconnect(): boolean;
  /** Resume: ends the session from this side (the app's own fallback): what is kept is dropped ('drop', reason 'expired'), an 'expired' event (cause 'explicit') follows, and a new session starts. False with resume off or when there is no session. */
  expireSession(): boolean;
  /** As EventTarget's. Event types beyond LifelineEventMap (for dispatchEvent): add them to LifelineEventMap (`declare module 'ws-lifeline'`). */
  addEventListener<K extends keyof LifelineEventMap>(
    type: K,
    listener: LifelineEventListener<LifelineEventMap[K]> | null,
    options?: boolean | LifelineListenerOptions,
  ): void;
  /** As EventTarget's: the listener added with the same type and capture. */
  removeEventListener<K extends keyof LifelineEventMap>(
    type: K,
    listener: LifelineEventListener<LifelineEventMap[K]> | null,
    options?: boolean | { capture?: boolean },
  ): void;
  /**
   * As EventTarget's: calls on<type>, then the listeners, with this Lifeline as the event's target;
   * returns false when one called preventDefault() on a cancelable event. Takes an `Event`, or any
   * object with a string `type` (the plain shape: mini-programs have no `Event`).
   */
  dispatchEvent(event: { readonly type: string }): boolean;
  onopen: ((event: LifelineEventMap['open']) => void) | null;
  onmessage: ((event: LifelineEventMap['message']) => void) | null;
  onclose: ((event: LifelineEventMap['close']) => void) | null;
  onerror: ((event: LifelineEventMap['error']) => void) | null;
  onreconnecting: ((event: LifelineEventMap['reconnecting']) => void) | null;
  ongiveup: ((event: LifelineEventMap['giveup']) => void) | null;
  onexpired: ((event: LifelineEventMap['expired']) => void) | null;
  onheartbeat: ((event: LifelineEventMap['heartbeat']) => void) | null;
  ondrop: ((event: LifelineEventMap['drop']) => void) | null;
  onstatechange: ((event: LifelineEventMap['statechange']) => void) | null;
}

/**
 * Loads the core once (idempotent). `wasm`: a URL, a path, bytes or a compiled module;
 * `wasmPath` (mini-programs): the code-package path of lifeline-core.wasm(.br), by default
 * '/miniprogram_npm/ws-lifeline/lifeline-core.wasm'.
 */
export declare function init(options?: {
  wasm?: string | HostInstance<'URL'> | ArrayBuffer | ArrayBufferView | HostInstance<'Response'> | HostWasmModule;
  wasmPath?: string;
}): Promise<void>;

/** A transport over any WebSocket constructor. */
export declare function webSocketTransport(WebSocketImpl: new (url: string, protocols?: string | string[]) => any): Transport;

export type MiniProgramFlavor = 'wx' | 'tt' | 'qq' | 'swan' | 'my' | 'uni' | 'taro';
/** How many sockets a mini-program may hold at once. */
export declare const SOCKET_LIMIT: 5;
/**
 * A transport over mini-program SocketTasks (or the legacy global socket where connectSocket
 * returns none). `socketOptions` go to connectSocket as they are (header, timeout, …).
 */
export declare function socketTaskTransport(
  api: { connectSocket(params: any): any },
  options?: { flavor?: MiniProgramFlavor; socketOptions?: Record<string, unknown> },
): Transport & { liveSockets(): number };
/** The mini-program API object present here (tt, qq, swan, my, wx, uni, Taro), if any. */
export declare function detectMiniProgram(): { api: any; flavor: MiniProgramFlavor } | null;
/** Network status and app show/hide as platform signals. */
export declare function miniProgramPlatform(api: any): Platform;
/** online/offline, visibilitychange, pagehide/pageshow. */
export declare const browserPlatform: Platform;

/** Every option's default (the core's fields from its contract), frozen; there at import, before init(). */
export declare const DEFAULTS: Readonly<Required<
  Pick<
    LifelineOptions,
    | 'pingInterval'
    | 'pongTimeout'
    | 'connectTimeout'
    | 'reconnectDelay'
    | 'maxReconnectDelay'
    | 'backoffFactor'
    | 'jitter'
    | 'maxRetries'
    | 'minUptime'
    | 'timerSlack'
    | 'pingMessage'
    | 'pongMessage'
    | 'pongReply'
    | 'maxQueued'
    | 'maxQueuedBytes'
    | 'binaryType'
    | 'pauseInBackground'
    | 'answerServerPings'
    | 'adaptivePongTimeout'
    | 'minPongTimeout'
    | 'serverHints'
    | 'restartWindow'
    | 'maxHintDelay'
    | 'resume'
  >
>>;

/** The classic heartCheck pattern as options (the core's Config::seed_pattern(), from its contract), frozen; there at import. */
export declare const SEED_PATTERN: Readonly<LifelineOptions>;

// Only what is exported above is public (HostInstance and HostWasmModule stay private).
export {};
