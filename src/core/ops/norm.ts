// Batch and layer normalisation, as torch.nn.functional.batch_norm and layer_norm: the
// backend's fused statistics and normalisation kernels forward, and their fused backward
// (dx, dweight, dbias from one set of group sums). Batch norm in training updates the running
// estimates in place on the device, as PyTorch's does.
import type { NormSpec, RunningStats } from '../../backend/normSpec.js';
import { fmt } from '../shape.js';
import { type Tensor, withGrad } from '../tensor.js';
import { checkOptions } from './options.js';
import { backendOf, live, requireFloat, wrap } from './util.js';

export interface BatchNormOptions {
  /** Batch statistics (and running updates) when true; the running estimates when false (PyTorch's default). */
  training?: boolean;
  /** Weight of the new batch in the running estimates (default 0.1); null: the cumulative average, which needs numBatchesTracked. */
  momentum?: number | null;
  eps?: number;
  /** int32 [] or [1]: incremented in place by each training call that updates running estimates. */
  numBatchesTracked?: Tensor | null;
}

export interface LayerNormOptions {
  eps?: number;
}

function checkEps(op: string, eps: number): void {
  if (typeof eps !== 'number' || !(eps >= 0) || !Number.isFinite(eps)) throw new Error(`${op}: eps must be a finite number >= 0, got ${String(eps)}`);
}

