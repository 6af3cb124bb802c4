// npm run soak [-- --steps 10000 --every 250 --small --workload cnn|lstm|both --out bench/results/soak]
// Trains the MNIST CNN with fit and an LSTM with a tidy loop for many steps on the default
// backend, printing dg.memory(), the pool, the runtime's caches, the JS heap and RSS as it goes,
// and writes the samples (JSON, CSV) and a chart (SVG) after every sample, so a run stopped
// early (a timeout, Ctrl-C) keeps what it measured.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import * as dg from '../src/index.js';
import { soakChart } from './soak/chart.js';
import { cnnSoak, lstmSoak, type SoakSample } from './soak/workloads.js';

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`soak: --${name} must be a positive integer, got '${v}'`);
  return n;
};
const WORKLOADS = { cnn: [cnnSoak], lstm: [lstmSoak], both: [cnnSoak, lstmSoak] };
const opts = new Command('soak')
  .option('--steps <n>', 'training steps of each workload', positiveInt('steps'), 10_000)
  .option('--every <n>', 'a sample every n steps', positiveInt('every'), 250)
  .option('--small', 'the CI test\'s small shapes instead of MNIST\'s', false)
  .option('--workload <name>', 'cnn, lstm or both (one after the other)', 'both')
  .option('--out <dir>', 'where soak.json, soak.csv and soak.svg go', 'bench/results/soak')
  .parse()
  .opts<{ steps: number; every: number; small: boolean; workload: string; out: string }>();
if (!(opts.workload in WORKLOADS)) throw new Error(`soak: --workload must be cnn, lstm or both, got '${opts.workload}'`);

await dg.init();
const mib = (b: number) => (b / 2 ** 20).toFixed(1);
const started = Date.now();
const samples: SoakSample[] = [];
mkdirSync(opts.out, { recursive: true });

function write(): void {
  const columns = Object.keys(samples[0]!) as (keyof SoakSample)[];
  const seconds = (Date.now() - started) / 1000;
  writeFileSync(join(opts.out, 'soak.json'), `${JSON.stringify({ backend: dg.backend(), steps: opts.steps, small: opts.small, seconds, samples }, null, 1)}\n`);
  writeFileSync(join(opts.out, 'soak.csv'), `${columns.join(',')}\n${samples.map((s) => columns.map((c) => s[c]).join(',')).join('\n')}\n`);
  writeFileSync(join(opts.out, 'soak.svg'), soakChart(samples));
}

const onSample = (s: SoakSample) => {
  console.log(
    `${s.workload} step ${s.step}: tensors ${s.tensors}, live ${mib(s.liveBytes)} MiB, pooled ${mib(s.pooledBytes)} MiB, ` +
    `bind groups ${s.bindGroups}, constants ${s.constants}, staging ${s.staging}, transients ${s.transients}, mappings ${s.mappings}, ` +
    `RSS ${mib(s.rssBytes)} MiB, JS heap ${mib(s.heapUsedBytes)} MiB, external ${mib(s.externalBytes)} MiB, loss ${s.loss.toFixed(4)}`);
  samples.push(s);
  write();
};
for (const run of WORKLOADS[opts.workload as keyof typeof WORKLOADS]) {
  await run({ steps: opts.steps, every: opts.every, small: opts.small, onSample });
}
console.log(`wrote ${opts.out}/soak.{json,csv,svg} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
