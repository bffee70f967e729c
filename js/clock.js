// Time for the core: milliseconds that never go backwards and are always finite.
import { describe, globalObject } from './options.js';

/**
 * The runtime's own clock: performance.now() where there is one (monotonic by definition),
 * else Date.now() with its steps back absorbed (mini-programs have no `performance`, and the wall
 * clock steps when the phone's time is corrected).
 * @returns {() => number}
 */
export function defaultClock() {
  const perf = globalObject().performance;
  if (perf && typeof perf.now === 'function') return () => perf.now();
  return steady(() => Date.now());
}

/**
 * A clock that never goes backwards: a step back of `source` counts as no time passing, and
 * later readings continue from there.
 * @param {() => number} source
 */
export function steady(source) {
  let offset = 0;
  let last = -Infinity;
  return () => {
    const t = source() + offset;
    if (t < last) {
      offset += last - t;
      return last;
    }
    last = t;
    return t;
  };
}

/**
 * The app's `options.clock`, made safe: when it throws or returns anything but a number of at
 * most 2^53 in size,
 * `report` hears of it once (until it recovers), and time goes on by the runtime's clock from the
 * last good reading, so the Lifeline keeps working. Never goes backwards.
 * @param {() => number} source
 * @param {(error: Error) => void} report
 */
export function guardedClock(source, report) {
  const backup = defaultClock();
  let lastBackup = backup();
  let offset = 0;
  let last = -Infinity;
  let failing = false;
  return () => {
    const b = backup();
    const elapsed = Math.max(0, b - lastBackup);
    lastBackup = b;
    /** @type {unknown} */
    let t;
    /** @type {Error | null} */
    let error = null;
    try {
      t = source();
      // Beyond 2^53 a double cannot count milliseconds: deadlines could no longer move.
      if (typeof t !== 'number' || !(Math.abs(t) <= Number.MAX_SAFE_INTEGER)) {
        error = new TypeError(`options.clock: expected a number of milliseconds (finite, at most 2^53 in size), got ${describe(t)}`);
      }
    } catch (e) {
      error = new Error(`options.clock threw: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    if (error) {
      if (!failing) report(error);
      failing = true;
      last = last === -Infinity ? 0 : last + elapsed;
      return last;
    }
    const reading = /** @type {number} */ (t);
    if (failing || last === -Infinity) {
      offset = last === -Infinity ? 0 : last - reading; // continue from where time stood
      failing = false;
    }
    const v = reading + offset;
    if (v < last) {
      offset += last - v;
      return last;
    }
    last = v;
    return v;
  };
}
