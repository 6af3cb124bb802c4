// Turns one benchmark run into its markdown table and an SVG bar chart of the speed ratios to
// tfjs-webgpu. Both are plain text built here: a table and a few dozen rectangles do not need a
// charting library.
import { timed } from './alternate.js';
import type { FmaCeiling } from './ceiling.js';
import type { Row } from './column.js';
import type { AdapterInfo } from './runner-args.js';

export const BASELINE = 'tfjs-webgpu';

export interface BenchResults {
  date: string;
  command: string;
  quick: boolean;
  /** How many times each column ran, in alternation (absent in runs before alternation: 1). */
  rounds?: number;
  system: {
    adapter: AdapterInfo | null;
    cpu: string;
    cores: number;
    node: string;
    /** Load average when each of a column's runs finished (one triple in runs before alternation). */
    loadAverage: Record<string, [number, number, number][] | [number, number, number]>;
  };
  /** The adapter's register-only FMA rate measured in this run (best of the dawngrad-webgpu runs). */
  fmaCeiling?: (FmaCeiling & { runs: number[] }) | null;
  workloads: { id: string; title: string; flops?: number; images?: number }[];
  /** Column name -> one row per workload (same order as `workloads`). */
  columns: Record<string, Row[]>;
}

/**
 * Baseline time / this time: above 1 means faster than tfjs-webgpu in the same run. Taken from
 * the fastest repetitions: on a machine shared with other work, the best of several runs is
 * the one least disturbed, and the median still shows the spread.
 */
export function ratio(res: BenchResults, column: string, id: string): number | null {
  const mine = res.columns[column]?.find((r) => r.id === id);
  const base = res.columns[BASELINE]?.find((r) => r.id === id);
  if (!mine?.minMs || !base?.minMs || !timed(mine) || !timed(base)) return null;
  return base.minMs / mine.minMs;
}

/**
 * A kernel's GFLOPS over the adapter's measured FMA ceiling: how far it is from the physical
 * limit rather than from a peer. Only for the columns that run on that adapter.
 */
export function ceilingFraction(res: BenchResults, column: string, w: BenchResults['workloads'][number]): number | null {
  const r = res.columns[column]?.find((x) => x.id === w.id);
  const peak = res.fmaCeiling?.gflops;
  if (!peak || !column.endsWith('-webgpu') || !w.flops || !r?.minMs || !timed(r)) return null;
  return w.flops / r.minMs / 1e6 / peak;
}

/** Writes each row's ceiling fraction into the results, for the JSON file. */
export function annotateCeilingFractions(res: BenchResults): void {
  for (const [column, rows] of Object.entries(res.columns)) {
    for (const r of rows) {
      const w = res.workloads.find((x) => x.id === r.id);
      const f = w ? ceilingFraction(res, column, w) : null;
      if (f !== null) r.ceilingFraction = f;
    }
  }
}

const fmtPercent = (f: number) => `${(100 * f).toFixed(f < 0.1 ? 1 : 0)}%`;

function fmtNum(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function cell(res: BenchResults, column: string, w: BenchResults['workloads'][number]): string {
  const r = res.columns[column]?.find((x) => x.id === w.id);
  if (!r) return '–';
  if (!timed(r) || r.medianMs === undefined) {
    return r.message ? `${r.status}: ${r.message.replace(/\|/g, '/').slice(0, 80)}` : r.status;
  }
  const parts = [`${fmtNum(r.medianMs)} ms (min ${fmtNum(r.minMs!)})`];
  if (w.images) parts.push(`${fmtNum((w.images * 1000) / r.minMs!)} img/s`);
  else if (w.flops) parts.push(`${fmtNum(w.flops / r.minMs! / 1e6)} GFLOPS`);
  const f = ceilingFraction(res, column, w);
  if (f !== null) parts.push(`${fmtPercent(f)} of ceiling`);
  const x = ratio(res, column, w.id);
  if (x !== null && column !== BASELINE) parts.push(`**${fmtNum(x)}×**`);
  if (r.status === 'unchecked') parts.push('(unchecked)');
  if (r.message) parts.push(`(${r.message})`);
  return parts.join(' · ');
}

export function adapterName(a: AdapterInfo | null): string {
  if (!a) return 'no-adapter';
  const name = `${a.vendor}-${a.device || a.architecture}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return name || 'unknown-adapter';
}

export function renderMarkdown(res: BenchResults): string {
  const cols = Object.keys(res.columns);
  const lines = [
    `| workload | ${cols.join(' | ')} |`,
    `| --- | ${cols.map(() => '---').join(' | ')} |`,
    ...res.workloads.map((w) => `| ${w.title} | ${cols.map((c) => cell(res, c, w)).join(' | ')} |`),
  ];
  const a = res.system.adapter;
  const rounds = res.rounds ?? 1;
  const notes = [
    '',
    `Median (and min) wall time per repetition, each ending with a read-back; GFLOPS, images/s and **N×** (the speed relative to ${BASELINE} in the same run: its time over this time) come from the min. Every column's result was checked against the float64 cpu reference before timing.`,
    ...(rounds > 1 ? [
      '',
      `Each column ran ${rounds} times in alternation with the others (A, B, A, B), each run in its own process; every row shows the run with the faster min. Spread between the runs (the slowest run's min over the fastest's, median over the workloads): ${spread(res)}.`,
    ] : []),
    ...(res.fmaCeiling ? [
      '',
      `**of ceiling**: GFLOPS as a fraction of this adapter's register-only vec4 FMA rate, measured in the same run by \`shaders/fma_ceiling.wgsl\` (bench/ceiling.ts): ${fmtNum(res.fmaCeiling.gflops)} GFLOPS, the best of ${res.fmaCeiling.runs.map(fmtNum).join(', ')} (one measurement per dawngrad-webgpu run). The fraction says how much of the adapter's arithmetic limit each kernel turns into useful FMAs (it also spends instructions on loads and indices).`,
    ] : []),
    '',
  ];
  for (const [column, rows] of Object.entries(res.columns)) {
    for (const r of rows) {
      if (!r.perStep) continue;
      const title = res.workloads.find((w) => w.id === r.id)?.title ?? r.id;
      notes.push(`- ${column}, ${title}: ${r.perStep.dispatches} dispatches, ${r.perStep.submits} submits and ${r.perStep.readbacks} read-backs recorded by one step (the timed repetition adds one submit and one read-back of the loss).`);
    }
  }
  notes.push(
    `- adapter: ${a ? `${a.vendor} ${a.architecture} ${a.device} (${a.description})` : 'none'}`,
    `- host: ${res.system.cpu}, ${res.system.cores} cores, Node ${res.system.node}`,
    `- load average (1, 5, 15 min) when each ${rounds > 1 ? "of a column's runs" : 'column'} finished: ${Object.entries(res.system.loadAverage).map(([c, l]) => `${c} ${loadRuns(l).map((t) => t.map((v) => v.toFixed(2)).join('/')).join(', ')}`).join('; ')}`,
    `- ${res.date}, \`${res.command}\``,
  );
  return `${lines.join('\n')}\n${notes.join('\n')}\n`;
}

