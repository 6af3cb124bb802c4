// What dg.lstm and dg.gru share: shape checks, the step masks built from lengths or a Keras
// mask, dropout between layers, and the walk over layers and directions in PyTorch's order
// (l0, l0_reverse, l1, ...), each layer-direction run by the caller's fused sequence kernel.
import type { Backend } from '../../backend/backend.js';
import { brief, fmt } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { rand } from './creation.js';
import { ge, mul, ne } from './elementwise.js';
import { cat, narrow, reshape, stack, transpose } from './layout.js';
import { backendOf, requireFloat, wrap } from './util.js';

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

export function expectShape(op: string, what: string, t: Tensor, shape: readonly number[], names: string): void {
  requireFloat(op, t);
  if (!same(t.shape, shape)) throw new Error(`${op}: expected ${what} ${names} = ${fmt(shape)}, got ${fmt(t.shape)}`);
}

/** One layer-direction's parameters, named as in PyTorch's state dict. */
export interface RecurrentWeights {
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh?: Tensor | null;
  biasHh?: Tensor | null;
}

export interface RecurrentOptions {
  bidirectional?: boolean;
  /** Input and output are [B, T, features] rather than [T, B, features]. */
  batchFirst?: boolean;
  /**
   * Per-example sequence lengths for a padded batch (PyTorch's packed sequences): steps at or
   * beyond an example's length leave its state alone and output zero, so each example's
   * results are those of its own sequence; the final state is taken at its last real step.
   */
  lengths?: readonly number[] | null;
  /**
   * Which steps are real, as Keras' masks: nonzero or 0, of shape [B, T] with batchFirst,
   * else [T, B]. A 0 step keeps its example's state and outputs zero, wherever it is, so
   * front padding (Keras' pad_sequences default) works as well as back padding; the final
   * state is the one after each example's last real step (its first, for the reverse direction).
   * Built on the device, e.g. `dg.ne(tokenIds, 0)`; an alternative to `lengths`.
   */
  mask?: Tensor | null;
  /** Dropout probability on each layer's output but the last, as PyTorch's `dropout` (pass 0 in eval). */
  dropout?: number;
}

/** Zeroes each element with probability p, scaling the rest by 1 / (1 - p); the mask comes
 *  from the seeded generator, so dg.manualSeed makes it reproducible on every backend. */
function dropoutBetweenLayers(x: Tensor, p: number): Tensor {
  if (p === 1) return mul(x, 0);
  return mul(x, mul(ge(rand(x.shape, { backend: x.backend }), p), 1 / (1 - p)));
}

/** A [T, B] 1/0 mask from per-example lengths, built on the host (lengths are host numbers). */
function lengthMask(op: string, be: Backend, lengths: readonly number[], T: number, B: number): Tensor {
  if (lengths.length !== B) throw new Error(`${op}: expected ${B} lengths (one per batch example), got ${lengths.length}`);
  const m = new Float32Array(T * B);
  lengths.forEach((len, b) => {
    if (!Number.isInteger(len) || len < 1 || len > T) {
      throw new Error(`${op}: length ${len} of example ${b} is out of range (expected an integer in [1, ${T}])`);
    }
    for (let t = 0; t < len; t++) m[t * B + b] = 1;
  });
  return wrap(be.upload(m), [T, B], be);
}

/** A user's [B, T] (batch first) or [T, B] mask as the kernels' float [T, B] of 1/0. */
function stepMask(op: string, mask: Tensor, T: number, B: number, batchFirst: boolean): Tensor {
  const expected = batchFirst ? [B, T] : [T, B];
  if (!same(mask.shape, expected)) {
    throw new Error(`${op}: expected mask ${batchFirst ? '[batch, T]' : '[T, batch]'} = ${fmt(expected)} (1 for a real step, 0 for padding), got ${fmt(mask.shape)}`);
  }
  // ne(…, 0) makes any dtype a float 1/0, so a mask of 2s or of int32 ids still means "real".
  const m = ne(mask, 0);
  return batchFirst ? transpose(m, 0, 1) : m;
}

/** What recurrentLayers asks its caller to run: one layer-direction over the whole sequence. */
export interface LayerRun {
  /** The layer's input, [T * B, layer input]. */
  seq: Tensor;
  weights: RecurrentWeights;
  /** The initial states, one per state kind (LSTM: h, c), each [B, H]. */
  initial: Tensor[];
  reverse: boolean;
  mask: Tensor | null;
  T: number;
  B: number;
}

export interface LayersSpec {
  /** Gates per unit: 4 for an LSTM, 3 for a GRU; weight_ih is [gates * hidden, input]. */
  gates: number;
  /** Names of the state kinds (['h0', 'c0'] for an LSTM), with the initial ones, each [L * D, B, H]. */
  stateNames: readonly string[];
  state: readonly Tensor[] | null;
  /** Runs one layer-direction; returns its outputs [T, B, H] and its final states [B, H]. */
  run: (r: LayerRun) => [Tensor, ...Tensor[]];
}

