// Reductions over any set of axes, softmax/logSoftmax, and sumTo (the backward of broadcasting).
import type { ReduceOp } from '../../backend/backend.js';
import { noGrad } from '../engine.js';
import { fmt, normalizeAxis } from '../shape.js';
import { Tensor, withGrad } from '../tensor.js';
import { div, eq, exp, mul, sub } from './elementwise.js';
import { expand, permute, reshape } from './layout.js';
import { live, requireFloat, wrap } from './util.js';

function normalizeAxes(op: string, x: Tensor, axis: number | number[] | undefined): number[] {
  live(op, x);
  if (axis === undefined) return x.shape.map((_, i) => i);
  const list = (Array.isArray(axis) ? axis : [axis]).map((a) => normalizeAxis(op, a, x.rank));
  if (new Set(list).size !== list.length) throw new Error(`${op}: repeated axis in [${list.join(', ')}]`);
  return list.sort((a, b) => a - b);
}

function keptShape(shape: readonly number[], axes: number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** One backend reduction over a single axis, result with keepDim. */
function reduceAxis(op: ReduceOp, x: Tensor, axis: number): Tensor {
  const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const len = x.shape[axis]!;
  return wrap(x.backend.reduce(op, x.handle, outer, len, inner), keptShape(x.shape, [axis]), x.backend);
}

/** Reduces the given axes (all when the axes are adjacent: one dispatch over their product). */
function reduceRaw(op: 'sum' | 'max' | 'min', x: Tensor, axes: number[]): Tensor {
  if (axes.length === 0) return x.alias();
  const contiguous = axes.every((a, i) => i === 0 || a === axes[i - 1]! + 1);
  if (contiguous) {
    const first = axes[0]!;
    const last = axes[axes.length - 1]!;
    const merged = [...x.shape.slice(0, first), x.shape.slice(first, last + 1).reduce((a, b) => a * b, 1), ...x.shape.slice(last + 1)];
    const flat = x.alias(merged);
    const r = reduceAxis(op, flat, first);
    flat.dispose();
    const out = r.alias(keptShape(x.shape, axes));
    r.dispose();
    return out;
  }
  let cur = x;
  for (const a of axes) {
    const next = reduceAxis(op, cur, a);
    if (cur !== x) cur.dispose();
    cur = next;
  }
  return cur;
}

function finishShape(x: Tensor, axes: number[], keepDim: boolean): number[] {
  return keepDim ? keptShape(x.shape, axes) : x.shape.filter((_, i) => !axes.includes(i));
}

export function sum(x: Tensor, axis?: number | number[], keepDim = false): Tensor {
  const axes = normalizeAxes('sum', x, axis);
  const kept = reduceRaw('sum', x, axes);
  const out = kept.alias(finishShape(x, axes, keepDim));
  kept.dispose();
  return withGrad(out, 'sum', [x], (g) => [expand(reshape(g, keptShape(x.shape, axes)), x.shape)]);
}

export function mean(x: Tensor, axis?: number | number[], keepDim = false): Tensor {
  requireFloat('mean', x);
  const axes = normalizeAxes('mean', x, axis);
  const count = axes.reduce((n, a) => n * x.shape[a]!, 1);
  return div(sum(x, axis, keepDim), count);
}

function extremum(op: 'max' | 'min', x: Tensor, axis: number | number[] | undefined, keepDim: boolean): Tensor {
  const axes = normalizeAxes(op, x, axis);
  if (axes.some((a) => x.shape[a] === 0)) throw new Error(`${op}: cannot reduce over an empty dimension of shape ${fmt(x.shape)}`);
  const kept = reduceRaw(op, x, axes);
  const out = kept.alias(finishShape(x, axes, keepDim));
  // Only the backward needs the keepDim view, so the node owns it.
  return withGrad(out, op, [x], (g) => {
    // Gradient to the extremal elements, shared evenly among ties (torch.amax's rule).
    const mask = eq(x, kept);
    const count = reduceRaw('sum', mask, axes);
    return [mul(mask, div(reshape(g, kept.shape), count))];
  }, [kept]);
}

export const max = (x: Tensor, axis?: number | number[], keepDim = false) => extremum('max', x, axis, keepDim);
export const min = (x: Tensor, axis?: number | number[], keepDim = false) => extremum('min', x, axis, keepDim);

function argExtremum(op: 'argmax' | 'argmin', x: Tensor, axis: number | undefined, keepDim: boolean): Tensor {
  live(op, x);
  if (axis === undefined) {
    const flat = x.alias([x.size]);
    const r = argExtremum(op, flat, 0, false);
    flat.dispose();
    return r;
  }
  const a = normalizeAxis(op, axis, x.rank);
  if (x.shape[a] === 0) throw new Error(`${op}: cannot reduce over an empty dimension of shape ${fmt(x.shape)}`);
  const r = reduceAxis(op, x, a);
  const out = r.alias(finishShape(x, [a], keepDim));
  r.dispose();
  return out;
}

export const argmax = (x: Tensor, axis?: number, keepDim = false) => argExtremum('argmax', x, axis, keepDim);
export const argmin = (x: Tensor, axis?: number, keepDim = false) => argExtremum('argmin', x, axis, keepDim);

/** Sums a broadcast gradient back down to `shape`. Returns g itself when nothing to sum. */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const pad = g.rank - shape.length;
  const axes: number[] = [];
  g.shape.forEach((d, i) => {
    if (i < pad || (shape[i - pad] === 1 && d !== 1)) axes.push(i);
  });
  return reshape(sum(g, axes, true), shape);
}

/** Runs the backend's last-axis softmax, moving `axis` last and back when needed. */
function softmaxRaw(x: Tensor, axis: number, log: boolean): Tensor {
  const last = x.rank - 1;
  if (axis === last || x.rank === 0) {
    const len = x.rank === 0 ? 1 : x.shape[last]!;
    return wrap(x.backend.softmax(x.handle, x.size / Math.max(len, 1), len, log), x.shape, x.backend);
  }
  const perm = x.shape.map((_, i) => i);
  perm[axis] = last;
  perm[last] = axis;
  // Raw data movement: the caller records the one backward rule, and the moved copies are freed here.
  const moved = noGrad(() => permute(x, perm));
  const y = softmaxRaw(moved, last, log);
  moved.dispose();
  const out = noGrad(() => permute(y, perm));
  y.dispose();
  return out;
}

export function softmax(x: Tensor, axis = -1): Tensor {
  requireFloat('softmax', x);
  const a = normalizeAxis('softmax', axis, x.rank);
  const y = softmaxRaw(x, a, false);
  // dx = y * (g - sum(g * y))
  return withGrad(y, 'softmax', [x], (g) => [mul(y, sub(g, sum(mul(g, y), a, true)))]);
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  requireFloat('logSoftmax', x);
  const a = normalizeAxis('logSoftmax', axis, x.rank);
  const y = softmaxRaw(x, a, true);
  // dx = g - softmax(x) * sum(g)
  return withGrad(y, 'logSoftmax', [x], (g) => [sub(g, mul(exp(y), sum(g, a, true)))]);
}

