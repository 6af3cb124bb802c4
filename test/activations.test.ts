// silu, softplus, elu, hardswish, mish, logSigmoid, log1p, expm1 and clamp beyond the op table
// (test/support/opCases.ts has their GPU-vs-cpu and finite-difference rows): accuracy near 0,
// the far tails where a naive formula overflows or cancels, PyTorch's values at the kinks,
// clamp's gradient at its bounds, the nn layers and their saved architecture, bad arguments.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { assertClose, GPU_TOL, hasWebGpu, seeded, throwsWith } from './support/compare.js';
import { forEachBackend } from './support/webgpu.js';

const { nn } = dg;
const t = suite('activations');
await hasWebGpu();

/** Values and input gradients of fn at xs (the gradient of sum(fn(x))). */
async function valueAndGrad(xs: number[], fn: (x: Tensor) => Tensor): Promise<{ y: number[]; dx: number[] }> {
  const x = dg.tensor(xs, { requiresGrad: true });
  const y = fn(x);
  y.sum().backward();
  return { y: [...(await y.data())], dx: [...(await x.grad!.data())] };
}

const f32 = (v: number[]) => [...Float32Array.from(v)];
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/**
 * log1p and expm1 where 1 + x loses x's digits, against float64 on the same float32 inputs.
 * Relative only (no atol): float32 rounds each step by up to 6e-8 relative, and the kernels'
 * few steps stay within ~4 of those; 1e-6 leaves margin, while log(1 + x) or exp(x) - 1 in
 * float32 are off by 100% at 1e-8 and by ~1e-4 at 1e-3.
 */
const NEAR_ZERO_RTOL = { atol: 0, rtol: 1e-6 };
const NEAR_ZERO = f32([1e-8, -3e-8, 1e-6, -2.5e-5, 3e-4, -1e-3, 0.01, -0.05, 0.2, -0.29, 0.34, -0.34, 0.41]);

forEachBackend(t, 'log1p and expm1 keep their relative accuracy near 0', async (backend) => {
  const x = dg.tensor(NEAR_ZERO);
  assertClose(await x.log1p().data(), NEAR_ZERO.map(Math.log1p), NEAR_ZERO_RTOL, `${backend} log1p`);
  assertClose(await x.expm1().data(), NEAR_ZERO.map(Math.expm1), NEAR_ZERO_RTOL, `${backend} expm1`);
});

// Far tails, checked relative to float64 of the plain definitions. Each line is one that a
// naive float32 form gets wrong: exp(30)^2 overflows, 1 - sigmoid(30) is 0, log(1 + 1e-13) is 0.
const TAILS = [-100, -30, -10, 10, 30, 100];
const TAIL_TOL = { atol: 0, rtol: 1e-5 };
const TAIL_CASES: [string, (x: Tensor) => Tensor, (v: number) => number, (v: number) => number][] = [
  ['softplus', (x) => x.softplus(), (v) => (v > 20 ? v : Math.log1p(Math.exp(v))), (v) => (v > 20 ? 1 : sigmoid(v))],
  ['logSigmoid', (x) => x.logSigmoid(), (v) => -Math.log1p(Math.exp(-v)), (v) => sigmoid(-v)],
  ['silu', (x) => x.silu(), (v) => v * sigmoid(v), (v) => sigmoid(v) * (1 + v * (1 - sigmoid(v)))],
  ['mish', (x) => x.mish(), (v) => v * Math.tanh(Math.log1p(Math.exp(v))),
    (v) => { const th = Math.tanh(Math.log1p(Math.exp(v))); return th + v * sigmoid(v) * (1 - th * th); }],
  ['elu', (x) => x.elu(), (v) => (v > 0 ? v : Math.expm1(v)), (v) => (v > 0 ? 1 : Math.exp(v))],
];

for (const [name, fn, value, slope] of TAIL_CASES) {
  forEachBackend(t, `${name} in the far tails`, async (backend) => {
    // -100 is left out where float32 has no normal number for the answer (e^-100).
    const xs = TAILS.filter((v) => Math.abs(value(v)) > 1e-30 && Math.abs(slope(v)) > 1e-30);
    const { y, dx } = await valueAndGrad(xs, fn);
    assertClose(y, f32(xs.map(value)), TAIL_TOL, `${backend} ${name}(${xs.join(', ')})`);
    assertClose(dx, f32(xs.map(slope)), TAIL_TOL, `${backend} ${name}' (${xs.join(', ')})`);
  });
}

