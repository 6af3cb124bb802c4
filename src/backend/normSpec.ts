// What the normalisation kernels of both backends take and return (BatchNorm, LayerNorm).
// Statistics are per group: a channel of x [batch, channels, inner] for batch norm, a row of
// x [rows, features] for layer norm. Both are one layout, x viewed as [outer, groups, inner]
// with a statistic per group over outer * inner elements (layer norm: outer 1, inner features),
// how the WGSL kernels see both.
import type { Handle } from './backend.js';

export interface BatchNormSpec {
  kind: 'batch';
  batch: number;
  channels: number;
  /** Elements per channel per example (H * W, L, or 1 for [N, C]). */
  inner: number;
  eps: number;
}

export interface LayerNormSpec {
  kind: 'layer';
  rows: number;
  /** Elements normalised together: the product of normalizedShape. */
  features: number;
  eps: number;
}

export type NormSpec = BatchNormSpec | LayerNormSpec;

/**
 * Batch norm's running estimates, updated in place on the device by a training forward:
 * mean and var [channels] float32, count the int32 num_batches_tracked (one element), which is
 * incremented; `momentum` null is the cumulative average, factor 1 / count after the increment.
 */
export interface RunningStats<H extends Handle = Handle> {
  mean: H;
  var: H;
  count: H | null;
  momentum: number | null;
}

/** Gradients of one normalisation; dWeight and dBias [channels] or [features], when asked for. */
export interface NormGrads<H extends Handle = Handle> {
  dx: H;
  dWeight: H | null;
  dBias: H | null;
}

/** Statistic groups of a spec: channels, or rows. */
export const normGroups = (s: NormSpec): number => (s.kind === 'batch' ? s.channels : s.rows);
/** Elements each statistic is taken over. */
export const normCount = (s: NormSpec): number => (s.kind === 'batch' ? s.batch * s.inner : s.features);
/** Length of weight and bias. */
export const affineSize = (s: NormSpec): number => (s.kind === 'batch' ? s.channels : s.features);
