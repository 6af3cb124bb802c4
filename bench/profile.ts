// `npm run profile [-- --filter lstm] [--reps 3] [--quick] [--out-dir DIR]`: GPU time per kernel
// (dg.profile, timestamp queries) for the benchmark's heaviest dawngrad workloads, next to the
// same repetition's wall time unprofiled. Writes <out-dir>/<adapter>.profile.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as dg from '../src/index.js';
import { backendNamed } from '../src/core/engine.js';
import type { WebGpuBackend } from '../src/backend/webgpu/index.js';
import { adapterName } from './report.js';
import { adapterInfo } from './runner-args.js';
import { type Instance, workloads } from './workloads.js';

/** The workloads profiled: one CNN training step, the LSTM sequence forward+backward, a big matmul. */
const PROFILED = ['train-cnn', 'lstm-seq-fwdbwd', 'matmul-1024'];
const WARMUP = 2;
const TOP_DISPATCHES = 8;

const argv = process.argv.slice(2);
const value = (flag: string): string | undefined => {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = argv.includes('--quick');
const reps = Number(value('--reps') ?? 3);
if (!Number.isInteger(reps) || reps < 1) throw new Error(`profile: --reps expects a positive integer, got ${value('--reps')}`);
const filter = value('--filter')?.split(',');
const outDir = resolve(value('--out-dir') ?? join(dirname(fileURLToPath(import.meta.url)), 'results'));

await dg.init({ backend: 'webgpu' });
const gpu = (await backendNamed('webgpu')) as WebGpuBackend;
const adapter = adapterInfo(gpu.rt.gpu.adapter.info);

/** One repetition as the bench times it: the step inside tidy, ended by a one-element read-back. */
async function rep(inst: Instance<dg.Tensor>): Promise<void> {
  const t = dg.tidy(() => inst.step().reshape([-1]).narrow(0, 0, 1));
  await t.data();
  t.dispose();
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

const fmt = (x: number) => x.toFixed(x < 10 ? 2 : 1);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' / ');

/** What a near-empty dispatch measures: the adapter's launch cost plus the timestamps' own.
 *  The least of five tries, as other processes only ever add to it. */
async function dispatchFloor(): Promise<number> {
  const x = dg.randn([4]);
  await x.data();
  const means: number[] = [];
  for (let i = 0; i < 5; i++) {
    const p = await dg.profile(() => dg.tidy(() => {
      for (let j = 0; j < 50; j++) x.exp();
    }));
    means.push(p.kernels[0]!.meanUs);
  }
  return Math.min(...means);
}

const sections: string[] = [];
const startLoad = load();
const floorUs = await dispatchFloor();
for (const w of workloads(quick).filter((x) => PROFILED.includes(x.id) && (!filter || filter.some((f) => x.id.includes(f))))) {
  console.log(`profile: ${w.id}`);
  const inst = w.dawngrad(dg);
  for (let i = 0; i < WARMUP; i++) await rep(inst);
  // Unprofiled and profiled repetitions alternate, so a change in the machine's load between
  // them skews both alike.
  const wall: number[] = [];
  const profiles: dg.Profile<void>[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await rep(inst);
    wall.push(performance.now() - t0);
    profiles.push(await dg.profile(() => rep(inst), { by: 'dispatch' }));
  }
  const gpu = profiles.map((p) => p.gpuMs);
  const profiledWall = profiles.map((p) => p.wallMs);
  const dispatches = profiles[0]!.dispatches;
  const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(0)}%`;
  const line = (xs: number[]) => `median ${fmt(median(xs))} ms, min ${fmt(Math.min(...xs))} ms`;
  sections.push([
    `## ${w.title}`,
    '',
    `- ${dispatches} dispatches per repetition`,
    `- wall time unprofiled (one shared pass per batch): ${line(wall)}`,
    `- GPU time, the sum over dispatches: ${line(gpu)}, i.e. ${pct(median(gpu), median(wall))} of the unprofiled ` +
      `wall time by medians (${pct(Math.min(...gpu), Math.min(...wall))} by mins)`,
    `- wall time profiled (a pass per dispatch): ${line(profiledWall)}; the GPU is busy ` +
      `${pct(median(gpu), median(profiledWall))} of it`,
    `- the near-empty-dispatch floor times the dispatch count: ${fmt((dispatches * floorUs) / 1e3)} ms ` +
      `(${pct((dispatches * floorUs) / 1e3, median(gpu))} of the median GPU time)`,
    '',
    'Per kernel (shader:entry):',
    '',
    kernelTable(aggregate(profiles, (label) => label.split(' ')[0]!)),
    '',
    `The largest ${TOP_DISPATCHES} by pipeline (override constants) and workgroup grid:`,
    '',
    kernelTable(aggregate(profiles, (label) => label), TOP_DISPATCHES),
  ].join('\n'));
}

