// End to end: a small CNN (conv -> relu -> maxPool -> linear) built from the functional ops
// learns a toy image task with plain gradient descent, and webgpu follows the cpu reference
// step for step.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { assertClose, GPU_TOL, hasWebGpu, seeded } from './support/compare.js';
import { webgpuTest } from './support/webgpu.js';

const N = 32;
const SIZE = 8;
const STEPS = 15;
const LR = 0.5;

/** Class 0: a bright horizontal bar; class 1: a vertical one; at seeded places, over noise. */
function toyImages(): { images: Float32Array; labels: Int32Array } {
  const noise = seeded(N * SIZE * SIZE, 3, 'uniform');
  const place = seeded(N, 5, 'uniform');
  const images = Float32Array.from(noise, (v) => 0.1 * v);
  const labels = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    labels[i] = i % 2;
    const at = Math.floor(((place[i]! + 1) / 2) * SIZE);
    for (let k = 0; k < SIZE; k++) {
      const [r, c] = labels[i] === 0 ? [at, k] : [k, at];
      images[(i * SIZE + r) * SIZE + c] = 1;
    }
  }
  return { images, labels };
}

const SHAPES: Record<string, number[]> = { w1: [4, 1, 3, 3], b1: [4], w2: [64, 2], b2: [2] };

async function train(backend: 'cpu' | 'webgpu'): Promise<number[]> {
  await dg.init({ backend });
  const { images, labels } = toyImages();
  const x = dg.tensor(images, [N, 1, SIZE, SIZE]);
  const y = dg.tensor(labels);
  const params: Record<string, Tensor> = {};
  Object.entries(SHAPES).forEach(([name, shape], i) => {
    const fanIn = name === 'w1' ? 9 : 64;
    const v = seeded(shape.reduce((a, b) => a * b, 1), 20 + i).map((z) => z / Math.sqrt(fanIn));
    params[name] = dg.tensor(Float32Array.from(v), shape, { requiresGrad: true });
  });
  const losses: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    const p = params as { w1: Tensor; b1: Tensor; w2: Tensor; b2: Tensor };
    const h = dg.maxPool2d(dg.conv2d(x, p.w1, p.b1, { padding: 1 }).relu(), { kernelSize: 2 });
    const loss = dg.crossEntropy(h.flatten(1).matmul(p.w2).add(p.b2), y);
    loss.backward();
    losses.push(await loss.item());
    for (const name of Object.keys(params)) {
      const t = params[name]!;
      params[name] = dg.noGrad(() => t.sub(t.grad!.mul(LR))).requiresGrad_();
      t.dispose();
    }
  }
  return losses;
}

webgpuTest(test)('a conv-relu-pool-linear network learns bars on webgpu, loss for loss as on cpu', async () => {
  if (!(await hasWebGpu())) throw new Error('no WebGPU adapter: run scripts/install-software-vulkan.sh');
  const cpu = await train('cpu');
  const gpu = await train('webgpu');
  assert.ok(cpu[STEPS - 1]! < 0.3 * cpu[0]!, `loss should fall well below its start: ${cpu.map((l) => l.toFixed(3)).join(' ')}`);
  for (let i = 1; i < STEPS; i++) assert.ok(cpu[i]! <= cpu[i - 1]! * 1.05, `loss should keep falling: ${cpu.map((l) => l.toFixed(3)).join(' ')}`);
  assertClose(gpu, cpu, GPU_TOL, 'webgpu losses vs cpu losses');
});

test.run();
