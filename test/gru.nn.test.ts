// nn.GRU and nn.GRUCell as layers: PyTorch's parameter names and shapes, one step checked
// against the equations worked out by hand, padded batches that do not disturb shorter
// examples, Sequential with AllSteps/LastStep, saving and rebuilding, and misuse errors.
// (Initialisation and dropout: test/lstm.nn.test.ts, for both layers.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { assertClose, GPU_TOL, gradCheck, hasWebGpu, seeded, throwsWith } from './support/compare.js';
import { forEachBackend } from './support/webgpu.js';

await hasWebGpu();
const { nn } = dg;

const shapesOf = (m: dg.nn.Module<unknown[], unknown>) => Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, [...t.shape]]));

const params = suite('nn.GRU and nn.GRUCell: parameters');

params('GRU state-dict keys, their order and shapes are PyTorch\'s', async () => {
  await dg.init({ backend: 'cpu' });
  const expected: Record<string, number[]> = {};
  for (const l of [0, 1]) {
    for (const suffix of ['', '_reverse']) {
      expected[`weight_ih_l${l}${suffix}`] = [15, l === 0 ? 3 : 10];
      expected[`weight_hh_l${l}${suffix}`] = [15, 5];
      expected[`bias_ih_l${l}${suffix}`] = [15];
      expected[`bias_hh_l${l}${suffix}`] = [15];
    }
  }
  const shapes = shapesOf(new nn.GRU(3, 5, { numLayers: 2, bidirectional: true }));
  assert.equal(Object.keys(shapes), Object.keys(expected), 'key order follows PyTorch');
  assert.equal(shapes, expected);
  assert.equal(shapesOf(new nn.GRU(2, 4, { bias: false })), { weight_ih_l0: [12, 2], weight_hh_l0: [12, 4] });
});

params('GRUCell keys are weight_ih, weight_hh, bias_ih, bias_hh with PyTorch\'s shapes', async () => {
  await dg.init({ backend: 'cpu' });
  assert.equal(shapesOf(new nn.GRUCell(3, 4)), { weight_ih: [12, 3], weight_hh: [12, 4], bias_ih: [12], bias_hh: [12] });
  assert.equal(shapesOf(new nn.GRUCell(3, 4, { bias: false })), { weight_ih: [12, 3], weight_hh: [12, 4] });
});

params.run();

const formula = suite('nn.GRUCell: one step by the equations');

// One step with hidden size 2 and input size 1, every weight chosen by hand. PyTorch's
// equations, evaluated here in plain numbers (rows of W in gate order r, z, n):
//   r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
//   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h.
const X = 0.5;
const Hprev = [0.3, -0.6];
const W_IH = [0.2, -0.4, 0.7, 0.1, -0.9, 0.5]; // [6, 1]
const W_HH = [0.3, -0.2, 0.5, 0.4, -0.1, 0.6, 0.2, 0.8, -0.7, 0.3, 0.9, -0.5]; // [6, 2]
const B_IH = [0.1, -0.2, 0.05, 0.3, -0.1, 0.2];
const B_HH = [-0.3, 0.1, 0.2, -0.05, 0.4, -0.25];

function byHand(): number[] {
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const hh = (row: number) => W_HH[2 * row]! * Hprev[0]! + W_HH[2 * row + 1]! * Hprev[1]! + B_HH[row]!;
  const ih = (row: number) => W_IH[row]! * X + B_IH[row]!;
  return [0, 1].map((j) => {
    const r = sig(ih(j) + hh(j));
    const z = sig(ih(2 + j) + hh(2 + j));
    const n = Math.tanh(ih(4 + j) + r * hh(4 + j));
    return (1 - z) * n + z * Hprev[j]!;
  });
}

