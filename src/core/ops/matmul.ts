// torch.matmul semantics on top of the backend's strided batched product: 1-D operands are
// promoted and the added dimension removed, batch dimensions broadcast. Transposes are
// expressed as strides, so the backward (g @ B^T, A^T @ g) copies nothing.
import type { MatmulSpec } from '../../backend/backend.js';
import { broadcastShapes, fmt } from '../shape.js';
import { Tensor, withGrad } from '../tensor.js';
import { sumTo } from './reduce.js';
import { reshape } from './layout.js';
import { backendOf, requireFloat, wrap } from './util.js';

/** out = op(a) @ op(b) where op transposes the last two dims when asked; a, b rank >= 2. */
export function matmulRaw(a: Tensor, b: Tensor, transA: boolean, transB: boolean, op = 'matmul'): Tensor {
  const be = backendOf(op, a, b);
  const [ar, ac] = a.shape.slice(-2) as [number, number];
  const [br, bc] = b.shape.slice(-2) as [number, number];
  const M = transA ? ac : ar;
  const K = transA ? ar : ac;
  const Kb = transB ? bc : br;
  const N = transB ? br : bc;
  if (K !== Kb) {
    throw new Error(`${op}: inner dimensions do not match: ${fmt(a.shape)}${transA ? 'ᵀ' : ''} @ ${fmt(b.shape)}${transB ? 'ᵀ' : ''} (${K} vs ${Kb})`);
  }
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const batchShape = broadcastShapes(op, aBatch, bBatch);
  const batch = batchShape.reduce((x, y) => x * y, 1);
  const offsets = (own: readonly number[], matrixSize: number): number[] => {
    const pad = batchShape.length - own.length;
    const res: number[] = [];
    for (let t = 0; t < batch; t++) {
      let rem = t;
      let off = 0;
      let stride = matrixSize;
      for (let d = batchShape.length - 1; d >= 0; d--) {
        const idx = rem % batchShape[d]!;
        rem = Math.floor(rem / batchShape[d]!);
        if (d >= pad) {
          const size = own[d - pad]!;
          if (size !== 1) off += idx * stride;
          stride *= size;
        }
      }
      res.push(off);
    }
    return res;
  };
  const spec: MatmulSpec = {
    batch, M, K, N,
    aOffsets: offsets(aBatch, ar * ac),
    bOffsets: offsets(bBatch, br * bc),
    aRowStride: transA ? 1 : ac,
    aColStride: transA ? ac : 1,
    bRowStride: transB ? 1 : bc,
    bColStride: transB ? bc : 1,
  };
  const out = wrap(be.matmul(a.handle, b.handle, spec), [...batchShape, M, N], be);
  return withGrad(out, op, [a, b], (g) => [
    // d(op(a)) = g @ op(b)^T, transposed back when a itself was used transposed.
    a.requiresGrad ? sumTo(transA ? matmulRaw(b, g, transB, true) : matmulRaw(g, b, false, !transB), a.shape) : null,
    b.requiresGrad ? sumTo(transB ? matmulRaw(g, a, true, transA) : matmulRaw(a, g, !transA, false), b.shape) : null,
  ]);
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  requireFloat('matmul', a);
  requireFloat('matmul', b);
  if (a.rank === 0 || b.rank === 0) throw new Error(`matmul: both arguments need at least 1 dimension, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  const a2 = a.rank === 1 ? reshape(a, [1, a.shape[0]!]) : a;
  const b2 = b.rank === 1 ? reshape(b, [b.shape[0]!, 1]) : b;
  let out = matmulRaw(a2, b2, false, false);
  if (a.rank === 1 || b.rank === 1) {
    const shape = out.shape.filter((_, i) => !((a.rank === 1 && i === out.rank - 2) || (b.rank === 1 && i === out.rank - 1)));
    out = reshape(out, shape);
  }
  return out;
}
