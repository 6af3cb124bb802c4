// Argument handling shared by the convolutions and the pools: per-axis sizes given as one
// number or one per spatial axis, the batched-input check, and PyTorch's output-size formula.
import { fmt } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { requireFloat } from './util.js';

export type Pair = number | readonly [number, number];

/** Reads an option that is a number or one integer >= min per spatial axis (`dims` of them). */
export function sizes(op: string, name: string, v: number | readonly number[], min: number, dims: number): number[] {
  const p = typeof v === 'number' ? new Array<number>(dims).fill(v) : Array.isArray(v) ? [...v] : [];
  if (p.length !== dims || p.some((x) => !Number.isInteger(x) || x < min)) {
    const shape = dims === 2 ? 'a pair [h, w] of them' : 'a one-element list [n] of one';
    throw new Error(`${op}: ${name} must be an integer >= ${min} or ${shape}, got ${JSON.stringify(v)}`);
  }
  return p;
}

/** Reads an option that is a number or an [h, w] pair of integers >= min. */
export function pair(op: string, name: string, v: Pair, min: number): [number, number] {
  return sizes(op, name, v, min, 2) as [number, number];
}

const LAYOUT: Record<number, string> = { 1: 'L', 2: 'H, W' };

/** x as [N, C, ...spatial]; an unbatched [C, ...spatial] input becomes a batch of one (PyTorch
 *  allows both). `spatial` is 2 for images, 1 for sequences. */
export function batched(op: string, x: Tensor, spatial = 2): Tensor {
  requireFloat(op, x);
  if (x.rank === spatial + 2) return x;
  if (x.rank === spatial + 1) return x.reshape([1, ...x.shape]);
  throw new Error(`${op}: expected input [N, C, ${LAYOUT[spatial]}] (or unbatched [C, ${LAYOUT[spatial]}]), got ${fmt(x.shape)}`);
}

/**
 * PyTorch's output size per spatial axis of x [N, C, ...spatial]:
 * floor((size + before + after - dil (k - 1) - 1) / stride) + 1, rounding up instead in ceil
 * mode, where the last window must still start inside the input or its left padding (so it
 * covers at least one input element). `after` is the padding after the last element, `before`
 * unless given. Refused when an axis would be below 1.
 */
export function outputSize(
  op: string, x: Tensor, k: readonly number[], s: readonly number[], before: readonly number[], d: readonly number[],
  options: { after?: readonly number[]; ceilMode?: boolean } = {},
): number[] {
  const after = options.after ?? before;
  const out = k.map((_, i) => {
    const size = x.shape[2 + i]!;
    const span = size + before[i]! + after[i]! - d[i]! * (k[i]! - 1) - 1;
    if (!options.ceilMode) return Math.floor(span / s[i]!) + 1;
    let o = Math.ceil(span / s[i]!) + 1;
    if ((o - 1) * s[i]! >= size + before[i]!) o--;
    return o;
  });
  if (out.some((o) => o < 1)) {
    throw new Error(`${op}: input ${fmt(x.shape)} is too small for kernel [${k.join(', ')}] with padding [${before.join(', ')}] ` +
      `and dilation [${d.join(', ')}]: the output would be ${out.join('x')}`);
  }
  return out;
}
