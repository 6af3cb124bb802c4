// The one interface both backends implement. Everything above src/backend talks to kernels
// only through it, so any test can run the same call on 'webgpu' and 'cpu' and compare.
//
// Conventions shared by every method:
// - Storage is flat and row-major; shapes and strides are passed explicitly. A stride of 0
//   broadcasts a dimension. Handles are immutable once returned, except the destination of
//   `scatter`, which the caller has just created for that purpose.
// - Methods return immediately; the webgpu backend only queues work. `read` is the one wait.

import type { ClassLossSpec, Conv2dSpec, Pool2dSpec, Reduction } from './cnnSpecs.js';
import type { GruForward, GruGrads, GruSaved, GruSpec } from './gruSpec.js';
import type { LstmForward, LstmGrads, LstmSaved, LstmSpec } from './lstmSpec.js';
import type { NormGrads, NormSpec, RunningStats } from './normSpec.js';

export type DType = 'float32' | 'int32';
export type TypedArray = Float32Array | Int32Array;

/** Backend-owned storage. Size is in elements. */
export interface Handle {
  readonly size: number;
  readonly dtype: DType;
}

export const UNARY_OPS = [
  'neg', 'exp', 'log', 'sqrt', 'abs', 'relu', 'sigmoid', 'tanh', 'gelu', 'geluTanh', 'leakyRelu',
  'sin', 'cos', 'reciprocal', 'square', 'sign', 'silu', 'softplus', 'elu', 'hardswish', 'mish', 'logSigmoid',
  'log1p', 'expm1',
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum'] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

export const COMPARE_OPS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];

export const REDUCE_OPS = ['sum', 'max', 'min', 'argmax', 'argmin'] as const;
export type ReduceOp = (typeof REDUCE_OPS)[number];

export const OPTIM_KINDS = ['sgd', 'adam', 'rmsprop'] as const;
export type OptimKind = (typeof OPTIM_KINDS)[number];

/**
 * One optimizer step's settings (PyTorch's names). `step` counts this parameter's updates from
 * 1; fields a kind does not use are ignored. `decoupled` is AdamW's weight decay.
 */
export interface OptimHyper {
  step: number;
  lr: number;
  weightDecay: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  beta1: number;
  beta2: number;
  eps: number;
  alpha: number;
  decoupled: boolean;
  centered: boolean;
}

/** A strided N-d view of a flat buffer: element idx has offset `offset + sum(idx[d] * strides[d])`. */
export interface View {
  shape: readonly number[];
  strides: readonly number[];
  offset: number;
}

/**
 * Batched matrix product: for each batch b, out[b] (M x N) = A[b] (M x K) @ B[b] (K x N).
 * A[b] is read at aOffsets[b] with row stride `aRowStride` and column stride `aColStride`
 * (so a transposed operand needs no copy); likewise B. `out` is contiguous [batch, M, N].
 */
export interface MatmulSpec {
  batch: number;
  M: number;
  K: number;
  N: number;
  aOffsets: readonly number[];
  bOffsets: readonly number[];
  aRowStride: number;
  aColStride: number;
  bRowStride: number;
  bColStride: number;
}

export interface Backend {
  readonly name: 'webgpu' | 'cpu';
  /** Optional: true once the device behind this backend is lost; the engine then opens a new one. */
  readonly lost?: boolean;
  /** Optional runtime settings (see `dg.init`); undefined fields keep their current values. */
  configure?(options: { poolLimitBytes?: number; waitTimeoutMs?: number }): void;

