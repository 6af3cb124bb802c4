// nn.LSTM and nn.Embedding as layers: PyTorch's parameter names and initialisation (with
// nn.GRU's and GRUCell's), dropout between layers (LSTM and GRU), padded batches that do not
// disturb shorter examples, and a small LSTM that learns a sequence task on webgpu exactly as
// it does on the cpu reference.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { assertClose, GPU_TOL, hasWebGpu, seeded, throwsWith } from './support/compare.js';
import { BACKEND_NAMES, backendTest, webgpuTest } from './support/webgpu.js';

await hasWebGpu();

const layers = suite('nn.LSTM and nn.Embedding: parameters');

layers('LSTM state-dict keys and shapes are PyTorch\'s', async () => {
  await dg.init({ backend: 'cpu' });
  const m = new dg.nn.LSTM(3, 5, { numLayers: 2, bidirectional: true });
  const shapes = Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, [...t.shape]]));
  const expected: Record<string, number[]> = {};
  for (const l of [0, 1]) {
    for (const suffix of ['', '_reverse']) {
      expected[`weight_ih_l${l}${suffix}`] = [20, l === 0 ? 3 : 10];
      expected[`weight_hh_l${l}${suffix}`] = [20, 5];
      expected[`bias_ih_l${l}${suffix}`] = [20];
      expected[`bias_hh_l${l}${suffix}`] = [20];
    }
  }
  assert.equal(Object.keys(shapes), Object.keys(expected), 'key order follows PyTorch');
  assert.equal(shapes, expected);
  assert.equal(Object.keys(new dg.nn.LSTM(2, 4, { bias: false }).stateDict()), ['weight_ih_l0', 'weight_hh_l0']);
});

for (const [name, make] of [['LSTM', () => new dg.nn.LSTM(4, 16)], ['GRU', () => new dg.nn.GRU(4, 16)], ['GRUCell', () => new dg.nn.GRUCell(4, 16)]] as const) {
  layers(`${name} weights start in U(-1/sqrt(H), 1/sqrt(H)) and are not all alike`, async () => {
    await dg.init({ backend: 'cpu' });
    dg.manualSeed(3);
    for (const [key, p] of make().namedParameters()) {
      const v = [...(await p.data())];
      assert.ok(v.every((x) => Math.abs(x) <= 0.25), `${key} within the bound 1/sqrt(16)`);
      assert.ok(Math.max(...v) - Math.min(...v) > 0.2, `${key} spread over the range`);
    }
  });
}

layers('Embedding has one weight [numEmbeddings, embeddingDim] and rebuilds from its spec', async () => {
  await dg.init({ backend: 'cpu' });
  const e = new dg.nn.Embedding(10, 3);
  assert.equal(Object.keys(e.stateDict()), ['weight']);
  assert.equal([...e.weight.shape], [10, 3]);
  const out = e.forward(dg.tensor(new Int32Array([1, 9, 1, 0, 2, 2]), [2, 3]));
  assert.equal([...out.shape], [2, 3, 3]);
  const copy = dg.nn.buildLayer(e.spec()) as InstanceType<typeof dg.nn.Embedding>;
  assert.equal([copy.numEmbeddings, copy.embeddingDim], [10, 3]);
  const lstm = dg.nn.buildLayer(new dg.nn.LSTM(3, 4, { numLayers: 2, batchFirst: true, bidirectional: true }).spec());
  assert.equal(Object.keys(lstm.stateDict()).length, 16);
});

