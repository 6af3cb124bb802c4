// LSTMs with PyTorch's semantics (gate order i, f, g, o; weight_ih [4H, I], weight_hh [4H, H],
// two biases). The input projection x·W_ihᵀ of a whole sequence is one matmul; the recurrence
// is the backend's fused sequence kernel, whose backward returns the gate gradients of every
// step at once, so W_ih's and x's gradients are again one matmul each.
import type { Backend } from '../../backend/backend.js';
import type { LstmSaved, LstmSpec } from '../../backend/lstmSpec.js';
import { isGradEnabled } from '../engine.js';
import { fmt } from '../shape.js';
import { type Tensor, withGrad } from '../tensor.js';
import { rand } from './creation.js';
import { add, ge, mul, ne } from './elementwise.js';
import { cat, narrow, reshape, stack, transpose } from './layout.js';
import { matmulRaw } from './matmul.js';
import { backendOf, requireFloat, wrap } from './util.js';

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

function expectShape(op: string, what: string, t: Tensor, shape: readonly number[], names: string): void {
  requireFloat(op, t);
  if (!same(t.shape, shape)) throw new Error(`${op}: expected ${what} ${names} = ${fmt(shape)}, got ${fmt(t.shape)}`);
}

export interface LstmLayerOptions {
  /** Walk the sequence from its last step to its first (the backward half of a BiLSTM). */
  reverse?: boolean;
  /** [T, B] of 1/0: steps at 0 keep the state and output zero (padding of shorter sequences). */
  mask?: Tensor | null;
}

/**
 * One direction of one layer over a sequence. xGates [T, B, 4H] holds x·W_ihᵀ + biases for
 * every step; returns the outputs [T, B, H] and the final h and c [B, H].
 */
export function lstmLayer(xGates: Tensor, h0: Tensor, c0: Tensor, wHh: Tensor, options: LstmLayerOptions = {}): [Tensor, Tensor, Tensor] {
  const op = 'lstm';
  requireFloat(op, xGates);
  if (xGates.rank !== 3 || xGates.shape[2]! % 4 !== 0 || xGates.shape.includes(0)) {
    throw new Error(`${op}: expected gate pre-activations [T, B, 4 * hidden] with T, B, hidden > 0, got ${fmt(xGates.shape)}`);
  }
  const [T, B, H4] = xGates.shape as [number, number, number];
  const H = H4 / 4;
  expectShape(op, 'weight_hh', wHh, [H4, H], '[4 * hidden, hidden]');
  expectShape(op, 'h0', h0, [B, H], '[batch, hidden]');
  expectShape(op, 'c0', c0, [B, H], '[batch, hidden]');
  const mask = options.mask ?? null;
  if (mask) expectShape(op, 'mask', mask, [T, B], '[T, batch]');
  const be = backendOf(op, xGates, h0, c0, wHh, ...(mask ? [mask] : []));
  const spec: LstmSpec = { steps: T, batch: B, hidden: H, reverse: options.reverse ?? false };
  const inputs = [xGates, h0, c0, wHh];
  const fwd = be.lstmForward(xGates.handle, h0.handle, c0.handle, wHh.handle, mask?.handle ?? null, spec);
  const packed = wrap(fwd.out, [T + 2, B, H], be);
  if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad)) {
    release(be, fwd);
  } else {
    // Held as tensors so tidy() and the finalizer free them if backward never runs.
    const [states, cells, gates] = [fwd.states, fwd.cells, fwd.gates].map((hd) => wrap(hd, [hd.size], be)) as [Tensor, Tensor, Tensor];
    const saved = [states, cells, gates];
    withGrad(packed, op, inputs, (g) => {
      const fwdSaved: LstmSaved = { states: states.handle, cells: cells.handle, gates: gates.handle };
      const grads = be.lstmBackward(g.handle, wHh.handle, fwdSaved, mask?.handle ?? null, spec);
      // The graph is walked once (autograd drops each node after its rule), so the saved
      // sequence buffers can go now rather than at garbage collection.
      for (const t of saved) t.dispose();
      return [
        wrap(grads.dxGates, xGates.shape, be), wrap(grads.dh0, [B, H], be),
        wrap(grads.dc0, [B, H], be), wrap(grads.dwHh, wHh.shape, be),
      ];
    });
  }
  return [narrow(packed, 0, 0, T), reshape(narrow(packed, 0, T, 1), [B, H]), reshape(narrow(packed, 0, T + 1, 1), [B, H])];
}

