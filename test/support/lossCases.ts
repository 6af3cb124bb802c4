// The op table's loss rows (spread into OP_CASES, run by test/ops.test.ts): crossEntropy (every
// reduction, label smoothing, extra dimensions, many classes), nllLoss,
// binaryCrossEntropyWithLogits and mseLoss, unweighted (the class-weighted rows are in
// ./opCases.ts).
import * as dg from '../../src/index.js';
import type { InputSpec } from './compare.js';
import type { OpCase } from './opCases.js';

const n = (...shape: number[]): InputSpec => ({ shape });
const labels = (max: number, ...shape: number[]): InputSpec => ({ shape, dtype: 'int32', max });

export const LOSS_CASES: OpCase[] = [
  ...(['mean', 'sum', 'none'] as const).flatMap((reduction): OpCase[] => [
    { name: `crossEntropy ${reduction}`, inputs: [n(5, 10), labels(10, 5)], fn: (x, y) => dg.crossEntropy(x, y, { reduction }) },
    { name: `crossEntropy ${reduction}, labelSmoothing 0.1`, inputs: [n(7, 3), labels(3, 7)],
      fn: (x, y) => dg.crossEntropy(x, y, { reduction, labelSmoothing: 0.1 }) },
    { name: `crossEntropy ${reduction} over [N, C, d1, d2]`, inputs: [n(3, 5, 4, 2), labels(5, 3, 4, 2)],
      gradInputs: [n(2, 3, 2, 3), labels(3, 2, 2, 3)], fn: (x, y) => dg.crossEntropy(x, y, { reduction }) },
    // Labels drawn from [0, C]: the value C (about one position in C + 1) is the ignored one.
    { name: `crossEntropy ${reduction}, ignoreIndex`, inputs: [n(40, 4), labels(5, 40)], gradInputs: [n(9, 3), labels(4, 9)],
      fn: (x, y) => dg.crossEntropy(x, y, { reduction, ignoreIndex: x.shape[1]! }) },
    { name: `nllLoss ${reduction}, ignoreIndex over [N, C, d1]`, inputs: [n(4, 3, 11), labels(4, 4, 11)], gradInputs: [n(2, 2, 5), labels(3, 2, 5)],
      fn: (x, y) => dg.nllLoss(x, y, { reduction, ignoreIndex: x.shape[1]! }) },
    { name: `nllLoss ${reduction} of logSoftmax`, inputs: [n(6, 4), labels(4, 6)], fn: (x, y) => dg.nllLoss(x.logSoftmax(1), y, { reduction }) },
    { name: `nllLoss ${reduction} over [N, C, d1]`, inputs: [n(3, 5, 7), labels(5, 3, 7)], gradInputs: [n(2, 3, 4), labels(3, 2, 4)],
      fn: (x, y) => dg.nllLoss(x, y, { reduction }) },
    { name: `binaryCrossEntropyWithLogits ${reduction}`, inputs: [n(5, 7), n(5, 7)],
      fn: (x, t) => dg.binaryCrossEntropyWithLogits(x, t.sigmoid(), { reduction }) },
    { name: `mseLoss ${reduction}`, inputs: [n(4, 9), n(4, 9)], fn: (a, b) => dg.mseLoss(a, b, { reduction }) },
  ]),
  { name: 'crossEntropy 128 x 1000 classes', inputs: [n(128, 1000), labels(1000, 128)], gradInputs: [n(2, 9), labels(9, 2)],
    fn: (x, y) => dg.crossEntropy(x, y) },
  { name: 'crossEntropy of 1000 positions, spanning many workgroups', inputs: [n(8, 10, 125), labels(10, 8, 125)],
    gradInputs: [n(2, 3, 5), labels(3, 2, 5)], fn: (x, y) => dg.crossEntropy(x, y, { labelSmoothing: 0.2 }) },
  { name: 'crossEntropy sum of 300 x 1000, reduced by two workgroups and a second pass', inputs: [n(300, 1000), labels(1000, 300)],
    gradInputs: [n(3, 4), labels(4, 3)], fn: (x, y) => dg.crossEntropy(x, y, { reduction: 'sum' }) },
  { name: 'nllLoss mean of 70000 positions x 4 classes', inputs: [n(70000, 4), labels(4, 70000)],
    gradInputs: [n(5, 2), labels(2, 5)], fn: (x, y) => dg.nllLoss(x, y) },
  { name: 'crossEntropy of one unbatched [C] sample', inputs: [n(6), labels(6)], fn: (x, y) => dg.crossEntropy(x, y) },
];
