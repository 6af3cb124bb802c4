// Device-side building blocks of the classification metrics: predicted and true class ids,
// and confusion counts, so fit can sum them over batches without reading back.
import { arange } from '../core/ops/creation.js';
import { matmulRaw } from '../core/ops/matmul.js';
import { live } from '../core/ops/util.js';
import { fmt } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';

/** How to read a prediction of one value per example: a probability (cut at 0.5) or a logit (cut at 0). */
export interface ClassOptions {
  /** Cut-off for one-output (binary) predictions; 0.5 for probabilities. */
  threshold?: number;
}

/** The arguments every metric takes, checked: tensors that are alive, and a finite threshold. */
export function checkMetricArgs(op: string, pred: unknown, y: unknown, options: ClassOptions & { numClasses?: number } = {}): void {
  live(op, pred, 'predictions');
  live(op, y, 'targets');
  checkClassOptions(op, options);
  const n = options.numClasses;
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) throw new Error(`${op}: numClasses must be a positive integer, got ${String(n)}`);
}

export function checkClassOptions(op: string, options: ClassOptions): void {
  if (options === null || typeof options !== 'object') throw new Error(`${op}: options must be an object, got ${String(options)}`);
  const t = options.threshold;
  if (t !== undefined && (typeof t !== 'number' || !Number.isFinite(t))) throw new Error(`${op}: threshold must be a finite number, got ${String(t)}`);
}

/** Number of classes a prediction implies: C for [N, C] scores, 2 for [N] / [N, 1] binary outputs or class ids. */
export function classCount(op: string, pred: Tensor, numClasses?: number): number {
  if (pred.dtype === 'int32') {
    if (numClasses === undefined) throw new Error(`${op}: predicted class ids need options.numClasses`);
    return numClasses;
  }
  if (pred.rank === 2 && pred.shape[1]! > 1) return pred.shape[1]!;
  if (pred.rank === 1 || (pred.rank === 2 && pred.shape[1] === 1)) return 2;
  throw new Error(`${op}: expected predictions [N, C] or [N] (or class ids), got ${pred.dtype} of shape ${fmt(pred.shape)}`);
}

/** int32 [N] class ids from scores [N, C], one-output predictions [N] / [N, 1], or ids already. */
export function predictedClasses(op: string, pred: Tensor, options: ClassOptions = {}): Tensor {
  if (pred.dtype === 'int32') return pred.reshape([-1]);
  if (pred.rank === 2 && pred.shape[1]! > 1) return pred.argmax(1);
  classCount(op, pred);
  return pred.reshape([-1]).gt(options.threshold ?? 0.5).int();
}

/** int32 [N] true class ids from int32 ids [N], one-hot / probabilities [N, C], or 0/1 floats [N] / [N, 1]. */
export function trueClasses(op: string, y: Tensor, n: number): Tensor {
  if (y.shape[0] !== n) throw new Error(`${op}: predictions and targets differ in length (${n} vs ${y.shape[0] ?? 'a scalar'}), got targets of shape ${fmt(y.shape)}`);
  if (y.dtype === 'int32') {
    if (y.rank !== 1) throw new Error(`${op}: expected int32 class labels [N], got shape ${fmt(y.shape)}`);
    return y;
  }
  if (y.rank === 2 && y.shape[1]! > 1) return y.argmax(1);
  if (y.rank === 1 || (y.rank === 2 && y.shape[1] === 1)) return y.reshape([-1]).gt(0.5).int();
  throw new Error(`${op}: expected targets [N] or [N, C], got ${y.dtype} of shape ${fmt(y.shape)}`);
}

/** [C, C] float counts, rows = true class, columns = predicted class (scikit-learn's layout). */
export function confusionCounts(predCls: Tensor, trueCls: Tensor, numClasses: number): Tensor {
  const ids = arange(0, numClasses, 1, { dtype: 'int32', backend: predCls.backend }).reshape([1, numClasses]);
  const oneHot = (c: Tensor) => c.reshape([-1, 1]).eq(ids);
  return matmulRaw(oneHot(trueCls), oneHot(predCls), true, false, 'confusionMatrix');
}
