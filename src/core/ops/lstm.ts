// LSTMs with PyTorch's semantics (gate order i, f, g, o; weight_ih [4H, I], weight_hh [4H, H],
// two biases). The input projection x·W_ihᵀ of a whole sequence is one matmul; the recurrence
// is the backend's fused sequence kernel, whose backward returns the gate gradients of every
// step at once, so W_ih's and x's gradients are again one matmul each.
import type { LstmSaved, LstmSpec } from '../../backend/lstmSpec.js';
import { fmt } from '../shape.js';
import { Tensor, withGrad } from '../tensor.js';
import { add } from './elementwise.js';
import { narrow, reshape } from './layout.js';
import { matmulRaw } from './matmul.js';
import { expectShape, type RecurrentOptions, type RecurrentWeights, recurrentLayers } from './recurrent.js';
import { backendOf, requireFloat, wrap } from './util.js';

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
  return runLstmLayer('lstmLayer', xGates, h0, c0, wHh, options);
}

/** lstmLayer with errors named after the public op that runs it (lstm, lstmCell). */
function runLstmLayer(op: string, xGates: Tensor, h0: Tensor, c0: Tensor, wHh: Tensor, options: LstmLayerOptions): [Tensor, Tensor, Tensor] {
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
  // The sequence buffers only the backward reads; not outputs, so checkNumerics skips them.
  const [states, cells, gates] = [fwd.states, fwd.cells, fwd.gates].map((hd) => Tensor.fromHandle(hd, [hd.size], be)) as [Tensor, Tensor, Tensor];
  withGrad(packed, op, inputs, (g) => {
    const fwdSaved: LstmSaved = { states: states.handle, cells: cells.handle, gates: gates.handle };
    const grads = be.lstmBackward(g.handle, wHh.handle, fwdSaved, mask?.handle ?? null, spec);
    return [
      wrap(grads.dxGates, xGates.shape, be), wrap(grads.dh0, [B, H], be),
      wrap(grads.dc0, [B, H], be), wrap(grads.dwHh, wHh.shape, be),
    ];
  }, [states, cells, gates]);
  return [narrow(packed, 0, 0, T), reshape(narrow(packed, 0, T, 1), [B, H]), reshape(narrow(packed, 0, T + 1, 1), [B, H])];
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
  const [, h1, c1] = runLstmLayer('lstmCell', xg, h, c, wHh, {});
  return [h1, c1];
}

/** One layer-direction's parameters, named as in PyTorch's state dict. */
export type LstmWeights = RecurrentWeights;

export interface LstmOptions extends RecurrentOptions {
  /** Initial [h0, c0], each [numLayers * numDirections, B, H]; zeros when absent. */
  state?: readonly [Tensor, Tensor] | null;
}

/**
 * A multi-layer, optionally bidirectional LSTM over x [T, B, I] ([B, T, I] with batchFirst),
 * as torch.nn.LSTM. `weights` lists each layer's directions in PyTorch's order
 * (l0, l0_reverse, l1, ...). Returns [out, [hN, cN]]: out [T, B, D * H] (or [B, T, D * H]),
 * hN and cN [numLayers * D, B, H]; with lengths or a mask, each example's last real step.
 */
export function lstm(x: Tensor, weights: readonly LstmWeights[], options: LstmOptions = {}): [Tensor, [Tensor, Tensor]] {
  const [out, [hN, cN]] = recurrentLayers('lstm', x, weights, options, {
    gates: 4, stateNames: ['h0', 'c0'], state: options.state ?? null,
    run: ({ seq, weights: w, initial: [h0, c0], reverse, mask, T, B }) => {
      const xg = inputGates(seq, w.weightIh, w.biasIh, w.biasHh);
      return runLstmLayer('lstm', reshape(xg, [T, B, xg.shape[1]!]), h0!, c0!, w.weightHh, { reverse, mask });
    },
  });
  return [out, [hN!, cN!]];
}
