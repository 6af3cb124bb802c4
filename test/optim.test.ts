// Optimizers: parameters after 5 steps with given gradients against values derived by hand
// from PyTorch's published update rules, on both backends; then state, resume and errors.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { assertClose, GPU_TOL, hasWebGpu, seeded, throwsWith } from './support/compare.js';
import { BACKEND_NAMES, backendTest, forEachBackend } from './support/webgpu.js';

const { SGD, Adam, AdamW, RMSprop } = dg.optim;
type MakeOptimizer = (params: Tensor[]) => dg.optim.Optimizer<{ lr: number }>;

const test = suite('optim');
await hasWebGpu();

/** Runs 5 steps from p0 with grads[t] as the gradient of step t; returns the parameter. */
async function run(backend: 'cpu' | 'webgpu', make: MakeOptimizer, p0: ArrayLike<number>, grads: ArrayLike<number>[]): Promise<Float32Array> {
  await dg.init({ backend });
  const p = dg.tensor(Float32Array.from(p0), [p0.length], { requiresGrad: true });
  const opt = make([p]);
  for (const g of grads) {
    opt.zeroGrad();
    p.grad = dg.tensor(Float32Array.from(g), [g.length]);
    opt.step();
  }
  return (await p.data()) as Float32Array;
}

// ---- closed forms for a constant gradient of 1 from p0 = 1, worked by hand ----------------------

const ones5 = Array.from({ length: 5 }, () => [1]);
const sum = (f: (t: number) => number) => [1, 2, 3, 4, 5].reduce((s, t) => s + f(t), 0);

const HAND: { name: string; make: MakeOptimizer; expected: number }[] = [
  // buf_t = 1 + 0.9 buf_{t-1}: 1, 1.9, 2.71, 3.439, 4.0951 (sum 13.1441); p = 1 - 0.1 * 13.1441
  { name: 'SGD momentum', make: (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9 }), expected: 1 - 1.31441 },
  // Nesterov steps by g + 0.9 buf_t: 1.9, 2.71, 3.439, 4.0951, 4.68559 (sum 16.82969)
  { name: 'SGD nesterov', make: (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true }), expected: 1 - 1.682969 },
  // dampening 0.5: buf_1 = 1 (first step copies g), then buf = 0.9 buf + 0.5: 1, 1.4, 1.76, 2.084, 2.3756
  { name: 'SGD dampening', make: (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, dampening: 0.5 }), expected: 1 - 0.1 * (1 + 1.4 + 1.76 + 2.084 + 2.3756) },
  // L2 decay: p_t = p - 0.1 (1 + 0.5 p) = 0.95 p - 0.1, fixed point -2: p_5 = -2 + 3 * 0.95^5
  { name: 'SGD weightDecay', make: (ps) => new SGD(ps, { lr: 0.1, weightDecay: 0.5 }), expected: -2 + 3 * 0.95 ** 5 },
  // With a constant gradient the bias-corrected moments are exactly g and g^2: each step moves lr * g / (|g| + eps).
  { name: 'Adam', make: (ps) => new Adam(ps, { lr: 0.1 }), expected: 1 - 5 * 0.1 / (1 + 1e-8) },
  // Decoupled decay: p_t = 0.99 p_{t-1} - 0.1 (Adam's step is still 0.1): fixed point -10.
  { name: 'AdamW', make: (ps) => new AdamW(ps, { lr: 0.1, weightDecay: 0.1 }), expected: -10 + 11 * 0.99 ** 5 },
  // square_avg_t = 1 - 0.99^t, so step t moves 0.01 / sqrt(1 - 0.99^t).
  { name: 'RMSprop', make: (ps) => new RMSprop(ps, { lr: 0.01 }), expected: 1 - sum((t) => 0.01 / (Math.sqrt(1 - 0.99 ** t) + 1e-8)) },
];

for (const c of HAND) {
  for (const b of BACKEND_NAMES) {
    backendTest(test, b)(`${c.name}: 5 steps of gradient 1 give the hand-derived value on ${b}`, async () => {
      assertClose(await run(b, c.make, [1], ones5), [c.expected], GPU_TOL, `${c.name} on ${b}`);
    });
  }
}

// ---- the published algorithms, elementwise, on varying gradients -------------------------------

/** One parameter element's trajectory under PyTorch's documented pseudo-code. */
type Rule = (p: number, grads: number[]) => number;

const sgdRule = (lr: number, mu: number, tau: number, nesterov: boolean, wd: number): Rule => (p, grads) => {
  let b = 0;
  grads.forEach((g0, i) => {
    const g = g0 + wd * p;
    b = i === 0 ? g : mu * b + (1 - tau) * g;
    p -= lr * (nesterov ? g + mu * b : b);
  });
  return p;
};

const adamRule = (lr: number, b1: number, b2: number, eps: number, wd: number, decoupled: boolean): Rule => (p, grads) => {
  let m = 0, v = 0;
  grads.forEach((g0, i) => {
    const t = i + 1;
    let g = g0;
    if (decoupled) p *= 1 - lr * wd;
    else g += wd * p;
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    const mHat = m / (1 - b1 ** t);
    const vHat = v / (1 - b2 ** t);
    p -= (lr * mHat) / (Math.sqrt(vHat) + eps);
  });
  return p;
};

