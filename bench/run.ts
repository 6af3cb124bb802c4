// `npm run bench [-- --quick] [--columns a,b] [--filter matmul,conv] [--rounds N] [--out-dir DIR]`,
// or `npm run bench -- --render bench/results/X.json` to redraw a saved run's table and chart.
//
// Runs each column in its own process, one at a time (never in parallel, so they do not compete
// for the adapter or the cores), and every column twice (--rounds) in alternation: A, B, A, B
// (see alternate.ts); each workload keeps its column's better run. The float64 dawngrad-cpu
// reference goes first in each round; its first run records the values every other run is
// checked against. The dawngrad-webgpu runs also measure the adapter's FMA ceiling
// (ceiling.ts), which each webgpu kernel's GFLOPS are shown as a fraction of. Writes
// <out-dir>/<adapter>.json, .md and .svg (out-dir defaults to bench/results) and prints the table.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ColumnRun, runAlternating } from './alternate.js';
import type { Row } from './column.js';
import { adapterName, annotateCeilingFractions, type BenchResults, renderMarkdown, renderSvg } from './report.js';
import type { ColumnResult } from './runner-args.js';
import { workloads } from './workloads.js';

const ALL_COLUMNS = ['dawngrad-webgpu', 'dawngrad-cpu', 'tfjs-webgpu', 'tfjs-wasm', 'tfjs-cpu'];
/** The reference column runs first; the others are checked against what it records. */
const REFERENCE = 'dawngrad-cpu';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const value = (flag: string): string | undefined => {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
};
const rerender = value('--render');
if (rerender) {
  // Re-draws a saved run's markdown and chart (after a change to report.ts) without re-timing it.
  const saved = JSON.parse(readFileSync(rerender, 'utf8')) as BenchResults;
  const stem = rerender.replace(/\.json$/, '');
  writeFileSync(`${stem}.md`, renderMarkdown(saved));
  writeFileSync(`${stem}.svg`, renderSvg(saved));
  console.log(renderMarkdown(saved));
  process.exit(0);
}
const quick = argv.includes('--quick');
const columns = value('--columns')?.split(',') ?? ALL_COLUMNS;
const unknown = columns.filter((c) => !ALL_COLUMNS.includes(c));
if (unknown.length) throw new Error(`bench: unknown column(s) ${unknown.join(', ')} (expected some of ${ALL_COLUMNS.join(', ')})`);
const filter = value('--filter');
const rounds = Number(value('--rounds') ?? 2);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`bench: --rounds expects a positive integer, got ${value('--rounds')}`);
const outDir = resolve(value('--out-dir') ?? join(here, 'results'));
mkdirSync(outDir, { recursive: true });

const ws = workloads(quick).filter((w) => !filter || filter.split(',').some((f) => w.id.includes(f)));
const referenceFile = join(outDir, `reference-${process.pid}.tmp`);
function runColumnProcess(run: ColumnRun): ColumnResult {
  const { column } = run;
  const runner = column.startsWith('dawngrad') ? 'dawngrad-runner.ts' : 'tfjs-runner.ts';
  const out = join(outDir, `${column}-${run.round}-${process.pid}.tmp`);
  const args = [
    '--import', 'tsx', join(here, runner), '--column', column, '--out', out, '--reference', referenceFile,
    ...(run.writeReference ? ['--write-reference'] : []), ...(quick ? ['--quick'] : []), ...(filter ? ['--filter', filter] : []),
  ];
  console.log(`bench: ${column} (run ${run.round + 1} of ${rounds})`);
  const child = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' } });
  try {
    return JSON.parse(readFileSync(out, 'utf8')) as ColumnResult;
  } catch {
    // The runner died before writing (e.g. no adapter): every row of the run says so.
    const why = child.error?.message ?? `runner exited with code ${child.status}${child.signal ? ` (${child.signal})` : ''}`;
    const rows: Row[] = ws.map((w) => ({ id: w.id, status: 'error', message: why }));
    return { column, loadAverage: [0, 0, 0], cpu: '', cores: 0, rows };
  } finally {
    rmSync(out, { force: true });
  }
}
const results = runAlternating(columns, REFERENCE, rounds, runColumnProcess);
rmSync(referenceFile, { force: true });

const adapter = results['dawngrad-webgpu']?.adapter ?? results['tfjs-webgpu']?.adapter ?? null;
const tfAdapter = results['tfjs-webgpu']?.adapter;
if (adapter && tfAdapter && JSON.stringify(adapter) !== JSON.stringify(tfAdapter)) {
  console.warn(`bench: tfjs-webgpu ran on a different adapter (${tfAdapter.description}) than dawngrad (${adapter.description})`);
}
const res: BenchResults = {
  date: new Date().toISOString(),
  command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
  quick,
  rounds,
  system: {
    adapter,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    loadAverage: Object.fromEntries(Object.values(results).map((r) => [r.column, r.loadAverages])),
  },
  fmaCeiling: results['dawngrad-webgpu']?.fmaCeiling ?? null,
  workloads: ws.map((w) => ({ id: w.id, title: w.title, flops: w.flops, images: w.images })),
  columns: Object.fromEntries(columns.filter((c) => results[c]).map((c) => [c, results[c]!.rows])),
};

annotateCeilingFractions(res);

const base = join(outDir, `${adapterName(adapter)}${quick ? '-quick' : ''}`);
const md = renderMarkdown(res);
writeFileSync(`${base}.json`, `${JSON.stringify(res, null, 2)}\n`);
writeFileSync(`${base}.md`, md);
writeFileSync(`${base}.svg`, renderSvg(res));
console.log(`\n${md}\nbench: wrote ${base}.json, .md and .svg`);
