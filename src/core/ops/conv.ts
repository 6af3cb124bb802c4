// conv2d with PyTorch's semantics: NCHW input, weight [outC, inC / groups, kH, kW], optional
// bias [outC]; stride, padding (a size, or 'valid' / 'same'), dilation and groups. The forward
// and both backward products are backend kernels (implicit GEMMs on webgpu); the bias gradient
// is a sum over batch and pixels.
import type { Conv2dSpec } from '../../backend/cnnSpecs.js';
import { fmt } from '../shape.js';
import { type Tensor, withGrad } from '../tensor.js';
import { reshape } from './layout.js';
import { sum } from './reduce.js';
import { checkOptions } from './options.js';
import { backendOf, requireFloat, wrap } from './util.js';
import { batched, outputSize, type Pair, pair } from './window.js';

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair | 'valid' | 'same';
  dilation?: Pair;
  groups?: number;
}

function samePadding(k: [number, number], s: [number, number], d: [number, number]): [number, number] {
  if (s[0] !== 1 || s[1] !== 1) throw new Error(`conv2d: padding='same' needs stride 1, got stride [${s.join(', ')}]`);
  return [0, 1].map((i) => {
    const total = d[i]! * (k[i]! - 1);
    // PyTorch pads an odd total unevenly (one more after); these kernels pad both sides alike.
    if (total % 2 !== 0) {
      throw new Error(`conv2d: padding='same' with kernel [${k.join(', ')}] and dilation [${d.join(', ')}] needs uneven padding, which is not supported; pad the input explicitly`);
    }
    return total / 2;
  }) as [number, number];
}

export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  const op = 'conv2d';
  checkOptions(op, options, ['stride', 'padding', 'dilation', 'groups']);
  const x = batched(op, input);
  requireFloat(op, weight);
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`conv2d: groups must be a positive integer, got ${groups}`);
  const [N, C, H, W] = x.shape as [number, number, number, number];
  if (weight.rank !== 4) throw new Error(`conv2d: expected weight [outC, inC / groups, kH, kW], got ${fmt(weight.shape)}`);
  const [K, Cg, kH, kW] = weight.shape as [number, number, number, number];
  if (C % groups !== 0 || K % groups !== 0) {
    throw new Error(`conv2d: groups=${groups} must divide both the input channels (${C}) and the output channels (${K})`);
  }
  if (Cg !== C / groups) {
    throw new Error(`conv2d: expected input [N, C, H, W] with C=${Cg * groups} (weight ${fmt(weight.shape)}, groups=${groups}), got ${fmt(input.shape)}`);
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== K)) throw new Error(`conv2d: expected bias [${K}], got ${fmt(bias.shape)}`);
  if (bias) requireFloat(op, bias);
  const k: [number, number] = [kH, kW];
  const stride = pair(op, 'stride', options.stride ?? 1, 1);
  const dilation = pair(op, 'dilation', options.dilation ?? 1, 1);
  const pad = options.padding === 'same' ? samePadding(k, stride, dilation)
    : options.padding === 'valid' ? [0, 0] as [number, number]
    : pair(op, 'padding', options.padding ?? 0, 0);
  const [OH, OW] = outputSize(op, x, k, stride, pad, dilation);
  const spec: Conv2dSpec = {
    batch: N, inC: C, inH: H, inW: W, outC: K, outH: OH, outW: OW, kH, kW,
    strideH: stride[0], strideW: stride[1], padH: pad[0], padW: pad[1], dilH: dilation[0], dilW: dilation[1], groups,
  };
  const be = bias ? backendOf(op, x, weight, bias) : backendOf(op, x, weight);
  const outShape = input.rank === 3 ? [K, OH, OW] : [N, K, OH, OW];
  const out = wrap(be.conv2d(x.handle, weight.handle, bias ? bias.handle : null, spec), outShape, be);
  const inputs = bias ? [input, weight, bias] : [input, weight];
  return withGrad(out, op, inputs, (g) => [
    input.requiresGrad ? wrap(be.conv2dBackwardInput(g.handle, weight.handle, spec), input.shape, be) : null,
    weight.requiresGrad ? wrap(be.conv2dBackwardWeight(g.handle, input.handle, spec), weight.shape, be) : null,
    // Batch first, then pixels: each is then one reduction kernel reading memory in order.
    bias?.requiresGrad ? sum(sum(reshape(g, [N, K, OH * OW]), 0), 1) : null,
  ]);
}
