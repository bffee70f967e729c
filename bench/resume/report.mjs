// BENCHMARKS.md's section on lossless resume: bench/report.mjs calls resumeSection with
// results.resume (from ./run.mjs).
import { fmt } from '../lib/util.mjs';

const table = (header, rows) => [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const NAMES = { raw: 'raw `ws`', off: 'Lifeline', on: 'Lifeline, resume' };
const DIRS = { s2c: 'server→client', c2s: 'client→server' };
const size = (b) => (b >= 1024 ? `${b / 1024} KiB` : `${b} B`);
const signedPct = (x) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(x !== 0 && Math.abs(x) < 0.001 ? 3 : 2)} %` : '–');
const ratio = (p) => (p ? `${p.median.toFixed(2)} (${p.min.toFixed(2)}-${p.max.toFixed(2)})` : '–');
const rate = (r) => (r ? `${fmt(r.medianRate)} (${fmt(r.minRate)}-${fmt(r.maxRate)})` : '–');
const frames = (g) => `${fmt(g.wire)} (${fmt(g.frames)})`;

/** Resume's bytes beyond Lifeline's, by part, each as a share of Lifeline's total: where the overhead is. */
function extraByPart(on, off) {
  if (!on || !off || on.kind !== 'on') return '';
  const part = (g) => on.groups[g].wire - off.groups[g].wire;
  const parts = { handshake: part('handshake'), heartbeat: part('heartbeat'), acks: part('acks') };
  parts.other = on.total - off.total - parts.handshake - parts.heartbeat - parts.acks; // upgrade, close
  return Object.entries(parts)
    .filter(([k, v]) => v !== 0 || k === 'acks')
    .map(([k, v]) => `${k} ${signedPct(v / off.total)}`)
    .join(', ');
}

function throughputTable(rows, runtime) {
  const mine = rows.filter((r) => r.runtime === runtime);
  if (!mine.length) return null;
  const out = [];
  for (const bytes of [...new Set(mine.map((r) => r.bytes))]) {
    for (const dir of ['s2c', 'c2s']) {
      const k = (kind) => mine.find((r) => r.bytes === bytes && r.dir === dir && r.kind === kind);
      const [raw, off, on] = [k('raw'), k('off'), k('on')];
      if (!raw && !off && !on) continue;
      const cpu = (key) => [raw, off, on].map((r) => (r && Number.isFinite(r[key]) ? r[key].toFixed(1) : '–')).join(' / ');
      const row = [size(bytes), DIRS[dir], fmt(raw?.count), rate(raw), rate(off), rate(on), ratio(off?.vsRaw), `**${ratio(on?.vsOff)}**`, cpu('serverCpuUs')];
      if (runtime === 'node') row.push(dir === 's2c' ? cpu('clientCpuUs') : '–');
      out.push(row);
    }
  }
  const header = ['size', 'direction', 'messages', 'raw `ws` msg/s', 'Lifeline msg/s', 'Lifeline, resume msg/s', 'Lifeline ÷ raw', 'resume ÷ Lifeline', 'server CPU µs/msg (raw / Lifeline / resume)'];
  if (runtime === 'node') header.push('client CPU µs/msg, receiving');
  return table(header, out);
}

function wireTable(wire) {
  const rows = [];
  for (const w of wire) {
    const off = wire.find((x) => x.bytes === w.bytes && x.kind === 'off');
    const raw = wire.find((x) => x.bytes === w.bytes && x.kind === 'raw');
    rows.push([
      size(w.bytes),
      NAMES[w.kind],
      fmt(w.appMessages),
      fmt(w.total),
      fmt(w.bytesPerAppMessage, 2),
      fmt(w.upgradeIn + w.upgradeOut),
      fmt(w.appPayload),
      frames(w.groups.handshake),
      frames(w.groups.heartbeat),
      frames(w.groups.acks),
      fmt(w.rest.in + w.rest.out),
      w.kind === 'raw' ? '' : signedPct(w.total / raw.total - 1),
      w.kind === 'on' && off ? `**${signedPct(w.total / off.total - 1)}**` : '',
      extraByPart(w, off),
    ]);
  }
  return table(['size', 'client', 'app messages', 'bytes (both ways)', 'per app message', 'HTTP upgrade', 'app frames', 'handshake (frames)', 'heartbeat (frames)', 'acks (frames)', 'close + rest', 'over raw', 'over Lifeline', 'of which'], rows);
}

function chatTable(chat) {
  const rows = [];
  for (const c of chat) {
    const off = chat.find((x) => x.chat === c.chat && x.kind === 'off');
    const raw = chat.find((x) => x.chat === c.chat && x.kind === 'raw');
    const controlBytes = c.groups.handshake.wire + c.groups.heartbeat.wire + c.groups.acks.wire;
    rows.push([
      `${c.chat}, ${fmt(c.simulatedMs / 60000)} min`,
      NAMES[c.kind],
      fmt(c.appMessages),
      fmt(c.total),
      fmt(c.bytesPerAppMessage, 2),
      frames(c.groups.heartbeat),
      frames(c.groups.acks),
      fmt(controlBytes / c.appMessages, 2),
      c.kind === 'raw' ? '' : signedPct(c.total / raw.total - 1),
      c.kind === 'on' && off ? `**${signedPct(c.total / off.total - 1)}**` : '',
      String(c.connections),
      c.delivered ? `${fmt(c.delivered.toClient)}/${fmt(c.delivered.sentByServer)}, ${fmt(c.delivered.toServer)}/${fmt(c.delivered.sentByClient)}` : '–',
      extraByPart(c, off),
    ]);
  }
  return table(['traffic (simulated)', 'client', 'app messages', 'bytes (both ways)', 'per app message', 'heartbeat (frames)', 'acks (frames)', 'control bytes per app message', 'over raw', 'over Lifeline', 'connections', 'delivered (s→c, c→s)', 'of which'], rows);
}

export function resumeSection(rs) {
  const title = '## 7. Resume: throughput and bytes on the wire\n';
  if (!rs) return `${title}\nNot run.\n`;
  if (rs.error) return `${title}\nFailed: ${rs.error}\n`;
  const p = rs.plan;
  const lines = [title];
  lines.push(
    `Lossless resume (issue 12, [PROTOCOL.md](PROTOCOL.md)) beside what it replaces: a raw \`ws\` WebSocket and a Lifeline with resume off, both to a plain \`ws\` server, ` +
      `and a Lifeline with \`resume: true\` to a \`ResumeServer\` (\`ws-lifeline/server\`), every option at its default. Text messages (JSON-like, ASCII) over loopback, ` +
      `no compression. The server runs in a process of its own (\`bench/resume/server.mjs\`), the Node clients in the benchmark's. Code in \`bench/resume/\`.\n`,
  );
  lines.push(
    `### Throughput\n\n` +
      `Each run is a fresh connection: server→client, the server sends the messages and the rate is from the client's open to the last one; client→server, the client sends ` +
      `and the server answers \`done\` at the last. Senders go as fast as the socket takes it and, with resume, keep within the kept window ` +
      `(1,000 messages or 1 MiB unacknowledged, the defaults on both sides, freed by the receiver's ack every 32 messages or 64 KiB): beyond it a client's send is refused and a ` +
      `server's oldest kept message is dropped from its replay buffer, so this is lossless throughput. The three kinds run interleaved, the order rotating each round ` +
      `(${p.rounds.node} rounds in Node${rs.runs.chromium?.length ? `, ${p.rounds.chromium} in Chromium` : ''}, after a warm-up round not counted). ` +
      `Rates: median (range) over rounds; ratios: median (range) of per-round ratios. CPU: a process's CPU time over the run per message (medians), the server's ` +
      `(the same \`ws\` server in Node for every client kind; it waits for the socket's drain or the client's ack on events, so its time is work) and, server→client, the ` +
      `Node client's (a sending client waits a turn of the event loop at a time, so its time is not shown).\n`,
  );
  // A run is one connection; a reconnect in one (a dead-link verdict, or ResumeServer dropping a
  // client that does not read) would change what it measures: said if it happened.
  const reconnects = (rs.throughput ?? []).filter((r) => r.reconnects > 0);
  const node = throughputTable(rs.throughput ?? [], 'node');
  if (node) lines.push(`**Node** (\`ws\` on both ends):\n\n${node}\n`);
  const chromium = throughputTable(rs.throughput ?? [], 'chromium');
  if (chromium) lines.push(`**Chromium** (headless, its own WebSocket; the page without a DevTools session, as in section 3):\n\n${chromium}\n`);
  else lines.push('Chromium: not run.\n');
  if (reconnects.length) {
    lines.push(`Reconnects in the middle of runs (each run should be one connection): ${reconnects.map((r) => `${r.runtime} ${size(r.bytes)} ${DIRS[r.dir]} ${NAMES[r.kind]}: ${r.reconnects}`).join('; ')}.\n`);
  }
  if (rs.wire?.length) {
    lines.push(
      `### Bytes on the wire\n\n` +
        `${Object.entries(p.wire).map(([b, n]) => `${fmt(n)} messages of ${size(Number(b))}`).join(', ')} each way at once on one connection (then \`done\`), counted at the server's ` +
        `TCP socket (bytes read and written: WebSocket frames and the HTTP upgrade, not TCP/IP headers). Frames are classified as they pass and sized from their payload ` +
        `(RFC 6455: 2 to 10 header bytes, +4 for the client's mask); "close + rest" is what is left, the close handshake. Handshake is \`new\` + \`hello\`; heartbeat is ` +
        `\`ping\`/\`pong\` (with resume, which carry acks; without, the app-level \`ping\`/\`pong\`); acks are standalone \`ack\` frames. Both ways count.\n`,
    );
    lines.push(wireTable(rs.wire));
    lines.push('');
  }
  if (rs.chat?.length) {
    lines.push(
      `### Chat\n\n` +
        `One 100 B message each way ${p.chat.map((c) => `every ${fmt(c.period / 1000)} s for ${fmt(c.simulatedMs / 60000)} minutes`).join(', and ')}, in simulated time: ` +
        `the Lifelines' and the server's clocks and timers run ${[...new Set(p.chat.map((c) => `${fmt(1 / c.scale)}×`))].join(' and ')} faster than real time (the raw socket has ` +
        `no timers), so that the 30 s ack delay and the 10 s heartbeat (after 10 s without a frame from the peer) come into play. All six clients run side by side. ` +
        `"Connections" above 1 would be a false dead-link verdict of a loaded machine (a resumed session, or, resume off, messages lost: "delivered").\n`,
    );
    lines.push(chatTable(rs.chat));
    lines.push('');
  }
  if (rs.errors?.length) lines.push(`Errors in this phase:\n\n${rs.errors.map((e) => `- \`${String(e).slice(0, 400)}\``).join('\n')}\n`);
  lines.push(
    `Commands: \`npm run bench -- --only=resume\` (${fmt(rs.realSeconds, 0)} s in this run; \`--no-chromium\` for Node only); \`RESUME_ROUNDS\` and \`RESUME_CHROMIUM_ROUNDS\` ` +
      `set the rounds (defaults ${p.rounds.node} and ${p.rounds.chromium}); \`node bench/resume/run.mjs\` prints the tables without writing anything.\n`,
  );
  return lines.join('\n');
}
