// Compiled by `tsc --noEmit -p wasm-tests/types`: ws-lifeline/server's hand-written types
// describe its real API, and wrong uses are rejected (each @ts-expect-error must meet an error).
import {
  HINT_CODES,
  closeForRestart,
  formatRetryHint,
  rejectUpgrade,
  restartHint,
  restartSlotHint,
  type CloseForRestartFailure,
  type CloseForRestartResult,
  type RestartHint,
  type RestartableSocket,
} from 'ws-lifeline/server';
import { DEFAULTS, type LifelineOptions } from 'ws-lifeline';

declare const wss: { clients: Set<RestartableSocket> };
declare const upgradeSocket: { write(data: string): boolean; end(): void; destroySoon(): void; writable: boolean };

const hint: RestartHint = restartHint({ clients: 10_000, acceptPerSecond: 500, downtimeMs: 3000 });
const text: string = hint.reason;
const capped: boolean = hint.capped;
const sent: CloseForRestartResult = closeForRestart(wss, { acceptPerSecond: 500, prefix: 'deploy', code: HINT_CODES[1] });
const closed: number = sent.clients;
closeForRestart([...wss.clients], { acceptPerSecond: 1, clients: 50_000, offset: 1200, maxHintDelay: DEFAULTS.maxHintDelay, reconnectDelay: DEFAULTS.reconnectDelay });
const failures: CloseForRestartFailure[] = sent.failed;
const firstFailed: number | undefined = failures[0]?.index;
const until: number = sent.until;
const slot: RestartHint = restartSlotHint({ index: 3, clients: 10, acceptPerSecond: 5, reconnectDelay: 2000 });
formatRetryHint({ retryAfter: 1000, window: 5000 });
rejectUpgrade(upgradeSocket, { retryAfterSeconds: 2 });
rejectUpgrade((ok: boolean, code?: number) => void [ok, code], { retryAfterSeconds: 2 });

const options: LifelineOptions = { serverHints: true, restartWindow: 5000, maxHintDelay: 60_000, adaptivePongTimeout: true, minPongTimeout: 250 };
const window: number = DEFAULTS.restartWindow;
const hints: boolean = DEFAULTS.serverHints;

// @ts-expect-error acceptPerSecond is required
closeForRestart(wss, {});
// @ts-expect-error not an option
restartHint({ clients: 1, acceptPerSecond: 1, rate: 2 });
// @ts-expect-error offset is a number
closeForRestart(wss, { acceptPerSecond: 1, offset: '3' });
// @ts-expect-error retryAfterSeconds is a number
rejectUpgrade(upgradeSocket, { retryAfterSeconds: '2' });
// @ts-expect-error serverHints is a boolean
const wrong: LifelineOptions = { serverHints: 1 };

export { text, capped, closed, firstFailed, until, slot, options, window, hints, wrong };
