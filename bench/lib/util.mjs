// Small helpers shared by the benchmark modules (Node side only).
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

/** Wall-clock milliseconds with sub-ms resolution, comparable across processes on one machine. */
export const wallNow = () => performance.timeOrigin + performance.now();

export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

export function min(values) {
  const v = values.filter((x) => Number.isFinite(x));
  return v.length ? Math.min(...v) : NaN;
}

export function max(values) {
  const v = values.filter((x) => Number.isFinite(x));
  return v.length ? Math.max(...v) : NaN;
}

/** Formats a number for a table: fixed digits, thousands separators, '–' for nothing. */
export function fmt(x, digits = 0) {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (x === Infinity) return '∞';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function pct(ratio, digits = 1) {
  if (!Number.isFinite(ratio)) return '–';
  return `${(ratio * 100).toFixed(digits)} %`;
}

export function kb(bytes, digits = 1) {
  if (!Number.isFinite(bytes)) return '–';
  return `${(bytes / 1024).toFixed(digits)} KB`;
}

/** Polls until predicate() is truthy or ms pass; returns the last value. */
export async function until(predicate, ms, step = 10) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await predicate();
    if (value || Date.now() > deadline) return value;
    await sleep(step);
  }
}

export function log(...args) {
  const t = ((performance.now()) / 1000).toFixed(1).padStart(6);
  console.log(`[${t}s]`, ...args);
}
