// GRUs with PyTorch's semantics (gate order r, z, n; n = tanh(W_in x + b_in + r * (W_hn h +
// b_hn)); weight_ih [3H, I], weight_hh [3H, H], two biases). As for the LSTM
// (./lstm.ts), the input projection x·W_ihᵀ + b_ih of a whole sequence is one matmul and the
// recurrence the backend's fused sequence kernel, whose backward returns the gate gradients of
// every step at once. b_hh goes into the kernel rather than into the projection, since r
// scales n's recurrent sum with its bias.
import type { GruSaved, GruSpec } from '../../backend/gruSpec.js';
import { fmt } from '../shape.js';
import { Tensor, withGrad } from '../tensor.js';
import { add } from './elementwise.js';
import { narrow, reshape } from './layout.js';
import { matmulRaw } from './matmul.js';
import { expectShape, type RecurrentOptions, type RecurrentWeights, recurrentLayers } from './recurrent.js';
import { sum } from './reduce.js';
import { backendOf, requireFloat, wrap } from './util.js';

export interface GruLayerOptions {
  /** Walk the sequence from its last step to its first (the backward half of a BiGRU). */
  reverse?: boolean;
  /** [T, B] of 1/0: steps at 0 keep the state and output zero (padding of shorter sequences). */
  mask?: Tensor | null;
}

/**
 * One direction of one layer over a sequence. xGates [T, B, 3H] holds x·W_ihᵀ + b_ih for every
 * step, bHh [3H] the recurrent bias (null: none); returns the outputs [T, B, H] and the final h [B, H].
 */
export function gruLayer(xGates: Tensor, h0: Tensor, wHh: Tensor, bHh: Tensor | null = null, options: GruLayerOptions = {}): [Tensor, Tensor] {
  return runGruLayer('gruLayer', xGates, h0, wHh, bHh, options);
}

/** gruLayer with errors named after the public op that runs it (gru, gruCell). */
function runGruLayer(op: string, xGates: Tensor, h0: Tensor, wHh: Tensor, bHh: Tensor | null, options: GruLayerOptions): [Tensor, Tensor] {
  requireFloat(op, xGates);
  if (xGates.rank !== 3 || xGates.shape[2]! % 3 !== 0 || xGates.shape.includes(0)) {
    throw new Error(`${op}: expected gate pre-activations [T, B, 3 * hidden] with T, B, hidden > 0, got ${fmt(xGates.shape)}`);
  }
  const [T, B, H3] = xGates.shape as [number, number, number];
  const H = H3 / 3;
  expectShape(op, 'weight_hh', wHh, [H3, H], '[3 * hidden, hidden]');
  expectShape(op, 'h0', h0, [B, H], '[batch, hidden]');
  if (bHh) expectShape(op, 'bias_hh', bHh, [H3], '[3 * hidden]');
  const mask = options.mask ?? null;
  if (mask) expectShape(op, 'mask', mask, [T, B], '[T, batch]');
  const inputs = bHh ? [xGates, h0, wHh, bHh] : [xGates, h0, wHh];
  const be = backendOf(op, ...inputs, ...(mask ? [mask] : []));
  const spec: GruSpec = { steps: T, batch: B, hidden: H, reverse: options.reverse ?? false };
  const bias = bHh ?? wrap(be.fill(H3, 0, 'float32'), [H3], be);
  const fwd = be.gruForward(xGates.handle, h0.handle, wHh.handle, bias.handle, mask?.handle ?? null, spec);
  if (!bHh) bias.dispose();
  const packed = wrap(fwd.out, [T + 1, B, H], be);
  // The sequence buffers only the backward reads; not outputs, so checkNumerics skips them.
  const [states, gates] = [fwd.states, fwd.gates].map((hd) => Tensor.fromHandle(hd, [hd.size], be)) as [Tensor, Tensor];
  withGrad(packed, op, inputs, (g) => {
    const fwdSaved: GruSaved = { states: states.handle, gates: gates.handle };
    const grads = be.gruBackward(g.handle, wHh.handle, fwdSaved, mask?.handle ?? null, spec);
    const dhGates = wrap(grads.dhGates, [T * B, H3], be);
    return [
      wrap(grads.dxGates, xGates.shape, be), wrap(grads.dh0, [B, H], be), wrap(grads.dwHh, wHh.shape, be),
      ...(bHh ? [sum(dhGates, 0)] : []),
    ];
  }, [states, gates]);
  return [narrow(packed, 0, 0, T), reshape(narrow(packed, 0, T, 1), [B, H])];
}