layers('bad shapes, lengths and sizes are errors that say what was expected', async () => {
  await dg.init({ backend: 'cpu' });
  const m = new dg.nn.LSTM(3, 4, { batchFirst: true });
  throwsWith(() => m.forward(dg.zeros([2, 5, 7])), ['lstm', '[batch, T, input]', 'input=3', '[2, 5, 7]'], 'input size');
  throwsWith(() => m.forward(dg.zeros([5, 3])), ['lstm', '[5, 3]'], 'input rank');
  throwsWith(() => m.forward(dg.zeros([2, 5, 3]), [dg.zeros([1, 2, 5]), dg.zeros([1, 2, 4])]), ['h0', '[1, 2, 4]', '[1, 2, 5]'], 'state shape');
  throwsWith(() => m.forward(dg.zeros([2, 5, 3]), null, { lengths: [5] }), ['expected 2 lengths'], 'lengths count');
  throwsWith(() => m.forward(dg.zeros([2, 5, 3]), null, { lengths: [5, 6] }), ['length 6 of example 1', '[1, 5]'], 'length too long');
  throwsWith(() => m.forward(dg.zeros([2, 5, 3]), null, { mask: dg.ones([5, 2]) }), ['lstm', 'mask', '[batch, T]', '[2, 5]', '[5, 2]'], 'mask shape');
  throwsWith(() => m.forward(dg.zeros([2, 5, 3]), null, { mask: dg.ones([2, 5]), lengths: [5, 5] }), ['lstm', 'either lengths or mask'], 'mask and lengths');
  throwsWith(() => new dg.nn.LSTM(3, 0), ['LSTM', 'hiddenSize', '0'], 'hidden size');
  throwsWith(() => new dg.nn.LSTM(3, 4, { dropout: 1.5 }), ['LSTM', 'dropout', '1.5'], 'dropout');
  throwsWith(() => dg.lstmCell(dg.zeros([2, 3]), dg.zeros([2, 4]), dg.zeros([2, 4]), dg.zeros([16, 5]), dg.zeros([16, 4])), ['lstmCell', 'input=5', '[2, 3]'], 'cell input');
});
for (const [name, make] of [['LSTM', (p: number) => new dg.nn.LSTM(3, 4, { numLayers: 2, dropout: p })], ['GRU', (p: number) => new dg.nn.GRU(3, 4, { numLayers: 2, dropout: p })]] as const) {
  webgpuTest(layers)(`${name}: dropout acts between layers in training only, with the same seeded masks on every backend`, async () => {
    const run = async (backend: 'cpu' | 'webgpu', training: boolean, dropout: number) => {
      await dg.init({ backend });
      dg.manualSeed(8);
      const m = make(dropout);
      m.train(training);
      return m.forward(dg.tensor(Float32Array.from(seeded(5 * 2 * 3, 2)), [5, 2, 3]))[0].data();
    };
    const plain = await run('cpu', true, 0);
    assertClose(await run('cpu', false, 0.5), plain, { atol: 0, rtol: 0 }, 'eval mode ignores dropout');
    const dropped = await run('cpu', true, 0.5);
    assert.ok(dropped.some((v, i) => Math.abs(v - plain[i]!) > 1e-3), 'training mode drops');
    assertClose(await run('webgpu', true, 0.5), dropped, GPU_TOL, 'webgpu dropout matches cpu');
  });
}
layers('gate order is PyTorch\'s: i, f, g, o', async () => {
  await dg.init({ backend: 'cpu' });
  // One unit, x = 1, h = 0: each gate's pre-activation is its own row of weight_ih.
  const a = [0.3, -1.2, 0.8, 2.0];
  const c0 = 0.7;
  const [h, c] = dg.lstmCell(dg.ones([1, 1]), dg.zeros([1, 1]), dg.full([1, 1], c0), dg.tensor(a, [4, 1]), dg.zeros([4, 1]));
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const cExpected = sig(a[1]!) * c0 + sig(a[0]!) * Math.tanh(a[2]!);
  assertClose(await c.data(), [cExpected], GPU_TOL, 'c = f * c0 + i * g');
  assertClose(await h.data(), [sig(a[3]!) * Math.tanh(cExpected)], GPU_TOL, 'h = o * tanh(c)');
});

layers('the reverse direction is a forward LSTM over the time-reversed sequence', async () => {
  await dg.init({ backend: 'cpu' });
  dg.manualSeed(4);
  const T = 4;
  const bi = new dg.nn.LSTM(2, 3, { bidirectional: true });
  const fwdOnly = new dg.nn.LSTM(2, 3);
  const sd = bi.stateDict();
  fwdOnly.loadStateDict(Object.fromEntries(['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'].map((k) => [`${k}_l0`, sd[`${k}_l0_reverse`]!])));
  const x = dg.tensor(Float32Array.from(seeded(T * 2 * 2, 6)), [T, 2, 2]);
  const flip = (t: Tensor) => dg.cat(Array.from({ length: T }, (_, i) => t.narrow(0, T - 1 - i, 1)), 0);
  const [out, [h]] = bi.forward(x);
  const [outRev, [hRev]] = fwdOnly.forward(flip(x));
  assertClose(await out.narrow(2, 3, 3).data(), await flip(outRev).data(), GPU_TOL, 'reverse half of the output');
  assertClose(await h.narrow(0, 1, 1).data(), await hRev.data(), GPU_TOL, 'hN of the reverse direction');
});
layers.run();

const padding = suite('nn.LSTM: padded batches');

/** Values of example b, steps [0, len), of a [B, T, F] batch-first tensor. */
async function exampleSteps(t: Tensor, b: number, len: number): Promise<number[]> {
  const [, T, F] = t.shape as [number, number, number];
  const v = await t.data();
  return [...v.slice(b * T * F, b * T * F + len * F)];
}

