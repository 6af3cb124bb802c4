// npm run loadtest [-- --requests 512 --backend webgpu --model runs/mnist/model.safetensors]
// Load on `dawngrad serve` over loopback with autocannon: the MNIST CNN (the trained one when
// --model is given, else the same architecture with fresh weights: the cost is the same),
// one digit per request, at concurrency 1, 16 and 64, with dynamic batching on (the defaults)
// and off (--max-batch-size 1). Each run sends a fixed number of requests after a warm-up and
// reports requests/s, p50 and p99 latency and the mean batch size (from /metrics); a single
// in-process predict of one digit is timed as the floor latency. Writes
// bench/results/loadtest.{json,md}.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Command } from 'commander';
import * as dg from '../src/index.js';
import { mnistCnn } from '../examples/common/mnist.js';
import { call, metricValue, startServe } from '../test/support/serveProcess.js';

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`loadtest: expected a positive integer, got '${v}'`);
  return n;
};
const opts = new Command('loadtest')
  .option('--requests <n>', 'requests per run (after a warm-up of 32)', positiveInt, 512)
  .option('--backend <name>', 'the server\'s backend: webgpu | cpu (default: webgpu if an adapter exists)')
  .option('--model <file>', 'a trained MNIST CNN (default: fresh weights)')
  .option('--out <dir>', 'where loadtest.json and loadtest.md go', 'bench/results')
  .parse()
  .opts<{ requests: number; backend?: 'webgpu' | 'cpu'; model?: string; out: string }>();

await dg.init(opts.backend ? { backend: opts.backend } : {});
const backend = dg.backend();
const dir = mkdtempSync(join(tmpdir(), 'dawngrad-loadtest-'));
const file = opts.model ?? join(dir, 'model.safetensors');
dg.manualSeed(0);
const model = opts.model ? await dg.load(opts.model) : mnistCnn();
if (!opts.model) await dg.save(model, file, { inputShape: [1, 28, 28] });
model.eval();

// Pixels in [0, 1) with three decimals, as a client would send a digit.
const digit = Array.from(await dg.rand([28 * 28]).data(), (v) => Math.round(v * 1000) / 1000);
const image = [Array.from({ length: 28 }, (_, r) => digit.slice(r * 28, (r + 1) * 28))];
const body = JSON.stringify({ instances: [image] });

/** `n` digits through the model in this process, read back: what a batch costs without HTTP, queueing or JSON. */
async function inProcessMs(n: number): Promise<{ p50: number; p99: number }> {
  const x = dg.tensor(Array.from({ length: n }, () => digit).flat(), [n, 1, 28, 28]);
  const times: number[] = [];
  for (let i = 0; i < (n === 1 ? 60 : 12); i++) {
    const start = performance.now();
    const y = dg.noGrad(() => dg.tidy(() => model.forward(x) as dg.Tensor));
    await y.data();
    y.dispose();
    if (i >= 2) times.push(performance.now() - start);
  }
  x.dispose();
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)]!, p99: times[Math.ceil(times.length * 0.99) - 1]! };
}

interface Row { batching: 'on' | 'off'; concurrency: number; requests: number; rps: number; p50: number; p99: number; meanBatch: number; errors: number }

const floor = await inProcessMs(1);
// Whether batching can pay at all: on a real GPU 64 digits cost little more than one; on a CPU (or lavapipe) about 64 times as much.
const batch64 = await inProcessMs(64);
const inProcess = `In-process predict of one digit (${backend}): p50 ${floor.p50.toFixed(2)} ms, p99 ${floor.p99.toFixed(2)} ms; of 64 digits: p50 ${batch64.p50.toFixed(1)} ms (${(batch64.p50 / 64).toFixed(2)} ms per digit).`;
console.log(inProcess);
const rows: Row[] = [];
try {
  for (const batching of ['on', 'off'] as const) {
    const flags = batching === 'on' ? [] : ['--max-batch-size', '1', '--batch-timeout-ms', '0'];
    const server = await startServe(['--model', file, '--name', 'mnist', '--backend', backend, '--max-queue', '4096', ...flags], { startMs: 120_000 });
    const url = `${server.url}/v1/models/mnist:predict`;
    const batches = async () => {
      const text = (await call(`${server.url}/metrics`, 'GET')).body as string;
      return { count: metricValue(text, 'dawngrad_batch_size_count', { model: 'mnist' }), sum: metricValue(text, 'dawngrad_batch_size_sum', { model: 'mnist' }) };
    };
    try {
      for (const concurrency of [1, 16, 64]) {
        const load = (amount: number) => autocannon({ url, connections: concurrency, amount, method: 'POST', headers: { 'content-type': 'application/json' }, body, timeout: 60 });
        await load(Math.max(32, concurrency));
        const before = await batches();
        // autocannon needs at least one request per connection.
        const r = await load(Math.max(opts.requests, concurrency));
        const after = await batches();
        const row: Row = {
          batching, concurrency, requests: r.requests.total,
          rps: r.requests.total / r.duration, p50: r.latency.p50, p99: r.latency.p99,
          meanBatch: (after.sum - before.sum) / Math.max(1, after.count - before.count),
          errors: r.errors + r.timeouts + r.non2xx,
        };
        rows.push(row);
        console.log(`batching ${batching}, concurrency ${concurrency}: ${row.rps.toFixed(1)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, mean batch ${row.meanBatch.toFixed(1)}, errors ${row.errors}`);
      }
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const speedup = (c: number) => rows.find((r) => r.batching === 'on' && r.concurrency === c)!.rps / rows.find((r) => r.batching === 'off' && r.concurrency === c)!.rps;
const p99At1 = rows.find((r) => r.batching === 'on' && r.concurrency === 1)!.p99;
const table = [
  '| batching | concurrency | requests | requests/s | p50 ms | p99 ms | mean batch | errors |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.batching} | ${r.concurrency} | ${r.requests} | ${r.rps.toFixed(1)} | ${r.p50} | ${r.p99} | ${r.meanBatch.toFixed(1)} | ${r.errors} |`),
].join('\n');
const summary = `batching on / off at concurrency 64: ${speedup(64).toFixed(2)}x requests/s (goal >= 5x); p99 at concurrency 1: ${p99At1} ms vs ${floor.p50.toFixed(2)} ms for one in-process predict (${(p99At1 / floor.p50).toFixed(2)}x; goal <= 2x)`;
console.log(`\n${table}\n\n${summary}`);
mkdirSync(opts.out, { recursive: true });
writeFileSync(join(opts.out, 'loadtest.json'), `${JSON.stringify({ backend, requests: opts.requests, inProcessMs: floor, inProcessBatch64Ms: batch64, loadAverage: loadavg(), rows, date: new Date().toISOString() }, null, 1)}\n`);
writeFileSync(join(opts.out, 'loadtest.md'), `# npm run loadtest (${backend}, ${new Date().toISOString().slice(0, 10)})\n\n${inProcess} Load average ${loadavg().map((l) => l.toFixed(1)).join(', ')}.\n\n${table}\n\n${summary}\n`);
process.exit(0);
