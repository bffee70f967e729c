// The client side of the recovery benchmark: creates clients, reports their open/close events
// with wall-clock times, and sends numbered messages during faults. Plain ES module: the Node
// host process (recovery-node-host.mjs) and the Chromium page (page.mjs) both use it.
import { makeClient } from './clients.mjs';

const wallNow = () => performance.timeOrigin + performance.now();

/**
 * @param {any} env constructors (see clients.mjs)
 * @param {(event: object) => void} report
 * @param {number} scale
 */
export function createHost(env, report, scale) {
  const clients = new Map(); // id -> { client, results: { sent, queued, lost, refused, threw }, seriesStart }
  return {
    create(id, kind, url) {
      const entry = { kind, client: null, results: {}, seriesStart: null, sends: 0 };
      entry.client = makeClient(kind, url, {
        scale,
        env,
        on: {
          open: () => report({ id, type: 'open', t: wallNow() }),
          close: (code) => report({ id, type: 'close', code, t: wallNow() }),
        },
      });
      clients.set(id, entry);
      return true;
    },
    /**
     * Sends `m:1` after offsetMs, then `m:2`… every everyMs, `count` messages in all, on each
     * client. (The offset keeps the sends from landing exactly on the fault instants.)
     */
    series(ids, everyMs, count, offsetMs = 0) {
      const entries = ids.map((id) => clients.get(id));
      const t0 = wallNow() + offsetMs;
      for (const e of entries) e.seriesStart = t0;
      let seq = 0;
      const tick = () => {
        seq++;
        for (const e of entries) {
          const r = e.client.send(`m:${seq}`);
          e.results[r] = (e.results[r] ?? 0) + 1;
          e.sends++;
        }
        if (seq < count) setTimeout(tick, Math.max(0, t0 + seq * everyMs - wallNow()));
      };
      setTimeout(tick, Math.max(0, t0 - wallNow()));
      return t0;
    },
    info(ids) {
      const out = {};
      for (const id of ids) {
        const e = clients.get(id);
        let extra = {};
        try {
          extra = e.client.info();
        } catch (error) {
          extra = { infoError: String(error) };
        }
        out[id] = { kind: e.kind, sends: e.sends, results: e.results, seriesStart: e.seriesStart, ...extra };
      }
      return out;
    },
    close(ids) {
      for (const id of ids) {
        try {
          clients.get(id)?.client.close();
        } catch {
          // as closeAll
        }
      }
      return true;
    },
    closeAll() {
      for (const e of clients.values()) {
        try {
          e.client.close();
        } catch {
          // a client that cannot close is abandoned with its host
        }
      }
      return true;
    },
  };
}
