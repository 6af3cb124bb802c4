// Elementwise ops: forward through the backend, backward as formulas of other ops (unary ops
// use the fused unaryGrad kernel: dx = dy * f'(x) in one pass).
import type { BinaryOp, CompareOp, DType, UnaryOp } from '../../backend/backend.js';
import { noGrad } from '../engine.js';
import { broadcastShapes, broadcastView } from '../shape.js';
import { Tensor, withGrad } from '../tensor.js';
import { checkOptions } from './options.js';
import { sumTo } from './reduce.js';
import { backendOf, live, operand, wrap } from './util.js';

export function cast(x: Tensor, dtype: DType): Tensor {
  live('cast', x);
  if (dtype !== 'float32' && dtype !== 'int32') throw new Error(`cast: unknown dtype '${String(dtype)}'`);
  if (x.dtype === dtype) return withGrad(x.alias(), 'cast', [x], (g) => [g]);
  // Int tensors never require gradients, so a real conversion ends the graph.
  return wrap(x.backend.cast(x.handle, dtype), x.shape, x.backend);
}

function toFloat(x: Tensor): Tensor {
  return x.dtype === 'float32' ? x : cast(x, 'float32');
}

function unaryOp(op: UnaryOp, x: Tensor, param = 0): Tensor {
  live(op, x);
  // Unary math is defined on floats; int32 inputs are promoted, as torch does for exp/log/...
  const xf = toFloat(x);
  const be = xf.backend;
  const out = wrap(be.unary(op, xf.handle, param), xf.shape, be);
  return withGrad(out, op, [xf], (g) => [wrap(be.unaryGrad(op, xf.handle, g.handle, param), xf.shape, be)]);
}

export const neg = (x: Tensor) => unaryOp('neg', x);
export const exp = (x: Tensor) => unaryOp('exp', x);
export const log = (x: Tensor) => unaryOp('log', x);
export const sqrt = (x: Tensor) => unaryOp('sqrt', x);
export const abs = (x: Tensor) => unaryOp('abs', x);
export const relu = (x: Tensor) => unaryOp('relu', x);
export const sigmoid = (x: Tensor) => unaryOp('sigmoid', x);
export const tanh = (x: Tensor) => unaryOp('tanh', x);
export const sin = (x: Tensor) => unaryOp('sin', x);
export const cos = (x: Tensor) => unaryOp('cos', x);
export const square = (x: Tensor) => unaryOp('square', x);
export const reciprocal = (x: Tensor) => unaryOp('reciprocal', x);
export const sign = (x: Tensor) => unaryOp('sign', x);
export const silu = (x: Tensor) => unaryOp('silu', x);
export const hardswish = (x: Tensor) => unaryOp('hardswish', x);
export const mish = (x: Tensor) => unaryOp('mish', x);
/** log(sigmoid(x)) as -softplus(-x): finite for large |x|, where log of a rounded sigmoid is not. */
export const logSigmoid = (x: Tensor) => unaryOp('logSigmoid', x);
/** log(1 + x), accurate for x near 0. */
export const log1p = (x: Tensor) => unaryOp('log1p', x);
/** e^x - 1, accurate for x near 0. */
export const expm1 = (x: Tensor) => unaryOp('expm1', x);

export interface SoftplusOptions {
  /** The curve is log(1 + e^(beta x)) / beta. */
  beta?: number;
  /** Where beta x exceeds it, the output is x itself (PyTorch's threshold, for stability). */
  threshold?: number;
}

/** The options with PyTorch's defaults filled in (beta 1, threshold 20), checked; errors name `op`. */
export function softplusOptions(op: string, options: SoftplusOptions): Required<SoftplusOptions> {
  checkOptions(op, options, ['beta', 'threshold']);
  const beta = options.beta ?? 1;
  const threshold = options.threshold ?? 20;
  if (typeof beta !== 'number' || !Number.isFinite(beta) || beta === 0) throw new Error(`${op}: beta must be a finite non-zero number, got ${beta}`);
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) throw new Error(`${op}: threshold must be a number, got ${threshold}`);
  return { beta, threshold };
}