forEachBackend(formula, 'h\' = (1 - z) * n + z * h with n = tanh(W_in x + b_in + r * (W_hn h + b_hn))', async () => {
  const cell = new nn.GRUCell(1, 2);
  cell.loadStateDict({
    weight_ih: dg.tensor(W_IH, [6, 1]), weight_hh: dg.tensor(W_HH, [6, 2]), bias_ih: dg.tensor(B_IH, [6]), bias_hh: dg.tensor(B_HH, [6]),
  });
  const expected = byHand();
  assertClose(await cell.forward(dg.tensor([[X]]), dg.tensor([Hprev])).data(), expected, GPU_TOL, 'batched step');
  assertClose(await cell.forward(dg.tensor([X]), dg.tensor(Hprev)).data(), expected, GPU_TOL, 'unbatched step');
  // The same weights as a one-layer nn.GRU over a one-step sequence.
  const layer = new nn.GRU(1, 2);
  layer.loadStateDict({
    weight_ih_l0: dg.tensor(W_IH, [6, 1]), weight_hh_l0: dg.tensor(W_HH, [6, 2]), bias_ih_l0: dg.tensor(B_IH, [6]), bias_hh_l0: dg.tensor(B_HH, [6]),
  });
  const [out, hN] = layer.forward(dg.tensor([[[X]]]), dg.tensor([[Hprev]]));
  assertClose(await out.data(), expected, GPU_TOL, 'nn.GRU output');
  assertClose(await hN.data(), expected, GPU_TOL, 'nn.GRU hN');
});

formula('GRUCell without h starts from zeros, and its gradients pass the float64 check', async () => {
  await dg.init({ backend: 'cpu' });
  dg.manualSeed(2);
  const cell = new nn.GRUCell(3, 4);
  const x = dg.randn([2, 3]);
  assertClose(await cell.forward(x).data(), await cell.forward(x, dg.zeros([2, 4])).data(), { atol: 0, rtol: 0 }, 'h defaults to zeros');
  await gradCheck([{ shape: [2, 3] }, { shape: [2, 4] }], (xx, h) => cell.forward(xx!, h).square().sum(), 'GRUCell');
});
formula.run();

const padding = suite('nn.GRU: padded batches');

forEachBackend(padding, 'with lengths or a front-padding mask, each example matches its own unpadded sequence', async () => {
  dg.manualSeed(5);
  const m = new nn.GRU(3, 5, { numLayers: 2, bidirectional: true, batchFirst: true });
  const T = 6;
  const lengths = [6, 2, 4];
  // Padding holds arbitrary values: the mask, not zeros in x, must keep them out.
  const x = dg.tensor(Float32Array.from(seeded(3 * T * 3, 21)), [3, T, 3]);
  const maskValues = new Float32Array(3 * T);
  lengths.forEach((len, b) => maskValues.fill(1, b * T + T - len, (b + 1) * T));
  const [outLen, hLen] = m.forward(x, null, { lengths });
  const [outMask, hMask] = m.forward(x, null, { mask: dg.tensor(maskValues, [3, T]) });
  for (let b = 0; b < 3; b++) {
    const len = lengths[b]!;
    const F = 10;
    const [back, hBack] = m.forward(x.narrow(0, b, 1).narrow(1, 0, len));
    const [front, hFront] = m.forward(x.narrow(0, b, 1).narrow(1, T - len, len));
    const rowLen = (await outLen.narrow(0, b, 1).data()) as Float32Array;
    const rowMask = (await outMask.narrow(0, b, 1).data()) as Float32Array;
    assertClose([...rowLen.slice(0, len * F)], await back.data(), GPU_TOL, `lengths: example ${b} outputs`);
    assert.ok(rowLen.slice(len * F).every((v) => v === 0), `lengths: example ${b} outputs past its length are zero`);
    assertClose(await hLen.narrow(1, b, 1).data(), await hBack.data(), GPU_TOL, `lengths: example ${b} hN`);
    assertClose([...rowMask.slice((T - len) * F)], await front.data(), GPU_TOL, `mask: example ${b} outputs`);
    assert.ok(rowMask.slice(0, (T - len) * F).every((v) => v === 0), `mask: example ${b} masked steps output zero`);
    assertClose(await hMask.narrow(1, b, 1).data(), await hFront.data(), GPU_TOL, `mask: example ${b} hN`);
  }
});
padding.run();

const layers = suite('nn.GRU in models');

layers('the reverse direction is a forward GRU over the time-reversed sequence', async () => {
  await dg.init({ backend: 'cpu' });
  dg.manualSeed(4);
  const T = 4;
  const bi = new nn.GRU(2, 3, { bidirectional: true });
  const fwdOnly = new nn.GRU(2, 3);
  const sd = bi.stateDict();
  fwdOnly.loadStateDict(Object.fromEntries(['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'].map((k) => [`${k}_l0`, sd[`${k}_l0_reverse`]!])));
  const x = dg.tensor(Float32Array.from(seeded(T * 2 * 2, 6)), [T, 2, 2]);
  const flip = (t: Tensor) => dg.cat(Array.from({ length: T }, (_, i) => t.narrow(0, T - 1 - i, 1)), 0);
  const [out, h] = bi.forward(x);
  const [outRev, hRev] = fwdOnly.forward(flip(x));
  assertClose(await out.narrow(2, 3, 3).data(), await flip(outRev).data(), GPU_TOL, 'reverse half of the output');
  assertClose(await h.narrow(0, 1, 1).data(), await hRev.data(), GPU_TOL, 'hN of the reverse direction');
});