  upload(data: TypedArray): Handle;
  /** Storage whose contents are unspecified until written (by `scatter`). */
  empty(size: number, dtype: DType): Handle;
  fill(size: number, value: number, dtype: DType): Handle;
  read(x: Handle): Promise<TypedArray>;
  /**
   * Resolves once the device has at most a couple of submitted batches left to run. A loop
   * that queues work without reading anything (fit between progress reads) awaits it once per
   * step, so the host never runs far ahead of the device: nothing is read back, the device
   * stays busy, and native objects of finished work are freed as it goes.
   */
  throttle(): Promise<void>;
  release(x: Handle): void;
  /** Bytes currently held by the backend's allocator (live plus pooled). */
  allocatedBytes(): number;
  /** Of those, the bytes of free buffers kept for reuse. */
  pooledBytes(): number;
  /** Returns the pooled free buffers to the device. */
  emptyCache(): void;
  /** dg.debug({ checkNumerics }): raises `checkNumerics: <describe> produced NaN or Inf` if the
   *  float32 x holds one (cpu: at once; webgpu: at the next read-back, naming the first such op). */
  checkNumerics(x: Handle, describe: string): void;

  /** out = f(x) elementwise; `param` is leakyRelu's slope, elu's alpha, softplus's threshold
   *  (softplus itself is beta = 1; ignored elsewhere). float32 only. */
  unary(op: UnaryOp, x: Handle, param: number): Handle;
  /** dx = dy * f'(x) elementwise, the backward of `unary`. */
  unaryGrad(op: UnaryOp, x: Handle, dy: Handle, param: number): Handle;
  /** out[shape] = a[view] op b[view]; views broadcast with zero strides. Same dtype in and out. */
  binary(op: BinaryOp, a: Handle, aView: View, b: Handle, bView: View, outShape: readonly number[]): Handle;
  /** Like `binary` but returns float32 1/0. */
  compare(op: CompareOp, a: Handle, aView: View, b: Handle, bView: View, outShape: readonly number[]): Handle;
  /** out = cond != 0 ? a : b, all contiguous and of one size. */
  where(cond: Handle, a: Handle, b: Handle): Handle;
  /** Input viewed as [outer, len, inner], reduced over len -> [outer, inner]. argmax/argmin give int32. */
  reduce(op: ReduceOp, x: Handle, outer: number, len: number, inner: number): Handle;
  /** (log-)softmax over the last axis of x viewed as [rows, len]. */
  softmax(x: Handle, rows: number, len: number, log: boolean): Handle;
  matmul(a: Handle, b: Handle, spec: MatmulSpec): Handle;
  /** Contiguous copy of a strided view (permute, slice, broadcast-expand). Any dtype. */
  gather(x: Handle, view: View): Handle;
  /** Writes contiguous `src` (shape `view.shape`) into the strided view of `dst`, in place. */
  scatter(dst: Handle, src: Handle, view: View): void;
  cast(x: Handle, dtype: DType): Handle;
  /**
   * Updates `param` and its state in place from `grad`, all float32 and of one size. States by
   * kind: sgd [momentumBuf | null]; adam [expAvg, expAvgSq]; rmsprop [squareAvg,
   * momentumBuf | null, gradAvg | null]; null where the settings need none (momentum 0, not centered).
   */
  optimStep(kind: OptimKind, param: Handle, grad: Handle, states: readonly (Handle | null)[], hyper: OptimHyper): void;
  /** out[i, :] = x[indices[i], :] with x viewed as rows of `rowSize`; any dtype; bad indices give zero rows. */
  takeRows(x: Handle, rowSize: number, indices: Handle): Handle;

  // ---- convolution, pooling and classification losses (shapes in ./cnnSpecs.ts) ----
  /** y = conv2d(x, w) + bias (bias [outC] or null). */
  conv2d(x: Handle, w: Handle, bias: Handle | null, spec: Conv2dSpec): Handle;
  conv2dBackwardInput(dy: Handle, w: Handle, spec: Conv2dSpec): Handle;
  conv2dBackwardWeight(dy: Handle, x: Handle, spec: Conv2dSpec): Handle;
  /** Values, and (when `withArgmax`) the int32 arg-max the backward needs, as an index into each
   *  input plane (ih * inW + iw). */
  maxPool2d(x: Handle, spec: Pool2dSpec, withArgmax: boolean): [Handle, Handle | null];
  maxPool2dBackward(dy: Handle, argmax: Handle, spec: Pool2dSpec): Handle;
  avgPool2d(x: Handle, spec: Pool2dSpec): Handle;
  avgPool2dBackward(dy: Handle, spec: Pool2dSpec): Handle;
  /** Per-position loss [batch * inner] ('none'), or its sum as one element (a mean divides by
   *  the positions not ignored, or their labels' total weight, which the op layer takes on the
   *  device). `weight` [classes] or null is PyTorch's class weight. A label outside
   *  [0, classes) raises an error naming it (webgpu: at the next `read`, see kernels/loss.ts). */
  classLoss(x: Handle, labels: Handle, weight: Handle | null, spec: ClassLossSpec, reduction: 'sum' | 'none'): Handle;
  /** d loss / d x given the loss gradient g, read at position * gStride and multiplied by scale. */
  classLossBackward(x: Handle, labels: Handle, weight: Handle | null, g: Handle, spec: ClassLossSpec, scale: number, gStride: number): Handle;

