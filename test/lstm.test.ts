// The LSTM table: dg.lstmCell and the functional multi-layer dg.lstm (which nn.LSTM wraps),
// each case checked on webgpu against the cpu reference (forward and every input's gradient)
// and, for the small ones, by float64 finite differences on the cpu reference. Also: LSTM and
// GRU sequences queue with no read-back.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { WebGpuBackend } from '../src/backend/webgpu/index.js';
import { getBackend } from '../src/core/engine.js';
import * as dg from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { hasWebGpu } from './support/compare.js';
import { CELL_SHAPES, joined, n, type RecurrentCase, runRecurrentTable, type SeqConfig, seqCase as seqCaseOf, w } from './support/recurrentCases.js';
import { webgpuTest } from './support/webgpu.js';

function cellCase(name: string, B: number, I: number, H: number, bias: boolean, gradCheck = false): RecurrentCase {
  const inputs = [n(B, I), n(B, H), n(B, H), w(4 * H, I), w(4 * H, H), ...(bias ? [w(4 * H), w(4 * H)] : [])];
  return { name, inputs, gradCheck, fn: (x, h, c, wi, wh, bi, bh) => joined(...dg.lstmCell(x!, h!, c!, wi!, wh!, bi, bh)) };
}

const LSTM_CELL = { gates: 4, stateKinds: 2 };
const seqCase = (name: string, cfg: SeqConfig, gradCheck = false) => seqCaseOf(name, cfg, LSTM_CELL, (x, { weights, state, options }) => {
  const [out, [h, c]] = dg.lstm(x, weights, { ...options, state: state as [Tensor, Tensor] | null });
  return [out, h, c];
}, gradCheck);

export const LSTM_CASES: RecurrentCase[] = [
  ...CELL_SHAPES.map((c) => cellCase(...c)),
  seqCase('T=1, one layer', { T: 1, B: 3, I: 5, H: 7, layers: 1 }),
  seqCase('T=7, one layer, H=13', { T: 7, B: 3, I: 5, H: 13, layers: 1 }),
  seqCase('T=7, two layers', { T: 7, B: 2, I: 3, H: 6, layers: 2 }),
  seqCase('T=7, bidirectional', { T: 7, B: 3, I: 4, H: 5, layers: 1, bidirectional: true }),
  seqCase('T=7, two layers, bidirectional, batchFirst', { T: 7, B: 3, I: 4, H: 5, layers: 2, bidirectional: true, batchFirst: true }),
  seqCase('T=1, bidirectional, batchFirst, initial state', { T: 1, B: 2, I: 3, H: 6, layers: 1, bidirectional: true, batchFirst: true, initialState: true }),
  seqCase('T=7, two layers, bidirectional, initial state', { T: 7, B: 2, I: 3, H: 5, layers: 2, bidirectional: true, initialState: true }),
  seqCase('T=5, H=67 over several workgroups, batchFirst', { T: 5, B: 3, I: 9, H: 67, layers: 1, batchFirst: true }),
  // 2 x 200 steps forward and back is more dispatches than one submit holds, so buffers are
  // released and reused across submits mid-sequence.
  seqCase('T=200, bidirectional', { T: 200, B: 2, I: 3, H: 4, layers: 1, bidirectional: true }),
  // H and T·B multiples of 4 take the vec4 matmul paths for the input projection and dW_hh.
  seqCase('T=4, H=12, bidirectional (vec4 matmuls)', { T: 4, B: 3, I: 8, H: 12, layers: 1, bidirectional: true }),
  // The fused step kernels take 4 batch rows per invocation (and 4 units in the backward): a
  // partial last row block, several workgroups along the units, batch 1, and a mask.
  seqCase('fused steps: B=9 (a partial row block), H=100 over two forward workgroups', { T: 3, B: 9, I: 5, H: 100, layers: 1, bidirectional: true }),
  seqCase('fused steps: H=261, more units than one backward workgroup covers', { T: 2, B: 3, I: 2, H: 261, layers: 1, bidirectional: true }),
  seqCase('fused steps: batch 1, H=4, two layers, initial state', { T: 6, B: 1, I: 3, H: 4, layers: 2, initialState: true }),
  seqCase('fused steps with a mask, B=5, H=8, batchFirst', { T: 4, B: 5, I: 2, H: 8, layers: 1, bidirectional: true, batchFirst: true, mask: [1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0] }),
  seqCase('padded batch with lengths, bidirectional, two layers', { T: 6, B: 3, I: 3, H: 5, layers: 2, bidirectional: true, lengths: [6, 2, 4] }),
  seqCase('padded batch over several workgroups, batchFirst', { T: 5, B: 6, I: 4, H: 23, layers: 1, bidirectional: true, batchFirst: true, lengths: [5, 1, 3, 5, 2, 4] }),
  seqCase('short 2-layer bidirectional sequence', { T: 3, B: 2, I: 2, H: 2, layers: 2, bidirectional: true, initialState: true }, true),
  // Front padding and a hole mid-sequence: a 0 step anywhere keeps the state.
  seqCase('Keras-style mask, batchFirst, over several workgroups', { T: 5, B: 6, I: 4, H: 23, layers: 1, bidirectional: true, batchFirst: true, mask: [1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1] }),
  seqCase('short front-padded sequence with a mask', { T: 3, B: 2, I: 2, H: 3, layers: 1, bidirectional: true, mask: [0, 1, 1, 1, 1, 1] }, true),
  seqCase('fused steps, B=5, H=4, masked', { T: 3, B: 5, I: 2, H: 4, layers: 1, bidirectional: true, mask: [1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0] }, true),
  seqCase('short padded sequence', { T: 3, B: 2, I: 2, H: 3, layers: 1, bidirectional: true, lengths: [1, 3] }, true),
];

await hasWebGpu();

runRecurrentTable('lstm', LSTM_CASES);

const queueing = suite('recurrent layers: queueing on webgpu');
const layers = {
  LSTM: () => new dg.nn.LSTM(3, 4, { bidirectional: true, numLayers: 2 }),
  GRU: () => new dg.nn.GRU(3, 4, { bidirectional: true, numLayers: 2 }),
};
for (const [name, make] of Object.entries(layers)) {
  webgpuTest(queueing)(`${name}: a whole sequence's forward and backward is queued without one read-back`, async () => {
    await dg.init({ backend: 'webgpu' });
    const { stats } = (getBackend() as WebGpuBackend).rt;
    const x = dg.randn([9, 2, 3], { requiresGrad: true });
    const m = make();
    // A first read settles any error checks that earlier tests' kernels left pending.
    await x.data();
    const before = stats.readbacks;
    const [out] = m.forward(x);
    out.sum().backward();
    assert.is(stats.readbacks, before, 'no read-back while queueing');
    await x.grad!.data();
    assert.is(stats.readbacks, before + 1, 'reading the gradient is the one read-back');
  });
}
queueing.run();
