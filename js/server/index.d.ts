// Types of ws-lifeline/server (hand-written; checked by `tsc --noEmit` in the tests). Structural
// types only: they need neither @types/node nor @types/ws.

/** What closeForRestart needs of a client socket (a `ws` WebSocket). */
export interface RestartableSocket {
  readonly readyState: number;
  close(code: number, reason: string): void;
}

/** The close codes whose reason clients read a retry hint from: 1012 (Service Restart) and 1013 (Try Again Later). */
export declare const HINT_CODES: readonly number[];

/** A retry hint, in milliseconds: come back at retryAfter + u * window (u uniform in [0, 1)). */
export interface RetryHint {
  retryAfter: number;
  window: number;
}

/**
 * The reason text of a hint, exactly as the core writes and reads it:
 * "retry-after=<ms> window=<ms>" (whole ms, rounded up). Throws a TypeError or RangeError naming a
 * wrong field (each a finite number >= 0).
 */
export declare function formatRetryHint(hint: RetryHint): string;

export interface RestartHintOptions {
  /** How many clients will come back (a whole number >= 0). */
  clients: number;
  /** New connections a second the server accepts once back (> 0). */
  acceptPerSecond: number;
  /** How long until the server accepts again, ms (at most the hint's 10 digits). Default 0. Must be less than maxHintDelay. */
  downtimeMs?: number;
  /**
   * The clients' reconnectDelay, ms: they never come sooner (a hint starting sooner is moved
   * there, and the clients it moved bunch), so the hint starts at the later of this and
   * downtimeMs. Default: the Lifeline default (1000, from the contract). Must be less than maxHintDelay.
   */
  reconnectDelay?: number;
  /** The clients' maxHintDelay (they narrow a window reaching past it to end there): the window is shortened to fit. Default: the Lifeline default (300000). */
  maxHintDelay?: number;
}

/** A hint and its reason text, the numbers as sent (whole ms). */
export interface RestartHint extends RetryHint {
  reason: string;
  /** The window was shortened to fit maxHintDelay: the clients will come faster than acceptPerSecond. */
  capped: boolean;
}

/**
 * One hint for all clients (a server that cannot tell them apart): retryAfter =
 * max(downtimeMs, reconnectDelay), window = clients / acceptPerSecond * 1000 * the contract's
 * sharedHeadroom (1.3: independent draws bunch), shortened to fit maxHintDelay.
 */
export declare function restartHint(options: RestartHintOptions): RestartHint;

export interface RestartSlotHintOptions extends RestartHintOptions {
  /** Which client (0-based, less than clients). */
  index: number;
}

/**
 * A slot of its own for client `index`: retryAfter = start + index * slot, window = slot,
 * start = max(downtimeMs, reconnectDelay), slot = the contract's headroom (1.05) / acceptPerSecond,
 * in whole ms rounded up; the slots are narrowed when the last would end past maxHintDelay
 * (capped). Clients come back evenly spaced.
 */
export declare function restartSlotHint(options: RestartSlotHintOptions): RestartHint;

export interface CloseForRestartOptions {
  /** New connections a second the server accepts once back (> 0). */
  acceptPerSecond: number;
  /** How long until the server accepts again, ms. Default 0. */
  downtimeMs?: number;
  /** The clients' reconnectDelay: the hints start at the later of it and downtimeMs. Default: the Lifeline default (1000). */
  reconnectDelay?: number;
  /** The clients' maxHintDelay. Default: the Lifeline default (300000). */
  maxHintDelay?: number;
  /** 1012 (default) or 1013. */
  code?: number;
  /** Human-readable text before the hint in the reason (the whole reason at most 123 bytes of UTF-8). */
  prefix?: string;
  /**
   * How many clients will come back: a whole number, at least the open sockets (default: the
   * open sockets). When several processes share acceptPerSecond: the whole fleet, with `offset`.
   */
  clients?: number;
  /**
   * The slot of this process's first socket (a whole number >= 0, default 0; at most clients -
   * the open sockets): process k of n passes the sockets of processes 0 to k-1, so together they
   * fill consecutive slots. (Or, without coordination: each process passes its own count and
   * acceptPerSecond divided by the number of processes.)
   */
  offset?: number;
  /** 'slots' (default): a slot of its own for each client (restartSlotHint); 'shared': one reason for all (restartHint). */
  spread?: 'slots' | 'shared';
}

/** A socket whose close() threw (the others were closed all the same). */
export interface CloseForRestartFailure {
  /** Its place among the open sockets (0-based: its slot is offset + index). */
  index: number;
  socket: RestartableSocket;
  /** What its close() threw. */
  error: unknown;
}

/**
 * What was sent: the first client's reason, retryAfter and window. With no open socket nothing
 * is sent: reason '', window 0, retryAfter and until the start (max(downtimeMs, reconnectDelay)),
 * clients 0.
 */
