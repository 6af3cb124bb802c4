// Shape arithmetic shared by the ops: broadcasting, axis normalisation, strided views.
import { contiguousStrides, type View } from '../backend/backend.js';

export const fmt = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** A user's value quoted for a message, cut short: a bad argument can be megabytes long or cyclic. */
export function brief(value: unknown, max = 80): string {
  const show = (v: unknown, depth: number): string => {
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v == null) return String(v);
    if (typeof v === 'string') return `'${v.length > max ? `${v.slice(0, max)}...` : v}'`;
    if (Array.isArray(v)) {
      if (depth > 2) return '[...]';
      return `[${v.slice(0, 16).map((x) => show(x, depth + 1)).join(', ')}${v.length > 16 ? `, ... (${v.length} items)` : ''}]`;
    }
    if (typeof v === 'function') return 'a function';
    return (v as object).constructor?.name ?? 'an object';
  };
  const text = show(value, 0);
  return text.length <= max + 20 ? text : `${text.slice(0, max)}...`;
}

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

/**
 * The most elements one tensor may have: kernels index elements with 32-bit integers, and a
 * larger request is a mistake (a swapped argument, a NaN size), not data, so it is refused
 * before anything is allocated.
 */
export const MAX_ELEMENTS = 2 ** 31 - 1;
/** Far beyond any real tensor (webgpu kernels take 8); bounds the work and message of a bad shape. */
export const MAX_SHAPE_RANK = 64;

export function assertShape(op: string, shape: readonly number[]): void {
  if (!Array.isArray(shape)) throw new Error(`${op}: shape must be an array of non-negative integers, got ${brief(shape)}`);
  if (shape.length > MAX_SHAPE_RANK) throw new Error(`${op}: shape has ${shape.length} dimensions, more than the ${MAX_SHAPE_RANK} supported`);
  let size = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`${op}: invalid shape ${brief(shape)}: dimensions must be non-negative integers`);
    size *= d;
  }
  if (size > MAX_ELEMENTS) throw new Error(`${op}: shape ${fmt(shape)} has ${size} elements, more than the ${MAX_ELEMENTS} a tensor can hold`);
}

/** Refuses a tensor a layer would make (`what`: 'the weight') before it is allocated. */
export function checkElements(op: string, what: string, shape: readonly number[]): void {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size > MAX_ELEMENTS) throw new Error(`${op}: ${what} ${fmt(shape)} would have ${size} elements, more than the ${MAX_ELEMENTS} a tensor can hold`);
}

/** A layer's size argument (features, channels, ...): a positive integer a tensor dimension can be. */
export function checkSize(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_ELEMENTS) {
    throw new Error(`${op}: ${name} must be a positive integer (at most ${MAX_ELEMENTS}), got ${brief(v)}`);
  }
  return v;
}
