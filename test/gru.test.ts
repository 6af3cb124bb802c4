// The GRU table: dg.gruCell and the functional multi-layer dg.gru (which nn.GRU wraps), each
// case checked on webgpu against the cpu reference (forward and every input's gradient) and,
// for the small ones, by float64 finite differences on the cpu reference. (Queueing without
// read-backs: test/lstm.test.ts, for both layers.)
import { suite } from 'uvu';
import * as dg from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { checkGpuMatchesCpu, gradCheck, hasWebGpu, type InputSpec } from './support/compare.js';
import { webgpuTest } from './support/webgpu.js';

interface GruCase {
  name: string;
  inputs: InputSpec[];
  fn: (...xs: Tensor[]) => Tensor;
  /** Run the finite-difference check too (kept to the small cases: it evaluates fn twice per element). */
  gradCheck?: boolean;
}

const n = (...shape: number[]): InputSpec => ({ shape });
/** Weights scaled like PyTorch's init so gates do not saturate, where gradients vanish and say little. */
const w = (...shape: number[]): InputSpec => ({ shape, kind: 'uniform' });

function cellCase(name: string, B: number, I: number, H: number, bias: boolean, gradCheck = false): GruCase {
  const inputs = [n(B, I), n(B, H), w(3 * H, I), w(3 * H, H), ...(bias ? [w(3 * H), w(3 * H)] : [])];
  return { name, inputs, gradCheck, fn: (x, h, wi, wh, bi, bh) => dg.gruCell(x!, h!, wi!, wh!, bi, bh) };
}

interface SeqConfig {
  T: number;
  B: number;
  I: number;
  H: number;
  layers: number;
  bidirectional?: boolean;
  batchFirst?: boolean;
  bias?: boolean;
  initialState?: boolean;
  lengths?: number[];
  /** Keras-style mask, flat in the input's layout ([B, T] with batchFirst, else [T, B]). */
  mask?: number[];
}

/** Inputs: x, then per layer-direction weight_ih, weight_hh (and bias_ih, bias_hh), then h0 if asked. */
function seqCase(name: string, cfg: SeqConfig, gradCheck = false): GruCase {
  const D = cfg.bidirectional ? 2 : 1;
  const bias = cfg.bias ?? true;
  const per = bias ? 4 : 2;
  const inputs: InputSpec[] = [cfg.batchFirst ? n(cfg.B, cfg.T, cfg.I) : n(cfg.T, cfg.B, cfg.I)];
  for (let l = 0; l < cfg.layers; l++) {
    for (let d = 0; d < D; d++) {
      inputs.push(w(3 * cfg.H, l === 0 ? cfg.I : D * cfg.H), w(3 * cfg.H, cfg.H), ...(bias ? [w(3 * cfg.H), w(3 * cfg.H)] : []));
    }
  }
  if (cfg.initialState) inputs.push(n(cfg.layers * D, cfg.B, cfg.H));
  const fn = (x: Tensor, ...rest: Tensor[]) => {
    const weights: dg.GruWeights[] = [];
    for (let k = 0; k < cfg.layers * D; k++) {
      const [weightIh, weightHh, biasIh, biasHh] = rest.slice(per * k, per * k + per) as [Tensor, Tensor, Tensor?, Tensor?];
      weights.push({ weightIh, weightHh, biasIh, biasHh });
    }
    const h0 = cfg.initialState ? rest.at(-1)! : null;
    const mask = cfg.mask ? dg.tensor(Float32Array.from(cfg.mask), cfg.batchFirst ? [cfg.B, cfg.T] : [cfg.T, cfg.B], { backend: x.backend.name }) : null;
    const [out, h] = dg.gru(x, weights, { bidirectional: cfg.bidirectional, batchFirst: cfg.batchFirst, h0, lengths: cfg.lengths, mask });
    return dg.cat([out.flatten(), h.flatten()], 0);
  };
  return { name, inputs, gradCheck, fn: fn as (...xs: Tensor[]) => Tensor };
}

export const GRU_CASES: GruCase[] = [
  cellCase('cell, tiny', 2, 3, 3, true, true),
  cellCase('cell without biases', 2, 3, 2, false, true),
  cellCase('cell spanning several workgroups (B=5, I=13, H=67)', 5, 13, 67, true),
  cellCase('cell, batch 1 and hidden 1', 1, 4, 1, true),
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

const forward = suite('gru: webgpu matches the cpu reference');
for (const c of GRU_CASES) {
  webgpuTest(forward)(c.name, async () => {
    await checkGpuMatchesCpu(c.inputs, c.fn, c.name);
  });
}
forward.run();

const grads = suite('gru: float64 finite-difference gradients on the cpu reference');
for (const c of GRU_CASES.filter((x) => x.gradCheck)) {
  grads(c.name, async () => {
    await gradCheck(c.inputs, c.fn, c.name);
  });
}
grads.run();
