// Shape descriptions the convolution, pooling and class-loss kernels of both backends take.
// The core ops compute them once (output sizes, per-group channel counts) so the kernels only
// index, and every backend reads the same numbers.

/** The sliding-window geometry conv2d and pooling share: input and output planes, kernel,
 *  stride and zero padding. padH/padW are the padding before the first row/column; the padding
 *  after the last is implied by outH/outW, so uneven padding (conv2d's 'same' with an even
 *  kernel, pooling's ceil mode) needs no field of its own. */
export interface Window2d {
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
}

/** conv2d in PyTorch's layout: x [batch, inC, inH, inW], weight [outC, inC / groups, kH, kW]. */
export interface Conv2dSpec extends Window2d {
  batch: number;
  inC: number;
  outC: number;
  dilH: number;
  dilW: number;
  groups: number;
}

/**
 * 2-D pooling over x [batch, channels, inH, inW]. Window (oh, ow) takes the rows
 * oh*strideH - padH + j*dilH for j < kH that lie in the input (columns alike); dilation is 1 for
 * average pooling. `countIncludePad` (avgPool2d only, PyTorch's rule): the divisor counts the
 * window clipped to the padded input [-padH, inH + padH), else only the input elements it covers.
 * With `adaptive`, kernel, stride, padding and dilation are unused: window oh covers rows
 * [floor(oh*inH/outH), ceil((oh+1)*inH/outH)) (PyTorch's adaptive bins), and an average divides
 * by the window's size. A nonzero `divisorOverride` (avgPool2d) replaces every divisor.
 */
export interface Pool2dSpec extends Window2d {
  batch: number;
  channels: number;
  dilH: number;
  dilW: number;
  countIncludePad: boolean;
  divisorOverride: number;
  adaptive: boolean;
}

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
