// Loss functions with PyTorch's semantics and defaults (reduction 'mean').
// crossEntropy and nllLoss run one fused backend kernel forward (per-position loss and the
// reduction) and one fused kernel backward (softmax minus target, scaled), instead of a chain
// of logSoftmax, gather and mean each keeping its own intermediate for the backward.
import type { ClassLossKind, ClassLossSpec, Reduction } from '../../backend/cnnSpecs.js';

export type { Reduction };
import { noGrad } from '../engine.js';
import { fmt } from '../shape.js';
import { Tensor, withGrad } from '../tensor.js';
import { abs, add, div, exp, log, mul, ne, neg, relu, sigmoid, square, sub } from './elementwise.js';
import { mean, sum } from './reduce.js';
import { checkOptions } from './options.js';
import { backendOf, live, requireFloat, wrap } from './util.js';


export interface LossOptions {
  reduction?: Reduction;
}

export interface ClassLossOptions extends LossOptions {
  /**
   * Positions with this label count for nothing: loss 0, gradient 0, left out of a mean's
   * count (PyTorch's ignore_index, and its default -100, e.g. for padding tokens). A mean over
   * no counted position is NaN, as in PyTorch.
   */
  ignoreIndex?: number;
  /**
   * Class weights [C] (PyTorch's `weight`): position i's loss is scaled by weight[y_i], and a
   * mean divides by the sum of weight[y_i] over the positions not ignored instead of their
   * count. With label smoothing, class c's share of the smoothing term is scaled by weight[c],
   * as in PyTorch. The weights receive no gradient.
   */
  weight?: Tensor;
}

export interface CrossEntropyOptions extends ClassLossOptions {
  /** eps in [0, 1]: the target becomes (1 - eps) * onehot + eps / classes. */
  labelSmoothing?: number;
}

function reductionOf(op: string, options: LossOptions, extra: string[] = []): Reduction {
  checkOptions(op, options, ['reduction', ...extra]);
  const v = options.reduction ?? 'mean';
  if (v !== 'mean' && v !== 'sum' && v !== 'none') throw new Error(`${op}: unknown reduction '${String(v)}' (expected 'mean', 'sum' or 'none')`);
  return v;
}

function reduce(t: Tensor, r: Reduction): Tensor {
  return r === 'none' ? t : r === 'sum' ? sum(t) : mean(t);
}

/** Checks an elementwise loss's two float operands (same shape, no broadcasting, as PyTorch
 *  warns against) and returns its reduction. */
function pairwiseArgs(op: string, a: Tensor, b: Tensor, names: [string, string], options: LossOptions): Reduction {
  const reduction = reductionOf(op, options);
  requireFloat(op, a);
  requireFloat(op, b);
  if (a.rank !== b.rank || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(`${op}: ${names[0]} ${fmt(a.shape)} and ${names[1]} ${fmt(b.shape)} must have the same shape`);
  }
  return reduction;
}

/** The class weights, checked against the scores' class count. */
function classWeight(op: string, weight: unknown, classes: number, scores: Tensor): Tensor | null {
  if (weight === undefined) return null;
  if (!(weight instanceof Tensor)) throw new Error(`${op}: weight must be a float32 Tensor of shape [${classes}] (one per class), got ${typeof weight}`);
  if (weight.dtype !== 'float32' || weight.rank !== 1 || weight.shape[0] !== classes) {
    throw new Error(`${op}: weight must be a float32 tensor of shape [${classes}] (one per class of scores ${fmt(scores.shape)}), got ${weight.dtype} ${fmt(weight.shape)}`);
  }
  backendOf(op, scores, weight);
  return weight;
}