function release(be: Backend, saved: LstmSaved): void {
  be.release(saved.states);
  be.release(saved.cells);
  be.release(saved.gates);
}

/** x [N, I] · W_ihᵀ + b_ih + b_hh -> [N, 4H]; the biases are summed first, the smaller add. */
function inputGates(x: Tensor, wIh: Tensor, bIh?: Tensor | null, bHh?: Tensor | null): Tensor {
  const xg = matmulRaw(x, wIh, false, true, 'lstm');
  const bias = bIh && bHh ? add(bIh, bHh) : (bIh ?? bHh);
  return bias ? add(xg, bias) : xg;
}

function checkBias(op: string, name: string, b: Tensor | null | undefined, H4: number): void {
  if (b) expectShape(op, name, b, [H4], '[4 * hidden]');
}

/**
 * One LSTM step, as torch.nn.LSTMCell: x [B, I], h and c [B, H], wIh [4H, I], wHh [4H, H],
 * biases [4H]. Returns the new [h, c].
 */
export function lstmCell(x: Tensor, h: Tensor, c: Tensor, wIh: Tensor, wHh: Tensor, bIh?: Tensor | null, bHh?: Tensor | null): [Tensor, Tensor] {
  const op = 'lstmCell';
  requireFloat(op, x);
  requireFloat(op, wIh);
  if (wIh.rank !== 2 || wIh.shape[0]! % 4 !== 0) throw new Error(`${op}: expected weight_ih [4 * hidden, input], got ${fmt(wIh.shape)}`);
  const [H4, I] = wIh.shape as [number, number];
  const H = H4 / 4;
  if (x.rank !== 2 || x.shape[1] !== I) throw new Error(`${op}: expected input [batch, input] with input=${I}, got ${fmt(x.shape)}`);
  const B = x.shape[0]!;
  expectShape(op, 'weight_hh', wHh, [H4, H], '[4 * hidden, hidden]');
  expectShape(op, 'h', h, [B, H], '[batch, hidden]');
  expectShape(op, 'c', c, [B, H], '[batch, hidden]');
  checkBias(op, 'bias_ih', bIh, H4);
  checkBias(op, 'bias_hh', bHh, H4);
  const xg = reshape(inputGates(x, wIh, bIh, bHh), [1, B, H4]);
  const [, h1, c1] = lstmLayer(xg, h, c, wHh);
  return [h1, c1];
}

/** One layer-direction's parameters, named as in PyTorch's state dict. */
export interface LstmWeights {
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh?: Tensor | null;
  biasHh?: Tensor | null;
}

