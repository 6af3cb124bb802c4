// The benchmark suite's smoke run (`npm run bench -- --quick`) on tiny sizes, dawngrad's two
// columns only (the TensorFlow.js columns triple the time and test nothing of ours); the
// alternation of columns and the choice of the better run, with a fake runner; the FMA ceiling
// kernel against its recurrence on the host; and the reference check that keeps a
// fast-but-wrong column out of the table.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { backendNamed } from '../src/core/engine.js';
import type { WebGpuBackend } from '../src/backend/webgpu/index.js';
import { alternation, type ColumnRun, runAlternating } from '../bench/alternate.js';
import { fmaSums, fmaSumsReference, measureFmaCeiling } from '../bench/ceiling.js';
import { checkError, type Row, sample } from '../bench/column.js';
import { type BenchResults, renderMarkdown } from '../bench/report.js';
import type { ColumnResult } from '../bench/runner-args.js';
import { workloads } from '../bench/workloads.js';
import { webgpuSuite } from './support/webgpu.js';

const root = resolve(import.meta.dirname, '..');
const t = webgpuSuite('bench');
const unit = suite('bench alternation and ceiling');

t('the quick run times every workload on both dawngrad columns and writes json, markdown and svg', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dawngrad-bench-'));
  try {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', '--columns', 'dawngrad-webgpu,dawngrad-cpu', '--out-dir', dir], {
      // Four runner processes (two columns, two rounds each) on a shared machine.
      cwd: root, encoding: 'utf8', timeout: 300_000,
    });
    assert.is(run.status, 0, `bench exited with ${run.status}: ${run.stderr.slice(-2000)}`);
    const files = readdirSync(dir);
    const json = files.find((f) => f.endsWith('-quick.json'));
    assert.ok(json, `no results json among ${files.join(', ')}`);
    const base = json!.slice(0, -'.json'.length);
    assert.ok(files.includes(`${base}.md`) && files.includes(`${base}.svg`), `markdown and svg next to ${json}`);
    assert.not.ok(files.some((f) => f.endsWith('.tmp')), 'temporary column files are removed');

    const res = JSON.parse(readFileSync(join(dir, json!), 'utf8')) as BenchResults;
    assert.equal(res.workloads.map((w) => w.id), workloads(true).map((w) => w.id));
    assert.ok(res.system.adapter?.vendor !== undefined, 'the adapter is recorded');
    assert.ok(res.system.cores > 0 && res.system.cpu.length > 0, 'the host is recorded');
    assert.is(res.rounds, 2, 'two runs per column by default');
    for (const column of ['dawngrad-webgpu', 'dawngrad-cpu']) {
      assert.is((res.system.loadAverage[column] as number[][]).length, 2, `${column}: the load of each run`);
      for (const row of res.columns[column]!) {
        assert.is(row.status, 'ok', `${column} ${row.id}: ${row.status} ${row.message ?? ''}`);
        assert.ok(row.medianMs! > 0 && row.minMs! <= row.medianMs! && row.reps! >= 1, `${column} ${row.id} timings`);
        assert.is(row.runMinMs?.length, 2, `${column} ${row.id}: both runs' minima`);
        assert.is(row.minMs, Math.min(...(row.runMinMs as number[])), `${column} ${row.id}: the better run is reported`);
      }
    }
    const ceiling = res.fmaCeiling!;
    assert.ok(ceiling.gflops > 0 && Number.isFinite(ceiling.gflops), `a measured ceiling, got ${ceiling?.gflops}`);
    assert.is(ceiling.runs.length, 2, 'one measurement per dawngrad-webgpu run');
    assert.is(ceiling.gflops, Math.max(...ceiling.runs), 'the best measurement');
    const matmul = res.workloads.find((w) => w.id === 'matmul-1024')!;
    const row = res.columns['dawngrad-webgpu']!.find((r) => r.id === matmul.id)!;
    assert.ok(Math.abs(row.ceilingFraction! - matmul.flops! / row.minMs! / 1e6 / ceiling.gflops) < 1e-12, 'the JSON has the fraction');
    assert.is(res.columns['dawngrad-cpu']!.find((r) => r.id === matmul.id)!.ceilingFraction, undefined, 'no fraction off the adapter');
    const md = readFileSync(join(dir, `${base}.md`), 'utf8');
    assert.ok(md.startsWith('| workload | dawngrad-webgpu | dawngrad-cpu |'), md.slice(0, 200));
    for (const w of res.workloads) assert.ok(md.includes(`| ${w.title} |`), `table row for ${w.title}`);
    assert.ok(md.includes('% of ceiling'), 'the table shows the ceiling fractions');
    assert.ok(readFileSync(join(dir, `${base}.svg`), 'utf8').startsWith('<svg'), 'svg chart');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t('a result off the reference fails the check, one within float32 rounding passes', () => {
  const ref = Array.from({ length: 2000 }, (_, i) => Math.sin(i) * 10);
  const s = sample(ref);
  assert.ok(checkError(ref.map((v) => v * (1 + 1e-6)), s) <= 1, 'float32 rounding passes');
  const wrong = [...ref];
  wrong[1000] = wrong[1000]! + 1;
  assert.ok(checkError(wrong, s) > 1, 'one wrong element fails');
  assert.is(checkError(ref.slice(1), s), Infinity, 'a wrong length fails');
  assert.is(checkError(ref.map((v, i) => (i === 0 ? NaN : v)), s), Infinity, 'NaN fails');
});

