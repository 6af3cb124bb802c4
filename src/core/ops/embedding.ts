// Embedding lookup, as torch.nn.functional.embedding(indices, weight): rows of weight picked by
// int32 indices of any shape. Its gradient is a scatter-add into weight's shape, so a row
// looked up several times receives the sum of its uses. With `paddingIdx` that row's gradient
// is zero, so the padding token's vector stays what it is (zeros, for nn.Embedding).
import type { Backend, Handle } from '../../backend/backend.js';
import { fmt } from '../shape.js';
import { type Tensor, withGrad } from '../tensor.js';
import { backendOf, live, requireFloat, wrap } from './util.js';

export interface EmbeddingOptions {
  /** A row that receives no gradient (PyTorch's padding_idx); negative counts from the end. */
  paddingIdx?: number | null;
}

/** PyTorch's padding_idx: an integer in [-rows, rows), negative counting from the end. */
export function paddingRow(op: string, paddingIdx: number | null | undefined, rows: number): number | null {
  if (paddingIdx === undefined || paddingIdx === null) return null;
  if (!Number.isInteger(paddingIdx) || paddingIdx < -rows || paddingIdx >= rows) {
    throw new Error(`${op}: paddingIdx must be an integer in [${-rows}, ${rows}) for ${rows} embeddings, got ${paddingIdx}`);
  }
  return paddingIdx < 0 ? rows + paddingIdx : paddingIdx;
}

/** Sets row `row` of a [rows, dim] buffer to zeros in place: one small write, no mask. */
export function zeroRow(be: Backend, table: Handle, row: number, dim: number): void {
  const zeros = be.fill(dim, 0, 'float32');
  be.scatter(table, zeros, { shape: [dim], strides: [1], offset: row * dim });
  be.release(zeros);
}

export function embedding(indices: Tensor, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  const op = 'embedding';
  live(op, indices, 'indices');
  if (indices.dtype !== 'int32') {
    throw new Error(`${op}: expected int32 indices, got ${indices.dtype} of shape ${fmt(indices.shape)} (convert with .int())`);
  }
  requireFloat(op, weight);
  if (weight.rank !== 2) throw new Error(`${op}: expected weight [numEmbeddings, embeddingDim], got ${fmt(weight.shape)}`);
  const [rows, dim] = weight.shape as [number, number];
  const padding = paddingRow(op, options.paddingIdx, rows);
  const be = backendOf(op, indices, weight);
  const out = wrap(be.embedding(weight.handle, indices.handle, dim), [...indices.shape, dim], be);
  return withGrad(out, op, [weight], (g) => {
    const grad = be.embeddingGrad(g.handle, indices.handle, rows, dim);
    if (padding !== null) zeroRow(be, grad, padding, dim);
    return [wrap(grad, weight.shape, be)];
  });
}
