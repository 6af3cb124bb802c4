// Argument handling shared by conv2d and the pools: [h, w] pairs given as one number or two,
// the NCHW input check, and PyTorch's output-size formula.
import { fmt } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { requireFloat } from './util.js';

export type Pair = number | readonly [number, number];

/** Reads an option that is a number or an [h, w] pair of integers >= min. */
export function pair(op: string, name: string, v: Pair, min: number): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!Array.isArray(v) && typeof v !== 'number' || (Array.isArray(v) && v.length !== 2) || p.some((x) => !Number.isInteger(x) || x < min)) {
    throw new Error(`${op}: ${name} must be an integer >= ${min} or a pair [h, w] of them, got ${JSON.stringify(v)}`);
  }
  return p;
}

/** x as [N, C, H, W]; an unbatched [C, H, W] input becomes a batch of one (PyTorch allows both). */
export function batched(op: string, x: Tensor): Tensor {
  requireFloat(op, x);
  if (x.rank === 4) return x;
  if (x.rank === 3) return x.reshape([1, ...x.shape]);
  throw new Error(`${op}: expected input [N, C, H, W] (or unbatched [C, H, W]), got ${fmt(x.shape)}`);
}

/** floor((size + 2 pad - dil (k - 1) - 1) / stride) + 1, refused when it is below 1. */
export function outputSize(op: string, x: Tensor, k: [number, number], s: [number, number], p: [number, number], d: [number, number]): [number, number] {
  const [H, W] = x.shape.slice(2) as [number, number];
  const oh = Math.floor((H + 2 * p[0] - d[0] * (k[0] - 1) - 1) / s[0]) + 1;
  const ow = Math.floor((W + 2 * p[1] - d[1] * (k[1] - 1) - 1) / s[1]) + 1;
  if (oh < 1 || ow < 1) {
    throw new Error(`${op}: input ${fmt(x.shape)} is too small for kernel [${k.join(', ')}] with padding [${p.join(', ')}] ` +
      `and dilation [${d.join(', ')}]: the output would be ${oh}x${ow}`);
  }
  return [oh, ow];
}
