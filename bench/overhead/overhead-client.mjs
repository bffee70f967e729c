// Receive throughput of one client kind: connect, ask the blaster for `count` messages of `bytes`,
// count them as they arrive; messages per second from the request to the last message.
// Plain ES module: Node (overhead-node-client.mjs) and Chromium (page.mjs) share it.

/**
 * @param {'raw' | 'lifeline' | 'reconnecting-websocket'} kind
 * @param {{ WebSocket: any, Lifeline: any, ReconnectingWebSocket: any }} env
 */
export function receiveRun(kind, env, url, count, bytes, perSecond = 0) {
  return new Promise((resolve, reject) => {
    let n = 0;
    let t0 = 0;
    let socket;
    const tCreate = performance.now();
    const timer = setTimeout(() => reject(new Error(`${kind}: ${n}/${count} messages after 60 s`)), 60000);
    const onmessage = () => {
      if (++n === count) {
        const ms = performance.now() - t0;
        clearTimeout(timer);
        socket.close();
        resolve({ ms, rate: (count / ms) * 1000, connectMs: t0 - tCreate });
      }
    };
    const onopen = () => {
      t0 = performance.now();
      socket.send(perSecond ? `pace:${count}:${bytes}:${perSecond}` : `blast:${count}:${bytes}`);
    };
    if (kind === 'raw') socket = new env.WebSocket(url);
    else if (kind === 'lifeline') socket = new env.Lifeline(url, env.nodeWebSocket ? { WebSocket: env.nodeWebSocket } : {});
    else if (kind === 'reconnecting-websocket') {
      // A connect timeout far away: this measures throughput, not its timeout handling.
      const o = { connectionTimeout: 60000, ...(env.nodeWebSocket ? { WebSocket: env.nodeWebSocket } : {}) };
      socket = new env.ReconnectingWebSocket(url, [], o);
    } else throw new Error(`unknown kind ${kind}`);
    socket.onopen = onopen;
    socket.onmessage = onmessage;
  });
}