export interface CloseForRestartResult extends RestartHint {
  code: number;
  spread: 'slots' | 'shared';
  /** When the last client's window ends, ms from now. */
  until: number;
  /** How many open sockets were given a hint (clients - failed.length were closed). */
  clients: number;
  /** The sockets whose close() threw. */
  failed: CloseForRestartFailure[];
}

/**
 * Closes every open client with `code` and a reason carrying a retry hint (a slot each, or one
 * shared hint).
 * `server`: a `ws` WebSocketServer (with clientTracking, the default) or an iterable of its
 * sockets. Nothing is closed when an argument is wrong (TypeError or RangeError naming it); a
 * socket whose close() throws does not stop the others (it is reported in `failed`).
 */
export declare function closeForRestart(
  server: { readonly clients: Iterable<RestartableSocket> } | Iterable<RestartableSocket>,
  options: CloseForRestartOptions,
): CloseForRestartResult;

/** The socket of an HTTP server's 'upgrade' event, as rejectUpgrade uses it. */
export interface UpgradeSocket {
  write(data: string): unknown;
  end(): unknown;
  destroySoon?(): void;
  readonly writable?: boolean;
}
/** An http.ServerResponse, as rejectUpgrade uses it. */
export interface UpgradeResponse {
  readonly headersSent: boolean;
  writeHead(status: number, statusText: string, headers: Record<string, string>): unknown;
  end(): unknown;
}
/** The callback of `ws`'s verifyClient(info, callback). */
export type VerifyClientCallback = (result: boolean, code?: number, message?: string, headers?: Record<string, string>) => void;

/**
 * Answers an upgrade with 503 Service Unavailable and `Retry-After: <seconds>` (rounded up;
 * retryAfterSeconds a finite number from 0 to 9999999, what a hint's 10 digits of ms hold):
 * Lifelines in Node (`ws`) come back after it, spread over their restartWindow.
 */
export declare function rejectUpgrade(
  target: UpgradeSocket | UpgradeResponse | VerifyClientCallback,
  options: { retryAfterSeconds: number },
): void;

// --- Lossless resume (PROTOCOL.md): the server side, for `ws` (resume.js) ---

