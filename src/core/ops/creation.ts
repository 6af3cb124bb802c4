// Tensor creation: from data, constants, ranges and seeded random numbers.
import type { Backend, DType, TypedArray } from '../../backend/backend.js';
import { normal, uniform } from '../randomFill.js';
import { assertShape, fmt } from '../shape.js';
import { type NestedArray, Tensor } from '../tensor.js';
import { type BackendName, resolveBackend } from '../engine.js';
import { wrap } from './util.js';

export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
  /** 'cpu', 'webgpu' or a tensor's `.backend`; defaults to the active backend (dg.init). */
  backend?: Backend | BackendName;
}

function checkDtype(op: string, dtype: unknown): DType {
  if (dtype !== 'float32' && dtype !== 'int32') throw new Error(`${op}: unknown dtype '${String(dtype)}' (expected 'float32' or 'int32')`);
  return dtype;
}

function finish(op: string, values: TypedArray | Float64Array, shape: readonly number[], opts: CreateOptions): Tensor {
  const dtype = checkDtype(op, opts.dtype ?? (values instanceof Int32Array ? 'int32' : 'float32'));
  const be = resolveBackend(op, opts.backend);
  let data: TypedArray | Float64Array = values;
  if (dtype === 'int32' && !(values instanceof Int32Array)) data = Int32Array.from(values, Math.trunc);
  if (dtype === 'float32' && values instanceof Int32Array) data = Float32Array.from(values);
  // Float64Array passes through: the cpu backend keeps full precision (gradient checks).
  const t = wrap((be as { upload(d: TypedArray | Float64Array): ReturnType<Backend['upload']> }).upload(data), shape, be);
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

function inferShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0] as NestedArray;
  }
  return shape;
}

function flattenInto(op: string, data: NestedArray, shape: number[], dim: number, out: number[]): void {
  if (dim === shape.length) {
    if (typeof data !== 'number') throw new Error(`${op}: ragged or non-numeric nested array (expected shape ${fmt(shape)})`);
    out.push(data);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[dim]) {
    throw new Error(`${op}: ragged nested array: expected ${shape[dim]} elements at depth ${dim} for shape ${fmt(shape)}`);
  }
  for (const d of data) flattenInto(op, d, shape, dim + 1, out);
}

type Data = NestedArray | TypedArray | Float64Array;

/** dg.tensor(nested), dg.tensor(typedArray, shape, options), dg.tensor(nested, options). */
export function tensor(data: Data, shapeOrOptions?: readonly number[] | CreateOptions, maybeOptions: CreateOptions = {}): Tensor {
  const op = 'tensor';
  const shapeArg = Array.isArray(shapeOrOptions) ? (shapeOrOptions as readonly number[]) : undefined;
  const opts = (Array.isArray(shapeOrOptions) ? maybeOptions : (shapeOrOptions as CreateOptions | undefined)) ?? {};
  let values: TypedArray | Float64Array;
  let shape: number[];
  if (ArrayBuffer.isView(data)) {
    values = data as TypedArray | Float64Array;
    shape = shapeArg ? [...shapeArg] : [values.length];
  } else {
    shape = inferShape(data as NestedArray);
    const flat: number[] = [];
    flattenInto(op, data as NestedArray, shape, 0, flat);
    values = opts.dtype === 'int32' ? Int32Array.from(flat, Math.trunc) : Float32Array.from(flat);
    if (shapeArg) shape = [...shapeArg];
  }
  assertShape(op, shape);
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== values.length) throw new Error(`${op}: ${values.length} values cannot have shape ${fmt(shape)} (${size} elements)`);
  return finish(op, values, shape, opts);
}

export function full(shape: readonly number[], value: number, opts: CreateOptions = {}): Tensor {
  assertShape('full', shape);
  const dtype = checkDtype('full', opts.dtype ?? 'float32');
  const be = resolveBackend('full', opts.backend);
  const t = wrap(be.fill(shape.reduce((a, b) => a * b, 1), value, dtype), shape, be);
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

export const zeros = (shape: readonly number[], opts: CreateOptions = {}) => full(shape, 0, opts);
export const ones = (shape: readonly number[], opts: CreateOptions = {}) => full(shape, 1, opts);
export const zerosLike = (t: Tensor) => full(t.shape, 0, { dtype: t.dtype, backend: t.backend });
export const onesLike = (t: Tensor) => full(t.shape, 1, { dtype: t.dtype, backend: t.backend });

/** arange(end) or arange(start, end, step), like torch.arange. */
export function arange(start: number, end?: number, step = 1, opts: CreateOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (step === 0 || !Number.isFinite(step)) throw new Error(`arange: step must be a non-zero finite number, got ${step}`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = start + i * step;
  return finish('arange', opts.dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values), [n], opts);
}

export function randn(shape: readonly number[], opts: CreateOptions = {}): Tensor {
  assertShape('randn', shape);
  return finish('randn', normal(shape.reduce((a, b) => a * b, 1)), shape, { ...opts, dtype: 'float32' });
}

/** Uniform in [low, high). */
export function rand(shape: readonly number[], opts: CreateOptions & { low?: number; high?: number } = {}): Tensor {
  assertShape('rand', shape);
  return finish('rand', uniform(shape.reduce((a, b) => a * b, 1), opts.low ?? 0, opts.high ?? 1), shape, { ...opts, dtype: 'float32' });
}

export function eye(n: number, opts: CreateOptions = {}): Tensor {
  const v = new Float32Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  return finish('eye', v, [n, n], opts);
}
