// Browser signals: online/offline, page visibility, and the back/forward cache.
import { globalObject } from '../options.js';

const G = /** @type {any} */ (globalObject());

/** @type {import('../lifeline.js').Platform} */
export const browserPlatform = {
  initial() {
    const nav = G.navigator;
    const doc = G.document;
    return {
      online: !(nav && nav.onLine === false),
      foreground: !(doc && doc.visibilityState === 'hidden'),
    };
  },
  subscribe({ network, foreground }) {
    const w = G.window;
    const doc = G.document;
    if (!w || typeof w.addEventListener !== 'function') return () => {};
    const on = [
      [w, 'online', () => network(true)],
      [w, 'offline', () => network(false)],
      [w, 'pageshow', () => foreground(true)],
      [w, 'pagehide', () => foreground(false)],
    ];
    if (doc) on.push([doc, 'visibilitychange', () => foreground(doc.visibilityState !== 'hidden')]);
    for (const [target, type, fn] of on) target.addEventListener(type, fn);
    return () => {
      for (const [target, type, fn] of on) target.removeEventListener(type, fn);
    };
  },
};
