// Minimal SVG plots for BENCHMARKS.md: horizontal bar charts and connection timelines.
// Self-contained files (no scripts, no external fonts), readable on GitHub's light and dark themes
// (white background).

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';
export const COLORS = {
  lifeline: '#1f77b4',
  'lifeline-seed': '#6baed6',
  classic: '#d62728',
  'websocket-heartbeat-js': '#ff7f0e',
  'reconnecting-websocket': '#2ca02c',
  partysocket: '#98df8a',
  sockette: '#9467bd',
  raw: '#7f7f7f',
  other: '#8c564b',
};

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function svg(width, height, body) {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">\n` +
    `<rect width="100%" height="100%" fill="#ffffff"/>\n${body}\n</svg>\n`
  );
}

function niceTicks(min, max, count = 6) {
  const span = max - min || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? 10 * mag;
  const ticks = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(+t.toFixed(10));
  return ticks;
}

/**
 * Horizontal bars. rows: [{ label, value, color?, text? }] (value null: "never"/"n/a" via text).
 * @param {{ title: string, subtitle?: string, rows: any[], unit?: string, max?: number, refs?: {value:number,label:string}[], width?: number, format?: (v:number)=>string }} o
 */
export function barChart({ title, subtitle, rows, unit = '', max, refs = [], width = 820, format = (v) => String(v) }) {
  const labelW = Math.min(440, Math.max(200, Math.max(...rows.map((r) => String(r.label).length)) * 6.8 + 24));
  const right = 120;
  const top = subtitle ? 52 : 36;
  const rowH = 22;
  const plotW = width - labelW - right;
  const height = top + rows.length * rowH + 40;
  const vmax = max ?? Math.max(1e-9, ...rows.map((r) => r.value ?? 0), ...refs.map((r) => r.value));
  const x = (v) => labelW + (Math.min(v, vmax) / vmax) * plotW;
  let body = `<text x="12" y="20" font-size="15" font-weight="600">${esc(title)}</text>\n`;
  if (subtitle) body += `<text x="12" y="38" fill="#555">${esc(subtitle)}</text>\n`;
  for (const t of niceTicks(0, vmax)) {
    body += `<line x1="${x(t)}" y1="${top - 4}" x2="${x(t)}" y2="${top + rows.length * rowH}" stroke="#e5e5e5"/>`;
    body += `<text x="${x(t)}" y="${top + rows.length * rowH + 16}" text-anchor="middle" fill="#555">${esc(format(t))}</text>\n`;
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    body += `<text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${esc(r.label)}</text>`;
    if (r.value !== null && r.value !== undefined && Number.isFinite(r.value)) {
      const w = Math.max(1, x(r.value) - labelW);
      body += `<rect x="${labelW}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${r.color ?? COLORS.other}"/>`;
      body += `<text x="${labelW + w + 6}" y="${y + 15}" fill="#222">${esc(r.text ?? format(r.value) + unit)}</text>\n`;
    } else {
      body += `<text x="${labelW + 6}" y="${y + 15}" fill="#b00">${esc(r.text ?? 'n/a')}</text>\n`;
    }
  });
  for (const ref of refs) {
    body += `<line x1="${x(ref.value)}" y1="${top - 8}" x2="${x(ref.value)}" y2="${top + rows.length * rowH}" stroke="#000" stroke-dasharray="4 3"/>`;
    body += `<text x="${x(ref.value) + 4}" y="${top - 10}" font-size="11">${esc(ref.label)}</text>\n`;
  }
  body += `<text x="${labelW + plotW / 2}" y="${height - 6}" text-anchor="middle" fill="#555">${esc(unit.trim())}</text>`;
  return svg(width, height, body);
}

/**
 * Connection timelines. rows: [{ label, color, intervals: [{from, to}], marks: [{ t, ok }], group? }]
 * times in ms relative to the reference (0). shade: [{ from, to, label }].
 * @param {{ title: string, subtitle?: string, rows: any[], xMin: number, xMax: number, shade?: any[], xLabel?: string, tickFormat?: (ms:number)=>string, width?: number }} o
 */
export function timeline({ title, subtitle, rows, xMin, xMax, shade = [], xLabel = 's', tickFormat = (ms) => (ms / 1000).toString(), width = 900 }) {
  const labelW = Math.min(440, Math.max(200, Math.max(...rows.map((r) => String(r.label).length)) * 6.8 + 24));
  const right = 20;
  const top = subtitle ? 56 : 40;
  const rowH = 20;
  const plotW = width - labelW - right;
  const height = top + rows.length * rowH + 44;
  const x = (t) => labelW + ((Math.max(xMin, Math.min(xMax, t)) - xMin) / (xMax - xMin)) * plotW;
  let body = `<text x="12" y="20" font-size="15" font-weight="600">${esc(title)}</text>\n`;
  if (subtitle) body += `<text x="12" y="38" fill="#555">${esc(subtitle)}</text>\n`;
  for (const s of shade) {
    body += `<rect x="${x(s.from)}" y="${top - 6}" width="${Math.max(1, x(s.to) - x(s.from))}" height="${rows.length * rowH + 6}" fill="#fde0dd" opacity="0.8"/>`;
    if (s.label) body += `<text x="${x(s.from) + 3}" y="${top - 9}" font-size="11" fill="#a33">${esc(s.label)}</text>\n`;
  }
  for (const t of niceTicks(xMin, xMax, 8)) {
    body += `<line x1="${x(t)}" y1="${top - 4}" x2="${x(t)}" y2="${top + rows.length * rowH}" stroke="#e5e5e5"/>`;
    body += `<text x="${x(t)}" y="${top + rows.length * rowH + 16}" text-anchor="middle" fill="#555">${esc(tickFormat(t))}</text>\n`;
  }
  let lastGroup = null;
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    if (r.group !== undefined && r.group !== lastGroup && i > 0) {
      body += `<line x1="12" y1="${y}" x2="${width - right}" y2="${y}" stroke="#999"/>`;
    }
    lastGroup = r.group;
    body += `<text x="${labelW - 8}" y="${y + 14}" text-anchor="end">${esc(r.label)}</text>`;
    body += `<line x1="${labelW}" y1="${y + 10}" x2="${labelW + plotW}" y2="${y + 10}" stroke="#f0f0f0"/>`;
    for (const iv of r.intervals) {
      if (iv.to < xMin || iv.from > xMax) continue;
      const x0 = x(iv.from);
      const w = Math.max(1.5, x(iv.to) - x0);
      body += `<rect x="${x0.toFixed(1)}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${r.color}" opacity="${iv.dead ? 0.35 : 0.9}"/>`;
    }
    for (const m of r.marks ?? []) {
      if (m.t < xMin || m.t > xMax) continue;
      body += `<line x1="${x(m.t).toFixed(1)}" y1="${y + 1}" x2="${x(m.t).toFixed(1)}" y2="${y + rowH - 1}" stroke="${m.ok ? '#2a2' : '#d00'}" stroke-width="1.2"/>`;
    }
    body += '\n';
  });
  body += `<text x="${labelW + plotW / 2}" y="${height - 8}" text-anchor="middle" fill="#555">${esc(xLabel)}</text>`;
  return svg(width, height, body);
}
