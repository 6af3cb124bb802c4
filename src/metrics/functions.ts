// dg.metrics used on their own: predictions (scores [N, C], one-output [N] or class ids) against
// targets (int32 ids, one-hot, or 0/1). These read the result back, so they are async.
import { noGrad } from '../core/engine.js';
import { sum } from '../core/ops/reduce.js';
import type { Tensor } from '../core/tensor.js';
import { tidy } from '../core/tidy.js';
import { type Average, macro, perClass } from './scores.js';
import { checkMetricArgs, classCount, type ClassOptions, confusionCounts, predictedClasses, trueClasses } from './classes.js';

export interface ScoreOptions extends ClassOptions {
  /** 'macro' (default): the unweighted mean over classes; 'none': one value per class. */
  average?: Average;
  /** Needed when predictions are class ids. */
  numClasses?: number;
}

async function readAndFree(t: Tensor): Promise<Float32Array> {
  const v = (await t.data()) as Float32Array;
  t.dispose();
  return v;
}

export async function accuracy(pred: Tensor, y: Tensor, options: ClassOptions = {}): Promise<number> {
  checkMetricArgs('accuracy', pred, y, options);
  if (pred.shape[0] === 0) throw new Error('accuracy: no examples');
  const hits = noGrad(() => tidy(() => sum(predictedClasses('accuracy', pred, options).eq(trueClasses('accuracy', y, pred.shape[0]!)))));
  return (await readAndFree(hits))[0]! / pred.shape[0]!;
}

/** Accuracy of one-output predictions cut at `threshold` (0.5; use 0 for logits). */
export async function binaryAccuracy(pred: Tensor, y: Tensor, options: ClassOptions = {}): Promise<number> {
  checkMetricArgs('binaryAccuracy', pred, y, options);
  return accuracy(pred.reshape([-1]), y.reshape([-1]), options);
}

/** counts[t][p]: examples of true class t predicted as p. */
export async function confusionMatrix(pred: Tensor, y: Tensor, options: ScoreOptions = {}): Promise<number[][]> {
  checkMetricArgs('confusionMatrix', pred, y, options);
  const c = classCount('confusionMatrix', pred, options.numClasses);
  const cm = noGrad(() => tidy(() => confusionCounts(predictedClasses('confusionMatrix', pred, options), trueClasses('confusionMatrix', y, pred.shape[0]!), c)));
  const flat = await readAndFree(cm);
  return Array.from({ length: c }, (_, t) => Array.from(flat.subarray(t * c, (t + 1) * c)));
}

async function score(which: 'precision' | 'recall' | 'f1', pred: Tensor, y: Tensor, options: ScoreOptions): Promise<number | number[]> {
  checkMetricArgs(which, pred, y, options);
  const average = options.average ?? 'macro';
  if (average !== 'macro' && average !== 'none') throw new Error(`${which}: average must be 'macro' or 'none', got '${String(average)}'`);
  const cm = await confusionMatrix(pred, y, options);
  const per = perClass(cm.flat(), cm.length)[which];
  return average === 'none' ? per : macro(per);
}

export const precision = (pred: Tensor, y: Tensor, options: ScoreOptions = {}) => score('precision', pred, y, options);
export const recall = (pred: Tensor, y: Tensor, options: ScoreOptions = {}) => score('recall', pred, y, options);
export const f1 = (pred: Tensor, y: Tensor, options: ScoreOptions = {}) => score('f1', pred, y, options);