interface Aggregate { kernel: string; calls: number; medianMs: number; minMs: number }

/**
 * Per-row totals over all profiled repetitions, grouped by `key` of each dispatch-grid label.
 * Under load one repetition's rows are skewed by whatever else ran meanwhile; the median over
 * repetitions is steadier, and the minimum is the least disturbed.
 */
function aggregate(profiles: readonly dg.Profile<void>[], key: (label: string) => string): Aggregate[] {
  const perRep = profiles.map((p) => {
    const rows = new Map<string, { calls: number; ms: number }>();
    for (const k of p.kernels) {
      const row = rows.get(key(k.kernel)) ?? { calls: 0, ms: 0 };
      row.calls += k.calls;
      row.ms += k.totalMs;
      rows.set(key(k.kernel), row);
    }
    return rows;
  });
  const names = new Set(perRep.flatMap((rows) => [...rows.keys()]));
  return [...names].map((kernel) => {
    const ms = perRep.map((rows) => rows.get(kernel)?.ms ?? 0);
    return { kernel, calls: perRep[0]!.get(kernel)?.calls ?? 0, medianMs: median(ms), minMs: Math.min(...ms) };
  }).sort((a, b) => b.medianMs - a.medianMs);
}

function kernelTable(rows: readonly Aggregate[], top = rows.length): string {
  const total = rows.reduce((s, r) => s + r.medianMs, 0);
  return [
    '| kernel | calls | median ms | min ms | share of the medians |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows.slice(0, top).map((r) => `| ${r.kernel} | ${r.calls} | ${fmt(r.medianMs)} | ${fmt(r.minMs)} | ${((100 * r.medianMs) / total).toFixed(1)}% |`),
    ...(rows.length > top ? [`| (${rows.length - top} more) | | | | |`] : []),
    `| **all** | ${rows.reduce((s, r) => s + r.calls, 0)} | ${fmt(total)} | ${fmt(rows.reduce((s, r) => s + r.minMs, 0))} | 100% |`,
  ].join('\n');
}

const md = [
  `# Per-kernel GPU time on ${adapter.description || adapter.device}`,
  '',
  `Command: \`npm run profile${argv.length ? ` -- ${argv.join(' ')}` : ''}\` (${new Date().toISOString()}); ` +
    `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}; ` +
    `load average (1 / 5 / 15 min) ${startLoad} at the start, ${load()} at the end.`,
  '',
  `Each workload: ${WARMUP} untimed repetitions, then ${reps} timed without profiling alternating with ${reps} profiled; ` +
    'each row gives the median and the least of its per-repetition totals. A repetition is what `npm run bench` times: the step, ' +
    'then a one-element read-back. GPU time is the sum over dispatches of end - begin timestamps of each dispatch\'s own ' +
    `compute pass. A near-empty dispatch (exp of 4 elements) measures ${fmt(floorUs)} us (least mean of 5 profiles of 50): ` +
    'the floor every row\'s mean includes.',
  '',
  ...sections.flatMap((s) => [s, '']),
].join('\n');

mkdirSync(outDir, { recursive: true });
const file = join(outDir, `${adapterName(adapter)}${quick ? '-quick' : ''}.profile.md`);
writeFileSync(file, md);
console.log(`\n${md}\nprofile: wrote ${file}`);
