// The training curve as a small self-contained SVG: loss on the left panel, accuracy-like
// metrics (0..1) on the right, one point per epoch, training solid and validation dashed.
const W = 320, H = 220, PAD = 36;
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];

/** 'valAccuracy' -> 'accuracy': a metric's training and validation lines share a color. */
const base = (key: string) => key.replace(/^val(.)/, (_, c: string) => c.toLowerCase());

/** Legends go where the curves are not: top right for falling losses, bottom right for rising scores. */
function panel(title: string, series: [string, number[]][], x0: number, range: [number, number], legendAt: 'top' | 'bottom'): string {
  const [lo, hi] = range[0] === range[1] ? [range[0] - 1, range[1] + 1] : range;
  const n = Math.max(...series.map(([, v]) => v.length));
  const px = (i: number) => x0 + PAD + (n > 1 ? (i / (n - 1)) * (W - 2 * PAD) : (W - 2 * PAD) / 2);
  const py = (v: number) => PAD + (1 - (v - lo) / (hi - lo)) * (H - 2 * PAD);
  const bases = [...new Set(series.map(([k]) => base(k)))];
  const parts = [
    `<text x="${x0 + W / 2}" y="18" text-anchor="middle" font-weight="bold">${title}</text>`,
    `<rect x="${x0 + PAD}" y="${PAD}" width="${W - 2 * PAD}" height="${H - 2 * PAD}" fill="none" stroke="#999"/>`,
    `<text x="${x0 + PAD - 4}" y="${PAD + 4}" text-anchor="end">${hi.toPrecision(3)}</text>`,
    `<text x="${x0 + PAD - 4}" y="${H - PAD + 4}" text-anchor="end">${lo.toPrecision(3)}</text>`,
    `<text x="${x0 + W / 2}" y="${H - 8}" text-anchor="middle">epoch 1..${n}</text>`,
  ];
  series.forEach(([name, values], k) => {
    const color = COLORS[bases.indexOf(base(name)) % COLORS.length];
    const dash = name.startsWith('val') ? ' stroke-dasharray="5,3"' : '';
    const points = values.map((v, i) => [px(i).toFixed(1), py(v).toFixed(1)]);
    parts.push(`<polyline points="${points.map((p) => p.join(',')).join(' ')}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
    for (const [x, y] of points) parts.push(`<circle cx="${x}" cy="${y}" r="2.5" fill="${color}"/>`);
    const y = legendAt === 'top' ? PAD + 14 + 14 * k : H - PAD - 6 - 14 * (series.length - 1 - k);
    parts.push(`<text x="${x0 + W - PAD - 4}" y="${y}" text-anchor="end" fill="${color}">${name}</text>`);
  });
  return parts.join('\n');
}

/** An SVG of the per-epoch values in a fit History's `history` record. */
export function trainingCurveSvg(history: Record<string, number[]>): string {
  const entries = Object.entries(history);
  const losses = entries.filter(([k]) => /loss/i.test(k));
  const scores = entries.filter(([k]) => !/loss/i.test(k));
  const all = losses.flatMap(([, v]) => v);
  const lossRange: [number, number] = [0, Math.max(...all, 0)];
  const body = [panel('loss', losses, 0, lossRange, 'top')];
  // Scores near 1 would hug the top of a 0..1 axis: start it at the tenth below the lowest value.
  const floor = Math.floor(10 * Math.min(...scores.flatMap(([, v]) => v))) / 10;
  if (scores.length > 0) body.push(panel('accuracy / scores', scores, W, [Math.max(0, floor), 1], 'bottom'));
  const width = W * body.length;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H}" font-family="sans-serif" font-size="11">\n<rect width="100%" height="100%" fill="white"/>\n${body.join('\n')}\n</svg>\n`;
}
