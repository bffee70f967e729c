// BENCHMARKS.md's section on the learnt pong deadline, and its lines in "Goals" and "Where we fall
// short": bench/report.mjs calls these with results.adaptive (from ./run.mjs).
import { fmt } from '../lib/util.mjs';

const table = (header, rows) => [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

/** "123 ms (1.23 s)": real milliseconds, then seconds at seed scale. */
const both = (ms, scale, d = 0) => (ms === null || ms === undefined ? '–' : `${fmt(ms, d)} ms (${fmt(ms / scale / 1000, 2)} s)`);

function halfOpenFigures(ad) {
  const { scale, options } = ad;
  const a = ad.halfOpen.kinds.adaptive;
  const f = ad.halfOpen.kinds.fixed;
  const boundMs = ad.goals.halfOpenSeedMs * scale;
  return { a, f, boundMs, met: a.trials.length > 0 && a.trials.every((x) => x.cause === 'pong-timeout' && x.detectedMs <= boundMs), pingInterval: options.adaptive.pingInterval };
}

/** @returns {{ goals: string[][], short: string[] }} */
export function adaptiveGoals(ad) {
  const goals = [];
  const short = [];
  if (!ad || ad.error) return { goals, short };
  const { scale } = ad;
  const h = halfOpenFigures(ad);
  goals.push([
    `Half-open on a 20 ms-rtt link found within pingInterval + 1.5 s with \`adaptivePongTimeout\` (seed scale; ${fmt(h.boundMs, 0)} ms at the 1/${fmt(1 / scale)} scale run)`,
    `worst of ${h.a.trials.length}: ${fmt(h.a.detectedMs.max / scale / 1000, 2)} s after the link died, pingInterval + ${fmt(h.a.overIntervalMs.max / scale / 1000, 2)} s after the last pong ` +
      `(fixed deadline: pingInterval + ${fmt(h.f.overIntervalMs.max / scale / 1000, 2)} s)`,
    h.met ? 'met' : '**not met**',
  ]);
  const j = ad.jittered;
  const A = j.kinds.adaptive;
  goals.push([
    `No false pong-timeout verdict on a link whose rtt wanders over 300-2,000 ms, through the proxy for several real minutes (scaled)`,
    `${A.falseVerdicts} in ${fmt(A.pingsSent)} pings of ${j.clients} clients over ${fmt(j.realMs / 60000, 1)} real minutes (${fmt(j.seedMs / 60000, 0)} min at seed scale); ` +
      `${fmt(A.deadlineMisses)} learnt deadlines missed, each probed (fixed deadline: ${j.kinds.fixed.falseVerdicts} verdicts)`,
    A.falseVerdicts === 0 ? 'met' : '**not met**',
  ]);
  if (!h.met) {
    const over = h.a.trials.filter((x) => x.cause !== 'pong-timeout' || x.detectedMs > h.boundMs);
    short.push(
      `**Adaptive half-open bound**: ${over.length} of ${h.a.trials.length} trials took longer than ${fmt(h.boundMs, 0)} ms (pingInterval + 1.5 s at seed scale): ` +
        over.map((x) => `${fmt(x.detectedMs, 0)} ms (pingInterval + ${fmt(x.overIntervalMs, 0)} after the last pong; learnt wait ${fmt(x.pongWait, 0)} ms, ${x.deadlineMisses} miss(es), ${x.lateTimers} late timer(s))`).join('; ') +
        `. The path is a ping pingInterval after the last pong, the learnt ${fmt(ad.options.adaptive.minPongTimeout, 0)} ms missed, one probe waiting twice that: ` +
        `${fmt(h.pingInterval + 3 * ad.options.adaptive.minPongTimeout, 0)} ms at this scale before any timer runs late; at 1/${fmt(1 / scale)} 10 ms of lateness is 0.1 s of seed time.`,
    );
  }
  if (A.falseVerdicts > 0) {
    short.push(
      `**False verdicts on the jittered link (adaptive)**: ${A.falseVerdicts} in ${fmt(A.pingsSent)} pings: ` +
        A.verdicts
          .map((v) => `${v.client} at ${fmt(v.atMs / 1000, 1)} s (the last rtts/waits before it, ms: ${v.recent.map((r) => `${r.rtt}/${r.wait}`).join(', ')}; ${v.stats.lateTimers} late timers)`)
          .join('; ') +
        `. Event-loop delay of the clients' process: p99 ${fmt(j.lag.p99Ms, 0)} ms, max ${fmt(j.lag.maxMs, 0)} ms; of the link's process: p99 ${fmt(j.linkLag?.p99Ms, 0)} ms, max ${fmt(j.linkLag?.maxMs, 0)} ms.`,
    );
  }
  return { goals, short };
}

export function adaptiveSection(ad) {
  const title = '## 6. Adaptive pong deadline\n';
  if (!ad) return `${title}\nNot run.\n`;
  if (ad.error) return `${title}\nFailed: ${ad.error}\n`;
  const { scale, options, seed } = ad;
  const o = options.adaptive;
  const j = ad.jittered;
  const A = j.kinds.adaptive;
  const F = j.kinds.fixed;
  const h = halfOpenFigures(ad);
  const dist = (s) => (s.n ? `mean ${fmt(s.mean, 0)}, min ${fmt(s.min, 0)}, p99 ${fmt(s.p99, 0)}, max ${fmt(s.max, 0)} ms` : '–');
  const seedDist = (s) => (s.n ? `mean ${fmt(s.mean / scale / 1000, 2)}, min ${fmt(s.min / scale / 1000, 2)}, max ${fmt(s.max / scale / 1000, 2)} s` : '–');
  const lines = [title];
  lines.push(
    `\`adaptivePongTimeout: true\` learns the pong deadline from the measured rtt (RFC 6298: SRTT + 4·RTTVAR after 3 pongs on a socket, ` +
      `between \`minPongTimeout\` and \`pongTimeout\`); a missed learnt deadline earns one more probe with twice the wait before the verdict. ` +
      `Real sockets (\`ws\`) through the fault proxy, time scaled 1/${fmt(1 / scale)}: pingInterval ${fmt(o.pingInterval)} ms, pongTimeout ${fmt(o.pongTimeout)} ms, ` +
      `minPongTimeout ${fmt(o.minPongTimeout)} ms, timerSlack ${fmt(o.timerSlack)} ms (seed scale: ${fmt(seed.pingInterval)}, ${fmt(seed.pongTimeout)}, ${fmt(seed.minPongTimeout)}, ${fmt(seed.timerSlack)}). ` +
      `"Fixed" is the same client without \`adaptivePongTimeout\`. The echo server and the proxies run in a process of their own (\`bench/adaptive/link.mjs\`), the clients in the benchmark's. ` +
      `Figures are real milliseconds, with seconds at seed scale (÷ scale) in brackets.\n`,
  );
  lines.push(
    `### Jittered link: rtt ${fmt(seed.jitterLink.latencyMs)}-${fmt(seed.jitterLink.latencyMs + seed.jitterLink.jitterMs)} ms at seed scale\n\n` +
      `Server→client bytes delayed by ${fmt(j.throttle.latencyMs)} ms + uniform [0, ${fmt(j.throttle.jitterMs)}) ms, in order; ${j.clients} clients of each kind on one proxy for ` +
      `${fmt(j.realMs / 1000, 0)} s (${fmt(j.seedMs / 60000, 0)} min at seed scale). The link stays healthy, so every pong-timeout verdict is a false one.\n`,
  );
  lines.push(
    table(
      ['', 'adaptive', 'fixed'],
      [
        ['pings sent (probes included)', fmt(A.pingsSent), fmt(F.pingsSent)],
        ['pongs received (measured)', fmt(A.pongsReceived), fmt(F.pongsReceived)],
        ['learnt deadlines missed (each probed)', fmt(A.deadlineMisses), fmt(F.deadlineMisses)],
        ['**pong-timeout verdicts (false)**', `**${A.falseVerdicts}**`, `**${F.falseVerdicts}**`],
        ['other closes', fmt(A.otherCloses.length), fmt(F.otherCloses.length)],
        ['late timers', fmt(A.lateTimers), fmt(F.lateTimers)],
        ['rtt measured (heartbeat events)', dist(A.rtt), dist(F.rtt)],
        ['rtt at seed scale', seedDist(A.rtt), seedDist(F.rtt)],
        ['pong wait once learnt (from the 3rd pong of a socket)', dist(A.pongWait), dist(F.pongWait)],
        ['pong wait at seed scale', seedDist(A.pongWait), seedDist(F.pongWait)],
      ],
    ),
  );
  lines.push(
    `\nEvent-loop delay over this part: clients' process p99 ${fmt(j.lag.p99Ms, 0)} ms, max ${fmt(j.lag.maxMs, 0)} ms; the link's process over the whole phase ` +
      `p99 ${fmt(j.linkLag?.p99Ms, 0)} ms, max ${fmt(j.linkLag?.maxMs, 0)} ms. The proxy carried ${fmt(j.proxy?.bytesDown)} bytes to the clients ` +
      `over ${fmt(j.proxy?.accepted)} connections${j.proxy?.bytesDropped ? ` and dropped ${fmt(j.proxy.bytesDropped)}` : ''}.\n`,
  );
  const tr = (k, f) => h[k].trials.map(f).join(', ');
  lines.push(
    `### Half-open on a 20 ms link\n\n` +
      `Server→client latency ${fmt(ad.halfOpen.throttle.latencyMs)} ms (20 ms at seed scale). ${ad.halfOpen.trials} trials, one client of each kind side by side, each behind a fresh proxy; ` +
      `after ${ad.halfOpen.heartbeatsBefore} heartbeats the proxy is blackholed as soon as a pong arrives (the worst case: a whole pingInterval before the next ping). ` +
      `"Detected" is from the blackhole to the close event; "after the last pong" is pingInterval + the rest. Goal: within pingInterval + 1.5 s at seed scale (${fmt(h.boundMs, 0)} ms here).\n`,
  );
  lines.push(
    table(
      ['', 'adaptive', 'fixed'],
      [
        ['verdicts (cause)', tr('a', (x) => x.cause).replace(/(pong-timeout, )+pong-timeout|^pong-timeout$/, `${h.a.trials.length} × pong-timeout`), tr('f', (x) => x.cause).replace(/(pong-timeout, )+pong-timeout|^pong-timeout$/, `${h.f.trials.length} × pong-timeout`)],
        ['detected after the link died, median', both(h.a.detectedMs.p50, scale), both(h.f.detectedMs.p50, scale)],
        ['detected after the link died, worst', both(h.a.detectedMs.max, scale), both(h.f.detectedMs.max, scale)],
        ['each trial (ms)', tr('a', (x) => fmt(x.detectedMs, 0)), tr('f', (x) => fmt(x.detectedMs, 0))],
        ['after the last pong, worst', `pingInterval + ${both(h.a.overIntervalMs.max, scale)}`, `pingInterval + ${both(h.f.overIntervalMs.max, scale)}`],
        ['pong wait in force at the death (ms)', tr('a', (x) => fmt(x.pongWait, 0)), tr('f', (x) => fmt(x.pongWait, 0))],
        ['pings after the death (regular + probe)', tr('a', (x) => x.probes), tr('f', (x) => x.probes)],
        ['learnt deadlines missed', tr('a', (x) => x.deadlineMisses), tr('f', (x) => x.deadlineMisses)],
        ['measured rtt, mean (ms)', tr('a', (x) => fmt(x.rtt, 1)), tr('f', (x) => fmt(x.rtt, 1))],
        ['goal (adaptive)', h.met ? 'met' : '**not met**', `(pingInterval + pongTimeout: ${fmt(o.pingInterval + o.pongTimeout)} ms)`],
      ],
    ),
  );
  lines.push(
    `\nThe native simulator's figures (\`native-tests/adaptive_test.cpp\`, run by \`scripts/test.sh\`): a 20 ms link's half-open found 11.2 s after it died (20 s fixed), and no false verdict in 10 simulated hours of a 300-2,000 ms link per ping interval.\n\n` +
      `Commands: \`npm run bench -- --only=adaptive --no-chromium\` (this part alone: about 4 minutes with the defaults; ${fmt(ad.realSeconds, 0)} s in this run); ` +
      `\`ADAPTIVE_JITTER_SECONDS=20 ADAPTIVE_TRIALS=2 ADAPTIVE_CLIENTS=4\` for a quick look (defaults 180, 5, 8); the code is in \`bench/adaptive/\`.\n`,
  );
  return lines.join('\n');
}
