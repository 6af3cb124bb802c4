// The op table's recurrent rows (spread into OP_CASES, run by test/ops.test.ts): dg.lstmCell,
// dg.gruCell and the functional multi-layer dg.lstm and dg.gru (which nn.LSTM and nn.GRU wrap),
// from one builder of sequence cases whatever the cell (also used by ./fuzzCases.ts). Finite
// differences run on the small rows only: a row's shapes are tied together by its config, so it
// has no smaller `gradInputs`.
import * as dg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import type { InputSpec } from './compare.js';
import type { OpCase } from './opCases.js';

export const n = (...shape: number[]): InputSpec => ({ shape });
/** Weights scaled like PyTorch's init so gates do not saturate, where gradients vanish and say little. */
export const w = (...shape: number[]): InputSpec => ({ shape, kind: 'uniform' });

/** All of an op's outputs in one tensor, so one comparison covers each of them and its gradient. */
export const joined = (...ts: Tensor[]) => dg.cat(ts.map((t) => t.flatten()), 0);

/** The awkward shapes every recurrent cell is checked at: [name, B, I, H, bias, gradCheck]. */
export const CELL_SHAPES: readonly [string, number, number, number, boolean, boolean][] = [
  ['cell, tiny', 2, 3, 3, true, true],
  ['cell without biases', 2, 3, 2, false, true],
  ['cell spanning several workgroups (B=5, I=13, H=67)', 5, 13, 67, true, false],
  ['cell, batch 1 and hidden 1', 1, 4, 1, true, false],
];

export interface SeqConfig {
  T: number;
  B: number;
  I: number;
  H: number;
  layers: number;
  bidirectional?: boolean;
  batchFirst?: boolean;
  /** Biases on every layer-direction (default true). */
  bias?: boolean;
  initialState?: boolean;
  lengths?: number[];
  /** Keras-style mask, flat in the input's layout ([B, T] with batchFirst, else [T, B]). */
  mask?: number[];
}

/** What a sequence case's function passes to the layer under test. */
export interface SeqCall {
  weights: dg.LstmWeights[];
  /** The initial states (one per state kind), or null for zeros. */
  state: Tensor[] | null;
  options: { bidirectional?: boolean; batchFirst?: boolean; lengths?: number[]; mask: Tensor | null };
}

/**
 * A sequence case for a cell of `gates` gates and `stateKinds` states (LSTM 4 and 2, GRU 3 and
 * 1). Inputs: x, then per layer-direction weight_ih, weight_hh (and bias_ih, bias_hh), then the
 * initial states if asked; `run` returns the outputs to compare.
 */
export function seqCase(name: string, cfg: SeqConfig, cell: { gates: number; stateKinds: number }, run: (x: Tensor, call: SeqCall) => Tensor[], gradCheck = false): OpCase {
  const D = cfg.bidirectional ? 2 : 1;
  const G = cell.gates * cfg.H;
  const per = (cfg.bias ?? true) ? 4 : 2;
  const inputs: InputSpec[] = [cfg.batchFirst ? n(cfg.B, cfg.T, cfg.I) : n(cfg.T, cfg.B, cfg.I)];
  for (let l = 0; l < cfg.layers; l++) {
    for (let d = 0; d < D; d++) inputs.push(w(G, l === 0 ? cfg.I : D * cfg.H), w(G, cfg.H), ...(per === 4 ? [w(G), w(G)] : []));
  }
  if (cfg.initialState) for (let s = 0; s < cell.stateKinds; s++) inputs.push(n(cfg.layers * D, cfg.B, cfg.H));
  const fn = (x: Tensor, ...rest: Tensor[]) => {
    const weights: dg.LstmWeights[] = [];
    for (let k = 0; k < cfg.layers * D; k++) {
      const [weightIh, weightHh, biasIh, biasHh] = rest.slice(per * k, per * k + per) as [Tensor, Tensor, Tensor?, Tensor?];
      weights.push({ weightIh, weightHh, biasIh, biasHh });
    }
    const state = cfg.initialState ? rest.slice(-cell.stateKinds) : null;
    const mask = cfg.mask ? dg.tensor(Float32Array.from(cfg.mask), cfg.batchFirst ? [cfg.B, cfg.T] : [cfg.T, cfg.B], { backend: x.backend.name }) : null;
    const options = { bidirectional: cfg.bidirectional, batchFirst: cfg.batchFirst, lengths: cfg.lengths, mask };
    return joined(...run(x, { weights, state, options }));
  };
  return { name, inputs, finiteDifferences: gradCheck, fn: fn as (...xs: Tensor[]) => Tensor };
}

