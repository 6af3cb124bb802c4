// Reference embedding lookup and its gradient: row gathers and a scatter-add in float64.
import { embeddingIndexError } from '../backend.js';

/** out[i, :] = weight[indices[i], :]; weight is [rows, dim]. */
export function embeddingForward(weight: Float64Array, indices: Int32Array, dim: number): Float64Array {
  const rows = weight.length / dim;
  const out = new Float64Array(indices.length * dim);
  indices.forEach((r, i) => {
    if (r < 0 || r >= rows) throw embeddingIndexError(r, i, rows);
    out.set(weight.subarray(r * dim, (r + 1) * dim), i * dim);
  });
  return out;
}

/** dWeight[r, :] = sum of dOut[i, :] over every i with indices[i] = r (repeats accumulate). */
export function embeddingBackward(dOut: Float64Array, indices: Int32Array, rows: number, dim: number): Float64Array {
  const dw = new Float64Array(rows * dim);
  indices.forEach((r, i) => {
    for (let d = 0; d < dim; d++) dw[r * dim + d] = dw[r * dim + d]! + dOut[i * dim + d]!;
  });
  return dw;
}