const rmspropRule = (lr: number, alpha: number, eps: number, mu: number, centered: boolean, wd: number): Rule => (p, grads) => {
  let sq = 0, ga = 0, b = 0;
  for (const g0 of grads) {
    const g = g0 + wd * p;
    sq = alpha * sq + (1 - alpha) * g * g;
    let vTilde = sq;
    if (centered) {
      ga = alpha * ga + (1 - alpha) * g;
      vTilde = sq - ga * ga;
    }
    const step = g / (Math.sqrt(vTilde) + eps);
    if (mu > 0) {
      b = mu * b + step;
      p -= lr * b;
    } else {
      p -= lr * step;
    }
  }
  return p;
};

const RULES: { name: string; make: MakeOptimizer; rule: Rule }[] = [
  { name: 'SGD plain', make: (ps) => new SGD(ps, { lr: 0.05 }), rule: sgdRule(0.05, 0, 0, false, 0) },
  { name: 'SGD momentum + decay + dampening', make: (ps) => new SGD(ps, { lr: 0.05, momentum: 0.8, dampening: 0.1, weightDecay: 0.01 }), rule: sgdRule(0.05, 0.8, 0.1, false, 0.01) },
  { name: 'SGD nesterov', make: (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true }), rule: sgdRule(0.05, 0.9, 0, true, 0) },
  { name: 'Adam', make: (ps) => new Adam(ps, { lr: 0.01 }), rule: adamRule(0.01, 0.9, 0.999, 1e-8, 0, false) },
  { name: 'Adam L2 decay', make: (ps) => new Adam(ps, { lr: 0.01, betas: [0.8, 0.99], weightDecay: 0.1, eps: 1e-6 }), rule: adamRule(0.01, 0.8, 0.99, 1e-6, 0.1, false) },
  { name: 'AdamW', make: (ps) => new AdamW(ps, { lr: 0.01 }), rule: adamRule(0.01, 0.9, 0.999, 1e-8, 0.01, true) },
  { name: 'RMSprop', make: (ps) => new RMSprop(ps, { lr: 0.01, weightDecay: 0.05 }), rule: rmspropRule(0.01, 0.99, 1e-8, 0, false, 0.05) },
  { name: 'RMSprop momentum centered', make: (ps) => new RMSprop(ps, { lr: 0.01, alpha: 0.9, momentum: 0.5, centered: true }), rule: rmspropRule(0.01, 0.9, 1e-8, 0.5, true, 0) },
];

// 1 element, and 1031 (prime, several 256-element workgroups on webgpu).
for (const size of [1, 1031]) {
  for (const c of RULES) {
    for (const b of BACKEND_NAMES) {
      backendTest(test, b)(`${c.name}: ${size} element(s) follow the published rule on ${b}`, async () => {
        const p0 = seeded(size, 3);
        const grads = [0, 1, 2, 3, 4].map((t) => Array.from(seeded(size, 10 + t)));
        const expected = Array.from(p0, (p, i) => c.rule(p, grads.map((g) => g[i]!)));
        assertClose(await run(b, c.make, p0, grads), expected, GPU_TOL, `${c.name} on ${b}`);
      });
    }
  }
}

// ---- behaviour ----------------------------------------------------------------------------------

test('parameters without a gradient are left alone and keep no state', async () => {
  await dg.init({ backend: 'cpu' });
  const a = dg.tensor([1, 2], { requiresGrad: true });
  const b = dg.tensor([3], { requiresGrad: true });
  const opt = new Adam([a, b], { lr: 0.1 });
  a.grad = dg.tensor([1, 1]);
  opt.step();
  assert.equal(Array.from(await b.data()), [3]);
  assert.equal(Object.keys(opt.stateDict().state), ['0']);
});

forEachBackend(test, 'stateDict/loadStateDict resume training exactly', async (backend) => {
  const grads = [0, 1, 2, 3, 4].map((t) => Float32Array.from(seeded(7, 20 + t)));
  const straight = dg.tensor(Float32Array.from(seeded(7, 1)), [7], { requiresGrad: true });
  const optA = new Adam([straight], { lr: 0.05 });
  for (const g of grads) { straight.grad = dg.tensor(g, [7]); optA.step(); }

  const first = dg.tensor(Float32Array.from(seeded(7, 1)), [7], { requiresGrad: true });
  const optB = new Adam([first], { lr: 0.05 });
  for (const g of grads.slice(0, 3)) { first.grad = dg.tensor(g, [7]); optB.step(); }
  const saved = optB.stateDict();
  assert.equal(Object.keys(saved.state[0]!).sort(), ['exp_avg', 'exp_avg_sq', 'step'], `${backend}: state keys`);
  assert.is(saved.state[0]!.step, 3);
  assert.equal(saved.paramGroups[0]!.params, [0]);

  const resumed = dg.tensor(await first.data(), [7], { requiresGrad: true });
  const optC = new Adam([resumed], { lr: 0.5 });
  optC.loadStateDict(saved);
  assert.is(optC.lr, 0.05, `${backend}: lr restored`);
  for (const g of grads.slice(3)) { resumed.grad = dg.tensor(g, [7]); optC.step(); }
  assertClose(await resumed.data(), await straight.data(), GPU_TOL, `${backend}: resumed vs straight`);
});

