// The server's limits and its exit, end to end: a full queue answers 429, and SIGTERM while 50
// requests are in flight answers all 50 (with their own results) and exits 0. It serves one
// file with `--model F --name N`, on webgpu where an adapter exists (this file is the webgpu
// end-to-end), else on cpu; the expected results come from the cpu backend in this process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { assertClose, GPU_TOL, seeded } from './support/compare.js';
import { call, metricValue, type ServeProcess, startServe, until } from './support/serveProcess.js';
import { webgpuAvailable } from './support/webgpu.js';

const t = suite('serve shutdown');
const dir = mkdtempSync(join(tmpdir(), 'dawngrad-serve-stop-'));
const file = join(dir, 'model.safetensors');
const backend = webgpuAvailable ? 'webgpu' : 'cpu';
// webgpu's kernels against the cpu reference: the kernel tests' tolerance; cpu against cpu: the JSON round trip only.
const TOL = backend === 'webgpu' ? GPU_TOL : { atol: 1e-6, rtol: 1e-6 };
let server: ServeProcess;
let model: dg.nn.AnyModule;

t.before(async () => {
  await dg.init({ backend: 'cpu' });
  dg.manualSeed(3);
  model = new dg.nn.Sequential(new dg.nn.Conv2d(1, 4, 3), new dg.nn.ReLU(), new dg.nn.Flatten(), new dg.nn.Linear(4 * 4 * 4, 5));
  await dg.save(model, file, { inputShape: [1, 6, 6] });
  // The batch window is longer than the test, so requests stay queued until SIGTERM flushes them.
  server = await startServe(['--model', file, '--name', 'digits', '--backend', backend, '--max-queue', '50', '--max-batch-size', '64', '--batch-timeout-ms', '600000']);
});

t.after(() => {
  server?.kill();
  rmSync(dir, { recursive: true, force: true });
});

t(`a full queue answers 429; SIGTERM during 50 in-flight requests answers all 50 and exits 0 [${backend}]`, async () => {
  const inputs = Array.from({ length: 50 }, (_, i) => [Array.from(seeded(36, 200 + i), (v, k) => (k % 6 === 0 ? Math.fround(v) : Math.fround(v / 2)))]);
  const image = (x: number[]) => [[x.slice(0, 6), x.slice(6, 12), x.slice(12, 18), x.slice(18, 24), x.slice(24, 30), x.slice(30, 36)]];
  const inFlight = inputs.map(([x]) => call(`${server.url}/v1/models/digits:predict`, 'POST', { instances: [image(x!)] }));
  await until('50 queued requests', async () => metricValue((await call(`${server.url}/metrics`, 'GET')).body, 'dawngrad_queue_depth', { model: 'digits' }) === 50);
  const full = await call(`${server.url}/v2/models/digits/infer`, 'POST', { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 1, 6, 6], data: inputs[0]![0] }] });
  assert.equal(full.status, 429);
  assert.ok(full.body.error.includes('queue is full'), full.body.error);

  server.child.kill('SIGTERM');
  const answers = await Promise.all(inFlight);
  assert.equal(answers.map((a) => a.status), inputs.map(() => 200));
  const want = (await (await model.predict(dg.tensor(inputs.map(([x]) => image(x!))))).array()) as number[][];
  answers.forEach((a, i) => assertClose(a.body.predictions[0], want[i]!, TOL, `request ${i}`));
  assert.equal(await server.exited, 0);
  assert.match(server.log(), /SIGTERM: finishing in-flight requests/);
});

t('`npx dawngrad serve --help` lists the flags', () => {
  const out = spawnSync('npx', ['dawngrad', 'serve', '--help'], { cwd: resolve(import.meta.dirname, '..'), encoding: 'utf8', timeout: 60000 });
  assert.equal(out.status, 0, out.stderr);
  for (const flag of ['--model <file>', '--model-base-path', '--port', '--host', '--backend', '--max-batch-size', '--batch-timeout-ms', '--max-queue', '--request-timeout-ms', '--body-limit', '--api-key-file']) {
    assert.ok(out.stdout.includes(flag), `--help mentions ${flag}`);
  }
});

t.run();