/** What ResumeServer needs of a connection: a `ws` WebSocket on the server. */
export interface ResumeSocket {
  readonly readyState: number;
  send(data: any, options?: { binary?: boolean }, cb?: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
}

/** Why a session ended: the client said expired ('peer'), it asked for messages no longer kept or more than were sent ('gap'), no connection for `window` ms ('window'), session.expire() ('explicit'). */
export type ResumeExpiryCause = 'peer' | 'gap' | 'window' | 'explicit';

/** A message's data as `ws` delivers it (a Buffer with the default binaryType). */
export type ResumeData = any;

export interface ResumeServerOptions {
  /** How long (ms) a session is kept with no connection attached; sent to the client in hello. Default 120000 (the contract's). */
  window?: number;
  /** The messages a session keeps for a resend, at most (1 to 1048576). At the bound the oldest is dropped. Default 1000. */
  maxBuffered?: number;
  /** Their bytes, at most (a whole number >= 1). A message larger on its own is refused. Default 1048576. */
  maxBufferedBytes?: number;
  /** A kept message older than this (ms) is dropped (> 0, or Infinity). Default 300000. */
  maxAge?: number;
  /** A standalone ack goes out this long (ms) after the oldest unacknowledged message arrived (>= 0, or Infinity). Default 30000. */
  ackDelay?: number;
  /** ...or at once after this many messages (1 to 32). Default 32. */
  ackEvery?: number;
  /** ...or this many bytes (1 to 65536). Default 65536. */
  ackBytes?: number;
  /**
   * The server's own heartbeat (ms, > 0, or Infinity: off): after this long with nothing from the
   * client, `ping <received>`; nothing within pongTimeout more, and the connection is dropped and
   * its session detached (its window starts). Catches a connection that goes silent without a
   * close (half-open), which would otherwise keep its session, and what it keeps, for ever.
   * Default 30000: three of the client's default pingInterval (a healthy client pings after 10 s
   * of silence).
   */
  pingInterval?: number;
  /** How long (ms, finite, > 0) after the heartbeat's ping the connection is dead. Default 10000 (the client's pongTimeout default). */
  pongTimeout?: number;
  /** Sessions held at most (attached or waiting for a resume); a `new` beyond them is refused with a 1013 close (the client backs off and asks again). Default 100000 (about 2 KB of the core's memory each, plus payloads, for as long as their window: a flood of `new` cannot exhaust the 2 GiB of wasm memory); Infinity for none. */
  maxSessions?: number;
  /**
   * Bytes `ws` may hold unsent for one connection (its bufferedAmount) before the client counts as
   * not reading: the connection is dropped, the session detaches, and the client resumes from what
   * it had read (past the replay bounds, the session then expires). Default 4 × maxBufferedBytes,
   * so that a burst the client is reading survives; an app that sends bursts larger than that
   * should wait for bufferedAmount to fall.
   */
  maxUnsent?: number;
  /** The authenticated principal of a connection (from its upgrade request): a session resumes only for the principal that created it. Default: none (every connection the same). */
  principal?: (req: any) => string | undefined;
  /** Milliseconds. Default performance.now. */
  clock?: () => number;
  /** Default the global setTimeout/clearTimeout (timers are unref'd when they can be). */
  timers?: { setTimeout(fn: () => void, ms: number): any; clearTimeout(id: any): void };
}

export interface ResumeSessionStats {
  /** The last seq sent (assigned to an app message). */
  sent: number;
  /** The last seq received from the client. */
  received: number;
  /** The client's cumulative ack. */
  acked: number;
  /** Messages kept for a resend, and their bytes. */
  kept: number;
  keptBytes: number;
  connected: boolean;
}

/** One resume session. Events: 'message', 'resumed', 'detached', 'drop', 'expired'. */
export declare class ResumeSession {
  private constructor();
  /** The session id (22 characters of base64url, 128 random bits). */
  readonly id: string;
  /** The principal it is bound to. */
  readonly principal: string | undefined;
  /** A connection is attached: messages go out now (otherwise they wait for a resume). */
  readonly connected: boolean;
  /** It ended (expired): send() returns false. */
  readonly ended: boolean;
  /** Why it ended, or null. */
  readonly expiredCause: ResumeExpiryCause | null;
  readonly stats: ResumeSessionStats;
  /**
   * Sends an app message (a string as text, escaped on the wire if it starts with the control
   * prefix; bytes as binary), kept until the client acknowledges it and resent after a resume.
   * False if refused: the session ended, or the message alone exceeds maxBufferedBytes.
   */
  send(data: string | ArrayBuffer | ArrayBufferView): boolean;
  /** Ends the session from this side: the client is told (expired) and 'expired' ('explicit') follows. */
  expire(): void;
  /** Each client message once, in order (escaped texts unescaped). */
  on(event: 'message', listener: (data: ResumeData, isBinary: boolean) => void): this;
  /** A new connection took the session over (after the resend). */
  on(event: 'resumed' | 'detached', listener: () => void): this;
  /** A kept message that will never be resent (a bound, its age, or the expiry): its data as sent, its seq. */
  on(event: 'drop', listener: (data: string | ArrayBufferView, seq: number) => void): this;
  on(event: 'expired', listener: (cause: ResumeExpiryCause) => void): this;
  once(event: string, listener: (...args: any[]) => void): this;
  off(event: string, listener: (...args: any[]) => void): this;
}

export interface ResumeServerStats {
  sessions: number;
  /** Connections accepted and not closed (legacy ones excepted). */
  connections: number;
  /** Messages kept for a resend over all sessions, and their bytes. */
  kept: number;
  keptBytes: number;
}

/**
 * The resume session table for a `ws` WebSocketServer. Needs the core: `await init()` from
 * 'ws-lifeline' before `new ResumeServer()`, or `await ResumeServer.create()`.
 *
 *   const resume = await ResumeServer.create({ principal: (req) => userOf(req) });
 *   wss.on('connection', (ws, req) => resume.accept(ws, req));
 *   resume.on('session', (session) => session.on('message', (data, isBinary) => ...));
 */
export declare class ResumeServer {
  /** Loads the core (init()) if needed, then makes the server. */
  static create(options?: ResumeServerOptions): Promise<ResumeServer>;
  /** Throws (naming the option) on a bad option, and if the core is not loaded yet. */
  constructor(options?: ResumeServerOptions);
  /** The options in effect (defaults filled in). */
  readonly options: Readonly<Required<Omit<ResumeServerOptions, 'principal' | 'clock' | 'timers'>>>;
  readonly sessions: IterableIterator<ResumeSession>;
  readonly stats: ResumeServerStats;
  /** Takes a connection: wss.on('connection', (ws, req) => resume.accept(ws, req)). */
  accept(ws: ResumeSocket, req?: unknown): void;
  /** Closes every connection (1001) and frees every session and timer; no events follow. */
  close(): void;
  on(event: 'session', listener: (session: ResumeSession) => void): this;
  /** A session ended: messages may have been lost both ways; the client reloads its state. */
  on(event: 'expired', listener: (session: ResumeSession, cause: ResumeExpiryCause) => void): this;
  /** A client whose first frame was not new/resume: the socket is the app's (its first message passed along). Without a listener it is closed with 1008. */
  on(event: 'legacy', listener: (ws: ResumeSocket, req: unknown, data: ResumeData, isBinary: boolean) => void): this;
  /** A listener or options.principal threw (the table is unharmed). Without a listener the error is rethrown asynchronously. */
  on(event: 'error', listener: (error: unknown) => void): this;
  once(event: string, listener: (...args: any[]) => void): this;
  off(event: string, listener: (...args: any[]) => void): this;
}
