// Request values -> typed arrays, checked against the model's input signature. Every refusal is
// a 400 that names the input and the expected dtype and shape, because a client sees nothing else.
import type { DType, TypedArray } from '../backend/backend.js';
import { fmt } from '../core/shape.js';
import { badRequest } from './errors.js';

/** A tensor on the host: row-major data and its shape (batch first). */
export interface HostTensor {
  data: TypedArray;
  shape: number[];
}

/** What an input must be: shape -1 for a free size, or null when even the rank is unknown. */
export interface TensorSpec {
  name: string;
  dtype: DType;
  shape: number[] | null;
}

/** Deeper lists are refused before anything walks them (a 16 MiB body could nest millions deep). */
export const MAX_RANK = 32;

const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };

export function describeSpec(spec: TensorSpec): string {
  return `${spec.dtype} of shape ${spec.shape ? fmt(spec.shape) : '[-1, ...]'}`;
}

function refuse(spec: TensorSpec, what: string): Error {
  return badRequest(`input '${spec.name}' expects ${describeSpec(spec)}; ${what}`);
}

/** Checks a full shape (batch first) against the spec's. */
export function checkShape(spec: TensorSpec, shape: readonly number[]): void {
  if (shape.length === 0 || shape[0] === 0) throw refuse(spec, `got no examples (shape ${fmt(shape)})`);
  if (!spec.shape) return;
  const ok = shape.length === spec.shape.length && spec.shape.every((d, i) => d === -1 || d === shape[i]);
  if (!ok) throw refuse(spec, `got shape ${fmt(shape)}`);
}

/** A JSON leaf as a value of the spec's dtype: numbers, and for floats TF Serving's "NaN"/"Infinity"/"-Infinity". */
function leaf(spec: TensorSpec, v: unknown, where: () => string): number {
  if (typeof v === 'number') {
    if (spec.dtype === 'int32' && !(Number.isInteger(v) && v >= -2147483648 && v <= 2147483647)) throw refuse(spec, `${where()} is ${v}, not an int32`);
    return v;
  }
  if (spec.dtype === 'float32' && typeof v === 'string' && v in NON_FINITE) return NON_FINITE[v]!;
  throw refuse(spec, `${where()} is ${brief(v)}, not a number`);
}

/** A value named in an error without serialising it (it may be a list nested a million deep). */
export function brief(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.slice(0, 40));
  if (Array.isArray(v)) return `a list of ${v.length}`;
  return v !== null && typeof v === 'object' ? 'an object' : String(v);
}

const at = (index: number[]) => `the value at [${index.join(', ')}]`;

/**
 * A nested list as one tensor: its shape is read along the first elements, then every list
 * must have that length (ragged lists are refused) and every leaf must be a number.
 */
export function fromNested(spec: TensorSpec, value: unknown): HostTensor {
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) {
    if (shape.length === MAX_RANK) throw refuse(spec, `got lists nested deeper than ${MAX_RANK}`);
    shape.push(v.length);
  }
  checkShape(spec, shape);
  const size = shape.reduce((a, b) => a * b, 1);
  const data = spec.dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
  let k = 0;
  const index: number[] = [];
  const fill = (v: unknown, dim: number): void => {
    if (dim === shape.length) {
      if (Array.isArray(v)) throw refuse(spec, `got a ragged list: ${at(index)} is a list where the first example's has a number`);
      data[k++] = leaf(spec, v, () => at(index));
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      const len = Array.isArray(v) ? `a list of ${v.length}` : 'a single value';
      throw refuse(spec, `got a ragged list: ${index.length ? `the list at [${index.join(', ')}]` : 'the value'} is ${len} where the first has ${shape[dim]}`);
    }
    for (let i = 0; i < v.length; i++) {
      index.push(i);
      fill(v[i], dim + 1);
      index.pop();
    }
  };
  fill(value, 0);
  return { data, shape };
}

/** KServe v2's form: a shape and its data, flat or nested, in row-major order. */
export function fromFlat(spec: TensorSpec, shape: unknown, data: unknown): HostTensor {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw refuse(spec, `its "shape" must be a list of non-negative integers, got ${Array.isArray(shape) ? `[${shape.slice(0, 8).map(brief).join(', ')}${shape.length > 8 ? ', ...' : ''}]` : brief(shape)}`);
  checkShape(spec, shape);
  if (!Array.isArray(data)) throw refuse(spec, `its "data" must be a list, got ${typeof data}`);
  if (shape.length > MAX_RANK) throw refuse(spec, `got a shape of rank ${shape.length}`);
  const flat = (data as unknown[]).flat(MAX_RANK);
  const size = shape.reduce((a: number, b: number) => a * b, 1);
  if (flat.length !== size) throw refuse(spec, `shape ${fmt(shape)} holds ${size} values but "data" has ${flat.length}`);
  const out = spec.dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = leaf(spec, flat[i], () => `data[${i}]`);
  return { data: out, shape: [...shape] };
}
