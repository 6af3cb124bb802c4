// The losses compile() accepts by name. Keras' losses take the model's output as probabilities
// unless told it is logits; PyTorch models output logits. Here the model decides: when its last
// layer is Softmax (or Sigmoid, for binary), the output is read as probabilities and clipped
// away from 0 and 1 as Keras does (1e-7); otherwise it is logits and the fused, stable losses run.
import { binaryCrossEntropyWithLogits, crossEntropy, mseLoss, nllLoss } from '../core/ops/loss.js';
import { brief, fmt } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { Sigmoid, Softmax } from '../nn/activation.js';
import { type AnyModule, Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';

export type LossFn = (pred: Tensor, y: Tensor) => Tensor;

export const LOSS_NAMES = ['sparseCategoricalCrossentropy', 'categoricalCrossentropy', 'binaryCrossentropy', 'mse'] as const;
export type LossName = (typeof LOSS_NAMES)[number];

const ALIASES: Record<string, LossName> = {
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  categorical_crossentropy: 'categoricalCrossentropy',
  binary_crossentropy: 'binaryCrossentropy',
  mean_squared_error: 'mse',
  meanSquaredError: 'mse',
};

export type OutputKind = 'logits' | 'probabilities';

/** 'probabilities' when the model ends in a Softmax or Sigmoid layer. */
export function outputKind(model: AnyModule): OutputKind {
  if (!(model instanceof Module)) throw new Error(`outputKind: expected an nn.Module, got ${model === null ? 'null' : typeof model}`);
  let last: AnyModule = model;
  while (last instanceof Sequential && last.length > 0) last = last.at(-1)!;
  return last instanceof Softmax || last instanceof Sigmoid ? 'probabilities' : 'logits';
}

const EPS = 1e-7;

export interface ResolvedLoss {
  name: string;
  fn: LossFn;
  /** Throws a clear error when the targets cannot suit this loss (checked once, before training). */
  checkTargets(op: string, y: Tensor): void;
}

function needDtype(op: string, loss: string, y: Tensor, dtype: 'int32' | 'float32', what: string): void {
  if (y.dtype !== dtype) throw new Error(`${op}: loss '${loss}' expects ${what}, got ${y.dtype} y of shape ${fmt(y.shape)}`);
}

export function resolveLoss(loss: string | LossFn, kind: OutputKind, op = 'resolveLoss'): ResolvedLoss {
  if (kind !== 'logits' && kind !== 'probabilities') throw new Error(`${op}: the output kind must be 'logits' or 'probabilities', got ${String(kind)}`);
  if (typeof loss === 'function') return { name: loss.name || 'custom', fn: loss, checkTargets: () => {} };
  const name = typeof loss === 'string' ? ALIASES[loss] ?? loss : loss;
  const probs = kind === 'probabilities';
  switch (name) {
    case 'sparseCategoricalCrossentropy':
      return {
        name,
        fn: (p, y) => (probs ? nllLoss(p.clamp(EPS, 1).log(), y) : crossEntropy(p, y)),
        checkTargets: (op, y) => needDtype(op, name, y, 'int32', 'int32 class labels (use categoricalCrossentropy for one-hot float targets)'),
      };
    case 'categoricalCrossentropy':
      return {
        name,
        fn: (p, y) => (probs ? p.clamp(EPS, 1).log() : p.logSoftmax(-1)).mul(y).sum(-1).mean().neg(),
        checkTargets: (op, y) => needDtype(op, name, y, 'float32', 'float32 one-hot targets [N, C] (use sparseCategoricalCrossentropy for int32 labels)'),
      };
    case 'binaryCrossentropy':
      return {
        name,
        fn: (p, y) => {
          const t = y.reshape(p.shape);
          if (!probs) return binaryCrossEntropyWithLogits(p, t);
          const q = p.clamp(EPS, 1 - EPS);
          return t.mul(q.log()).add(t.neg().add(1).mul(q.neg().add(1).log())).mean().neg();
        },
        checkTargets: (op, y) => needDtype(op, name, y, 'float32', 'float32 targets in [0, 1]'),
      };
    case 'mse':
      return {
        name,
        fn: (p, y) => mseLoss(p, y.reshape(p.shape)),
        checkTargets: (op, y) => needDtype(op, name, y, 'float32', 'float32 targets'),
      };
    default:
      throw new Error(`${op}: unknown loss ${brief(loss)} (expected one of ${LOSS_NAMES.join(', ')}, or a function (pred, y) => Tensor)`);
  }
}
