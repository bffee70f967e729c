// The driver: feeds one input at a time to the core, carries out what comes out, and arms one
// timer for the core's next deadline. It decides nothing: every rule is the core's.
// Inbound data is not an input: its arrival time is kept here and reported (handle_activity) just
// before the next input, so the per-message path makes no call into the core.

import { pollOutput } from './contract.js';

// Browsers cap setTimeout at 2^31-1 ms; a longer wait wakes early and re-arms (harmless).
const MAX_TIMER = 2147483647;

export class Driver {
  /**
   * @param {any} core a configured Core
   * @param {{ clock: () => number, timers: { setTimeout: Function, clearTimeout: Function }, fallbackTimers: { setTimeout: Function, clearTimeout: Function }, closedState: number }} env
   * @param {{ carryOut(out: any): void, closed(): void, error(error: Error): void }} host
   */
  constructor(core, env, host) {
    /** @type {any} null once disposed */
    this.core = core;
    this.clock = env.clock;
    this._timers = env.timers;
    this._fallbackTimers = env.fallbackTimers;
    this._closedState = env.closedState;
    this._host = host;
    /** The core's state (its number) after the latest input. */
    this.state = core.state();
    this.socketId = 0; // the live socket's generation, 0 if none
    this.lastActivity = -Infinity; // latest inbound data on the live socket
    this.chunkAt = NaN; // while the transport hands over messages read together: when they came
    this._reportedActivity = -Infinity; // what the core has been told
    this.deadline = Infinity;
    this._timer = null;
    this._timerAt = Infinity;
    this._draining = false;
  }

  /** A new live socket (or none): its activity starts afresh. */
  setSocket(/** @type {number} */ id) {
    this.socketId = id;
    this.lastActivity = this._reportedActivity = -Infinity;
    this.chunkAt = NaN;
  }

  /**
   * Feeds one input (after the batched activity) and carries out what follows. Returns the
   * core's result (a number), or undefined once disposed.
   * @param {(core: any, now: number) => number} fn
   */
  input(fn) {
    if (!this.core) return undefined;
    const now = this.clock();
    if (!this.core) return undefined; // the clock's error listener closed it
    if (this.socketId !== 0 && this.lastActivity > this._reportedActivity) {
      this.core.activity(this.socketId, this.lastActivity);
      this._reportedActivity = this.lastActivity;
    }
    const result = fn(this.core, now);
    this.state = this.core.state();
    this.drain();
    return result;
  }

  /** Runs `fn` with the outputs held, then carries them out: a transport may report an error
   * before it returns, and its close-socket must find the socket it returned. */
  hold(/** @type {() => void} */ fn) {
    const outer = this._draining;
    this._draining = true;
    try {
      fn();
    } finally {
      this._draining = outer;
    }
    if (!outer) this.drain();
  }

  drain() {
    // Inputs from inside (an event listener that sends, closes or reconnects) only feed the core;
    // this loop polls what they produced, in order.
    if (this._draining || !this.core) return;
    this._draining = true;
    try {
      for (let out = pollOutput(this.core); out; out = pollOutput(this.core)) {
        this._host.carryOut(out);
        if (!this.core) return;
      }
    } finally {
      this._draining = false;
    }
    this.state = this.core.state();
    if (this.state === this._closedState) this._host.closed();
    else this._arm();
  }

  dispose() {
    if (this.core) {
      this.core.delete();
      this.core = null;
    }
    this._cancel();
    this._timerAt = this.deadline = Infinity;
  }

  /** Cancels the armed timer; a clearTimeout that throws is reported, and the runtime's timers
   * are used from then on (the stray timer, if it fires, finds nothing to do or re-arms). */
  _cancel() {
    const timer = this._timer;
    this._timer = null;
    if (timer === null) return;
    try {
      this._timers.clearTimeout(timer);
    } catch (error) {
      this._replaceTimers(new Error(`options.timers.clearTimeout threw: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
    }
  }

  _replaceTimers(/** @type {Error} */ problem) {
    if (this._timers === this._fallbackTimers) throw problem;
    this._timers = this._fallbackTimers;
    this._host.error(problem);
  }

  _arm() {
    const deadline = this.core.pollTimeout();
    this.deadline = deadline;
    if (deadline === this._timerAt) return;
    this._cancel();
    this._timerAt = deadline;
    if (deadline === Infinity) return;
    // Whole milliseconds, rounded up (as platforms' timers count): when it fires, the clock has
    // reached the deadline, so a clock that is offset by a fraction (a guarded app clock) or a
    // fake one that moves exactly by the delay cannot spin on a deadline a rounding error away.
    const delay = Math.min(MAX_TIMER, Math.max(0, Math.ceil(deadline - this.clock())));
    let arming = true;
    let calledBack = false;
    const fire = () => {
      if (arming) {
        calledBack = true; // the timers ran it before setTimeout returned: see below
        return;
      }
      if (this._timerAt !== deadline) return; // a stray one (a timers that could not cancel it)
      this._timer = null;
      this._timerAt = Infinity;
      this.input((c, t) => c.timeout(t)); // early is harmless: it re-arms
    };
    /** @type {Error | null} */
    let problem = null;
    try {
      this._timer = this._timers.setTimeout(fire, delay);
    } catch (error) {
      problem = new Error(`options.timers.setTimeout threw: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    arming = false;
    if (calledBack && !problem) {
      problem = new Error('options.timers.setTimeout called its callback before returning; a timer must run in a later task');
    }
    if (!problem) return;
    // A timer that cannot wait would let attempts and pings loop without the event loop ever
    // running: use the runtime's own timers from now on, and say why.
    this._timer = null;
    this._timerAt = Infinity;
    this._replaceTimers(problem);
    this._arm();
  }
}
