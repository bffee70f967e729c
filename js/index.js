// ws-lifeline: a WebSocket that notices when its link is dead and comes back.
export { init } from './loader.js';
export { Lifeline } from './lifeline.js';
export { DEFAULTS } from './options.js';
export { webSocketTransport } from './transports/websocket.js';
export { socketTaskTransport, detectMiniProgram, SOCKET_LIMIT } from './transports/sockettask.js';
export { miniProgramPlatform } from './platform/miniprogram.js';
export { browserPlatform } from './platform/browser.js';

/**
 * The classic heartCheck pattern as options: ping 10 s after open or each pong, close when no pong
 * within 10 s, reconnect every 5 s, at most 12 times over the client's life.
 */
export const SEED_PATTERN = Object.freeze({
  pingInterval: 10000,
  pongTimeout: 10000,
  connectTimeout: Infinity,
  reconnectDelay: 5000,
  maxReconnectDelay: 5000,
  backoffFactor: 1,
  jitter: 0,
  maxRetries: 12,
  minUptime: Infinity,
  timerSlack: Infinity,
});
