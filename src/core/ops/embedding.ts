// Embedding lookup, as torch.nn.functional.embedding(indices, weight): rows of weight picked by
// int32 indices of any shape. Its gradient is a scatter-add into weight's shape, so a row
// looked up several times receives the sum of its uses.
import { fmt } from '../shape.js';
import { type Tensor, withGrad } from '../tensor.js';
import { backendOf, requireFloat, wrap } from './util.js';

export function embedding(indices: Tensor, weight: Tensor): Tensor {
  const op = 'embedding';
  if (indices.dtype !== 'int32') {
    throw new Error(`${op}: expected int32 indices, got ${indices.dtype} of shape ${fmt(indices.shape)} (convert with .int())`);
  }
  requireFloat(op, weight);
  if (weight.rank !== 2) throw new Error(`${op}: expected weight [numEmbeddings, embeddingDim], got ${fmt(weight.shape)}`);
  const [rows, dim] = weight.shape as [number, number];
  const be = backendOf(op, indices, weight);
  const out = wrap(be.embedding(weight.handle, indices.handle, dim), [...indices.shape, dim], be);
  return withGrad(out, op, [weight], (g) => [wrap(be.embeddingGrad(g.handle, indices.handle, rows, dim), weight.shape, be)]);
}
