// conv2d and conv1d with PyTorch's semantics: x [N, C, H, W] (or [N, C, L]), weight
// [outC, inC / groups, kH, kW] (or [outC, inC / groups, k]), optional bias [outC]; stride,
// padding (a size, or 'valid' / 'same'), dilation and groups. The forward and both backward
// products are backend kernels (implicit GEMMs on webgpu); the bias gradient is a sum over batch
// and pixels. conv1d is conv2d over views with H = 1, so both share every kernel.
import type { Conv2dSpec } from '../../backend/cnnSpecs.js';
import { fmt } from '../shape.js';
import { type Tensor, withGrad } from '../tensor.js';
import { reshape } from './layout.js';
import { sum } from './reduce.js';
import { checkOptions } from './options.js';
import { backendOf, requireFloat, wrap } from './util.js';
import { batched, outputSize, type Pair, sizes } from './window.js';

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair | 'valid' | 'same';
  dilation?: Pair;
  groups?: number;
}

type Size1 = number | readonly [number];

export interface Conv1dOptions {
  stride?: Size1;
  padding?: Size1 | 'valid' | 'same';
  dilation?: Size1;
  groups?: number;
}

type ConvOptions = Conv2dOptions | Conv1dOptions;

/** Padding before and after each axis for 'same': PyTorch puts the odd one out after. */
function samePadding(op: string, k: number[], s: number[], d: number[]): [number[], number[]] {
  if (s.some((v) => v !== 1)) throw new Error(`${op}: padding='same' needs stride 1, got stride [${s.join(', ')}]`);
  const total = k.map((kk, i) => d[i]! * (kk - 1));
  return [total.map((t) => Math.floor(t / 2)), total.map((t) => t - Math.floor(t / 2))];
}

/** The convolution over `spatial` axes (1 or 2); its errors name `op` and the caller's shapes. */
function convolution(op: string, input: Tensor, weight: Tensor, bias: Tensor | null | undefined, options: ConvOptions, spatial: 1 | 2): Tensor {
  checkOptions(op, options, ['stride', 'padding', 'dilation', 'groups']);
  const x = batched(op, input, spatial);
  requireFloat(op, weight);
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`${op}: groups must be a positive integer, got ${groups}`);
  const [N, C] = x.shape as [number, number];
  const layout = spatial === 2 ? ['H, W', 'kH, kW'] : ['L', 'k'];
  if (weight.rank !== spatial + 2) throw new Error(`${op}: expected weight [outC, inC / groups, ${layout[1]}], got ${fmt(weight.shape)}`);
  const [K, Cg] = weight.shape as [number, number];
  const k = weight.shape.slice(2);
  if (C % groups !== 0 || K % groups !== 0) {
    throw new Error(`${op}: groups=${groups} must divide both the input channels (${C}) and the output channels (${K})`);
  }
  if (Cg !== C / groups) {
    throw new Error(`${op}: expected input [N, C, ${layout[0]}] with C=${Cg * groups} (weight ${fmt(weight.shape)}, groups=${groups}), got ${fmt(input.shape)}`);
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== K)) throw new Error(`${op}: expected bias [${K}], got ${fmt(bias.shape)}`);
  if (bias) requireFloat(op, bias);
  const stride = sizes(op, 'stride', options.stride ?? 1, 1, spatial);
  const dilation = sizes(op, 'dilation', options.dilation ?? 1, 1, spatial);
  const [before, after] = options.padding === 'same' ? samePadding(op, k, stride, dilation)
    : options.padding === 'valid' ? [new Array<number>(spatial).fill(0), undefined]
    : [sizes(op, 'padding', options.padding ?? 0, 0, spatial), undefined];
  const outSize = outputSize(op, x, k, stride, before, dilation, { after });
  // conv1d is the H = 1 case: one row, a 1-row kernel, no vertical stride, padding or dilation.
  const two = (v: number[], one: number) => (spatial === 2 ? v : [one, v[0]!]);
  const [H, W] = two(x.shape.slice(2), 1);
  const [kH, kW] = two(k, 1);
  const [OH, OW] = two(outSize, 1);
  const [sH, sW] = two(stride, 1);
  const [pH, pW] = two(before, 0);
  const [dH, dW] = two(dilation, 1);
  const spec: Conv2dSpec = {
    batch: N, inC: C, inH: H!, inW: W!, outC: K, outH: OH!, outW: OW!, kH: kH!, kW: kW!,
    strideH: sH!, strideW: sW!, padH: pH!, padW: pW!, dilH: dH!, dilW: dW!, groups,
  };
  const be = bias ? backendOf(op, x, weight, bias) : backendOf(op, x, weight);
  const outShape = input.rank === spatial + 1 ? [K, ...outSize] : [N, K, ...outSize];
  const out = wrap(be.conv2d(x.handle, weight.handle, bias ? bias.handle : null, spec), outShape, be);
  const inputs = bias ? [input, weight, bias] : [input, weight];
  return withGrad(out, op, inputs, (g) => [
    input.requiresGrad ? wrap(be.conv2dBackwardInput(g.handle, weight.handle, spec), input.shape, be) : null,
    weight.requiresGrad ? wrap(be.conv2dBackwardWeight(g.handle, input.handle, spec), weight.shape, be) : null,
    // Batch first, then pixels: each is then one reduction kernel reading memory in order.
    bias?.requiresGrad ? sum(sum(reshape(g, [N, K, OH! * OW!]), 0), 1) : null,
  ]);
}

export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  return convolution('conv2d', input, weight, bias, options, 2);
}

/** x [N, C, L] (or [C, L]), weight [outC, inC / groups, k]: conv2d's kernels over H = 1 views
 *  (the layouts [N, C, L] and [N, C, 1, L] are the same memory). */
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv1dOptions = {}): Tensor {
  return convolution('conv1d', input, weight, bias, options, 1);
}
