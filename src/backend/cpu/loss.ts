// Per-position cross-entropy / negative log-likelihood and their fused backward, in float64.
// Scores are viewed as [batch, classes, inner]; position p = b * inner + r reads class c at
// (b * classes + c) * inner + r. With label smoothing eps the target is
// (1 - eps) * onehot(label) + eps / classes, PyTorch's definition. A position labelled
// ignoreIndex has loss 0 and gradient 0.
// With class weights w (PyTorch's `weight`) the target of a position labelled y becomes
// t_c = (1 - eps) w_y [c = y] + (eps / classes) w_c, as torch.nn.functional.cross_entropy weighs
// both its nll and its smoothing term: the loss is A lse - sum_c t_c x_c with the target's mass
// A = sum_c t_c (lse only for cross-entropy), and its gradient A softmax - t. Without weights
// w = 1 and A = 1.
import { badLabelMessage, type ClassLossSpec } from '../lossSpec.js';

function checkLabels(labels: Int32Array, s: ClassLossSpec): void {
  labels.forEach((y, p) => {
    if (y !== s.ignoreIndex && (y < 0 || y >= s.classes)) throw new Error(badLabelMessage(s.kind, y, p, s.classes));
  });
}

/** Log-sum-exp of one position's scores, shifted by their maximum so +-1e4 stays finite. */
function logSumExp(x: Float64Array, base: number, s: ClassLossSpec): number {
  let m = -Infinity;
  for (let c = 0; c < s.classes; c++) m = Math.max(m, x[base + c * s.inner]!);
  let sum = 0;
  for (let c = 0; c < s.classes; c++) sum += Math.exp(x[base + c * s.inner]! - m);
  return m + Math.log(sum);
}

const baseOf = (p: number, s: ClassLossSpec) => Math.floor(p / s.inner) * s.classes * s.inner + (p % s.inner);

/** Position p's target t_c (see the header) for every class. */
function target(y: number, w: Float64Array | null, s: ClassLossSpec): Float64Array {
  const eps = s.labelSmoothing;
  const t = new Float64Array(s.classes);
  for (let c = 0; c < s.classes; c++) t[c] = (c === y ? (1 - eps) * (w ? w[y]! : 1) : 0) + (eps / s.classes) * (w ? w[c]! : 1);
  return t;
}

export function classLoss(x: Float64Array, labels: Int32Array, w: Float64Array | null, s: ClassLossSpec, reduction: 'sum' | 'none'): Float64Array {
  checkLabels(labels, s);
  const out = new Float64Array(s.batch * s.inner);
  for (let p = 0; p < out.length; p++) {
    if (labels[p] === s.ignoreIndex) continue;
    const base = baseOf(p, s);
    const t = target(labels[p]!, w, s);
    let picked = 0;
    let mass = 0;
    for (let c = 0; c < s.classes; c++) {
      picked += t[c]! * x[base + c * s.inner]!;
      mass += t[c]!;
    }
    out[p] = (s.kind === 'crossEntropy' ? mass * logSumExp(x, base, s) : 0) - picked;
  }
  if (reduction === 'none') return out;
  return Float64Array.of(out.reduce((a, b) => a + b, 0));
}

/** dx = g[p] * scale * (A softmax - target) for cross-entropy, g[p] * scale * (-target) for nll;
 *  g is read at p * gStride (gStride 0: one gradient for every position, a reduced loss). */
export function classLossBackward(
  x: Float64Array, labels: Int32Array, w: Float64Array | null, g: Float64Array, s: ClassLossSpec, scale: number, gStride: number,
): Float64Array {
  checkLabels(labels, s);
  const dx = new Float64Array(x.length);
  for (let p = 0; p < s.batch * s.inner; p++) {
    if (labels[p] === s.ignoreIndex) continue; // dx stays 0
    const base = baseOf(p, s);
    const lse = s.kind === 'crossEntropy' ? logSumExp(x, base, s) : 0;
    const gp = g[p * gStride]! * scale;
    const t = target(labels[p]!, w, s);
    const mass = t.reduce((a, b) => a + b, 0);
    for (let c = 0; c < s.classes; c++) {
      const i = base + c * s.inner;
      const prob = s.kind === 'crossEntropy' ? Math.exp(x[i]! - lse) : 0;
      dx[i] = gp * (mass * prob - t[c]!);
    }
  }
  return dx;
}
