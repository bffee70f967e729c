// Browser signals: online/offline, page visibility, and the back/forward cache.

/** @type {import('../lifeline.js').Platform} */
export const browserPlatform = {
  initial() {
    const nav = globalThis.navigator;
    const doc = globalThis.document;
    return {
      online: !(nav && nav.onLine === false),
      foreground: !(doc && doc.visibilityState === 'hidden'),
    };
  },
  subscribe({ network, foreground }) {
    const w = /** @type {any} */ (globalThis).window;
    const doc = globalThis.document;
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
