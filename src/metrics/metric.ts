// Metrics as fit uses them: each turns a batch into a small tensor of counts that is summed on
// the device over an epoch, and the sums into a number when fit reads them (a few times per
// epoch), so the training loop never waits for the GPU per batch.
import { sum } from '../core/ops/reduce.js';
import type { Tensor } from '../core/tensor.js';
import { checkClassOptions, classCount, confusionCounts, type ClassOptions, predictedClasses, trueClasses } from './classes.js';
import { macro, perClass } from './scores.js';

export interface Metric {
  /** The key in fit's logs and History ('accuracy', 'f1', ...). */
  readonly name: string;
  /** Per-batch statistics; shapes must not change between batches (they are summed). */
  stats(pred: Tensor, y: Tensor): Tensor;
  /** The metric from summed statistics over `count` examples. */
  result(sums: ArrayLike<number>, count: number): number;
}

export const METRIC_NAMES = ['accuracy', 'binaryAccuracy', 'precision', 'recall', 'f1'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** Fraction of examples whose predicted class is the true class (Keras' 'accuracy' chooses by shape, as here). */
export function accuracyMetric(options: ClassOptions = {}, name = 'accuracy'): Metric {
  checkClassOptions('accuracyMetric', options);
  return {
    name,
    stats: (pred, y) => sum(predictedClasses(name, pred, options).eq(trueClasses(name, y, pred.shape[0]!))),
    result: (sums, count) => (count === 0 ? 0 : sums[0]! / count),
  };
}

/** Macro precision / recall / F1 over the classes (for one-output binary models: of class 1, as Keras reports). */
export function scoreMetric(which: 'precision' | 'recall' | 'f1', options: ClassOptions = {}): Metric {
  if (which !== 'precision' && which !== 'recall' && which !== 'f1') throw new Error(`scoreMetric: which must be 'precision', 'recall' or 'f1', got ${String(which)}`);
  checkClassOptions('scoreMetric', options);
  let classes = 0;
  return {
    name: which,
    stats: (pred, y) => {
      classes = classCount(which, pred);
      return confusionCounts(predictedClasses(which, pred, options), trueClasses(which, y, pred.shape[0]!), classes).reshape([-1]);
    },
    result: (sums) => {
      const per = perClass(sums, classes)[which];
      return classes === 2 ? per[1]! : macro(per);
    },
  };
}

/** A metric by its name; `options.threshold` is where one-output predictions split into classes. */
export function metricByName(name: string, options: ClassOptions = {}, op = 'metricByName'): Metric {
  switch (name) {
    case 'accuracy':
    case 'acc':
      return accuracyMetric(options, 'accuracy');
    case 'binaryAccuracy':
      return accuracyMetric(options, 'binaryAccuracy');
    case 'precision':
    case 'recall':
    case 'f1':
      return scoreMetric(name, options);
    default:
      throw new Error(`${op}: unknown metric '${String(name).slice(0, 80)}' (expected one of ${METRIC_NAMES.join(', ')}, or a Metric object)`);
  }
}