  // ---- recurrent layers and embeddings (LSTM layouts in ./lstmSpec.ts) ----
  /**
   * One LSTM direction over a whole sequence: xGates [T, B, 4H] (x·W_ihᵀ + both biases for
   * every step), h0 and c0 [B, H], wHh [4H, H], mask [T, B] of 1/0 or null (a 0 step keeps the
   * state and outputs 0). The webgpu backend queues every step with no read-back.
   */
  lstmForward(xGates: Handle, h0: Handle, c0: Handle, wHh: Handle, mask: Handle | null, spec: LstmSpec): LstmForward;
  /** Back-propagation through time from dOut [T + 2, B, H] (outputs, then dL/dhN, then dL/dcN). */
  lstmBackward(dOut: Handle, wHh: Handle, fwd: LstmSaved, mask: Handle | null, spec: LstmSpec): LstmGrads;
  /**
   * One GRU direction over a whole sequence (layouts in ./gruSpec.ts): xGates [T, B, 3H]
   * (x·W_ihᵀ + b_ih for every step), h0 [B, H], wHh [3H, H], bHh [3H] (the recurrent bias
   * stays apart: r scales n's recurrent sum with it), mask as lstmForward's.
   */
  gruForward(xGates: Handle, h0: Handle, wHh: Handle, bHh: Handle, mask: Handle | null, spec: GruSpec): GruForward;
  /** Back-propagation through time from dOut [T + 1, B, H] (outputs, then dL/dhN). */
  gruBackward(dOut: Handle, wHh: Handle, fwd: GruSaved, mask: Handle | null, spec: GruSpec): GruGrads;

  // ---- normalisation (batch and layer norm; layouts in ./normSpec.ts) ----
  /**
   * Per-group statistics of x: [2, groups], the means then 1 / sqrt(biased variance + eps). With
   * `running` (batch norm in training) its mean and var are updated in place with the
   * unbiased variance and its count incremented, on the device (no read-back).
   */
  normStats(x: Handle, spec: NormSpec, running: RunningStats | null): Handle;
  /** The same [2, channels] layout from running estimates: mean, then 1 / sqrt(var + eps). */
  runningNormStats(mean: Handle, variance: Handle, eps: number): Handle;
  /** y = (x - mean) * rstd * weight + bias with stats from normStats; weight/bias null: 1 and 0. */
  normForward(x: Handle, stats: Handle, weight: Handle | null, bias: Handle | null, spec: NormSpec): Handle;
  /**
   * Gradients from dy. `batchStats`: the stats were x's own (training), so dx carries their
   * dependence on x; otherwise they were constants (eval). dWeight and dBias when `affineGrads`.
   */
  normBackward(dy: Handle, x: Handle, stats: Handle, weight: Handle | null, spec: NormSpec, batchStats: boolean, affineGrads: boolean): NormGrads;
  /** Rows of weight [rows, dim] picked by int32 indices -> [indices.size, dim]. A bad index
   *  raises an error naming it (the webgpu backend raises it at the next `read`). */
  embedding(weight: Handle, indices: Handle, dim: number): Handle;
  /** dWeight [rows, dim]: each dOut row added into the row its index names; repeats accumulate. */
  embeddingGrad(dOut: Handle, indices: Handle, rows: number, dim: number): Handle;
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d]!;
  }
  return strides;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
