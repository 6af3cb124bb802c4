// maxPool2d, avgPool2d and their adaptive forms with PyTorch's semantics: stride defaults to
// the kernel size, padding to 0 and may be at most half the kernel, ceil mode rounds the output
// size up (keeping only windows that start inside the input or its left padding), and adaptive
// pools split each axis into PyTorch's bins. Max pooling keeps the arg-max of each window for
// its backward (first index on ties).
import type { Pool2dSpec } from '../../backend/cnnSpecs.js';
import { isGradEnabled } from '../engine.js';
import { fmt } from '../shape.js';
import { type Tensor, withGrad } from '../tensor.js';
import { checkOptions } from './options.js';
import { wrap } from './util.js';
import { batched, outputSize, type Pair, pair } from './window.js';

export interface MaxPool2dOptions {
  kernelSize: Pair;
  stride?: Pair;
  padding?: Pair;
  /** Spacing of a window's taps (PyTorch's default: 1). */
  dilation?: Pair;
  /** Round the output size up instead of down, adding a last partial window (default false). */
  ceilMode?: boolean;
}

export interface AvgPool2dOptions {
  kernelSize: Pair;
  stride?: Pair;
  padding?: Pair;
  ceilMode?: boolean;
  /** Whether zero padding counts toward each window's divisor (PyTorch's default: true). */
  countIncludePad?: boolean;
  /** Divide every window's sum by this instead (PyTorch's divisor_override). */
  divisorOverride?: number;
}

/** An adaptive pool's output size: a number, or [h, w] where null keeps that input size. */
export type AdaptiveSize = number | readonly [number | null, number | null];

const OPTIONS = {
  maxPool2d: ['kernelSize', 'stride', 'padding', 'dilation', 'ceilMode'],
  avgPool2d: ['kernelSize', 'stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'],
} as const;

function flag(op: string, name: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new Error(`${op}: ${name} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function poolSpec(op: 'maxPool2d' | 'avgPool2d', x: Tensor, o: MaxPool2dOptions & AvgPool2dOptions): Pool2dSpec {
  if (o === undefined || o.kernelSize === undefined) throw new Error(`${op}: options.kernelSize is required`);
  checkOptions(op, o, OPTIONS[op]);
  const k = pair(op, 'kernelSize', o.kernelSize, 1);
  const s = pair(op, 'stride', o.stride ?? k, 1);
  const p = pair(op, 'padding', o.padding ?? 0, 0);
  const d = pair(op, 'dilation', o.dilation ?? 1, 1);
  if (p[0] > k[0] / 2 || p[1] > k[1] / 2) {
    throw new Error(`${op}: padding should be at most half of the kernel size, got padding [${p.join(', ')}] and kernelSize [${k.join(', ')}]`);
  }
  const ceilMode = flag(op, 'ceilMode', o.ceilMode, false);
  const divisorOverride = o.divisorOverride ?? 0;
  if (o.divisorOverride !== undefined && (!Number.isInteger(divisorOverride) || divisorOverride < 1)) {
    throw new Error(`${op}: divisorOverride must be a positive integer, got ${JSON.stringify(o.divisorOverride)}`);
  }
  const [outH, outW] = outputSize(op, x, k, s, p, d, { ceilMode }) as [number, number];
  return {
    batch: x.shape[0]!, channels: x.shape[1]!, inH: x.shape[2]!, inW: x.shape[3]!, outH, outW,
    kH: k[0], kW: k[1], strideH: s[0], strideW: s[1], padH: p[0], padW: p[1], dilH: d[0], dilW: d[1],
    countIncludePad: flag(op, 'countIncludePad', o.countIncludePad, true), divisorOverride, adaptive: false,
  };
}

function adaptiveSpec(op: string, x: Tensor, outputSize: AdaptiveSize): Pool2dSpec {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const given = typeof outputSize === 'number' ? [outputSize, outputSize] : Array.isArray(outputSize) ? outputSize : [];
  const size = given.map((v, i) => (v === null ? x.shape[2 + i]! : v));
  if (size.length !== 2 || size.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new Error(`${op}: outputSize must be a positive integer or a pair [h, w] of them (null keeps that input size), got ${JSON.stringify(outputSize)}`);
  }
  if (H === 0 || W === 0) throw new Error(`${op}: expected an input with non-empty planes, got ${fmt(x.shape)}`);
  const [outH, outW] = size as [number, number];
  const base = { batch: N, channels: C, inH: H, inW: W, outH, outW, padH: 0, padW: 0, dilH: 1, dilW: 1, countIncludePad: false, divisorOverride: 0 };
  // When the output divides the input, the bins are plain windows (kernel = stride = in / out)
  // and the windowed kernels serve, including the tiled ones.
  if (H % outH === 0 && W % outW === 0) {
    return { ...base, kH: H / outH, kW: W / outW, strideH: H / outH, strideW: W / outW, adaptive: false };
  }
  return { ...base, kH: 1, kW: 1, strideH: 1, strideW: 1, adaptive: true };
}

const outShape = (input: Tensor, s: Pool2dSpec) => [...input.shape.slice(0, -2), s.outH, s.outW];

type Kernel = (op: string, input: Tensor, x: Tensor, spec: Pool2dSpec) => Tensor;

const maxPool: Kernel = (op, input, x, spec) => {
  const be = x.backend;
  const [values, argmaxHandle] = be.maxPool2d(x.handle, spec, isGradEnabled() && input.requiresGrad);
  const out = wrap(values, outShape(input, spec), be);
  if (!argmaxHandle) return out;
  const argmax = wrap(argmaxHandle, out.shape, be);
  return withGrad(out, op, [input], (g) => [wrap(be.maxPool2dBackward(g.handle, argmax.handle, spec), input.shape, be)], [argmax]);
};

const avgPool: Kernel = (op, input, x, spec) => {
  const be = x.backend;
  const out = wrap(be.avgPool2d(x.handle, spec), outShape(input, spec), be);
  return withGrad(out, op, [input], (g) => [wrap(be.avgPool2dBackward(g.handle, spec), input.shape, be)]);
};

/** Checks the input, makes the spec from the batched view, runs the kernel. */
function pooled(op: string, input: Tensor, kernel: Kernel, specOf: (x: Tensor) => Pool2dSpec): Tensor {
  const x = batched(op, input);
  return kernel(op, input, x, specOf(x));
}

export function maxPool2d(input: Tensor, options: MaxPool2dOptions): Tensor {
  return pooled('maxPool2d', input, maxPool, (x) => poolSpec('maxPool2d', x, options));
}

export function avgPool2d(input: Tensor, options: AvgPool2dOptions): Tensor {
  return pooled('avgPool2d', input, avgPool, (x) => poolSpec('avgPool2d', x, options));
}

/** PyTorch's adaptive_max_pool2d: output [N, C, h, w] whatever the input size. */
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  return pooled('adaptiveMaxPool2d', input, maxPool, (x) => adaptiveSpec('adaptiveMaxPool2d', x, outputSize));
}

/** PyTorch's adaptive_avg_pool2d: output [N, C, h, w] whatever the input size. */
export function adaptiveAvgPool2d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  return pooled('adaptiveAvgPool2d', input, avgPool, (x) => adaptiveSpec('adaptiveAvgPool2d', x, outputSize));
}