/** x [N, I] · W_ihᵀ + b_ih -> [N, 3H]. */
function inputGates(x: Tensor, wIh: Tensor, bIh?: Tensor | null): Tensor {
  const xg = matmulRaw(x, wIh, false, true, 'gru');
  return bIh ? add(xg, bIh) : xg;
}

/**
 * One GRU step, as torch.nn.GRUCell: x [B, I], h [B, H], wIh [3H, I], wHh [3H, H], biases
 * [3H]. Returns the new h.
 */
export function gruCell(x: Tensor, h: Tensor, wIh: Tensor, wHh: Tensor, bIh?: Tensor | null, bHh?: Tensor | null): Tensor {
  const op = 'gruCell';
  requireFloat(op, x);
  requireFloat(op, wIh);
  if (wIh.rank !== 2 || wIh.shape[0]! % 3 !== 0) throw new Error(`${op}: expected weight_ih [3 * hidden, input], got ${fmt(wIh.shape)}`);
  const [H3, I] = wIh.shape as [number, number];
  const H = H3 / 3;
  if (x.rank !== 2 || x.shape[1] !== I || x.shape[0] === 0) throw new Error(`${op}: expected input [batch, input] with input=${I}, got ${fmt(x.shape)}`);
  const B = x.shape[0]!;
  expectShape(op, 'weight_hh', wHh, [H3, H], '[3 * hidden, hidden]');
  expectShape(op, 'h', h, [B, H], '[batch, hidden]');
  if (bIh) expectShape(op, 'bias_ih', bIh, [H3], '[3 * hidden]');
  if (bHh) expectShape(op, 'bias_hh', bHh, [H3], '[3 * hidden]');
  const xg = reshape(inputGates(x, wIh, bIh), [1, B, H3]);
  return runGruLayer('gruCell', xg, h, wHh, bHh ?? null, {})[1];
}

/** One layer-direction's parameters, named as in PyTorch's state dict. */
export type GruWeights = RecurrentWeights;

export interface GruOptions extends RecurrentOptions {
  /** Initial h0 [numLayers * numDirections, B, H]; zeros when absent. */
  h0?: Tensor | null;
}

/**
 * A multi-layer, optionally bidirectional GRU over x [T, B, I] ([B, T, I] with batchFirst), as
 * torch.nn.GRU. `weights` lists each layer's directions in PyTorch's order (l0, l0_reverse,
 * l1, ...). Returns [out, hN]: out [T, B, D * H] (or [B, T, D * H]), hN [numLayers * D, B, H];
 * with lengths or a mask, each example's last real step.
 */
export function gru(x: Tensor, weights: readonly GruWeights[], options: GruOptions = {}): [Tensor, Tensor] {
  const [out, [hN]] = recurrentLayers('gru', x, weights, options, {
    gates: 3, stateNames: ['h0'], state: options.h0 ? [options.h0] : null,
    run: ({ seq, weights: w, initial: [h0], reverse, mask, T, B }) => {
      const xg = inputGates(seq, w.weightIh, w.biasIh);
      return runGruLayer('gru', reshape(xg, [T, B, xg.shape[1]!]), h0!, w.weightHh, w.biasHh ?? null, { reverse, mask });
    },
  });
  return [out, hN!];
}
