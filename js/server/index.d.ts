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
