// Shape and layout ops. Reshapes share storage; everything else copies through the backend's
// gather/scatter kernels, so every tensor stays contiguous and kernels never see strides.
import { contiguousStrides, sizeOf } from '../../backend/backend.js';
import { type BackendName, backendNamed } from '../engine.js';
import { assertShape, brief, broadcastShapes, broadcastView, fmt, normalizeAxis } from '../shape.js';
import { Tensor, withGrad } from '../tensor.js';
import { sumTo } from './reduce.js';
import { backendOf, live, wrap } from './util.js';

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  live('reshape', x);
  if (!Array.isArray(shape)) throw new Error(`reshape: shape must be an array of integers, got ${brief(shape)}`);
  const inferred = shape.filter((d) => d === -1).length;
  if (inferred > 1) throw new Error(`reshape: only one dimension can be -1, got ${fmt(shape)}`);
  let target = [...shape];
  if (inferred === 1) {
    const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    if (known === 0 || x.size % known !== 0) throw new Error(`reshape: cannot reshape tensor of shape ${fmt(x.shape)} (${x.size} elements) into ${fmt(shape)}`);
    target = shape.map((d) => (d === -1 ? x.size / known : d));
  }
  assertShape('reshape', target);
  if (sizeOf(target) !== x.size) {
    throw new Error(`reshape: cannot reshape tensor of shape ${fmt(x.shape)} (${x.size} elements) into ${fmt(shape)} (${sizeOf(target)} elements)`);
  }
  return withGrad(x.alias(target), 'reshape', [x], (g) => [g.alias(x.shape)]);
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  live('flatten', x);
  if (x.rank === 0) return reshape(x, [1]);
  const s = normalizeAxis('flatten', startDim, x.rank);
  const e = normalizeAxis('flatten', endDim, x.rank);
  if (s > e) throw new Error(`flatten: startDim ${startDim} comes after endDim ${endDim} for shape ${fmt(x.shape)}`);
  return reshape(x, [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  live('unsqueeze', x);
  const d = normalizeAxis('unsqueeze', dim, x.rank + 1);
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

export function squeeze(x: Tensor, dim?: number): Tensor {
  live('squeeze', x);
  if (dim === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const d = normalizeAxis('squeeze', dim, x.rank);
  return x.shape[d] === 1 ? reshape(x, x.shape.filter((_, i) => i !== d)) : reshape(x, x.shape);
}

export function permute(x: Tensor, dims: readonly number[]): Tensor {
  live('permute', x);
  if (!Array.isArray(dims)) throw new Error(`permute: dims must be an array of axes, got ${brief(dims)}`);
  if (dims.length !== x.rank) throw new Error(`permute: expected ${x.rank} dimensions for shape ${fmt(x.shape)}, got [${dims.join(', ')}]`);
  const perm = dims.map((d) => normalizeAxis('permute', d, x.rank));
  if (new Set(perm).size !== perm.length) throw new Error(`permute: [${dims.join(', ')}] is not a permutation of the ${x.rank} dimensions`);
  const own = contiguousStrides(x.shape);
  const shape = perm.map((p) => x.shape[p]!);
  const out = wrap(x.backend.gather(x.handle, { shape, strides: perm.map((p) => own[p]!), offset: 0 }), shape, x.backend);
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => { inverse[p] = i; });
  return withGrad(out, 'permute', [x], (g) => [permute(g, inverse)]);
}

export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  live('transpose', x);
  const a = normalizeAxis('transpose', dim0, x.rank);
  const b = normalizeAxis('transpose', dim1, x.rank);
  const perm = x.shape.map((_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return permute(x, perm);
}

export function expand(x: Tensor, shape: readonly number[]): Tensor {
  live('expand', x);
  if (!Array.isArray(shape)) throw new Error(`expand: shape must be an array of integers, got ${brief(shape)}`);
  const target = shape.map((d, i) => (d === -1 ? x.shape[i - (shape.length - x.rank)] ?? -1 : d));
  const out = broadcastShapes('expand', x.shape, target);
  if (out.some((d, i) => d !== target[i])) throw new Error(`expand: cannot expand shape ${fmt(x.shape)} to ${fmt(shape)}`);
  if (out.length === x.rank && out.every((d, i) => d === x.shape[i])) return withGrad(x.alias(), 'expand', [x], (g) => [g]);
  const r = wrap(x.backend.gather(x.handle, broadcastView(x.shape, out)), out, x.backend);
  return withGrad(r, 'expand', [x], (g) => [sumTo(g, x.shape)]);
}

export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  live('narrow', x);
  const d = normalizeAxis('narrow', dim, x.rank);
  const size = x.shape[d]!;
  if (start < 0) start += size;
  if (!Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 0 || start + length > size) {
    throw new Error(`narrow: start ${start} and length ${length} are out of range for dimension ${d} of size ${size} (shape ${fmt(x.shape)})`);
  }
  const strides = contiguousStrides(x.shape);
  const shape = x.shape.map((s, i) => (i === d ? length : s));
  const out = wrap(x.backend.gather(x.handle, { shape, strides, offset: start * strides[d]! }), shape, x.backend);
  return withGrad(out, 'narrow', [x], (g) => [padInto(g, x.shape, d, start)]);
}

/** A zero tensor of `shape` with g written at [start, start + g.shape[dim]) along dim. */
function padInto(g: Tensor, shape: readonly number[], dim: number, start: number): Tensor {
  const be = g.backend;
  const dst = be.fill(sizeOf(shape), 0, g.dtype);
  const strides = contiguousStrides(shape);
  be.scatter(dst, g.handle, { shape: g.shape, strides, offset: start * strides[dim]! });
  return wrap(dst, shape, be);
}

export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors as unknown) || tensors.length === 0) throw new Error(`cat: expected a non-empty list of tensors, got ${brief(tensors)}`);
  tensors.forEach((t, i) => live('cat', t, `tensors[${i}]`));
  const first = tensors[0]!;
  const d = normalizeAxis('cat', dim, first.rank);
  const be = backendOf('cat', ...tensors);
  for (const t of tensors) {
    if (t.rank !== first.rank || t.shape.some((s, i) => i !== d && s !== first.shape[i]) || t.dtype !== first.dtype) {
      throw new Error(`cat: tensors must match in every dimension but ${d} and in dtype; got ${tensors.map((x) => `${fmt(x.shape)} ${x.dtype}`).join(', ')}`);
    }
  }
  const shape = first.shape.map((s, i) => (i === d ? tensors.reduce((n, t) => n + t.shape[d]!, 0) : s));
  const strides = contiguousStrides(shape);
  const dst = be.empty(sizeOf(shape), first.dtype);
  const starts: number[] = [];
  let at = 0;
  for (const t of tensors) {
    starts.push(at);
    if (t.size > 0) be.scatter(dst, t.handle, { shape: t.shape, strides, offset: at * strides[d]! });
    at += t.shape[d]!;
  }
  const out = wrap(dst, shape, be);
  return withGrad(out, 'cat', [...tensors], (g) => tensors.map((t, i) => (t.requiresGrad ? narrow(g, d, starts[i]!, t.shape[d]!) : null)));
}

export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors as unknown) || tensors.length === 0) throw new Error(`stack: expected a non-empty list of tensors, got ${brief(tensors)}`);
  tensors.forEach((t, i) => live('stack', t, `tensors[${i}]`));
  const first = tensors[0]!;
  for (const t of tensors) {
    if (t.rank !== first.rank || t.shape.some((s, i) => s !== first.shape[i])) {
      throw new Error(`stack: all tensors must have the same shape, got ${tensors.map((x) => fmt(x.shape)).join(', ')}`);
    }
  }
  const d = normalizeAxis('stack', dim, first.rank + 1);
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

export function clone(x: Tensor): Tensor {
  live('clone', x);
  const out = wrap(x.backend.gather(x.handle, { shape: x.shape, strides: contiguousStrides(x.shape), offset: 0 }), x.shape, x.backend);
  return withGrad(out, 'clone', [x], (g) => [g]);
}

/** Copies a tensor to another backend (values only; the result is a leaf). */
export async function toBackend(x: Tensor, name: BackendName): Promise<Tensor> {
  live('toBackend', x);
  const target = await backendNamed(name, 'toBackend');
  return wrap(target.upload(await x.data()), x.shape, target);
}