function checkVector(op: string, name: string, t: Tensor | null | undefined, size: number, shape: readonly number[] = [size]): void {
  if (t === null || t === undefined) return;
  live(op, t, name);
  requireFloat(op, t);
  if (t.size !== size || t.rank !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${op}: expected ${name} of shape ${fmt(shape)}, got ${fmt(t.shape)}`);
  }
}

/**
 * Runs the normalisation once stats (a [2, groups] handle) are known and records its backward.
 * `batchStats` says whether the stats came from x (so dx carries their dependence on x).
 */
function normalized(op: string, x: Tensor, stats: Tensor, weight: Tensor | null, bias: Tensor | null, spec: NormSpec, batchStats: boolean): Tensor {
  const be = x.backend;
  const out = wrap(be.normForward(x.handle, stats.handle, weight?.handle ?? null, bias?.handle ?? null, spec), x.shape, be);
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  return withGrad(out, op, inputs, (g) => {
    const affineGrads = (weight?.requiresGrad ?? false) || (bias?.requiresGrad ?? false);
    const r = be.normBackward(g.handle, x.handle, stats.handle, weight?.handle ?? null, spec, batchStats, affineGrads);
    const shape = weight?.shape ?? bias?.shape ?? [];
    const dW = r.dWeight ? wrap(r.dWeight, shape, be) : null;
    const dB = r.dBias ? wrap(r.dBias, shape, be) : null;
    return [wrap(r.dx, x.shape, be), ...(weight ? [dW] : []), ...(bias ? [dB] : [])];
  }, [stats]);
}

/**
 * torch.nn.functional.batch_norm over x [N, C, ...]: statistics per channel over the batch and
 * every trailing position. training: normalise with the batch's mean and biased variance and,
 * when running estimates are given, move them toward the batch's mean and unbiased variance
 * by `momentum`; otherwise normalise with the running estimates.
 */
export function batchNorm(
  x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, weight: Tensor | null = null, bias: Tensor | null = null,
  options: BatchNormOptions = {},
): Tensor {
  const op = 'batchNorm';
  checkOptions(op, options, ['training', 'momentum', 'eps', 'numBatchesTracked']);
  live(op, x);
  requireFloat(op, x);
  if (x.rank < 2) throw new Error(`${op}: expected input [N, C, ...] of rank 2 or more, got ${fmt(x.shape)}`);
  const [N, C] = x.shape as [number, number];
  const inner = x.size / Math.max(1, N * C);
  if (x.size === 0) throw new Error(`${op}: expected a non-empty input, got ${fmt(x.shape)}`);
  const training = options.training ?? false;
  const momentum = options.momentum === undefined ? 0.1 : options.momentum;
  const eps = options.eps ?? 1e-5;
  checkEps(op, eps);
  if (momentum !== null && !(typeof momentum === 'number' && momentum >= 0 && momentum <= 1)) {
    throw new Error(`${op}: momentum must be a number in [0, 1] or null, got ${String(momentum)}`);
  }
  if ((runningMean === null) !== (runningVar === null)) throw new Error(`${op}: give both runningMean and runningVar, or neither`);
  for (const [name, t] of [['runningMean', runningMean], ['runningVar', runningVar], ['weight', weight], ['bias', bias]] as const) {
    checkVector(op, name, t, C);
  }
  for (const [name, t] of [['runningMean', runningMean], ['runningVar', runningVar]] as const) {
    if (t?.requiresGrad) throw new Error(`${op}: ${name} must not require a gradient (it is a buffer, updated in place)`);
  }
  const count = options.numBatchesTracked ?? null;
  if (count !== null) live(op, count, 'numBatchesTracked');
  if (count !== null && (count.dtype !== 'int32' || count.size !== 1)) {
    throw new Error(`${op}: numBatchesTracked must be an int32 tensor of one element, got ${count.dtype} of shape ${fmt(count.shape)}`);
  }
  if (training && runningMean && momentum === null && count === null) {
    throw new Error(`${op}: momentum null (the cumulative average) needs options.numBatchesTracked`);
  }
  if (!training && runningMean === null) {
    throw new Error(`${op}: running statistics are required when training is false (pass training: true to use the batch's statistics)`);
  }
  if (training && N * inner <= 1) {
    throw new Error(`${op}: expected more than 1 value per channel when training, got input ${fmt(x.shape)}`);
  }
  const tensors = [x, ...[runningMean, runningVar, weight, bias, count].filter((t): t is Tensor => t !== null)];
  const be = backendOf(op, ...tensors);
  const spec: NormSpec = { kind: 'batch', batch: N, channels: C, inner, eps };
  let stats: Tensor;
  if (training) {
    const running: RunningStats | null = runningMean && runningVar
      ? { mean: runningMean.handle, var: runningVar.handle, count: count?.handle ?? null, momentum }
      : null;
    stats = wrap(be.normStats(x.handle, spec, running), [2, C], be);
  } else {
    stats = wrap(be.runningNormStats(runningMean!.handle, runningVar!.handle, eps), [2, C], be);
  }
  return normalized(op, x, stats, weight, bias, spec, training);
}

/**
 * torch.nn.functional.layer_norm: each slice over the trailing `normalizedShape` dimensions
 * normalised by its own mean and biased variance; weight and bias have normalizedShape.
 */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], weight: Tensor | null = null, bias: Tensor | null = null, options: LayerNormOptions = {}): Tensor {
  const op = 'layerNorm';
  checkOptions(op, options, ['eps']);
  live(op, x);
  requireFloat(op, x);
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  if (shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new Error(`${op}: normalizedShape must be a positive integer or a non-empty list of them, got ${JSON.stringify(normalizedShape)}`);
  }
  const trailing = x.shape.slice(x.rank - shape.length);
  if (x.rank < shape.length || trailing.some((d, i) => d !== shape[i])) {
    throw new Error(`${op}: expected input [..., ${shape.join(', ')}] (normalizedShape ${fmt(shape)}), got ${fmt(x.shape)}`);
  }
  const features = shape.reduce((a, b) => a * b, 1);
  const rows = x.size / features;
  if (rows === 0) throw new Error(`${op}: expected a non-empty input, got ${fmt(x.shape)}`);
  const eps = options.eps ?? 1e-5;
  checkEps(op, eps);
  checkVector(op, 'weight', weight, features, shape);
  checkVector(op, 'bias', bias, features, shape);
  const be = backendOf(op, x, ...[weight, bias].filter((t): t is Tensor => t !== null));
  const spec: NormSpec = { kind: 'layer', rows, features, eps };
  const stats = wrap(be.normStats(x.handle, spec, null), [2, rows], be);
  return normalized(op, x, stats, weight, bias, spec, true);
}
