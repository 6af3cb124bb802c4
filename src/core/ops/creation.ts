// Tensor creation: from data, constants, ranges and seeded random numbers.
import { type Backend, type DType, sizeOf, type TypedArray } from '../../backend/backend.js';
import { normal, uniform } from '../randomFill.js';
import { assertShape, brief, fmt, MAX_ELEMENTS, MAX_SHAPE_RANK } from '../shape.js';
import { type NestedArray, Tensor } from '../tensor.js';
import { type BackendName, resolveBackend } from '../engine.js';
import { checkOptions } from './options.js';
import { live, wrap } from './util.js';

const CREATE_KEYS = ['dtype', 'requiresGrad', 'backend'] as const;

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

// An allocation budget in elements, set while dg.load builds a saved architecture, so a file that
// claims a layer far larger than the weights it holds is refused before the layer is allocated.
let budget: { left: number; refuse: (need: number) => Error; made: Tensor[] } | null = null;

function charge(elements: number): void {
  if (!budget) return;
  if (elements > budget.left) throw budget.refuse(elements);
  budget.left -= elements;
}

/**
 * Runs fn with creation ops limited to `elements` in all; `refuse` makes the error past it. When
 * fn throws, every tensor the creation ops made inside is disposed (a half-built model's
 * parameters are kept out of tidy scopes, so nothing else would free them).
 */
export function withElementBudget<T>(elements: number, refuse: (need: number) => Error, fn: () => T): T {
  const outer = budget;
  const mine = { left: elements, refuse, made: [] as Tensor[] };
  budget = mine;
  try {
    return fn();
  } catch (e) {
    for (const t of mine.made) t.dispose();
    throw e;
  } finally {
    budget = outer;
  }
}

