// The one interface both backends implement. Everything above src/backend talks to kernels
// only through it, so any test can run the same call on 'webgpu' and 'cpu' and compare.
//
// Conventions shared by every method:
// - Storage is flat and row-major; shapes and strides are passed explicitly. A stride of 0
//   broadcasts a dimension. Handles are immutable once returned, except the destination of
//   `scatter`, which the caller has just created for that purpose.
// - Methods return immediately; the webgpu backend only queues work. `read` is the one wait.

import type { Conv2dSpec, Pool2dSpec } from './cnnSpecs.js';
import type { GruForward, GruGrads, GruSaved, GruSpec } from './gruSpec.js';
import type { ClassLossSpec } from './lossSpec.js';
import type { LstmForward, LstmGrads, LstmSaved, LstmSpec } from './lstmSpec.js';
import type { NormGrads, NormSpec, RunningStats } from './normSpec.js';
import type { ProfileGroup, ProfileSession } from './profileSpec.js';

export type DType = 'float32' | 'int32';
export type TypedArray = Float32Array | Int32Array;
/** What `upload` takes: a read's TypedArray, or float64 values. */
export type HostArray = TypedArray | Float64Array;

/** Backend-owned storage. Size is in elements. */
export interface Handle {
  readonly size: number;
  readonly dtype: DType;
}

/** The one wording of a bad embedding index, shared by both backends: the cpu reference throws
 *  it at once; the webgpu backend finds the index on the device and throws it at the next read. */
