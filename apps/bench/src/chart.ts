import type { Row } from './report.js';

/**
 * The ratios as horizontal bars on a log scale (1× in the middle): right of
 * the line @ipc is better, left worse. SVG, so it needs no dependency.
 */
export function chartSvg(rows: readonly Row[]): string {
  const bars = rows.flatMap((row) => Object.entries(row.ratios).map(([peer, ratio]) => ({ label: `${row.group}: ${row.name} vs ${peer}`, ratio })));
  const width = 900;
  const labelW = 420;
  const barH = 22;
  const height = 40 + bars.length * barH;
  const mid = labelW + (width - labelW) / 2;
  const scale = (width - labelW) / 2 / Math.log10(100); // ±100× fills each half
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${mid}" y="16" text-anchor="middle">@ipc vs peers (log scale; right of the line = @ipc better)</text>`,
    `<line x1="${mid}" y1="24" x2="${mid}" y2="${height}" stroke="#333"/>`,
  ];
  bars.forEach((b, i) => {
    const y = 30 + i * barH;
    const len = Math.max(-1, Math.min(1, Math.log10(b.ratio) / 2)) * scale * 2;
    const x = len >= 0 ? mid : mid + len;
    const color = b.ratio >= 1 ? '#2e7d32' : '#c62828';
    out.push(`<text x="${labelW - 6}" y="${y + 14}" text-anchor="end">${escape(b.label)}</text>`);
    out.push(`<rect x="${x}" y="${y + 3}" width="${Math.abs(len)}" height="${barH - 8}" fill="${color}"/>`);
    out.push(`<text x="${len >= 0 ? mid + len + 4 : mid + 4}" y="${y + 14}">${b.ratio.toFixed(2)}×</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
