// End to end: a small CNN with BatchNorm2d (conv -> batch norm -> relu -> maxPool -> linear)
// trains with Adam on a toy task; the loss falls, webgpu follows the cpu reference step for
// step (outputs, gradients through the normalisation, the running estimates), and the eval
// predictions with the learned running estimates agree too.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { assertClose, GPU_TOL, hasWebGpu, seeded } from './support/compare.js';
import { webgpuTest } from './support/webgpu.js';

const N = 32;
const SIZE = 8;
const STEPS = 10;

/** Noise images labelled by which half, left or right, is brighter. */
function toyData(): { x: dg.Tensor; y: dg.Tensor } {
  const images = Float32Array.from(seeded(N * SIZE * SIZE, 8));
  const labels = Int32Array.from({ length: N }, (_, n) => {
    let d = 0;
    for (let i = 0; i < SIZE * SIZE; i++) d += (i % SIZE < SIZE / 2 ? 1 : -1) * images[n * SIZE * SIZE + i]!;
    return d > 0 ? 1 : 0;
  });
  return { x: dg.tensor(images, [N, 1, SIZE, SIZE]), y: dg.tensor(labels, [N], { dtype: 'int32' }) };
}

async function train(backend: 'cpu' | 'webgpu'): Promise<{ losses: number[]; running: number[]; eval: number[] }> {
  await dg.init({ backend });
  dg.manualSeed(1);
  const { nn } = dg;
  const model = new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1, bias: false }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(4 * 4 * 4, 2),
  );
  const opt = new dg.optim.Adam(model.parameters(), { lr: 0.01 });
  const { x, y } = toyData();
  const losses: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    const loss = dg.tidy(() => {
      opt.zeroGrad();
      const l = dg.crossEntropy(model.forward(x), y);
      l.backward();
      opt.step();
      return l;
    });
    losses.push(await loss.item());
    loss.dispose();
  }
  const bn = model.at(1) as dg.nn.BatchNorm2d;
  const running = [...await bn.running_mean!.data(), ...await bn.running_var!.data()];
  model.eval();
  return { losses, running, eval: Array.from(await dg.noGrad(() => model.forward(x)).data()) };
}

webgpuTest(test)('a CNN with BatchNorm2d learns on webgpu, loss for loss as on cpu', async () => {
  const cpu = await train('cpu');
  const gpu = await train('webgpu');
  const shown = cpu.losses.map((l) => l.toFixed(3)).join(' ');
  assert.ok(cpu.losses[STEPS - 1]! < 0.5 * cpu.losses[0]!, `loss should fall well below its start: ${shown}`);
  for (let i = 1; i < STEPS; i++) assert.ok(cpu.losses[i]! < cpu.losses[i - 1]!, `loss should fall at every step: ${shown}`);
  assertClose(gpu.losses, cpu.losses, GPU_TOL, 'webgpu losses vs cpu losses');
  assertClose(gpu.running, cpu.running, GPU_TOL, 'running estimates after training');
  assertClose(gpu.eval, cpu.eval, GPU_TOL, 'eval-mode outputs');
});

test.run();