export function embeddingIndexError(index: number, position: number, rows: number): Error {
  return new Error(
    `embedding: index ${index} at position ${position} of the indices is out of range for a weight with ` +
    `${rows} embeddings (expected 0 <= index < ${rows})`);
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

/**
 * Generic over the handle type its implementation makes (webgpu: GpuHandle, cpu: CpuHandle), so
 * a backend's methods take its own handles with no casts. Code above src/backend holds the
 * default `Backend` (= Backend<Handle>): a handle only ever goes back to the backend that made
 * it (core/tensor.ts's Storage keeps the two together), and TypeScript's method parameters are
 * bivariant, which is what lets a Backend<GpuHandle> stand where a Backend is expected.
 */
export interface Backend<H extends Handle = Handle> {
  readonly name: 'webgpu' | 'cpu';
  /** Optional: true once the device behind this backend is lost; the engine then opens a new one. */
  readonly lost?: boolean;
  /** Optional runtime settings (see `dg.init`); undefined fields keep their current values. */
  configure?(options: { poolLimitBytes?: number; waitTimeoutMs?: number }): void;
  /** Optional: times every dispatch on the device from now until the session's `stop()`
   *  (dg.profile); throws, starting with `profile:`, when the device cannot time dispatches. */
  startProfiling?(by: ProfileGroup, queryCapacity?: number): ProfileSession;

  /** A Float64Array is kept in float64 by the cpu backend (gradient checks) and rounded to
   *  float32 by webgpu. */
  upload(data: HostArray): H;
  /** Storage whose contents are unspecified until written (by `scatter`). */
  empty(size: number, dtype: DType): H;
  fill(size: number, value: number, dtype: DType): H;
  read(x: H): Promise<TypedArray>;
  /**
   * Resolves once the device has at most a couple of submitted batches left to run. A loop
   * that queues work without reading anything (fit between progress reads) awaits it once per
   * step, so the host never runs far ahead of the device: nothing is read back, the device
   * stays busy, and native objects of finished work are freed as it goes.
   */
  throttle(): Promise<void>;
  release(x: H): void;
  /** Bytes currently held by the backend's allocator (live plus pooled). */
  allocatedBytes(): number;
  /** Of those, the bytes of free buffers kept for reuse. */
  pooledBytes(): number;
  /** Returns the pooled free buffers to the device. */
  emptyCache(): void;
  /** dg.debug({ checkNumerics }): raises `checkNumerics: <describe> produced NaN or Inf` if the
   *  float32 x holds one (cpu: at once; webgpu: at the next read-back, naming the first such op). */
  checkNumerics(x: H, describe: string): void;

  /** out = f(x) elementwise; `param` is leakyRelu's slope, elu's alpha, softplus's threshold
   *  (softplus itself is beta = 1; ignored elsewhere). float32 only. */
  unary(op: UnaryOp, x: H, param: number): H;
  /** dx = dy * f'(x) elementwise, the backward of `unary`. */
  unaryGrad(op: UnaryOp, x: H, dy: H, param: number): H;
  /** out[shape] = a[view] op b[view]; views broadcast with zero strides. Same dtype in and out. */
  binary(op: BinaryOp, a: H, aView: View, b: H, bView: View, outShape: readonly number[]): H;
  /** Like `binary` but returns float32 1/0. */
  compare(op: CompareOp, a: H, aView: View, b: H, bView: View, outShape: readonly number[]): H;
  /** out = cond != 0 ? a : b, all contiguous and of one size. */
  where(cond: H, a: H, b: H): H;
  /** Input viewed as [outer, len, inner], reduced over len -> [outer, inner]. argmax/argmin give int32. */
  reduce(op: ReduceOp, x: H, outer: number, len: number, inner: number): H;
  /** (log-)softmax over the last axis of x viewed as [rows, len]. */
  softmax(x: H, rows: number, len: number, log: boolean): H;
  matmul(a: H, b: H, spec: MatmulSpec): H;
  /** Contiguous copy of a strided view (permute, slice, broadcast-expand). Any dtype. */
  gather(x: H, view: View): H;
  /** Writes contiguous `src` (shape `view.shape`) into the strided view of `dst`, in place. */
  scatter(dst: H, src: H, view: View): void;
  cast(x: H, dtype: DType): H;
  /**
   * Updates `param` and its state in place from `grad`, all float32 and of one size. States by
   * kind: sgd [momentumBuf | null]; adam [expAvg, expAvgSq]; rmsprop [squareAvg,
   * momentumBuf | null, gradAvg | null]; null where the settings need none (momentum 0, not centered).
   */
  optimStep(kind: OptimKind, param: H, grad: H, states: readonly (H | null)[], hyper: OptimHyper): void;
  /** out[i, :] = x[indices[i], :] with x viewed as rows of `rowSize`; any dtype; bad indices give zero rows. */
  takeRows(x: H, rowSize: number, indices: H): H;

  // ---- convolution, pooling and classification losses (shapes in ./cnnSpecs.ts and ./lossSpec.ts) ----
  /** y = conv2d(x, w) + bias (bias [outC] or null). */
  conv2d(x: H, w: H, bias: H | null, spec: Conv2dSpec): H;
  conv2dBackwardInput(dy: H, w: H, spec: Conv2dSpec): H;
  conv2dBackwardWeight(dy: H, x: H, spec: Conv2dSpec): H;
  /** Values, and (when `withArgmax`) the int32 arg-max the backward needs, as an index into each
   *  input plane (ih * inW + iw). */
  maxPool2d(x: H, spec: Pool2dSpec, withArgmax: boolean): [H, H | null];
  maxPool2dBackward(dy: H, argmax: H, spec: Pool2dSpec): H;
  avgPool2d(x: H, spec: Pool2dSpec): H;
  avgPool2dBackward(dy: H, spec: Pool2dSpec): H;
  /** Per-position loss [batch * inner] ('none'), or its sum as one element (a mean divides by
   *  the positions not ignored, or their labels' total weight, which the op layer takes on the
   *  device). `weight` [classes] or null is PyTorch's class weight. A label outside
   *  [0, classes) raises an error naming it (webgpu: at the next `read`, see kernels/loss.ts). */
  classLoss(x: H, labels: H, weight: H | null, spec: ClassLossSpec, reduction: 'sum' | 'none'): H;
  /** d loss / d x given the loss gradient g, read at position * gStride and multiplied by scale. */
  classLossBackward(x: H, labels: H, weight: H | null, g: H, spec: ClassLossSpec, scale: number, gStride: number): H;

  // ---- recurrent layers and embeddings (LSTM layouts in ./lstmSpec.ts) ----
  /**
   * One LSTM direction over a whole sequence: xGates [T, B, 4H] (x·W_ihᵀ + both biases for
   * every step), h0 and c0 [B, H], wHh [4H, H], mask [T, B] of 1/0 or null (a 0 step keeps the
   * state and outputs 0). The webgpu backend queues every step with no read-back.
   */
  lstmForward(xGates: H, h0: H, c0: H, wHh: H, mask: H | null, spec: LstmSpec): LstmForward<H>;
  /** Back-propagation through time from dOut [T + 2, B, H] (outputs, then dL/dhN, then dL/dcN). */
  lstmBackward(dOut: H, wHh: H, fwd: LstmSaved<H>, mask: H | null, spec: LstmSpec): LstmGrads<H>;
  /**
   * One GRU direction over a whole sequence (layouts in ./gruSpec.ts): xGates [T, B, 3H]
   * (x·W_ihᵀ + b_ih for every step), h0 [B, H], wHh [3H, H], bHh [3H] (the recurrent bias
   * stays apart: r scales n's recurrent sum with it), mask as lstmForward's.
   */
  gruForward(xGates: H, h0: H, wHh: H, bHh: H, mask: H | null, spec: GruSpec): GruForward<H>;
  /** Back-propagation through time from dOut [T + 1, B, H] (outputs, then dL/dhN). */
  gruBackward(dOut: H, wHh: H, fwd: GruSaved<H>, mask: H | null, spec: GruSpec): GruGrads<H>;

  // ---- normalisation (batch and layer norm; layouts in ./normSpec.ts) ----
  /**
   * Per-group statistics of x: [2, groups], the means then 1 / sqrt(biased variance + eps). With
   * `running` (batch norm in training) its mean and var are updated in place with the
   * unbiased variance and its count incremented, on the device (no read-back).
   */
  normStats(x: H, spec: NormSpec, running: RunningStats<H> | null): H;
  /** The same [2, channels] layout from running estimates: mean, then 1 / sqrt(var + eps). */
  runningNormStats(mean: H, variance: H, eps: number): H;
  /** y = (x - mean) * rstd * weight + bias with stats from normStats; weight/bias null: 1 and 0. */
  normForward(x: H, stats: H, weight: H | null, bias: H | null, spec: NormSpec): H;
  /**
   * Gradients from dy. `batchStats`: the stats were x's own (training), so dx carries their
   * dependence on x; otherwise they were constants (eval). dWeight and dBias when `affineGrads`.
   */
  normBackward(dy: H, x: H, stats: H, weight: H | null, spec: NormSpec, batchStats: boolean, affineGrads: boolean): NormGrads<H>;
  /** Rows of weight [rows, dim] picked by int32 indices -> [indices.size, dim]. A bad index
   *  raises an error naming it (the webgpu backend raises it at the next `read`). */
  embedding(weight: H, indices: H, dim: number): H;
  /** dWeight [rows, dim]: each dOut row added into the row its index names; repeats accumulate. */
  embeddingGrad(dOut: H, indices: H, rows: number, dim: number): H;
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