test('parameter groups take their own options over the defaults', async () => {
  await dg.init({ backend: 'cpu' });
  const a = dg.tensor([1], { requiresGrad: true });
  const b = dg.tensor([1], { requiresGrad: true });
  const opt = new SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
  a.grad = dg.tensor([1]);
  b.grad = dg.tensor([1]);
  opt.step();
  assertClose(await a.data(), [0.9], GPU_TOL, 'group 0');
  assertClose(await b.data(), [0.5], GPU_TOL, 'group 1');
});

test('zeroGrad drops every gradient', async () => {
  await dg.init({ backend: 'cpu' });
  const a = dg.tensor([1, 2], { requiresGrad: true });
  a.mul(a).sum().backward();
  const opt = new SGD([a], { lr: 0.1 });
  opt.zeroGrad();
  assert.is(a.grad, null);
});

forEachBackend(test, 'clipGradNorm scales gradients to the global norm on both backends', async (backend) => {
  const a = dg.tensor([1, 2], { requiresGrad: true });
  const b = dg.tensor([3], { requiresGrad: true });
  a.grad = dg.tensor([3, 0]);
  b.grad = dg.tensor([4]);
  const norm = dg.optim.clipGradNorm([a, b], 1);
  assertClose([await norm.item()], [5], GPU_TOL, `${backend}: norm`);
  assertClose(await a.grad.data(), [0.6, 0], GPU_TOL, `${backend}: a.grad`);
  assertClose(await b.grad!.data(), [0.8], GPU_TOL, `${backend}: b.grad`);
  // Under the limit nothing changes.
  dg.optim.clipGradNorm([a, b], 10);
  assertClose(await b.grad!.data(), [0.8], GPU_TOL, `${backend}: unclipped`);
});

test('schedulers set lr from their closed forms', async () => {
  await dg.init({ backend: 'cpu' });
  const p = () => [dg.tensor([0], { requiresGrad: true })];
  const lrs = (s: { step(): void; getLastLr(): number[] }, n: number) => Array.from({ length: n }, () => { s.step(); return s.getLastLr()[0]!; });
  assertClose(lrs(new dg.optim.StepLR(new SGD(p(), { lr: 1 }), { stepSize: 2, gamma: 0.5 }), 5), [1, 0.5, 0.5, 0.25, 0.25], GPU_TOL, 'StepLR');
  assertClose(lrs(new dg.optim.ExponentialLR(new SGD(p(), { lr: 1 }), { gamma: 0.9 }), 3), [0.9, 0.81, 0.729], GPU_TOL, 'ExponentialLR');
  assertClose(lrs(new dg.optim.CosineAnnealingLR(new SGD(p(), { lr: 1 }), { tMax: 4, etaMin: 0.2 }), 4),
    [0.2 + 0.8 * (1 + Math.SQRT1_2) / 2, 0.6, 0.2 + 0.8 * (1 - Math.SQRT1_2) / 2, 0.2], GPU_TOL, 'CosineAnnealingLR');
});

test('ReduceLROnPlateau cuts lr after `patience` epochs without improvement', async () => {
  await dg.init({ backend: 'cpu' });
  const opt = new SGD([dg.tensor([0], { requiresGrad: true })], { lr: 1 });
  const s = new dg.optim.ReduceLROnPlateau(opt, { patience: 2, factor: 0.5 });
  for (const loss of [1, 0.9, 0.95, 0.95]) s.step(loss);
  assert.is(opt.lr, 1, 'two bad epochs are within patience');
  s.step(0.95);
  assert.is(opt.lr, 0.5, 'the third bad epoch cuts lr');
});

test('bad options are clear errors', async () => {
  await dg.init({ backend: 'cpu' });
  const p = [dg.tensor([0], { requiresGrad: true })];
  throwsWith(() => new SGD(p, { lr: -1 }), ['SGD', 'lr', '-1'], 'negative lr');
  throwsWith(() => new SGD(p, { lr: 0.1, nesterov: true }), ['SGD', 'nesterov', 'momentum > 0'], 'nesterov without momentum');
  throwsWith(() => new Adam(p, { betas: [0.9, 1] }), ['Adam', 'beta2', '[0, 1)'], 'beta2 = 1');
  throwsWith(() => new RMSprop([]), ['RMSprop', 'empty'], 'no parameters');
  throwsWith(() => new SGD([p[0]!, p[0]!]), ['SGD', 'more than once'], 'duplicate parameter');
  throwsWith(() => new SGD([dg.tensor([1], { dtype: 'int32' })]), ['SGD', 'float32', 'int32'], 'int parameter');
  throwsWith(() => dg.optim.clipGradNorm(p, 0), ['clipGradNorm', 'maxNorm'], 'maxNorm 0');
});

test.run();