for (const backend of BACKEND_NAMES) {
  backendTest(padding, backend)(`${backend}: an example's results do not depend on longer examples beside it`, async () => {
    await dg.init({ backend });
    dg.manualSeed(5);
    const m = new dg.nn.LSTM(3, 5, { numLayers: 2, bidirectional: true, batchFirst: true });
    const T = 7;
    const lengths = [7, 3, 5];
    // Padding holds arbitrary values: the mask, not zeros in x, must keep them out.
    const x = dg.tensor(Float32Array.from(seeded(3 * T * 3, 21)), [3, T, 3]);
    const [out, [h, c]] = m.forward(x, null, { lengths });
    for (let b = 0; b < 3; b++) {
      const len = lengths[b]!;
      const alone = x.narrow(0, b, 1).narrow(1, 0, len);
      const [outAlone, [hAlone, cAlone]] = m.forward(alone);
      assertClose(await exampleSteps(out, b, len), await outAlone.data(), GPU_TOL, `example ${b} outputs`);
      assertClose(await h.narrow(1, b, 1).data(), await hAlone.data(), GPU_TOL, `example ${b} hN`);
      assertClose(await c.narrow(1, b, 1).data(), await cAlone.data(), GPU_TOL, `example ${b} cN`);
      const padded = (await out.narrow(0, b, 1).narrow(1, len, T - len).data()) as Float32Array;
      assert.ok(padded.every((v) => v === 0), `example ${b}: outputs past its length are zero`);
    }
  });
  backendTest(padding, backend)(`${backend}: a Keras-style mask handles front padding: each example matches its unpadded sequence`, async () => {
    await dg.init({ backend });
    dg.manualSeed(6);
    const m = new dg.nn.LSTM(3, 4, { bidirectional: true, batchFirst: true });
    const T = 6;
    const lengths = [6, 2, 4];
    // Real steps at the end (pad_sequences' 'pre' padding), arbitrary values in front of them.
    const maskValues = new Float32Array(3 * T);
    lengths.forEach((len, b) => maskValues.fill(1, b * T + T - len, (b + 1) * T));
    const x = dg.tensor(Float32Array.from(seeded(3 * T * 3, 22)), [3, T, 3]);
    const [out, [h, c]] = m.forward(x, null, { mask: dg.tensor(maskValues, [3, T]) });
    for (let b = 0; b < 3; b++) {
      const len = lengths[b]!;
      const [outAlone, [hAlone, cAlone]] = m.forward(x.narrow(0, b, 1).narrow(1, T - len, len));
      const outB = (await out.narrow(0, b, 1).data()) as Float32Array;
      assertClose([...outB.slice((T - len) * 8)], await outAlone.data(), GPU_TOL, `example ${b} outputs`);
      assert.ok(outB.slice(0, (T - len) * 8).every((v) => v === 0), `example ${b}: masked steps output zero`);
      assertClose(await h.narrow(1, b, 1).data(), await hAlone.data(), GPU_TOL, `example ${b} hN`);
      assertClose(await c.narrow(1, b, 1).data(), await cAlone.data(), GPU_TOL, `example ${b} cN`);
    }
  });
}
padding.run();

const learning = suite('nn.LSTM: learns a toy sequence task');

/** Sequences of +-1; the label says whether the sum is positive (T odd, so never zero). */
function signTask(B: number, T: number, seed: number): { x: Float32Array; y: Float32Array } {
  const u = seeded(B * T, seed, 'uniform');
  const x = Float32Array.from(u, (v) => (v > 0 ? 1 : -1));
  const y = new Float32Array(B);
  for (let b = 0; b < B; b++) {
    let s = 0;
    for (let t = 0; t < T; t++) s += x[b * T + t]!;
    y[b] = s > 0 ? 1 : 0;
  }
  return { x, y };
}

async function train(backend: 'cpu' | 'webgpu'): Promise<{ losses: number[]; accuracy: number }> {
  await dg.init({ backend });
  dg.manualSeed(1);
  const B = 32;
  const T = 7;
  const lstm = new dg.nn.LSTM(1, 8, { batchFirst: true });
  const head = new dg.nn.Linear(8, 1);
  const opt = new dg.optim.Adam([...lstm.parameters(), ...head.parameters()], { lr: 0.05 });
  const data = signTask(B, T, 4);
  const x = dg.tensor(data.x, [B, T, 1]);
  const y = dg.tensor(data.y, [B, 1]);
  const losses: number[] = [];
  for (let step = 0; step < 40; step++) {
    opt.zeroGrad();
    const loss = dg.tidy(() => {
      const [, [h]] = lstm.forward(x);
      const l = dg.binaryCrossEntropyWithLogits(head.forward(h.reshape([B, 8])), y);
      l.backward();
      return l;
    });
    opt.step();
    losses.push(await loss.item());
    loss.dispose();
  }
  const test = signTask(64, T, 9);
  const [, [h]] = dg.noGrad(() => lstm.forward(dg.tensor(test.x, [64, T, 1])));
  const logits = (await head.forward(h.reshape([64, 8])).data()) as Float32Array;
  const correct = logits.filter((z, i) => (z > 0 ? 1 : 0) === test.y[i]).length;
  return { losses, accuracy: correct / 64 };
}

webgpuTest(learning)('sum of signs: webgpu learns it and follows the cpu reference step by step', async () => {
  const cpu = await train('cpu');
  const wgpu = await train('webgpu');
  assertClose(wgpu.losses, cpu.losses, GPU_TOL, 'training loss per step');
  assert.ok(wgpu.losses.at(-1)! < 0.3 * wgpu.losses[0]!, `loss fell from ${wgpu.losses[0]} to ${wgpu.losses.at(-1)}`);
  assert.ok(wgpu.accuracy >= 0.9, `held-out accuracy ${wgpu.accuracy}`);
});
learning.run();
