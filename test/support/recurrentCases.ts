// The case tables of the recurrent layers (test/lstm.test.ts, test/gru.test.ts): one builder of
// sequence cases whatever the cell, and one runner that checks every case on webgpu against the
// cpu reference and the small ones by float64 finite differences.
import { suite } from 'uvu';
import * as dg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { checkGpuMatchesCpu, gradCheck, type InputSpec } from './compare.js';
import { webgpuTest } from './webgpu.js';

export interface RecurrentCase {
  name: string;
  inputs: InputSpec[];
  fn: (...xs: Tensor[]) => Tensor;
  /** Run the finite-difference check too (kept to the small cases: it evaluates fn twice per element). */
  gradCheck?: boolean;
}

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
export function seqCase(name: string, cfg: SeqConfig, cell: { gates: number; stateKinds: number }, run: (x: Tensor, call: SeqCall) => Tensor[], gradCheck = false): RecurrentCase {
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
  return { name, inputs, gradCheck, fn: fn as (...xs: Tensor[]) => Tensor };
}

/** Registers and runs the table's two suites: webgpu against the cpu reference, and finite differences. */
export function runRecurrentTable(op: string, cases: readonly RecurrentCase[]): void {
  const forward = suite(`${op}: webgpu matches the cpu reference`);
  for (const c of cases) {
    webgpuTest(forward)(c.name, async () => {
      await checkGpuMatchesCpu(c.inputs, c.fn, c.name);
    });
  }
  forward.run();
  const grads = suite(`${op}: float64 finite-difference gradients on the cpu reference`);
  for (const c of cases.filter((x) => x.gradCheck)) {
    grads(c.name, async () => {
      await gradCheck(c.inputs, c.fn, c.name);
    });
  }
  grads.run();
}