forEachBackend(t, 'values PyTorch gives at 1 and at the kinks', async (backend) => {
  const one = dg.tensor([1]);
  // torch.nn.functional.<op>(torch.tensor([1.])) in float64.
  const want: [string, Tensor, number][] = [
    ['silu', one.silu(), 0.7310585786300049],
    ['softplus', one.softplus(), 1.3132616875182228],
    ['softplus beta 2', one.softplus({ beta: 2 }), 1.0634640055214863],
    ['elu -1', one.neg().elu(), -0.6321205588285577],
    ['hardswish', one.hardswish(), 0.6666666666666666],
    ['mish', one.mish(), 0.8650983882673103],
    ['logSigmoid', one.logSigmoid(), -0.31326168751822286],
    ['log1p', one.log1p(), 0.6931471805599453],
    ['expm1', one.expm1(), 1.718281828459045],
  ];
  for (const [what, got, v] of want) assertClose(await got.data(), [v], GPU_TOL, `${backend} ${what}`);
  // hardswish's one-sided slopes at -3 and 3 (PyTorch's hardswish_backward); elu's at 0 is alpha.
  const hs = await valueAndGrad([-3.5, -3, 0, 3, 3.5], (x) => x.hardswish());
  assertClose(hs.y, [0, 0, 0, 3, 3.5], GPU_TOL, `${backend} hardswish`);
  assertClose(hs.dx, [0, -0.5, 0.5, 1.5, 1], GPU_TOL, `${backend} hardswish'`);
  assertClose((await valueAndGrad([0], (x) => x.elu(0.3))).dx, [0.3], GPU_TOL, `${backend} elu'(0)`);
  // softplus above the threshold is x itself, with slope 1, on beta * x (PyTorch's rule).
  const sp = await valueAndGrad([0.49, 0.51], (x) => x.softplus({ beta: 2, threshold: 1 }));
  assertClose(sp.y, [Math.log1p(Math.exp(0.98)) / 2, 0.51], GPU_TOL, `${backend} softplus at its threshold`);
  assertClose(sp.dx, [sigmoid(0.98), 1], GPU_TOL, `${backend} softplus' at its threshold`);
});

forEachBackend(t, 'clamp passes the gradient where min <= x <= max, bounds included, with either bound alone', async (backend) => {
  const xs = [-1, -0.5, 0.2, 0.7, 1];
  const both = await valueAndGrad(xs, (x) => x.clamp(-0.5, 0.7));
  assertClose(both.y, f32([-0.5, -0.5, 0.2, 0.7, 0.7]), GPU_TOL, `${backend} clamp values`);
  assert.equal(both.dx, [0, 1, 1, 1, 0], `${backend} clamp(-0.5, 0.7)'`);
  assert.equal((await valueAndGrad(xs, (x) => x.clamp(-0.5))).dx, [0, 1, 1, 1, 1], `${backend} clamp(min)'`);
  assert.equal((await valueAndGrad(xs, (x) => dg.clamp(x, undefined, 0.7))).dx, [1, 1, 1, 1, 0], `${backend} clamp(max)'`);
  // min > max gives max everywhere and no gradient anywhere, as torch.clamp.
  const crossed = await valueAndGrad(xs, (x) => x.clamp(1, 0));
  assert.equal(crossed.y, [0, 0, 0, 0, 0], `${backend} crossed bounds`);
  assert.equal(crossed.dx, [0, 0, 0, 0, 0], `${backend} crossed bounds'`);
});

forEachBackend(t, 'relu keeps NaN as PyTorch does, and passes no gradient through it', async (backend) => {
  const { y, dx } = await valueAndGrad([NaN, -1, 0, 2], (x) => x.relu());
  assert.ok(Number.isNaN(y[0]), `${backend} relu(NaN) = ${y[0]}`);
  assert.equal(y.slice(1), [0, 0, 2], `${backend} relu`);
  assert.equal(dx, [0, 0, 0, 1], `${backend} relu gradient`);
});

t('the activation layers apply their ops and survive dg.save / dg.load', async () => {
  await dg.init({ backend: 'cpu' });
  dg.manualSeed(3);
  const layers = [new nn.SiLU(), new nn.Softplus(2, 5), new nn.ELU(0.5), new nn.Hardswish(), new nn.Mish(), new nn.LogSigmoid()];
  const x = dg.tensor(Float32Array.from(seeded(12, 5)), [3, 4]);
  const ops = [(v: Tensor) => v.silu(), (v: Tensor) => v.softplus({ beta: 2, threshold: 5 }), (v: Tensor) => v.elu(0.5),
    (v: Tensor) => v.hardswish(), (v: Tensor) => v.mish(), (v: Tensor) => v.logSigmoid()];
  for (let i = 0; i < layers.length; i++) {
    assertClose(await layers[i]!.forward(x).data(), await ops[i]!(x).data(), { atol: 0, rtol: 0 }, layers[i]!.constructor.name);
  }
  const model = new nn.Sequential(new nn.Linear(4, 5), ...layers);
  const back = await dg.load(await dg.save(model));
  assert.equal(back.spec(), model.spec());
  assert.equal((back as dg.nn.Sequential).at(2)!.config(), { beta: 2, threshold: 5 });
  assertClose(await (back.forward(x) as Tensor).data(), await model.forward(x).data(), { atol: 0, rtol: 0 }, 'loaded model');
});

t('bad arguments are refused with the op, the value and what was expected', async () => {
  await dg.init({ backend: 'cpu' });
  const x = dg.tensor([1, 2]);
  throwsWith(() => x.softplus({ beta: 0 }), ['softplus', 'beta', 'non-zero', '0'], 'beta 0');
  throwsWith(() => x.softplus({ threshold: NaN }), ['softplus', 'threshold', 'NaN'], 'threshold NaN');
  throwsWith(() => x.softplus({ alpha: 1 } as never), ['softplus', "unknown option 'alpha'", 'beta, threshold'], 'unknown option');
  throwsWith(() => x.elu(Infinity), ['elu', 'alpha', 'finite', 'Infinity'], 'elu alpha');
  throwsWith(() => x.clamp(NaN), ['clamp', 'min', 'NaN'], 'clamp NaN');
  throwsWith(() => new nn.Softplus(0), ['Softplus', 'beta', '0'], 'layer beta');
  throwsWith(() => new nn.ELU(NaN), ['ELU', 'alpha', 'NaN'], 'layer alpha');
});

t.run();
