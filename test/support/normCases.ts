// The op table's normalisation rows (spread into OP_CASES): dg.batchNorm in training and eval
// mode and dg.layerNorm over one and two trailing dimensions, with and without affine, at
// awkward shapes: one channel, primes, and groups large enough that their statistics and
// gradient sums span several workgroups (more than 4096 elements each) and take the merge pass.
import * as dg from '../../src/index.js';
import type { InputSpec } from './compare.js';
import type { OpCase } from './opCases.js';

const n = (...shape: number[]): InputSpec => ({ shape });
/** Running estimates: inputs the op reads (and, in training, updates) but never differentiates. */
const runMean = (c: number): InputSpec => ({ shape: [c], grad: false });
const runVar = (c: number): InputSpec => ({ shape: [c], kind: 'positive', grad: false });

const train = { training: true };
// Layer norm rows take normalizedShape from the weight (or x's trailing dims), since the
// finite-difference check runs on smaller inputs.

export const NORM_CASES: OpCase[] = [
  // batch norm, training: the batch's statistics
  { name: 'batchNorm train [N, C]', inputs: [n(7, 5), n(5), n(5)], gradInputs: [n(4, 3), n(3), n(3)], fn: (x, w, b) => dg.batchNorm(x, null, null, w, b, train) },
  { name: 'batchNorm train [N, C, L] primes', inputs: [n(3, 5, 11), n(5), n(5)], gradInputs: [n(3, 2, 3), n(2), n(2)], fn: (x, w, b) => dg.batchNorm(x, null, null, w, b, train) },
  { name: 'batchNorm train 2d, one channel', inputs: [n(6, 1, 4, 5), n(1), n(1)], gradInputs: [n(3, 1, 2, 2), n(1), n(1)], fn: (x, w, b) => dg.batchNorm(x, null, null, w, b, train) },
  { name: 'batchNorm train 2d, 8601 per channel over 3 workgroups', inputs: [n(3, 2, 61, 47), n(2), n(2)], gradInputs: [n(2, 2, 2, 3), n(2), n(2)], fn: (x, w, b) => dg.batchNorm(x, null, null, w, b, train) },
  { name: 'batchNorm train 2d, one channel of 12500 over 4 workgroups', inputs: [n(5, 1, 50, 50)], gradInputs: [n(2, 1, 3, 3)], fn: (x) => dg.batchNorm(x, null, null, null, null, train) },
  { name: 'batchNorm train, no affine', inputs: [n(4, 3, 7)], gradInputs: [n(3, 2, 2)], fn: (x) => dg.batchNorm(x, null, null, null, null, train) },
  { name: 'batchNorm train, weight only', inputs: [n(5, 3, 2), n(3)], gradInputs: [n(3, 2, 2), n(2)], fn: (x, w) => dg.batchNorm(x, null, null, w, null, train) },
  // The running update must not change the output of a training step.
  {
    name: 'batchNorm train with running estimates and momentum',
    inputs: [n(4, 3, 5), n(3), n(3), runMean(3), runVar(3)], gradInputs: [n(3, 2, 2), n(2), n(2), runMean(2), runVar(2)],
    fn: (x, w, b, rm, rv) => dg.batchNorm(x, rm!, rv!, w, b, { training: true, momentum: 0.3 }),
  },
  // batch norm, eval: the running estimates, constants to the gradient
  {
    name: 'batchNorm eval [N, C, H, W]', inputs: [n(3, 5, 7, 2), n(5), n(5), runMean(5), runVar(5)], gradInputs: [n(2, 2, 2, 2), n(2), n(2), runMean(2), runVar(2)],
    fn: (x, w, b, rm, rv) => dg.batchNorm(x, rm!, rv!, w, b),
  },
  { name: 'batchNorm eval, no affine, 8601 per channel', inputs: [n(3, 2, 61, 47), runMean(2), runVar(2)], gradInputs: [n(2, 3, 2), runMean(3), runVar(3)], fn: (x, rm, rv) => dg.batchNorm(x, rm!, rv!) },
  // layer norm
  { name: 'layerNorm over the last dim', inputs: [n(5, 7), n(7), n(7)], gradInputs: [n(3, 4), n(4), n(4)], fn: (x, w, b) => dg.layerNorm(x, w!.shape, w, b) },
  { name: 'layerNorm over two trailing dims', inputs: [n(2, 5, 3, 7), n(3, 7), n(3, 7)], gradInputs: [n(2, 2, 3), n(2, 3), n(2, 3)], fn: (x, w, b) => dg.layerNorm(x, w!.shape, w, b) },
  { name: 'layerNorm, no affine, two trailing dims', inputs: [n(4, 3, 11)], gradInputs: [n(3, 2, 2)], fn: (x) => dg.layerNorm(x, x.shape.slice(-2)) },
  { name: 'layerNorm, weight only', inputs: [n(6, 5), n(5)], gradInputs: [n(3, 4), n(4)], fn: (x, w) => dg.layerNorm(x, w!.shape, w, null) },
  { name: 'layerNorm, 1031 rows of 3 over many workgroups', inputs: [n(1031, 3), n(3), n(3)], gradInputs: [n(5, 3), n(3), n(3)], fn: (x, w, b) => dg.layerNorm(x, w!.shape[0]!, w, b) },
  { name: 'layerNorm, rows of 5003 split over two workgroups', inputs: [n(3, 5003), n(5003), n(5003)], gradInputs: [n(2, 5), n(5), n(5)], fn: (x, w, b) => dg.layerNorm(x, w!.shape, w, b) },
  { name: 'layerNorm, a single feature', inputs: [n(4, 1), n(1), n(1)], gradInputs: [n(3, 1), n(1), n(1)], fn: (x, w, b) => dg.layerNorm(x, 1, w, b) },
];