function lstmCellCase(name: string, B: number, I: number, H: number, bias: boolean, gradCheck = false): OpCase {
  const inputs = [n(B, I), n(B, H), n(B, H), w(4 * H, I), w(4 * H, H), ...(bias ? [w(4 * H), w(4 * H)] : [])];
  return { name: `lstmCell ${name}`, inputs, finiteDifferences: gradCheck, fn: (x, h, c, wi, wh, bi, bh) => joined(...dg.lstmCell(x!, h!, c!, wi!, wh!, bi, bh)) };
}

const LSTM_CELL = { gates: 4, stateKinds: 2 };
const lstmSeqCase = (name: string, cfg: SeqConfig, gradCheck = false) => seqCase(name, cfg, LSTM_CELL, (x, { weights, state, options }) => {
  const [out, [h, c]] = dg.lstm(x, weights, { ...options, state: state as [Tensor, Tensor] | null });
  return [out, h, c];
}, gradCheck);

export const LSTM_CASES: OpCase[] = [
  ...CELL_SHAPES.map((c) => lstmCellCase(...c)),
  lstmSeqCase('lstm T=1, one layer', { T: 1, B: 3, I: 5, H: 7, layers: 1 }),
  lstmSeqCase('lstm T=7, one layer, H=13', { T: 7, B: 3, I: 5, H: 13, layers: 1 }),
  lstmSeqCase('lstm T=7, two layers', { T: 7, B: 2, I: 3, H: 6, layers: 2 }),
  lstmSeqCase('lstm T=7, bidirectional', { T: 7, B: 3, I: 4, H: 5, layers: 1, bidirectional: true }),
  lstmSeqCase('lstm T=7, two layers, bidirectional, batchFirst', { T: 7, B: 3, I: 4, H: 5, layers: 2, bidirectional: true, batchFirst: true }),
  lstmSeqCase('lstm T=1, bidirectional, batchFirst, initial state', { T: 1, B: 2, I: 3, H: 6, layers: 1, bidirectional: true, batchFirst: true, initialState: true }),
  lstmSeqCase('lstm T=7, two layers, bidirectional, initial state', { T: 7, B: 2, I: 3, H: 5, layers: 2, bidirectional: true, initialState: true }),
  lstmSeqCase('lstm T=5, H=67 over several workgroups, batchFirst', { T: 5, B: 3, I: 9, H: 67, layers: 1, batchFirst: true }),
  // 2 x 200 steps forward and back is more dispatches than one submit holds, so buffers are
  // released and reused across submits mid-sequence.
  lstmSeqCase('lstm T=200, bidirectional', { T: 200, B: 2, I: 3, H: 4, layers: 1, bidirectional: true }),
  // H and T·B multiples of 4 take the vec4 matmul paths for the input projection and dW_hh.
  lstmSeqCase('lstm T=4, H=12, bidirectional (vec4 matmuls)', { T: 4, B: 3, I: 8, H: 12, layers: 1, bidirectional: true }),
  // The fused step kernels take 4 batch rows per invocation (and 4 units in the backward): a
  // partial last row block, several workgroups along the units, batch 1, and a mask.
  lstmSeqCase('lstm fused steps: B=9 (a partial row block), H=100 over two forward workgroups', { T: 3, B: 9, I: 5, H: 100, layers: 1, bidirectional: true }),
  lstmSeqCase('lstm fused steps: H=261, more units than one backward workgroup covers', { T: 2, B: 3, I: 2, H: 261, layers: 1, bidirectional: true }),
  lstmSeqCase('lstm fused steps: batch 1, H=4, two layers, initial state', { T: 6, B: 1, I: 3, H: 4, layers: 2, initialState: true }),
  lstmSeqCase('lstm fused steps with a mask, B=5, H=8, batchFirst', { T: 4, B: 5, I: 2, H: 8, layers: 1, bidirectional: true, batchFirst: true, mask: [1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0] }),
  lstmSeqCase('lstm padded batch with lengths, bidirectional, two layers', { T: 6, B: 3, I: 3, H: 5, layers: 2, bidirectional: true, lengths: [6, 2, 4] }),
  lstmSeqCase('lstm padded batch over several workgroups, batchFirst', { T: 5, B: 6, I: 4, H: 23, layers: 1, bidirectional: true, batchFirst: true, lengths: [5, 1, 3, 5, 2, 4] }),
  lstmSeqCase('lstm short 2-layer bidirectional sequence', { T: 3, B: 2, I: 2, H: 2, layers: 2, bidirectional: true, initialState: true }, true),
  // Front padding and a hole mid-sequence: a 0 step anywhere keeps the state.
  lstmSeqCase('lstm Keras-style mask, batchFirst, over several workgroups', { T: 5, B: 6, I: 4, H: 23, layers: 1, bidirectional: true, batchFirst: true, mask: [1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1] }),
  lstmSeqCase('lstm short front-padded sequence with a mask', { T: 3, B: 2, I: 2, H: 3, layers: 1, bidirectional: true, mask: [0, 1, 1, 1, 1, 1] }, true),
  lstmSeqCase('lstm fused steps, B=5, H=4, masked', { T: 3, B: 5, I: 2, H: 4, layers: 1, bidirectional: true, mask: [1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0] }, true),
  lstmSeqCase('lstm short padded sequence', { T: 3, B: 2, I: 2, H: 3, layers: 1, bidirectional: true, lengths: [1, 3] }, true),
];