export interface LstmOptions {
  bidirectional?: boolean;
  /** Input and output are [B, T, features] rather than [T, B, features]. */
  batchFirst?: boolean;
  /** Initial [h0, c0], each [numLayers * numDirections, B, H]; zeros when absent. */
  state?: readonly [Tensor, Tensor] | null;
  /**
   * Per-example sequence lengths for a padded batch (PyTorch's packed sequences): steps at or
   * beyond an example's length leave its state alone and output zero, so each example's
   * results are those of its own sequence; hN and cN are taken at its last real step.
   */
  lengths?: readonly number[] | null;
  /**
   * Which steps are real, as Keras' masks: nonzero or 0, of shape [B, T] with batchFirst,
   * else [T, B]. A 0 step keeps its example's state and outputs zero, wherever it is, so
   * front padding (Keras' pad_sequences default) works as well as back padding; hN and cN are
   * the state after each example's last real step (its first, for the reverse direction).
   * Built on the device, e.g. `dg.ne(tokenIds, 0)`; an alternative to `lengths`.
   */
  mask?: Tensor | null;
  /** Dropout probability on each layer's output but the last, as torch.nn.LSTM's `dropout` (pass 0 in eval). */
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

/**
 * A multi-layer, optionally bidirectional LSTM over x [T, B, I] ([B, T, I] with batchFirst),
 * as torch.nn.LSTM. `weights` lists each layer's directions in PyTorch's order
 * (l0, l0_reverse, l1, ...). Returns [out, [hN, cN]]: out [T, B, D * H] (or [B, T, D * H]),
 * hN and cN [numLayers * D, B, H].
 */
export function lstm(x: Tensor, weights: readonly LstmWeights[], options: LstmOptions = {}): [Tensor, [Tensor, Tensor]] {
  const op = 'lstm';
  const D = options.bidirectional ? 2 : 1;
  if (weights.length === 0 || weights.length % D !== 0) {
    throw new Error(`${op}: expected weights for numLayers * ${D} layer-directions, got ${weights.length}`);
  }
  const L = weights.length / D;
  const dropout = options.dropout ?? 0;
  if (!(dropout >= 0 && dropout <= 1)) throw new Error(`${op}: dropout must be in [0, 1], got ${dropout}`);
  const { weightIh: wIh0, weightHh: wHh0 } = weights[0]!;
  if (wHh0.rank !== 2 || wIh0.rank !== 2) {
    throw new Error(`${op}: expected weight_ih_l0 [4 * hidden, input] and weight_hh_l0 [4 * hidden, hidden], got ${fmt(wIh0.shape)} and ${fmt(wHh0.shape)}`);
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
  const state = options.state ?? null;
  if (state) {
    expectShape(op, 'h0', state[0], [L * D, B, H], '[numLayers * numDirections, batch, hidden]');
    expectShape(op, 'c0', state[1], [L * D, B, H], '[numLayers * numDirections, batch, hidden]');
  }
  if (options.lengths && options.mask) throw new Error(`${op}: pass either lengths or mask, not both`);
  const mask = options.lengths ? lengthMask(op, be, options.lengths, T, B) : options.mask ? stepMask(op, options.mask, T, B, options.batchFirst ?? false) : null;
  const zeros = () => wrap(be.fill(B * H, 0, 'float32'), [B, H], be);
  const initial = (k: number, s: Tensor | undefined) => (s ? reshape(narrow(s, 0, k, 1), [B, H]) : zeros());
  const hs: Tensor[] = [];
  const cs: Tensor[] = [];
  for (let l = 0; l < L; l++) {
    const outs: Tensor[] = [];
    const inSize = seq.shape[2]!;
    for (let d = 0; d < D; d++) {
      const k = l * D + d;
      const w = weights[k]!;
      const suffix = `_l${l}${d === 1 ? '_reverse' : ''}`;
      expectShape(op, `weight_ih${suffix}`, w.weightIh, [4 * H, inSize], '[4 * hidden, layer input]');
      expectShape(op, `weight_hh${suffix}`, w.weightHh, [4 * H, H], '[4 * hidden, hidden]');
      checkBias(op, `bias_ih${suffix}`, w.biasIh, 4 * H);
      checkBias(op, `bias_hh${suffix}`, w.biasHh, 4 * H);
      const xg = reshape(inputGates(reshape(seq, [T * B, inSize]), w.weightIh, w.biasIh, w.biasHh), [T, B, 4 * H]);
      const [out, hN, cN] = lstmLayer(xg, initial(k, state?.[0]), initial(k, state?.[1]), w.weightHh, { reverse: d === 1, mask });
      outs.push(out);
      hs.push(hN);
      cs.push(cN);
    }
    seq = D === 2 ? cat(outs, 2) : outs[0]!;
    if (dropout > 0 && l < L - 1) seq = dropoutBetweenLayers(seq, dropout);
  }
  return [options.batchFirst ? transpose(seq, 0, 1) : seq, [stack(hs, 0), stack(cs, 0)]];
}