layers('a stacked Sequential with AllSteps and LastStep picks the GRU\'s last step and survives dg.save/dg.load', async () => {
  await dg.init({ backend: 'cpu' });
  dg.manualSeed(9);
  const gru = new nn.GRU(2, 3, { batchFirst: true, bidirectional: true });
  const m = new nn.Sequential(gru, new nn.AllSteps(), new nn.GRU(6, 3, { batchFirst: true, numLayers: 2, dropout: 0.25 }), new nn.LastStep(), new nn.Linear(3, 1));
  m.eval();
  const x = dg.randn([2, 4, 2]);
  const [out, hN] = gru.forward(x);
  assertClose(await new nn.LastStep().forward([out, hN]).data(), await dg.cat([out.narrow(1, 3, 1).narrow(2, 0, 3), out.narrow(1, 0, 1).narrow(2, 3, 3)], 2).data(), GPU_TOL, 'LastStep of a BiGRU');
  assert.equal(await new nn.AllSteps().forward([out, hN]).array(), await out.array());
  const dir = mkdtempSync(join(tmpdir(), 'dawngrad-gru-'));
  try {
    await dg.save(m, join(dir, 'gru.safetensors'));
    const copy = await dg.load(join(dir, 'gru.safetensors'));
    copy.eval();
    assert.equal(Object.keys(copy.stateDict()), Object.keys(m.stateDict()));
    assertClose(await (copy.forward(x) as Tensor).data(), await m.forward(x).data(), { atol: 0, rtol: 0 }, 'rebuilt model predicts the same');
    const cell = dg.nn.buildLayer(new nn.GRUCell(3, 2, { bias: false }).spec());
    assert.equal(Object.keys(cell.stateDict()), ['weight_ih', 'weight_hh']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

layers('bad shapes, lengths and sizes are errors that say what was expected', async () => {
  await dg.init({ backend: 'cpu' });
  const m = new nn.GRU(3, 4, { batchFirst: true });
  throwsWith(() => m.forward(dg.zeros([2, 5, 7])), ['gru', '[batch, T, input]', 'input=3', '[2, 5, 7]'], 'input size');
  throwsWith(() => m.forward(dg.zeros([2, 5, 3]), dg.zeros([1, 2, 5])), ['gru', 'h0', '[1, 2, 4]', '[1, 2, 5]'], 'h0 shape');
  throwsWith(() => m.forward(dg.zeros([2, 5, 3]), null, { lengths: [5, 6] }), ['gru', 'length 6 of example 1', '[1, 5]'], 'length too long');
  throwsWith(() => m.forward(dg.zeros([2, 5, 3]), null, { mask: dg.ones([5, 2]) }), ['gru', 'mask', '[batch, T]', '[2, 5]', '[5, 2]'], 'mask shape');
  throwsWith(() => new nn.GRU(3, 0), ['GRU', 'hiddenSize', '0'], 'hidden size');
  throwsWith(() => new nn.GRU(3, 4, { dropout: -1 }), ['GRU', 'dropout', '-1'], 'dropout');
  throwsWith(() => dg.gru(dg.zeros([5, 2, 3]), [{ weightIh: dg.zeros([16, 3]), weightHh: dg.zeros([16, 4]) }]), ['gru', 'weight_ih_l0', '[3 * hidden, layer input]', '[12, 3]', '[16, 3]'], 'LSTM-sized weights');
  throwsWith(() => new nn.GRUCell(3, 4).forward(dg.zeros([2, 5])), ['gruCell', 'input=3', '[2, 5]'], 'cell input');
  throwsWith(() => new nn.GRUCell(3, 4).forward(dg.zeros([2, 3]), dg.zeros([2, 5])), ['gruCell', 'h', '[2, 4]', '[2, 5]'], 'cell state');
  throwsWith(() => new nn.GRUCell(3, 4).forward(dg.zeros([2, 3, 1])), ['GRUCell', '[2, 3, 1]'], 'cell input rank');
});
layers.run();
