// Smoke test of every runnable example: a few steps on a small --limit, as a child process,
// so none can rot. Each must print its closing metrics line and write its model, history and
// training curve; predict.ts must load the saved models back.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { assertClose, GPU_TOL, hasWebGpu } from './support/compare.js';
import { call, startServe } from './support/serveProcess.js';

const test = suite('examples');
const backend = (await hasWebGpu()) ? 'webgpu' : 'cpu';
const dir = mkdtempSync(join(tmpdir(), 'dawngrad-examples-'));
const run = promisify(execFile);

/** Runs examples/<file> (or another path) with tsx; resolves to stdout, or rejects with the child's output. */
async function example(file: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', file.includes('/') ? file : join('examples', file), ...args], {
    cwd: join(import.meta.dirname, '..'), env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' }, maxBuffer: 1 << 24,
  });
  return stdout;
}

/** A small folder of MNIST-derived PNG/JPEG files for images.ts, written by the script its usage names. */
async function imageFolder(): Promise<string[]> {
  const folder = join(dir, 'image-folder');
  await example('scripts/make-image-folder.ts', ['--out', folder, '--train', '8', '--validation', '4', '--test', '4']);
  return ['--dir', folder, '--size', '16'];
}

const EXAMPLES: { name: string; metrics: string[]; files?: string[]; setup?: () => Promise<string[]> }[] = [
  { name: 'mnist', metrics: ['accuracy'] },
  { name: 'mnist-bn', metrics: ['accuracy'] },
  { name: 'mnist-mlp', metrics: ['accuracy'] },
  { name: 'mnist-lstm', metrics: ['accuracy'] },
  { name: 'spam', metrics: ['accuracy', 'f1'] },
  { name: 'spam-stacked', metrics: ['binaryAccuracy', 'f1'] },
  { name: 'augment', metrics: ['accuracy'], files: ['augmented.png'] },
  { name: 'images', metrics: ['accuracy'], setup: imageFolder },
];

for (const e of EXAMPLES) {
  test(`${e.name}: trains a few steps, evaluates, saves the model and its curve`, async () => {
    const out = join(dir, e.name);
    const extra = (await e.setup?.()) ?? [];
    const stdout = await example(`${e.name}.ts`, ['--limit', '48', '--eval-limit', '40', '--epochs', '2', '--batch-size', '16', '--backend', backend, '--out', out, ...extra]);
    const last = stdout.trim().split('\n').at(-1)!;
    const metrics = e.metrics.map((m) => ` - ${m} [\\d.]+%`).join('');
    assert.match(last, new RegExp(`^${e.name}: test loss [\\d.]+${metrics} - 2 epochs, [\\d.]+ s/epoch \\(${backend}\\) - saved `), stdout);
    for (const f of ['model.safetensors', 'history.json', 'curve.svg', ...(e.files ?? [])]) assert.ok(existsSync(join(out, f)), `${e.name} wrote ${f}`);
    const history = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8')) as Record<string, unknown[]>;
    assert.is(history.loss!.length, 2, 'one loss per epoch');
    assert.match(readFileSync(join(out, 'curve.svg'), 'utf8'), /^<svg [^>]*>[\s\S]*<polyline [\s\S]*<\/svg>\n$/);
  });
}

test('predict.ts loads the saved CNN and LSTM models and draws the digits it classifies', async () => {
  for (const name of ['mnist', 'mnist-lstm']) {
    const stdout = await example('predict.ts', [join(dir, name, 'model.safetensors'), '--count', '2', '--backend', backend]);
    assert.match(stdout, /^test image 0: predicted \d \(p = [\d.]+\), label 7/, stdout);
    assert.match(stdout, /test image 1: predicted \d \(p = [\d.]+\), label 2/, stdout);
    assert.is(stdout.split('\n').filter((l) => /^ {2}\|.{28}\|$/.test(l)).length, 2 * 14, 'two 28x14 ASCII digits');
  }
});

test("the README's serving flow: dawngrad serve answers digit-request.ts's bodies, in both APIs, as predict does", async () => {
  const model = join(dir, 'mnist', 'model.safetensors');
  const server = await startServe(['--model', model, '--name', 'mnist', '--backend', backend]);
  try {
    const v1 = await call(`${server.url}/v1/models/mnist:predict`, 'POST', await example('digit-request.ts', ['--index', '0']));
    const v2Body = await example('digit-request.ts', ['--index', '0', '--api', 'kserve']);
    const v2 = await call(`${server.url}/v2/models/mnist/infer`, 'POST', v2Body);
    assert.equal([v1.status, v2.status], [200, 200]);
    assert.equal(v2.body.outputs[0].shape, [1, 10]);
    // fit recorded the [N, 1, 28, 28] batches it trained on, and the file carries it.
    assert.equal((await call(`${server.url}/v2/models/mnist`, 'GET')).body.inputs[0].shape, [-1, 1, 28, 28]);
    const logits = v1.body.predictions[0] as number[];
    assert.equal(logits, v2.body.outputs[0].data);
    const body = JSON.parse(v2Body) as { inputs: { data: number[] }[] };
    await dg.init({ backend });
    const want = await (await (await dg.load(model)).predict(dg.tensor(body.inputs[0]!.data, [1, 1, 28, 28]))).data();
    assertClose(logits, want, GPU_TOL, 'served logits vs predict');
  } finally {
    server.kill();
  }
});

test('a bad flag exits with one line that names it and what was expected, then the usage', async () => {
  for (const [args, message] of [
    [['--backend', 'tpu'], "mnist: --backend must be 'webgpu' or 'cpu', got 'tpu'"],
    [['--epochs', '0'], "mnist: --epochs must be a positive integer, got '0'"],
    [['--epoch', '3'], "mnist: Unknown option '--epoch'"],
  ] as const) {
    try {
      await example('mnist.ts', [...args]);
      assert.unreachable(`${args.join(' ')} should fail`);
    } catch (e) {
      const { code, stderr } = e as { code: number; stderr: string };
      assert.is(code, 2, stderr);
      assert.ok(stderr.startsWith(`${message}`), stderr);
      assert.match(stderr, /\nusage: mnist \[--epochs 5\] \[--batch-size 64\]/);
    }
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