/** PyTorch's softplus: log(1 + exp(beta x)) / beta, and x where beta x > threshold. */
export function softplus(x: Tensor, options: SoftplusOptions = {}): Tensor {
  const { beta, threshold } = softplusOptions('softplus', options);
  // The kernel is beta = 1 with the threshold applied to its input, so beta x is what it sees.
  if (beta === 1) return unaryOp('softplus', x, threshold);
  return div(unaryOp('softplus', mul(x, beta), threshold), beta);
}

export function elu(x: Tensor, alpha = 1): Tensor {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new Error(`elu: alpha must be a finite number, got ${alpha}`);
  return unaryOp('elu', x, alpha);
}

export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  if (!Number.isFinite(negativeSlope)) throw new Error(`leakyRelu: negativeSlope must be a finite number, got ${negativeSlope}`);
  return unaryOp('leakyRelu', x, negativeSlope);
}

export function gelu(x: Tensor, options: { approximate?: 'none' | 'tanh' } = {}): Tensor {
  const approximate = options.approximate ?? 'none';
  if (approximate !== 'none' && approximate !== 'tanh') throw new Error(`gelu: approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  return unaryOp(approximate === 'tanh' ? 'geluTanh' : 'gelu', x);
}

/** Brings both operands to one dtype: int32 with int32 stays int32, anything else is float32. */
function promote(op: string, a: Tensor, b: Tensor, forceFloat: boolean): [Tensor, Tensor] {
  backendOf(op, a, b);
  if (!forceFloat && a.dtype === 'int32' && b.dtype === 'int32') return [a, b];
  return [toFloat(a), toFloat(b)];
}

function binaryOp(op: BinaryOp, x: Tensor, y: Tensor | number, backward: (g: Tensor, a: Tensor, b: Tensor) => [Tensor | null, Tensor | null]): Tensor {
  // True division and powers are float ops, as in torch (int / int gives a float).
  const [a, b] = promote(op, live(op, x), operand(op, x, y), op === 'div' || op === 'pow');
  const shape = broadcastShapes(op, a.shape, b.shape);
  const be = a.backend;
  const out = wrap(be.binary(op, a.handle, broadcastView(a.shape, shape), b.handle, broadcastView(b.shape, shape), shape), shape, be);
  return withGrad(out, op, [a, b], (g) => {
    const [ga, gb] = backward(g, a, b);
    return [ga && a.requiresGrad ? sumTo(ga, a.shape) : null, gb && b.requiresGrad ? sumTo(gb, b.shape) : null];
  });
}

export const add = (a: Tensor, b: Tensor | number): Tensor => binaryOp('add', a, b, (g) => [g, g]);
export const sub = (a: Tensor, b: Tensor | number): Tensor => binaryOp('sub', a, b, (g, _a, bb) => [g, bb.requiresGrad ? neg(g) : null]);
export const mul = (a: Tensor, b: Tensor | number): Tensor =>
  binaryOp('mul', a, b, (g, aa, bb) => [aa.requiresGrad ? mul(g, bb) : null, bb.requiresGrad ? mul(g, aa) : null]);
export const div = (a: Tensor, b: Tensor | number): Tensor =>
  binaryOp('div', a, b, (g, aa, bb) => [
    aa.requiresGrad ? div(g, bb) : null,
    bb.requiresGrad ? neg(div(mul(g, aa), square(bb))) : null,
  ]);
export const pow = (a: Tensor, b: Tensor | number): Tensor =>
  binaryOp('pow', a, b, (g, aa, bb) => [
    aa.requiresGrad ? mul(g, mul(bb, pow(aa, sub(bb, 1)))) : null,
    bb.requiresGrad ? mul(g, mul(pow(aa, bb), log(aa))) : null,
  ]);

/** Gradient of maximum/minimum: to the winner, split evenly on ties (as torch does). */
function extremumGrad(g: Tensor, a: Tensor, b: Tensor, aWins: CompareOp): [Tensor | null, Tensor | null] {
  const share = add(compare(aWins, a, b), mul(compare('eq', a, b), 0.5));
  return [a.requiresGrad ? mul(g, share) : null, b.requiresGrad ? mul(g, add(neg(share), 1)) : null];
}
export const maximum = (a: Tensor, b: Tensor | number): Tensor => binaryOp('maximum', a, b, (g, aa, bb) => extremumGrad(g, aa, bb, 'gt'));
export const minimum = (a: Tensor, b: Tensor | number): Tensor => binaryOp('minimum', a, b, (g, aa, bb) => extremumGrad(g, aa, bb, 'lt'));

function compare(op: CompareOp, x: Tensor | number, y: Tensor | number): Tensor {
  const xt = x instanceof Tensor ? live(op, x) : operand(op, live(op, y, 'other'), x);
  const [a, b] = promote(op, xt, operand(op, xt, y), false);
  const shape = broadcastShapes(op, a.shape, b.shape);
  const be = a.backend;
  return wrap(be.compare(op, a.handle, broadcastView(a.shape, shape), b.handle, broadcastView(b.shape, shape), shape), shape, be);
}

export const eq = (a: Tensor, b: Tensor | number) => compare('eq', a, b);
export const ne = (a: Tensor, b: Tensor | number) => compare('ne', a, b);
export const lt = (a: Tensor, b: Tensor | number) => compare('lt', a, b);
export const le = (a: Tensor, b: Tensor | number) => compare('le', a, b);
export const gt = (a: Tensor, b: Tensor | number) => compare('gt', a, b);
export const ge = (a: Tensor, b: Tensor | number) => compare('ge', a, b);

/** cond ? a : b elementwise, with broadcasting; cond is any tensor (non-zero is true). */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  live('where', cond, 'condition');
  const at = operand('where', cond, a) as Tensor;
  const bt = operand('where', at, b);
  const [x, y] = promote('where', at, bt, false);
  const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, x.shape), y.shape);
  const c = expandTo(toFloat(cond), shape);
  const xe = expandTo(x, shape);
  const ye = expandTo(y, shape);
  const be = backendOf('where', c, xe, ye);
  const out = wrap(be.where(c.handle, xe.handle, ye.handle), shape, be);
  return withGrad(out, 'where', [x, y], (g) => {
    const zero = operand('where', g, 0);
    return [x.requiresGrad ? sumTo(where(c, g, zero), x.shape) : null, y.requiresGrad ? sumTo(where(c, zero, g), y.shape) : null];
  });
}

function expandTo(t: Tensor, shape: readonly number[]): Tensor {
  if (t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i])) return t;
  return wrap(t.backend.gather(t.handle, broadcastView(t.shape, shape)), shape, t.backend);
}

/**
 * min(max(x, min), max), either bound optional. The gradient is PyTorch's: g where
 * min <= x <= max, bounds included, and 0 outside (maximum/minimum would split it at a tie).
 */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  live('clamp', x);
  for (const [name, v] of [['min', min], ['max', max]] as const) {
    if (v !== undefined && (typeof v !== 'number' || Number.isNaN(v))) throw new Error(`clamp: ${name} must be a number or undefined, got ${String(v)}`);
  }
  if (min === undefined && max === undefined) return x.alias();
  const out = noGrad(() => {
    const lower = min !== undefined ? maximum(x, min) : x;
    if (max === undefined) return lower;
    const both = minimum(lower, max);
    if (lower !== x) lower.dispose();
    return both;
  });
  // The rule runs under backward's noGrad and tidy, which free the masks.
  return withGrad(out, 'clamp', [x], (g) => {
    const atLeast = min !== undefined ? ge(x, min) : null;
    const atMost = max !== undefined ? le(x, max) : null;
    return [mul(g, atLeast && atMost ? mul(atLeast, atMost) : (atLeast ?? atMost)!)];
  });
}
