// takeRows: rows of a tensor picked by int32 indices along dimension 0 (torch.index_select on
// dim 0). It moves data only, for batching datasets; it records no gradient, and says so rather
// than silently cutting the graph (dg.embedding is the differentiable lookup).
import { fmt } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { isGradEnabled } from '../engine.js';
import { backendOf, wrap } from './util.js';

/** x [N, ...] and int32 indices [B] in [0, N) -> [B, ...]. Out-of-range indices give zero rows. */
export function takeRows(x: Tensor, indices: Tensor): Tensor {
  const op = 'takeRows';
  if (indices.dtype !== 'int32' || indices.rank !== 1) throw new Error(`${op}: expected int32 indices [B], got ${indices.dtype} of shape ${fmt(indices.shape)}`);
  if (x.rank < 1) throw new Error(`${op}: expected a tensor with a row dimension, got shape ${fmt(x.shape)}`);
  if (x.requiresGrad && isGradEnabled()) throw new Error(`${op}: records no gradient, but the input of shape ${fmt(x.shape)} requires one; use dg.embedding for a differentiable lookup`);
  const be = backendOf(op, x, indices);
  const rowSize = x.shape.slice(1).reduce((a, b) => a * b, 1);
  return wrap(be.takeRows(x.handle, rowSize, indices.handle), [indices.size, ...x.shape.slice(1)], be);
}
