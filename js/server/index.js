// ws-lifeline/server: what a server of Lifelines can do for them (Node, `ws`). Only ResumeServer
// needs the core (`await init()` first, or ResumeServer.create()). Restarts: a retry hint in a
// 1012/1013 close, closing every client with one, 503 with Retry-After while not ready (restart.js).
export { HINT_CODES, formatRetryHint, restartHint, restartSlotHint, closeForRestart, rejectUpgrade } from './restart.js';
// Lossless resume (PROTOCOL.md): the session table and the messages kept for a resend (resume.js).
export { ResumeServer, ResumeSession } from './resume.js';
