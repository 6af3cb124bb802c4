// How fit, evaluate and predict cut their data into batches, and the checks each batch [x, y]
// passes: a tensor pair is cut on the device (narrow, or takeRows through a shuffled index),
// a batch source yields its own batches.
import { narrow } from '../core/ops/layout.js';
import { takeRows } from '../core/ops/take.js';
import { fmt } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import type { ResolvedLoss } from './losses.js';

/**
 * Batches fit can train on instead of x and y tensors, as Keras' fit takes a generator: e.g. a
 * dg.data.DataLoader, whose batches are uploaded one at a time (a dataset larger than the
 * device's biggest buffer, or augmented on the host each epoch). Each pass yields `length`
 * batches [x, y]; fit disposes them.
 */
export interface BatchSource extends Iterable<Tensor[]> {
  readonly length: number;
  readonly batchSize: number;
}

export function isBatchSource(v: unknown): v is BatchSource {
  return typeof v === 'object' && v !== null && !(v instanceof Tensor) && typeof (v as BatchSource)[Symbol.iterator] === 'function';
}

export function positiveInt(op: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${op}: ${name} must be a positive integer, got ${v}`);
}

export function checkPair(op: string, x: Tensor, y: Tensor, loss: ResolvedLoss): void {
  if (!(x instanceof Tensor) || !(y instanceof Tensor)) throw new Error(`${op}: x and y must be Tensors`);
  if (x.rank === 0 || y.rank === 0) throw new Error(`${op}: x and y need an example dimension, got x ${fmt(x.shape)} and y ${fmt(y.shape)}`);
  if (x.shape[0] !== y.shape[0]) {
    throw new Error(`${op}: x and y must have the same number of examples, got x ${fmt(x.shape)} and y ${fmt(y.shape)}`);
  }
  if (x.shape[0] === 0) throw new Error(`${op}: no examples (x has shape ${fmt(x.shape)})`);
  loss.checkTargets(op, y);
}

/** [start, length] of each batch of [0, n). */
export function batches(n: number, batchSize: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 0; s < n; s += batchSize) out.push([s, Math.min(batchSize, n - s)]);
  return out;
}

/** One epoch's steps: each, called inside tidy, makes its batch [x, y]. */
export function tensorSteps(x: Tensor, y: Tensor, batchSize: number, order: Tensor | null): (() => [Tensor, Tensor])[] {
  return batches(x.shape[0]!, batchSize).map(([start, len]) => () => {
    const idx = order ? narrow(order, 0, start, len) : null;
    return idx ? [takeRows(x, idx), takeRows(y, idx)] : [narrow(x, 0, start, len), narrow(y, 0, start, len)];
  });
}

export function sourceSteps(source: BatchSource, loss: ResolvedLoss, op = 'fit'): (() => [Tensor, Tensor])[] {
  const it = source[Symbol.iterator]();
  return Array.from({ length: source.length }, (_, step) => () => {
    const next = it.next();
    if (next.done) throw new Error(`${op}: the batch source ended after ${step} batches, but its length says ${source.length}`);
    const [xb, yb] = next.value;
    if (!xb || !yb || next.value.length !== 2) throw new Error(`${op}: each batch must be [x, y], got ${next.value.length} tensors`);
    checkPair(op, xb, yb, loss);
    return [xb, yb];
  });
}