function loadRuns(l: BenchResults['system']['loadAverage'][string]): [number, number, number][] {
  return typeof l[0] === 'number' ? [l as [number, number, number]] : (l as [number, number, number][]);
}

/** Per column, the median over workloads of slowest-run min / fastest-run min. */
function spread(res: BenchResults): string {
  return Object.entries(res.columns).map(([column, rows]) => {
    const xs = rows.map((r) => r.runMinMs?.filter((m): m is number => m !== null) ?? [])
      .filter((m) => m.length > 1).map((m) => Math.max(...m) / Math.min(...m)).sort((a, b) => a - b);
    return `${column} ${xs.length ? `${xs[xs.length >> 1]!.toFixed(2)}×` : 'n/a'}`;
  }).join(', ');
}

const COLORS: Record<string, string> = {
  'dawngrad-webgpu': '#d62728', 'dawngrad-cpu': '#ff9896', 'tfjs-webgpu': '#1f77b4', 'tfjs-wasm': '#2ca02c', 'tfjs-cpu': '#98df8a',
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Horizontal bars of each column's ratio to tfjs-webgpu, on a log scale centred on 1×. */
export function renderSvg(res: BenchResults): string {
  const cols = Object.keys(res.columns).filter((c) => c !== BASELINE);
  const bar = 9;
  const groupH = cols.length * bar + 10;
  const labelW = 330;
  const plotW = 520;
  const top = 40;
  const ratios = res.workloads.flatMap((w) => cols.map((c) => ratio(res, c, w.id)).filter((x): x is number => x !== null));
  const span = Math.max(1, ...ratios.map((x) => Math.ceil(Math.abs(Math.log2(x)))));
  const xOf = (r: number) => Math.round(10 * (labelW + plotW / 2 + (Math.log2(r) / span) * (plotW / 2))) / 10;
  const height = top + res.workloads.length * groupH + 20 + cols.length * 16;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelW + plotW + 60}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<text x="10" y="18" font-size="13">Speed relative to ${BASELINE} (log scale; right of the line is faster)</text>`,
  ];
  for (let e = -span; e <= span; e++) {
    const x = xOf(2 ** e);
    out.push(`<line x1="${x}" y1="${top - 8}" x2="${x}" y2="${top + res.workloads.length * groupH}" stroke="${e === 0 ? '#000' : '#ddd'}"/>`);
    out.push(`<text x="${x}" y="${top - 10}" text-anchor="middle">${e >= 0 ? 2 ** e : `1/${2 ** -e}`}×</text>`);
  }
  res.workloads.forEach((w, i) => {
    const y0 = top + i * groupH;
    out.push(`<text x="${labelW - 8}" y="${y0 + groupH / 2 + 3}" text-anchor="end">${esc(w.title)}</text>`);
    cols.forEach((c, j) => {
      const r = ratio(res, c, w.id);
      const y = y0 + 5 + j * bar;
      if (r === null) {
        out.push(`<text x="${xOf(1) + 4}" y="${y + bar - 1}" font-size="8" fill="#999">${esc(c)}: n/a</text>`);
        return;
      }
      const x1 = Math.min(xOf(1), xOf(r));
      out.push(`<rect x="${x1}" y="${y}" width="${Math.max(1, Math.abs(xOf(r) - xOf(1)))}" height="${bar - 1}" fill="${COLORS[c] ?? '#777'}"><title>${esc(`${c}: ${r.toFixed(2)}×`)}</title></rect>`);
    });
  });
  cols.forEach((c, j) => {
    const y = top + res.workloads.length * groupH + 14 + j * 16;
    out.push(`<rect x="${labelW}" y="${y - 9}" width="12" height="10" fill="${COLORS[c] ?? '#777'}"/><text x="${labelW + 18}" y="${y}">${esc(c)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
