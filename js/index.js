// ws-lifeline: a WebSocket that notices when its link is dead and comes back.
export { init } from './loader.js';
export { Lifeline } from './lifeline.js';
export { DEFAULTS, SEED_PATTERN } from './contract.js';
export { webSocketTransport } from './transports/websocket.js';
export { socketTaskTransport, detectMiniProgram, SOCKET_LIMIT } from './transports/sockettask.js';
export { miniProgramPlatform } from './platform/miniprogram.js';
export { browserPlatform } from './platform/browser.js';
