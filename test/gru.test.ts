// The GRU table: dg.gruCell and the functional multi-layer dg.gru (which nn.GRU wraps), each
// case checked on webgpu against the cpu reference (forward and every input's gradient) and,
// for the small ones, by float64 finite differences on the cpu reference. (Queueing without
// read-backs: test/lstm.test.ts, for both layers.)
import * as dg from '../src/index.js';
import { hasWebGpu } from './support/compare.js';
import { CELL_SHAPES, n, type RecurrentCase, runRecurrentTable, type SeqConfig, seqCase as seqCaseOf, w } from './support/recurrentCases.js';

function cellCase(name: string, B: number, I: number, H: number, bias: boolean, gradCheck = false): RecurrentCase {
  const inputs = [n(B, I), n(B, H), w(3 * H, I), w(3 * H, H), ...(bias ? [w(3 * H), w(3 * H)] : [])];
  return { name, inputs, gradCheck, fn: (x, h, wi, wh, bi, bh) => dg.gruCell(x!, h!, wi!, wh!, bi, bh) };
}

const GRU_CELL = { gates: 3, stateKinds: 1 };
const seqCase = (name: string, cfg: SeqConfig, gradCheck = false) => seqCaseOf(name, cfg, GRU_CELL, (x, { weights, state, options }) => {
  const [out, h] = dg.gru(x, weights, { ...options, h0: state?.[0] ?? null });
  return [out, h];
}, gradCheck);

export const GRU_CASES: RecurrentCase[] = [
  ...CELL_SHAPES.map((c) => cellCase(...c)),
  seqCase('T=1, one layer', { T: 1, B: 3, I: 5, H: 7, layers: 1 }),
  seqCase('T=7, one layer, H=13', { T: 7, B: 3, I: 5, H: 13, layers: 1 }),
  seqCase('T=7, two layers, no biases', { T: 7, B: 2, I: 3, H: 6, layers: 2, bias: false }),
  seqCase('T=7, two layers, bidirectional, batchFirst, initial state', { T: 7, B: 3, I: 4, H: 5, layers: 2, bidirectional: true, batchFirst: true, initialState: true }),
  // 2 x 140 steps forward and back is more dispatches than one submit holds (512).
  seqCase('T=140, bidirectional', { T: 140, B: 2, I: 3, H: 4, layers: 1, bidirectional: true }),
  // The fused step kernels take 4 batch rows per invocation (and 4 units in the backward): a
  // partial last row block, several workgroups along the units, batch 1, and a mask.
  seqCase('fused steps: B=9 (a partial row block), H=100 over two forward workgroups', { T: 3, B: 9, I: 5, H: 100, layers: 1, bidirectional: true }),
  seqCase('fused steps: H=261, more units than one backward workgroup covers', { T: 2, B: 3, I: 2, H: 261, layers: 1, bidirectional: true }),
  seqCase('fused steps: batch 1, H=4, two layers, initial state', { T: 6, B: 1, I: 3, H: 4, layers: 2, initialState: true }),
  seqCase('fused steps with a mask, B=5, H=8, batchFirst', { T: 4, B: 5, I: 2, H: 8, layers: 1, bidirectional: true, batchFirst: true, mask: [1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0] }),
  seqCase('padded batch over several workgroups, batchFirst', { T: 5, B: 6, I: 4, H: 23, layers: 1, bidirectional: true, batchFirst: true, lengths: [5, 1, 3, 5, 2, 4] }),
  seqCase('short 2-layer bidirectional sequence, initial state', { T: 3, B: 2, I: 2, H: 2, layers: 2, bidirectional: true, initialState: true }, true),
  seqCase('short 2-layer bidirectional sequence with lengths', { T: 3, B: 3, I: 2, H: 3, layers: 2, bidirectional: true, lengths: [3, 1, 2] }, true),
  // Front padding and a hole mid-sequence: a 0 step anywhere keeps the state.
  seqCase('short 2-layer bidirectional sequence with a Keras-style mask', { T: 3, B: 2, I: 2, H: 3, layers: 2, bidirectional: true, batchFirst: true, mask: [0, 1, 1, 1, 0, 1] }, true),
  seqCase('fused steps, B=5, H=4, masked, no biases', { T: 3, B: 5, I: 2, H: 4, layers: 1, bidirectional: true, bias: false, mask: [1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0] }, true),
];

await hasWebGpu();

runRecurrentTable('gru', GRU_CASES);
