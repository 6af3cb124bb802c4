// Shape arithmetic shared by the ops: broadcasting, axis normalisation, strided views.
import { contiguousStrides, type View } from '../backend/backend.js';

export const fmt = (shape: readonly number[]) => `[${shape.join(', ')}]`;

export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: shapes ${fmt(a)} and ${fmt(b)} cannot be broadcast together (dimension ${i} of the result: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** The view of a contiguous tensor of `shape` broadcast to `outShape` (stride 0 where expanded). */
export function broadcastView(shape: readonly number[], outShape: readonly number[]): View {
  const own = contiguousStrides(shape);
  const pad = outShape.length - shape.length;
  const strides = outShape.map((d, i) => {
    if (i < pad) return 0;
    return shape[i - pad] === 1 && d !== 1 ? 0 : own[i - pad]!;
  });
  return { shape: outShape, strides, offset: 0 };
}

export function normalizeAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -Math.max(rank, 1) || axis >= Math.max(rank, 1)) {
    throw new Error(`${op}: axis ${axis} is out of range for a tensor of rank ${rank} (expected an integer in [${-rank}, ${rank - 1}])`);
  }
  return axis < 0 ? axis + rank : axis;
}

export function assertShape(op: string, shape: readonly number[]): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`${op}: invalid shape ${fmt(shape)}: dimensions must be non-negative integers`);
  }
}