/**
 * A multi-layer, optionally bidirectional recurrent network over x [T, B, I] ([B, T, I] with
 * batchFirst). Returns out [T, B, D * H] (or [B, T, D * H]) and each state kind's final
 * states [numLayers * D, B, H].
 */
export function recurrentLayers(op: string, x: Tensor, weights: readonly RecurrentWeights[], options: RecurrentOptions, spec: LayersSpec): [Tensor, Tensor[]] {
  requireFloat(op, x);
  const G = spec.gates;
  const D = options.bidirectional ? 2 : 1;
  if (!Array.isArray(weights)) throw new Error(`${op}: weights must be a list of { weightIh, weightHh, biasIh?, biasHh? }, got ${brief(weights)}`);
  if (weights.length === 0 || weights.length % D !== 0) {
    throw new Error(`${op}: expected weights for numLayers * ${D} layer-directions, got ${weights.length}`);
  }
  const L = weights.length / D;
  const dropout = options.dropout ?? 0;
  if (!(dropout >= 0 && dropout <= 1)) throw new Error(`${op}: dropout must be in [0, 1], got ${dropout}`);
  const { weightIh: wIh0, weightHh: wHh0 } = weights[0]!;
  if (wHh0.rank !== 2 || wIh0.rank !== 2) {
    throw new Error(`${op}: expected weight_ih_l0 [${G} * hidden, input] and weight_hh_l0 [${G} * hidden, hidden], got ${fmt(wIh0.shape)} and ${fmt(wHh0.shape)}`);
  }
  const H = wHh0.shape[1]!;
  const I = wIh0.shape[1]!;
  requireFloat(op, x);
  const layout = options.batchFirst ? '[batch, T, input]' : '[T, batch, input]';
  if (x.rank !== 3 || x.shape[2] !== I || x.shape[0] === 0 || x.shape[1] === 0) {
    throw new Error(`${op}: expected input ${layout} with input=${I} and non-empty T and batch, got ${fmt(x.shape)}`);
  }
  let seq = options.batchFirst ? transpose(x, 0, 1) : x;
  const [T, B] = seq.shape as [number, number];
  const be = backendOf(op, x, ...weights.flatMap((w) => [w.weightIh, w.weightHh]));
  const state = spec.state;
  if (state) {
    if (state.length !== spec.stateNames.length) throw new Error(`${op}: expected ${spec.stateNames.length} initial states (${spec.stateNames.join(', ')}), got ${state.length}`);
    state.forEach((s, i) => expectShape(op, spec.stateNames[i]!, s, [L * D, B, H], '[numLayers * numDirections, batch, hidden]'));
  }
  if (options.lengths && options.mask) throw new Error(`${op}: pass either lengths or mask, not both`);
  const mask = options.lengths ? lengthMask(op, be, options.lengths, T, B) : options.mask ? stepMask(op, options.mask, T, B, options.batchFirst ?? false) : null;
  const initial = (k: number, s: Tensor | undefined) => (s ? reshape(narrow(s, 0, k, 1), [B, H]) : wrap(be.fill(B * H, 0, 'float32'), [B, H], be));
  const finals: Tensor[][] = spec.stateNames.map(() => []);
  for (let l = 0; l < L; l++) {
    const outs: Tensor[] = [];
    const inSize = seq.shape[2]!;
    for (let d = 0; d < D; d++) {
      const k = l * D + d;
      const w = weights[k]!;
      const suffix = `_l${l}${d === 1 ? '_reverse' : ''}`;
      expectShape(op, `weight_ih${suffix}`, w.weightIh, [G * H, inSize], `[${G} * hidden, layer input]`);
      expectShape(op, `weight_hh${suffix}`, w.weightHh, [G * H, H], `[${G} * hidden, hidden]`);
      if (w.biasIh) expectShape(op, `bias_ih${suffix}`, w.biasIh, [G * H], `[${G} * hidden]`);
      if (w.biasHh) expectShape(op, `bias_hh${suffix}`, w.biasHh, [G * H], `[${G} * hidden]`);
      const init = spec.stateNames.map((_, i) => initial(k, state?.[i]));
      const [out, ...last] = spec.run({ seq: reshape(seq, [T * B, inSize]), weights: w, initial: init, reverse: d === 1, mask, T, B });
      outs.push(out);
      last.forEach((s, i) => finals[i]!.push(s));
    }
    seq = D === 2 ? cat(outs, 2) : outs[0]!;
    if (dropout > 0 && l < L - 1) seq = dropoutBetweenLayers(seq, dropout);
  }
  return [options.batchFirst ? transpose(seq, 0, 1) : seq, finals.map((f) => stack(f, 0))];
}
