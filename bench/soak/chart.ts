// A small SVG line chart of soak samples: one panel per workload, MiB against step.
import type { SoakSample } from './workloads.js';

const SERIES: { key: keyof SoakSample; label: string; color: string }[] = [
  { key: 'rssBytes', label: 'RSS', color: '#d62728' },
  { key: 'liveBytes', label: 'live device bytes', color: '#1f77b4' },
  { key: 'pooledBytes', label: 'pooled device bytes', color: '#2ca02c' },
  { key: 'heapUsedBytes', label: 'JS heap', color: '#9467bd' },
];
const W = 420;
const H = 220;
const PAD = { left: 48, right: 12, top: 28, bottom: 30 };

function panel(name: string, samples: SoakSample[], x0: number): string {
  const maxStep = Math.max(1, ...samples.map((s) => s.step));
  const mib = (s: SoakSample, k: keyof SoakSample) => (s[k] as number) / 2 ** 20;
  const maxY = Math.max(1, ...samples.flatMap((s) => SERIES.map((c) => mib(s, c.key)))) * 1.1;
  const px = (step: number) => x0 + PAD.left + (step / maxStep) * (W - PAD.left - PAD.right);
  const py = (v: number) => PAD.top + (1 - v / maxY) * (H - PAD.top - PAD.bottom);
  const lines = SERIES.map((c) => {
    const pts = samples.map((s) => `${px(s.step).toFixed(1)},${py(mib(s, c.key)).toFixed(1)}`).join(' ');
    return `<polyline fill="none" stroke="${c.color}" stroke-width="1.5" points="${pts}"/>`;
  });
  const axis = [
    `<line x1="${px(0)}" y1="${py(0)}" x2="${px(maxStep)}" y2="${py(0)}" stroke="#333"/>`,
    `<line x1="${px(0)}" y1="${py(0)}" x2="${px(0)}" y2="${py(maxY)}" stroke="#333"/>`,
    `<text x="${px(0) - 4}" y="${py(maxY) + 4}" text-anchor="end">${maxY.toFixed(0)}</text>`,
    `<text x="${px(0) - 4}" y="${py(0)}" text-anchor="end">0</text>`,
    `<text x="${px(maxStep)}" y="${py(0) + 16}" text-anchor="end">step ${maxStep}</text>`,
    `<text x="${x0 + PAD.left}" y="16">${name} (MiB)</text>`,
  ];
  return [...axis, ...lines].join('\n');
}

export function soakChart(samples: SoakSample[]): string {
  const names = [...new Set(samples.map((s) => s.workload))];
  const legend = SERIES.map((c, i) =>
    `<text x="${PAD.left + i * 160}" y="${H + 14}" fill="${c.color}">— ${c.label}</text>`).join('\n');
  const panels = names.map((n, i) => panel(n, samples.filter((s) => s.workload === n), i * W));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W * names.length}" height="${H + 22}" font-family="sans-serif" font-size="11">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n${panels.join('\n')}\n${legend}\n</svg>\n`;
}