function gruCellCase(name: string, B: number, I: number, H: number, bias: boolean, gradCheck = false): OpCase {
  const inputs = [n(B, I), n(B, H), w(3 * H, I), w(3 * H, H), ...(bias ? [w(3 * H), w(3 * H)] : [])];
  return { name: `gruCell ${name}`, inputs, finiteDifferences: gradCheck, fn: (x, h, wi, wh, bi, bh) => dg.gruCell(x!, h!, wi!, wh!, bi, bh) };
}

const GRU_CELL = { gates: 3, stateKinds: 1 };
const gruSeqCase = (name: string, cfg: SeqConfig, gradCheck = false) => seqCase(name, cfg, GRU_CELL, (x, { weights, state, options }) => {
  const [out, h] = dg.gru(x, weights, { ...options, h0: state?.[0] ?? null });
  return [out, h];
}, gradCheck);

export const GRU_CASES: OpCase[] = [
  ...CELL_SHAPES.map((c) => gruCellCase(...c)),
  gruSeqCase('gru T=1, one layer', { T: 1, B: 3, I: 5, H: 7, layers: 1 }),
  gruSeqCase('gru T=7, one layer, H=13', { T: 7, B: 3, I: 5, H: 13, layers: 1 }),
  gruSeqCase('gru T=7, two layers, no biases', { T: 7, B: 2, I: 3, H: 6, layers: 2, bias: false }),
  gruSeqCase('gru T=7, two layers, bidirectional, batchFirst, initial state', { T: 7, B: 3, I: 4, H: 5, layers: 2, bidirectional: true, batchFirst: true, initialState: true }),
  // 2 x 140 steps forward and back is more dispatches than one submit holds (512).
  gruSeqCase('gru T=140, bidirectional', { T: 140, B: 2, I: 3, H: 4, layers: 1, bidirectional: true }),
  // The fused step kernels take 4 batch rows per invocation (and 4 units in the backward): a
  // partial last row block, several workgroups along the units, batch 1, and a mask.
  gruSeqCase('gru fused steps: B=9 (a partial row block), H=100 over two forward workgroups', { T: 3, B: 9, I: 5, H: 100, layers: 1, bidirectional: true }),
  gruSeqCase('gru fused steps: H=261, more units than one backward workgroup covers', { T: 2, B: 3, I: 2, H: 261, layers: 1, bidirectional: true }),
  gruSeqCase('gru fused steps: batch 1, H=4, two layers, initial state', { T: 6, B: 1, I: 3, H: 4, layers: 2, initialState: true }),
  gruSeqCase('gru fused steps with a mask, B=5, H=8, batchFirst', { T: 4, B: 5, I: 2, H: 8, layers: 1, bidirectional: true, batchFirst: true, mask: [1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0] }),
  gruSeqCase('gru padded batch over several workgroups, batchFirst', { T: 5, B: 6, I: 4, H: 23, layers: 1, bidirectional: true, batchFirst: true, lengths: [5, 1, 3, 5, 2, 4] }),
  gruSeqCase('gru short 2-layer bidirectional sequence, initial state', { T: 3, B: 2, I: 2, H: 2, layers: 2, bidirectional: true, initialState: true }, true),
  gruSeqCase('gru short 2-layer bidirectional sequence with lengths', { T: 3, B: 3, I: 2, H: 3, layers: 2, bidirectional: true, lengths: [3, 1, 2] }, true),
  // Front padding and a hole mid-sequence: a 0 step anywhere keeps the state.
  gruSeqCase('gru short 2-layer bidirectional sequence with a Keras-style mask', { T: 3, B: 2, I: 2, H: 3, layers: 2, bidirectional: true, batchFirst: true, mask: [0, 1, 1, 1, 0, 1] }, true),
  gruSeqCase('gru fused steps, B=5, H=4, masked, no biases', { T: 3, B: 5, I: 2, H: 4, layers: 1, bidirectional: true, bias: false, mask: [1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0] }, true),
];