function classLoss(kind: ClassLossKind, op: string, scores: Tensor, labels: Tensor, options: CrossEntropyOptions): Tensor {
  const reduction = reductionOf(op, options, kind === 'crossEntropy' ? ['ignoreIndex', 'labelSmoothing', 'weight'] : ['ignoreIndex', 'weight']);
  const labelSmoothing = options.labelSmoothing ?? 0;
  const ignoreIndex = options.ignoreIndex ?? -100;
  if (!Number.isInteger(ignoreIndex) || ignoreIndex < -(2 ** 31) || ignoreIndex >= 2 ** 31) {
    throw new Error(`${op}: ignoreIndex must be an int32 integer, got ${ignoreIndex}`);
  }
  requireFloat(op, scores);
  live(op, labels, 'labels');
  if (labels.dtype !== 'int32') throw new Error(`${op}: expected int32 class labels, got ${labels.dtype} of shape ${fmt(labels.shape)}`);
  if (scores.rank === 0) throw new Error(`${op}: expected scores [N, C] or [N, C, d1, ...] (or [C]), got a scalar`);
  // [C] with a scalar label is one sample of C classes.
  const rows = scores.rank === 1 ? [1, scores.shape[0]!] : scores.shape;
  const want = scores.rank === 1 ? [] : [rows[0]!, ...rows.slice(2)];
  if (labels.rank !== want.length || labels.shape.some((d, i) => d !== want[i])) {
    throw new Error(`${op}: expected labels of shape ${fmt(want)} for scores ${fmt(scores.shape)}, got ${fmt(labels.shape)}`);
  }
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new Error(`${op}: labelSmoothing must be in [0, 1], got ${labelSmoothing}`);
  const be = backendOf(op, scores, labels);
  const spec: ClassLossSpec = {
    kind, batch: rows[0]!, classes: rows[1]!, inner: rows.slice(2).reduce((a, b) => a * b, 1), labelSmoothing, ignoreIndex,
  };
  if (spec.classes === 0) throw new Error(`${op}: scores ${fmt(scores.shape)} have no classes`);
  const weight = classWeight(op, options.weight, spec.classes, scores);
  const w = weight ? weight.handle : null;
  const kernelReduction = reduction === 'none' ? 'none' : 'sum';
  const out = wrap(be.classLoss(scores.handle, labels.handle, w, spec, kernelReduction), reduction === 'none' ? want : [], be);
  const gStride = reduction === 'none' ? 1 : 0;
  // The weight is an input (with no gradient, as in PyTorch) so that the graph holds it: the
  // backward reads its storage, which a collected tensor would hand back to the pool.
  const inputs = weight ? [scores, labels, weight] : [scores, labels];
  const loss = withGrad(out, op, inputs, (g) => [
    wrap(be.classLossBackward(scores.handle, labels.handle, w, g.handle, spec, 1, gStride), scores.shape, be),
    ...inputs.slice(1).map(() => null),
  ]);
  if (reduction !== 'mean') return loss;
  // The divisor depends on the labels, which live on the device: take it there (a few small
  // dispatches) rather than read the labels back every step. Weighted, it is the sum of
  // weight[label] over counted positions (an out-of-range label, e.g. -100, picks 0).
  const counted = noGrad(() => {
    const kept = ne(labels, ignoreIndex);
    if (!weight) return sum(kept);
    const picked = wrap(be.takeRows(weight.handle, 1, labels.handle), labels.shape, be);
    return sum(mul(picked, kept));
  });
  return div(loss, counted);
}

/** Cross-entropy of logits [N, C] or [N, C, d1, ...] against int32 labels [N] or [N, d1, ...]. */
export function crossEntropy(logits: Tensor, labels: Tensor, options: CrossEntropyOptions = {}): Tensor {
  return classLoss('crossEntropy', 'crossEntropy', logits, labels, options);
}

/** Negative log-likelihood of log-probabilities (e.g. logSoftmax's output), labels as crossEntropy's. */
export function nllLoss(logProbs: Tensor, labels: Tensor, options: ClassLossOptions = {}): Tensor {
  return classLoss('nll', 'nllLoss', logProbs, labels, options);
}

/**
 * Binary cross-entropy on logits, as max(x, 0) - x t + log(1 + exp(-|x|)), which never takes
 * the log of a rounded-off sigmoid. The gradient is given directly as sigmoid(x) - t (and -x
 * for the targets): composing it from relu and abs would use their subgradient 0 at x = 0.
 */
export function binaryCrossEntropyWithLogits(logits: Tensor, targets: Tensor, options: LossOptions = {}): Tensor {
  const op = 'binaryCrossEntropyWithLogits';
  const reduction = pairwiseArgs(op, logits, targets, ['logits', 'targets'], options);
  const per = noGrad(() => add(sub(relu(logits), mul(logits, targets)), log(add(exp(neg(abs(logits))), 1))));
  const perGrad = withGrad(per, op, [logits, targets], (g) => [
    logits.requiresGrad ? mul(g, sub(sigmoid(logits), targets)) : null,
    targets.requiresGrad ? neg(mul(g, logits)) : null,
  ]);
  return reduce(perGrad, reduction);
}

export function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const reduction = pairwiseArgs('mseLoss', input, target, ['input', 'target'], options);
  return reduce(square(sub(input, target)), reduction);
}