function finish(op: string, values: TypedArray | Float64Array, shape: readonly number[], opts: CreateOptions): Tensor {
  const dtype = checkDtype(op, opts.dtype ?? (values instanceof Int32Array ? 'int32' : 'float32'));
  const be = resolveBackend(op, opts.backend);
  let data: TypedArray | Float64Array = values;
  if (dtype === 'int32' && !(values instanceof Int32Array)) data = Int32Array.from(values, Math.trunc);
  // Other typed arrays (Uint8Array pixels, ...) are converted, never uploaded as raw bytes.
  if (dtype === 'float32' && !(values instanceof Float32Array) && !(values instanceof Float64Array)) data = Float32Array.from(values);
  // Float64Array passes through: the cpu backend keeps full precision (gradient checks).
  const t = wrap((be as { upload(d: TypedArray | Float64Array): ReturnType<Backend['upload']> }).upload(data), shape, be);
  budget?.made.push(t);
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

function inferShape(op: string, data: NestedArray): number[] {
  const shape: number[] = [];
  // An array that contains itself would make this walk (and flattenInto) endless.
  const path = new Set<unknown>();
  let cur: NestedArray = data;
  while (Array.isArray(cur)) {
    if (path.has(cur)) throw new Error(`${op}: the nested array contains itself at depth ${shape.length}`);
    if (shape.length === MAX_SHAPE_RANK) throw new Error(`${op}: the nested array is nested more than ${MAX_SHAPE_RANK} levels deep`);
    path.add(cur);
    shape.push(cur.length);
    cur = cur[0] as NestedArray;
  }
  return shape;
}

function flattenInto(op: string, data: NestedArray, shape: number[], dim: number, out: number[]): void {
  if (dim === shape.length) {
    if (typeof data !== 'number') throw new Error(`${op}: ragged or non-numeric nested array (expected shape ${fmt(shape)}, found ${brief(data)})`);
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
  checkOptions(op, opts, CREATE_KEYS);
  let values: TypedArray | Float64Array;
  let shape: number[];
  if (ArrayBuffer.isView(data)) {
    if (data instanceof DataView || data instanceof BigInt64Array || data instanceof BigUint64Array) {
      throw new Error(`${op}: expected a number typed array (Float32Array, Int32Array, Uint8Array, ...), got ${data.constructor.name}`);
    }
    values = data as TypedArray | Float64Array;
    shape = shapeArg ? [...shapeArg] : [values.length];
  } else {
    if (typeof data !== 'number' && !Array.isArray(data)) throw new Error(`${op}: expected a number, a nested array of numbers or a typed array, got ${brief(data)}`);
    shape = inferShape(op, data as NestedArray);
    assertShape(op, shape);
    const flat: number[] = [];
    flattenInto(op, data as NestedArray, shape, 0, flat);
    values = opts.dtype === 'int32' ? Int32Array.from(flat, Math.trunc) : Float32Array.from(flat);
    if (shapeArg) shape = [...shapeArg];
  }
  assertShape(op, shape);
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== values.length) throw new Error(`${op}: ${values.length} values cannot have shape ${fmt(shape)} (${size} elements)`);
  charge(size);
  return finish(op, values, shape, opts);
}

/** A constant tensor; `op` names the public function in errors (zeros, ones, ...). */
function constant(op: string, shape: readonly number[], value: number, opts: CreateOptions): Tensor {
  assertShape(op, shape);
  if (typeof value !== 'number') throw new Error(`${op}: the fill value must be a number, got ${brief(value)}`);
  checkOptions(op, opts, CREATE_KEYS);
  const dtype = checkDtype(op, opts.dtype ?? 'float32');
  const be = resolveBackend(op, opts.backend);
  charge(shape.reduce((a, b) => a * b, 1));
  const t = wrap(be.fill(shape.reduce((a, b) => a * b, 1), value, dtype), shape, be);
  budget?.made.push(t);
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

export const full = (shape: readonly number[], value: number, opts: CreateOptions = {}) => constant('full', shape, value, opts);
export const zeros = (shape: readonly number[], opts: CreateOptions = {}) => constant('zeros', shape, 0, opts);
export const ones = (shape: readonly number[], opts: CreateOptions = {}) => constant('ones', shape, 1, opts);
export const zerosLike = (t: Tensor) => constant('zerosLike', live('zerosLike', t).shape, 0, { dtype: t.dtype, backend: t.backend });
export const onesLike = (t: Tensor) => constant('onesLike', live('onesLike', t).shape, 1, { dtype: t.dtype, backend: t.backend });

/** arange(end) or arange(start, end, step), like torch.arange. */
export function arange(start: number, end?: number, step = 1, opts: CreateOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  for (const [name, v] of [['start', start], ['end', end], ['step', step]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`arange: ${name} must be a finite number, got ${brief(v)}`);
  }
  if (step === 0) throw new Error('arange: step must be non-zero, got 0');
  const n = Math.max(0, Math.ceil((end - start) / step));
  if (n > MAX_ELEMENTS) throw new Error(`arange: [${start}, ${end}) in steps of ${step} has ${n} elements, more than the ${MAX_ELEMENTS} a tensor can hold`);
  charge(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = start + i * step;
  return finish('arange', opts.dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values), [n], opts);
}

export function randn(shape: readonly number[], opts: CreateOptions = {}): Tensor {
  assertShape('randn', shape);
  checkOptions('randn', opts, CREATE_KEYS);
  charge(sizeOf(shape));
  return finish('randn', normal(shape.reduce((a, b) => a * b, 1)), shape, { ...opts, dtype: 'float32' });
}

/** Uniform in [low, high). */
export function rand(shape: readonly number[], opts: CreateOptions & { low?: number; high?: number } = {}): Tensor {
  assertShape('rand', shape);
  checkOptions('rand', opts, [...CREATE_KEYS, 'low', 'high']);
  const { low = 0, high = 1 } = opts;
  if (typeof low !== 'number' || typeof high !== 'number' || !Number.isFinite(low) || !Number.isFinite(high) || low > high) {
    throw new Error(`rand: low and high must be finite numbers with low <= high, got low ${brief(low)} and high ${brief(high)}`);
  }
  charge(sizeOf(shape));
  return finish('rand', uniform(shape.reduce((a, b) => a * b, 1), opts.low ?? 0, opts.high ?? 1), shape, { ...opts, dtype: 'float32' });
}

export function eye(n: number, opts: CreateOptions = {}): Tensor {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new Error(`eye: n must be a non-negative integer, got ${brief(n)}`);
  assertShape('eye', [n, n]);
  charge(n * n);
  const v = new Float32Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  return finish('eye', v, [n, n], opts);
}
