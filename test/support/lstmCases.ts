// LSTM cases as op-table rows: dg.lstmCell and the functional dg.lstm over inputs that the
// table's driver creates (x, every layer-direction's weights, optionally h0/c0), shared by the
// LSTM table (test/lstm.test.ts) and the seeded fuzzer (test/fuzz.test.ts).
import * as dg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import type { InputSpec } from './compare.js';

export interface LstmCase {
  name: string;
  inputs: InputSpec[];
  fn: (...xs: Tensor[]) => Tensor;
  /** Run the finite-difference check too (kept to the small cases: it evaluates fn twice per element). */
  gradCheck?: boolean;
}

const n = (...shape: number[]): InputSpec => ({ shape });
/** Weights scaled like PyTorch's init so gates do not saturate, where gradients vanish and say little. */
const w = (...shape: number[]): InputSpec => ({ shape, kind: 'uniform' });

/** All of an op's outputs in one tensor, so one comparison covers each of them and its gradient. */
const joined = (...ts: Tensor[]) => dg.cat(ts.map((t) => t.flatten()), 0);

export function cellCase(name: string, B: number, I: number, H: number, bias: boolean, gradCheck = false): LstmCase {
  const inputs = [n(B, I), n(B, H), n(B, H), w(4 * H, I), w(4 * H, H), ...(bias ? [w(4 * H), w(4 * H)] : [])];
  return { name, inputs, gradCheck, fn: (x, h, c, wi, wh, bi, bh) => joined(...dg.lstmCell(x!, h!, c!, wi!, wh!, bi, bh)) };
}

export interface SeqConfig {
  T: number;
  B: number;
  I: number;
  H: number;
  layers: number;
  bidirectional?: boolean;
  batchFirst?: boolean;
  initialState?: boolean;
  lengths?: number[];
  /** Keras-style mask, flat in the input's layout ([B, T] with batchFirst, else [T, B]). */
  mask?: number[];
}

/** Inputs: x, then per layer-direction weight_ih, weight_hh, bias_ih, bias_hh, then h0, c0 if asked. */
export function seqCase(name: string, cfg: SeqConfig, gradCheck = false): LstmCase {
  const D = cfg.bidirectional ? 2 : 1;
  const inputs: InputSpec[] = [cfg.batchFirst ? n(cfg.B, cfg.T, cfg.I) : n(cfg.T, cfg.B, cfg.I)];
  for (let l = 0; l < cfg.layers; l++) {
    for (let d = 0; d < D; d++) inputs.push(w(4 * cfg.H, l === 0 ? cfg.I : D * cfg.H), w(4 * cfg.H, cfg.H), w(4 * cfg.H), w(4 * cfg.H));
  }
  if (cfg.initialState) inputs.push(n(cfg.layers * D, cfg.B, cfg.H), n(cfg.layers * D, cfg.B, cfg.H));
  const fn = (x: Tensor, ...rest: Tensor[]) => {
    const weights: dg.LstmWeights[] = [];
    for (let k = 0; k < cfg.layers * D; k++) {
      const [weightIh, weightHh, biasIh, biasHh] = rest.slice(4 * k, 4 * k + 4) as [Tensor, Tensor, Tensor, Tensor];
      weights.push({ weightIh, weightHh, biasIh, biasHh });
    }
    const state = cfg.initialState ? (rest.slice(-2) as [Tensor, Tensor]) : null;
    const mask = cfg.mask ? dg.tensor(Float32Array.from(cfg.mask), cfg.batchFirst ? [cfg.B, cfg.T] : [cfg.T, cfg.B], { backend: x.backend.name }) : null;
    const [out, [h, c]] = dg.lstm(x, weights, { bidirectional: cfg.bidirectional, batchFirst: cfg.batchFirst, state, lengths: cfg.lengths, mask });
    return joined(out, h, c);
  };
  return { name, inputs, gradCheck, fn: fn as (...xs: Tensor[]) => Tensor };
}
