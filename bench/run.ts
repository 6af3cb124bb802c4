// `npm run bench [-- --quick] [--columns a,b] [--filter matmul,conv] [--out-dir DIR]`, or
// `npm run bench -- --render bench/results/X.json` to redraw a saved run's table and chart.
//
// Runs each column in its own process, one after the other (never in parallel, so they do not
// compete for the adapter or the cores): first the float64 dawngrad-cpu reference, which also
// records the values every other column is checked against, then the rest. Writes
// <out-dir>/<adapter>.json, .md and .svg (out-dir defaults to bench/results) and prints the table.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Row } from './column.js';
import { adapterName, type BenchResults, renderMarkdown, renderSvg } from './report.js';
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
const outDir = resolve(value('--out-dir') ?? join(here, 'results'));
mkdirSync(outDir, { recursive: true });

const referenceFile = join(outDir, `reference-${process.pid}.tmp`);
const order = [...columns].sort((a, b) => Number(b === REFERENCE) - Number(a === REFERENCE));
const results: Record<string, ColumnResult> = {};
for (const column of order) {
  const runner = column.startsWith('dawngrad') ? 'dawngrad-runner.ts' : 'tfjs-runner.ts';
  const out = join(outDir, `${column}-${process.pid}.tmp`);
  const args = [
    '--import', 'tsx', join(here, runner), '--column', column, '--out', out, '--reference', referenceFile,
    ...(column === REFERENCE ? ['--write-reference'] : []), ...(quick ? ['--quick'] : []), ...(filter ? ['--filter', filter] : []),
  ];
  console.log(`bench: ${column}`);
  const child = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' } });
  try {
    results[column] = JSON.parse(readFileSync(out, 'utf8')) as ColumnResult;
  } catch {
    // The runner died before writing (e.g. no adapter): every row of the column says so.
    const why = child.error?.message ?? `runner exited with code ${child.status}${child.signal ? ` (${child.signal})` : ''}`;
    const rows: Row[] = workloads(quick).map((w) => ({ id: w.id, status: 'error', message: why }));
    results[column] = { column, loadAverage: [0, 0, 0], cpu: '', cores: 0, rows };
  }
  rmSync(out, { force: true });
}
rmSync(referenceFile, { force: true });

const ws = workloads(quick).filter((w) => !filter || filter.split(',').some((f) => w.id.includes(f)));
const adapter = results['dawngrad-webgpu']?.adapter ?? results['tfjs-webgpu']?.adapter ?? null;
const tfAdapter = results['tfjs-webgpu']?.adapter;
if (adapter && tfAdapter && JSON.stringify(adapter) !== JSON.stringify(tfAdapter)) {
  console.warn(`bench: tfjs-webgpu ran on a different adapter (${tfAdapter.description}) than dawngrad (${adapter.description})`);
}
const res: BenchResults = {
  date: new Date().toISOString(),
  command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
  quick,
  system: {
    adapter,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    loadAverage: Object.fromEntries(Object.values(results).map((r) => [r.column, r.loadAverage])),
  },
  workloads: ws.map((w) => ({ id: w.id, title: w.title, flops: w.flops, images: w.images })),
  columns: Object.fromEntries(columns.filter((c) => results[c]).map((c) => [c, results[c]!.rows])),
};

const base = join(outDir, `${adapterName(adapter)}${quick ? '-quick' : ''}`);
const md = renderMarkdown(res);
writeFileSync(`${base}.json`, `${JSON.stringify(res, null, 2)}\n`);
writeFileSync(`${base}.md`, md);
writeFileSync(`${base}.svg`, renderSvg(res));
console.log(`\n${md}\nbench: wrote ${base}.json, .md and .svg`);
