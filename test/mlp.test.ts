// End to end: a 3-layer MLP trained with plain gradient descent on a toy problem reaches low
// loss on webgpu, step for step the same losses as on the cpu reference.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { assertClose, GPU_TOL, seeded } from './support/compare.js';
import { webgpuTest } from './support/webgpu.js';

/** Two interleaved classes on concentric circles: not linearly separable. */
function rings(n: number): { x: Float32Array; y: Float32Array } {
  const u = seeded(2 * n, 3, 'uniform');
  const x = new Float32Array(2 * n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = i % 2 === 0 ? 0.5 : 1.0;
    const a = Math.PI * u[2 * i]!;
    const jitter = 0.05 * u[2 * i + 1]!;
    x[2 * i] = (r + jitter) * Math.cos(a);
    x[2 * i + 1] = (r + jitter) * Math.sin(a);
    y[i] = i % 2;
  }
  return { x, y };
}

async function train(backend: 'cpu' | 'webgpu', steps: number): Promise<number[]> {
  await dg.init({ backend });
  const { x, y } = rings(64);
  const X = dg.tensor(x, [64, 2]);
  const Y = dg.tensor(y, [64, 1]);
  const init = (rows: number, cols: number, seed: number) =>
    dg.tensor(Float32Array.from(seeded(rows * cols, seed), (v) => v / Math.sqrt(rows)), [rows, cols], { requiresGrad: true });
  let params: Tensor[] = [init(2, 32, 1), dg.zeros([32], { requiresGrad: true }), init(32, 32, 2), dg.zeros([32], { requiresGrad: true }), init(32, 1, 4), dg.zeros([1], { requiresGrad: true })];
  const losses: Tensor[] = [];
  for (let s = 0; s < steps; s++) {
    const [w1, b1, w2, b2, w3, b3] = params as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
    const loss = dg.tidy(() => {
      const h = X.matmul(w1).add(b1).tanh().matmul(w2).add(b2).tanh();
      const logits = h.matmul(w3).add(b3);
      // Binary cross-entropy with logits, written out: softplus(z) - y z, stable for large |z|.
      const l = logits.relu().add(logits.abs().neg().exp().add(1).log()).sub(logits.mul(Y)).mean();
      l.backward();
      return l;
    });
    losses.push(loss);
    params = dg.noGrad(() => params.map((p) => {
      const next = dg.keep(p.sub(p.grad!.mul(0.5))).requiresGrad_();
      p.dispose();
      return next;
    }));
  }
  // One read at the end: the loop itself never waits for the GPU.
  const values: number[] = [];
  for (const l of losses) values.push(await l.item());
  return values;
}

const t = suite('3-layer MLP with gradient descent');
webgpuTest(t)('reaches low loss on webgpu with the same losses as on cpu', async () => {
  const steps = 150;
  const cpu = await train('cpu', steps);
  const gpu = await train('webgpu', steps);
  assert.ok(gpu[0]! > 0.6, `starts near chance (ln 2): ${gpu[0]}`);
  assert.ok(gpu[steps - 1]! < 0.1, `ends at low loss: ${gpu[steps - 1]}`);
  assertClose(gpu, cpu, GPU_TOL, 'loss trajectory');
});
t.run();
