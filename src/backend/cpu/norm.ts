// Reference batch and layer normalisation in float64: PyTorch's formulas in plain loops, two
// passes (mean, then squared deviations) so the variance is exact to float64 rounding.
import { affineSize, normCount, normGroups, type NormSpec } from '../normSpec.js';

/** Calls fn(index) for every element of statistic group g. */
function forGroup(s: NormSpec, g: number, fn: (i: number) => void): void {
  if (s.kind === 'layer') {
    for (let d = 0; d < s.features; d++) fn(g * s.features + d);
    return;
  }
  for (let n = 0; n < s.batch; n++) {
    for (let j = 0; j < s.inner; j++) fn((n * s.channels + g) * s.inner + j);
  }
}

/** The statistic group of element i, and its index into weight and bias. */
function groupOf(s: NormSpec, i: number): number {
  return s.kind === 'batch' ? Math.floor(i / s.inner) % s.channels : Math.floor(i / s.features);
}
function affineOf(s: NormSpec, i: number): number {
  return s.kind === 'batch' ? Math.floor(i / s.inner) % s.channels : i % s.features;
}

export interface RunningArrays {
  mean: Float64Array;
  var: Float64Array;
  count: Int32Array | null;
  momentum: number | null;
}

/** [2, groups]: each group's mean, then 1 / sqrt(biased variance + eps); updates `running`. */
export function normStats(x: Float64Array, s: NormSpec, running: RunningArrays | null): Float64Array {
  const G = normGroups(s);
  const n = normCount(s);
  const out = new Float64Array(2 * G);
  if (running?.count) running.count[0]! += 1;
  const factor = running ? running.momentum ?? 1 / running.count![0]! : 0;
  for (let g = 0; g < G; g++) {
    let sum = 0;
    forGroup(s, g, (i) => { sum += x[i]!; });
    const mean = sum / n;
    let m2 = 0;
    forGroup(s, g, (i) => { m2 += (x[i]! - mean) ** 2; });
    out[g] = mean;
    out[G + g] = 1 / Math.sqrt(m2 / n + s.eps);
    if (running) {
      // The running variance is the unbiased estimate, as PyTorch's.
      running.mean[g] = (1 - factor) * running.mean[g]! + factor * mean;
      running.var[g] = (1 - factor) * running.var[g]! + factor * (m2 / (n - 1));
    }
  }
  return out;
}

/** The same layout from running estimates (eval mode). */
export function runningNormStats(mean: Float64Array, variance: Float64Array, eps: number): Float64Array {
  const C = mean.length;
  const out = new Float64Array(2 * C);
  for (let c = 0; c < C; c++) {
    out[c] = mean[c]!;
    out[C + c] = 1 / Math.sqrt(variance[c]! + eps);
  }
  return out;
}

/** y = (x - mean) * rstd * weight + bias; weight/bias null: 1 and 0. */
export function normForward(x: Float64Array, stats: Float64Array, weight: Float64Array | null, bias: Float64Array | null, s: NormSpec): Float64Array {
  const G = normGroups(s);
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const g = groupOf(s, i);
    const a = affineOf(s, i);
    y[i] = (x[i]! - stats[g]!) * stats[G + g]! * (weight ? weight[a]! : 1) + (bias ? bias[a]! : 0);
  }
  return y;
}

/**
 * Gradients given dy. With batch statistics the mean and variance depend on x:
 * dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) over each group, g = dy * weight; with
 * fixed (running) statistics dx = dy * weight * rstd. dWeight = sum(dy * xhat), dBias = sum(dy)
 * over everything but the affine dimension.
 */
export function normBackward(
  dy: Float64Array, x: Float64Array, stats: Float64Array, weight: Float64Array | null, s: NormSpec, batchStats: boolean, affineGrads: boolean,
): { dx: Float64Array; dWeight: Float64Array | null; dBias: Float64Array | null } {
  const G = normGroups(s);
  const n = normCount(s);
  const xhat = (i: number) => (x[i]! - stats[groupOf(s, i)]!) * stats[G + groupOf(s, i)]!;
  const gOf = (i: number) => dy[i]! * (weight ? weight[affineOf(s, i)]! : 1);
  const dx = new Float64Array(x.length);
  for (let grp = 0; grp < G; grp++) {
    let s1 = 0;
    let s2 = 0;
    if (batchStats) {
      forGroup(s, grp, (i) => {
        s1 += gOf(i);
        s2 += gOf(i) * xhat(i);
      });
    }
    forGroup(s, grp, (i) => {
      dx[i] = stats[G + grp]! * (batchStats ? gOf(i) - s1 / n - xhat(i) * (s2 / n) : gOf(i));
    });
  }
  if (!affineGrads) return { dx, dWeight: null, dBias: null };
  const A = affineSize(s);
  const dWeight = new Float64Array(A);
  const dBias = new Float64Array(A);
  for (let i = 0; i < x.length; i++) {
    const a = affineOf(s, i);
    dWeight[a] = dWeight[a]! + dy[i]! * xhat(i);
    dBias[a] = dBias[a]! + dy[i]!;
  }
  return { dx, dWeight, dBias };
}
