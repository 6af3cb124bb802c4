// What the classification-loss kernels of both backends take, and the one wording of a bad
// label. The core op computes the spec once so every backend reads the same numbers.

/**
 * Per-position classification losses over scores viewed as [batch, classes, inner] (inner is the
 * product of PyTorch's extra dimensions d1, ...) with int32 labels [batch, inner].
 * 'crossEntropy' takes logits (log-sum-exp inside); 'nll' takes log-probabilities.
 */
export type ClassLossKind = 'crossEntropy' | 'nll';

/** PyTorch's reductions of a per-position loss; 'mean' divides by the number of positions. */
export type Reduction = 'mean' | 'sum' | 'none';

export interface ClassLossSpec {
  kind: ClassLossKind;
  batch: number;
  classes: number;
  inner: number;
  labelSmoothing: number;
  /** Positions whose label equals this count for nothing: loss 0, gradient 0 (PyTorch's ignore_index). */
  ignoreIndex: number;
}

/** Message for a label outside [0, classes); the same words on every backend. */
export function badLabelMessage(kind: ClassLossKind, label: number, position: number, classes: number): string {
  const op = kind === 'nll' ? 'nllLoss' : 'crossEntropy';
  return `${op}: label ${label} at position ${position} is out of range for ${classes} classes (expected 0 <= label < ${classes})`;
}