t('the ceiling kernel computes every FMA it is timed for', async () => {
  await dg.init({ backend: 'webgpu' });
  const rt = ((await backendNamed('webgpu')) as WebGpuBackend).rt;
  // One workgroup, a prime count and many; no trip at all, one, and a prime number of trips.
  for (const [workgroups, iterations] of [[1, 0], [1, 1], [3, 37], [67, 5]] as const) {
    const got = await fmaSums(rt, workgroups, iterations);
    const want = fmaSumsReference(workgroups * 64, iterations);
    assert.is(got.length, want.length);
    // float32 rounding of values near 1 over a contracting recurrence stays near 1e-7; one trip
    // more or less moves a sum by ~3e-4.
    const worst = want.reduce((m, v, i) => Math.max(m, Math.abs(got[i]! - v) / Math.abs(v)), 0);
    assert.ok(worst < 1e-5, `${workgroups} workgroups x ${iterations} iterations: relative error ${worst}`);
  }
  const c = await measureFmaCeiling(rt, { targetMs: 5, reps: 2, workgroups: 16 });
  assert.ok(c.gflops > 0 && Number.isFinite(c.gflops) && c.iterations >= 16, JSON.stringify(c));
});

t.run();

const row = (id: string, minMs: number, status: Row['status'] = 'ok'): Row => ({ id, status, minMs, medianMs: minMs, reps: 1 });

unit('columns alternate A, B, A, B with the reference first, which records the reference once', () => {
  const order = alternation(['dawngrad-webgpu', 'dawngrad-cpu', 'tfjs-webgpu'], 'dawngrad-cpu', 2);
  assert.equal(order.map((r) => `${r.column}:${r.round}`), [
    'dawngrad-cpu:0', 'dawngrad-webgpu:0', 'tfjs-webgpu:0', 'dawngrad-cpu:1', 'dawngrad-webgpu:1', 'tfjs-webgpu:1',
  ]);
  assert.equal(order.filter((r) => r.writeReference).map((r) => `${r.column}:${r.round}`), ['dawngrad-cpu:0']);
});

unit('each workload keeps the run with the faster best repetition, so one slow run cannot decide it', () => {
  const calls: ColumnRun[] = [];
  // Run 0 of column A is disturbed on workload x, run 1 on workload y.
  const mins: Record<string, [number, number][]> = { A: [[50, 10], [20, 90]], B: [[30, 31], [40, 41]] };
  const results = runAlternating(['A', 'B'], 'none', 2, (run) => {
    calls.push(run);
    const [x, y] = [mins[run.column]![0]![run.round]!, mins[run.column]![1]![run.round]!];
    return {
      column: run.column, loadAverage: [run.round, 0, 0], cpu: '', cores: 1, rows: [row('x', x), row('y', y)],
      fmaCeiling: run.column === 'A' ? { gflops: 40 + run.round, ms: 1, iterations: 1, invocations: 1, reps: 1 } : undefined,
    } satisfies ColumnResult;
  });
  assert.equal(calls.map((r) => `${r.column}${r.round}`), ['A0', 'B0', 'A1', 'B1']);
  assert.equal(results.A!.rows.map((r) => [r.minMs, r.runMinMs]), [[10, [50, 10]], [20, [20, 90]]]);
  assert.equal(results.B!.rows.map((r) => r.minMs), [30, 40]);
  assert.equal(results.A!.loadAverages, [[0, 0, 0], [1, 0, 0]]);
  assert.equal([results.A!.fmaCeiling?.gflops, results.A!.fmaCeiling?.runs], [41, [40, 41]]);
  assert.is(results.B!.fmaCeiling, undefined);
});

unit('a wrong result in either run marks the row wrong; an error in one run leaves the other', () => {
  const runs: Row[][] = [[row('x', 5, 'wrong result'), { id: 'y', status: 'error', message: 'lost' }], [row('x', 9), row('y', 7)]];
  const merged = runAlternating(['A'], 'A', 2, (run) => ({ column: 'A', loadAverage: [0, 0, 0], cpu: '', cores: 1, rows: runs[run.round]! }));
  assert.is(merged.A!.rows[0]!.status, 'wrong result');
  assert.equal([merged.A!.rows[1]!.status, merged.A!.rows[1]!.minMs, merged.A!.rows[1]!.runMinMs], ['ok', 7, [null, 7]]);
});

unit('webgpu columns show their GFLOPS as a fraction of the measured ceiling', () => {
  const res: BenchResults = {
    date: '2026-01-01T00:00:00.000Z', command: 'npm run bench', quick: false, rounds: 2,
    system: { adapter: null, cpu: 'cpu', cores: 2, node: 'v20', loadAverage: {} },
    fmaCeiling: { gflops: 40, ms: 100, iterations: 1, invocations: 1, reps: 1, runs: [38, 40] },
    workloads: [{ id: 'mm', title: 'matmul', flops: 8e9 }, { id: 'pool', title: 'pool' }],
    // 8 GFLOP in 1 s is 8 GFLOPS, 20% of 40.
    columns: { 'dawngrad-webgpu': [row('mm', 1000), row('pool', 1)], 'dawngrad-cpu': [row('mm', 4000), row('pool', 1)] },
  };
  const md = renderMarkdown(res);
  const line = md.split('\n').find((l) => l.startsWith('| matmul |'))!;
  const [webgpu, cpu] = line.split(' | ').slice(1);
  assert.ok(webgpu!.includes('8.00 GFLOPS · 20% of ceiling'), webgpu);
  assert.not.ok(cpu!.includes('ceiling'), cpu);
  assert.not.ok(md.split('\n').find((l) => l.startsWith('| pool |'))!.includes('ceiling'), 'no FLOP count, no fraction');
  assert.ok(md.includes('40.0 GFLOPS, the best of 38.0, 40.0'), 'the ceiling and its runs are stated');
});

unit.run();
