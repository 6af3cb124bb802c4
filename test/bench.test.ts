// The benchmark suite's smoke run (`npm run bench -- --quick`) on tiny sizes, dawngrad's two
// columns only (the TensorFlow.js columns triple the time and test nothing of ours), plus the
// reference check that keeps a fast-but-wrong column out of the table.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkError, sample } from '../bench/column.js';
import type { BenchResults } from '../bench/report.js';
import { workloads } from '../bench/workloads.js';
import { webgpuSuite } from './support/webgpu.js';

const root = resolve(import.meta.dirname, '..');
const t = webgpuSuite('bench');

t('the quick run times every workload on both dawngrad columns and writes json, markdown and svg', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dawngrad-bench-'));
  try {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', '--columns', 'dawngrad-webgpu,dawngrad-cpu', '--out-dir', dir], {
      cwd: root, encoding: 'utf8', timeout: 120_000,
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
    for (const column of ['dawngrad-webgpu', 'dawngrad-cpu']) {
      for (const row of res.columns[column]!) {
        // An op that has not landed yet is listed as such; anything else must have been timed.
        if (row.status === 'not yet implemented') continue;
        assert.is(row.status, 'ok', `${column} ${row.id}: ${row.status} ${row.message ?? ''}`);
        assert.ok(row.medianMs! > 0 && row.minMs! <= row.medianMs! && row.reps! >= 1, `${column} ${row.id} timings`);
      }
    }
    const md = readFileSync(join(dir, `${base}.md`), 'utf8');
    assert.ok(md.startsWith('| workload | dawngrad-webgpu | dawngrad-cpu |'), md.slice(0, 200));
    for (const w of res.workloads) assert.ok(md.includes(`| ${w.title} |`), `table row for ${w.title}`);
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

t.run();
