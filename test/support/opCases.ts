// The op table: every op once, with awkward shapes, in one case format. test/ops.test.ts checks
// each row against the cpu reference (webgpu, and float64 finite differences);
// test/browser.ops.test.ts runs its core rows in a page. A new op adds its row here, or, for a
// kernel family with many rows, in its own ./<family>Cases.ts spread in at the end.
import * as dg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import type { InputSpec } from './compare.js';
import { CNN_CASES } from './cnnCases.js';
import { EMBEDDING_CASES } from './embeddingCases.js';
import { LOSS_CASES } from './lossCases.js';
import { NORM_CASES } from './normCases.js';
import { GRU_CASES, LSTM_CASES } from './recurrentCases.js';

export interface OpCase {
  name: string;
  inputs: InputSpec[];
  fn: (...xs: Tensor[]) => Tensor;
  /** Cases whose output is not differentiable (comparisons, argmax) skip the gradient checks. */
  differentiable?: boolean;
  /** Smaller inputs for the finite-difference check, which evaluates fn twice per element. */
  gradInputs?: InputSpec[];
  /**
   * false: the webgpu check only, no finite differences. For rows whose inputs' shapes are tied
   * together (recurrent configs, embedding tables) so no smaller `gradInputs` exist, and which are
   * too large for a check that evaluates fn twice per element; a smaller row of the same op has them.
   */
  finiteDifferences?: boolean;
}

const n = (...shape: number[]): InputSpec => ({ shape });
const pos = (...shape: number[]): InputSpec => ({ shape, kind: 'positive' });
const uni = (...shape: number[]): InputSpec => ({ shape, kind: 'uniform' });
const wide = (...shape: number[]): InputSpec => ({ shape, kind: 'wide' });
const labels = (max: number, ...shape: number[]): InputSpec => ({ shape, dtype: 'int32', max });
/** Class weights: positive, and constant for the finite differences (they take no gradient). */
const classWeights = (classes: number): InputSpec => ({ shape: [classes], kind: 'positive', grad: false });

export const OP_CASES: OpCase[] = [
  // unary
  ...(['neg', 'exp', 'abs', 'relu', 'sigmoid', 'tanh', 'sin', 'cos', 'square', 'sign'] as const).map((op) => ({
    name: op, inputs: [n(1031)], gradInputs: [n(2, 7)], fn: (x: Tensor) => (x[op] as () => Tensor).call(x),
  })),
  ...(['log', 'sqrt', 'reciprocal'] as const).map((op) => ({
    name: op, inputs: [pos(1031)], gradInputs: [pos(2, 7)], fn: (x: Tensor) => (x[op] as () => Tensor).call(x),
  })),
  { name: 'gelu', inputs: [n(1031)], gradInputs: [n(13)], fn: (x) => x.gelu() },
  { name: 'gelu tanh', inputs: [n(1031)], gradInputs: [n(13)], fn: (x) => x.gelu({ approximate: 'tanh' }) },
  { name: 'leakyRelu', inputs: [n(1031)], gradInputs: [n(13)], fn: (x) => x.leakyRelu(0.2) },
  { name: 'clamp', inputs: [n(97)], gradInputs: [n(13)], fn: (x) => x.clamp(-0.5, 0.7) },
  { name: 'clamp min only', inputs: [n(97)], gradInputs: [n(13)], fn: (x) => x.clamp(-0.5) },
  { name: 'clamp max only', inputs: [n(97)], gradInputs: [n(13)], fn: (x) => dg.clamp(x, undefined, 0.7) },
  // The activations on normal inputs, then on 'wide' ones (both signs, 1e-6 to 60 in magnitude),
  // which reach the stable branches: the far tails, softplus above its threshold, and near 0.
  ...(['silu', 'hardswish', 'mish', 'logSigmoid', 'expm1'] as const).map((op) => ({
    name: op, inputs: [n(1031)], gradInputs: [n(2, 7)], fn: (x: Tensor) => (x[op] as () => Tensor).call(x),
  })),
  ...(['silu', 'hardswish', 'mish', 'logSigmoid', 'expm1', 'softplus', 'elu'] as const).map((op) => ({
    // expm1 grows to e^60: its finite differences keep to normal inputs (a sum near 1e26 would
    // round away every other element's change).
    name: `${op} over wide values`, inputs: [wide(3, 341)], gradInputs: [op === 'expm1' ? n(13) : wide(29)],
    fn: (x: Tensor) => (x[op] as () => Tensor).call(x),
  })),
  { name: 'log1p', inputs: [uni(1031)], gradInputs: [uni(2, 7)], fn: (x) => x.log1p() },
  { name: 'log1p over wide positive values', inputs: [wide(1031)], gradInputs: [wide(29)], fn: (x) => x.abs().log1p() },
  { name: 'softplus', inputs: [n(1031)], gradInputs: [n(13)], fn: (x) => x.softplus() },
  // beta 2, threshold 1: beta x > 1 (x > 0.5) takes the linear branch for about a third of these.
  { name: 'softplus beta 2 threshold 1', inputs: [n(1031)], gradInputs: [n(13)], fn: (x) => dg.softplus(x, { beta: 2, threshold: 1 }) },
  { name: 'elu', inputs: [n(1031)], gradInputs: [n(13)], fn: (x) => x.elu() },
  { name: 'elu alpha 0.5', inputs: [n(1031)], gradInputs: [n(13)], fn: (x) => dg.elu(x, 0.5) },
  // binary, with broadcasting
  { name: 'add same shape', inputs: [n(3, 257), n(3, 257)], gradInputs: [n(2, 3), n(2, 3)], fn: (a, b) => a.add(b) },
  { name: 'add broadcast', inputs: [n(5, 1, 7), n(3, 1)], fn: (a, b) => a.add(b) },
  { name: 'sub broadcast', inputs: [n(4, 1), n(1, 9)], fn: (a, b) => a.sub(b) },
  { name: 'mul broadcast', inputs: [n(2, 3, 5), n(5)], fn: (a, b) => a.mul(b) },
  { name: 'div broadcast', inputs: [n(3, 4), pos(3, 1)], fn: (a, b) => a.div(b) },
  { name: 'pow', inputs: [pos(17), n(17)], fn: (a, b) => a.pow(b) },
  { name: 'pow scalar', inputs: [pos(17)], fn: (a) => a.pow(3) },
  { name: 'maximum', inputs: [n(6, 5), n(5)], fn: (a, b) => a.maximum(b) },
  { name: 'minimum', inputs: [n(6, 5), n(6, 1)], fn: (a, b) => a.minimum(b) },
  { name: 'scalar ops', inputs: [n(11)], fn: (a) => a.mul(3).add(1).sub(0.5).div(2) },
  { name: 'where', inputs: [n(4, 5), n(4, 5), n(5)], fn: (c, a, b) => dg.where(c.gt(0), a, b) },
  { name: 'compare', inputs: [n(3, 7), n(7)], fn: (a, b) => a.gt(b).add(a.le(b).mul(2)).add(a.eq(a)), differentiable: false },
  // reductions
  { name: 'sum all', inputs: [n(3, 5, 7)], fn: (x) => x.sum() },
  { name: 'sum axis 1', inputs: [n(3, 5, 7)], fn: (x) => x.sum(1) },
  { name: 'sum axes 0,2 keepDim', inputs: [n(3, 5, 7)], fn: (x) => x.sum([0, 2], true) },
  { name: 'sum last, long rows', inputs: [n(3, 1031)], gradInputs: [n(2, 9)], fn: (x) => x.sum(-1) },
  { name: 'mean', inputs: [n(4, 6)], fn: (x) => x.mean(0) },
  { name: 'max axis', inputs: [n(5, 13)], fn: (x) => x.max(1) },
  { name: 'min all', inputs: [n(5, 13)], fn: (x) => x.min() },
  { name: 'max over middle axis', inputs: [n(2, 9, 3)], fn: (x) => x.max(1, true) },
  { name: 'argmax', inputs: [n(7, 129)], fn: (x) => x.argmax(1), differentiable: false },
  { name: 'argmin axis 0', inputs: [n(7, 5)], fn: (x) => x.argmin(0), differentiable: false },
  { name: 'softmax', inputs: [n(5, 131)], gradInputs: [n(3, 7)], fn: (x) => x.softmax(-1) },
  { name: 'softmax axis 0', inputs: [n(6, 4)], fn: (x) => x.softmax(0) },
  { name: 'logSoftmax', inputs: [n(5, 131)], gradInputs: [n(3, 7)], fn: (x) => x.logSoftmax(1) },
  // layout
  { name: 'reshape', inputs: [n(2, 3, 4)], fn: (x) => x.reshape([4, -1]).mul(x.reshape([4, 6])) },
  { name: 'transpose', inputs: [n(3, 5, 7)], fn: (x) => x.transpose(0, 2) },
  { name: 'permute', inputs: [n(2, 3, 4, 5)], fn: (x) => x.permute([3, 1, 0, 2]) },
  { name: 'flatten', inputs: [n(2, 3, 4)], fn: (x) => x.flatten(1).mul(2) },
  { name: 'expand', inputs: [n(3, 1)], fn: (x) => x.expand([2, 3, 5]) },
  { name: 'narrow', inputs: [n(4, 9)], fn: (x) => x.narrow(1, 2, 5) },
  { name: 'cat', inputs: [n(2, 3), n(2, 5), n(2, 1)], fn: (a, b, c) => dg.cat([a, b, c], 1) },
  { name: 'stack', inputs: [n(3, 4), n(3, 4)], fn: (a, b) => dg.stack([a, b], 1) },
  { name: 'squeeze all', inputs: [n(3, 1, 5, 1)], fn: (x) => x.squeeze() },
  { name: 'squeeze dim 1', inputs: [n(3, 1, 5, 1)], fn: (x) => x.squeeze(1).mul(2) },
  { name: 'squeeze of a dim that is not 1 keeps it', inputs: [n(3, 1, 5)], fn: (x) => x.squeeze(0) },
  { name: 'unsqueeze 0', inputs: [n(7, 3)], fn: (x) => x.unsqueeze(0) },
  { name: 'unsqueeze -1, broadcast after', inputs: [n(4, 5)], fn: (x) => x.unsqueeze(-1).mul(x.unsqueeze(1)) },
  // clone is a copy the graph differentiates through (unlike detach): x * clone(x) has gradient 2x.
  { name: 'clone', inputs: [n(5, 11)], fn: (x) => x.clone().mul(x) },
  { name: 'cast float32 -> float32', inputs: [n(3, 7)], fn: (x) => x.cast('float32').mul(3) },
  // int32 -> float32 of labels and float32 -> int32 (truncation), neither with a gradient.
  { name: 'cast int32 -> float32', inputs: [labels(9, 4, 6)], fn: (y) => y.cast('float32').mul(0.5), differentiable: false },
  { name: 'cast float32 -> int32', inputs: [n(4, 6)], fn: (x) => x.mul(4).cast('int32'), differentiable: false },
  // class losses with PyTorch's class weights (the unweighted ones are in ./lossCases.ts).
  // Labels drawn from [0, C]: the value C, about one position in C + 1, is the ignored one.
  ...(['mean', 'sum', 'none'] as const).flatMap((reduction): OpCase[] => [
    { name: `crossEntropy ${reduction}, weight`, inputs: [n(37, 5), labels(5, 37), classWeights(5)],
      gradInputs: [n(6, 4), labels(4, 6), classWeights(4)], fn: (x, y, w) => dg.crossEntropy(x, y, { weight: w, reduction }) },
    { name: `crossEntropy ${reduction}, weight, labelSmoothing 0.2, ignoreIndex`, inputs: [n(41, 6), labels(7, 41), classWeights(6)],
      gradInputs: [n(9, 3), labels(4, 9), classWeights(3)],
      fn: (x, y, w) => dg.crossEntropy(x, y, { weight: w, reduction, labelSmoothing: 0.2, ignoreIndex: x.shape[1]! }) },
    { name: `nllLoss ${reduction}, weight, ignoreIndex over [N, C, d1]`, inputs: [n(3, 4, 13), labels(5, 3, 13), classWeights(4)],
      gradInputs: [n(2, 3, 5), labels(4, 2, 5), classWeights(3)],
      fn: (x, y, w) => dg.nllLoss(x, y, { weight: w, reduction, ignoreIndex: x.shape[1]! }) },
  ]),
  { name: 'crossEntropy mean, weight, over [N, C, d1, d2] of 1000 positions x 10 classes, many workgroups',
    inputs: [n(8, 10, 25, 5), labels(10, 8, 25, 5), classWeights(10)], gradInputs: [n(2, 3, 2, 2), labels(3, 2, 2, 2), classWeights(3)],
    fn: (x, y, w) => dg.crossEntropy(x, y, { weight: w, labelSmoothing: 0.1 }) },
  { name: 'crossEntropy sum, weight, 300 x 1000 (two workgroups and a second pass)', inputs: [n(300, 1000), labels(1000, 300), classWeights(1000)],
    gradInputs: [n(3, 4), labels(4, 3), classWeights(4)], fn: (x, y, w) => dg.crossEntropy(x, y, { weight: w, reduction: 'sum' }) },
  // matmul
  { name: 'matmul 257x129x65', inputs: [n(257, 129), n(129, 65)], gradInputs: [n(3, 4), n(4, 5)], fn: (a, b) => a.matmul(b) },
  { name: 'matmul batched broadcast', inputs: [n(3, 1, 17, 33), n(4, 33, 9)], gradInputs: [n(2, 1, 3, 2), n(3, 2, 2)], fn: (a, b) => a.matmul(b) },
  { name: 'matmul 1x1', inputs: [n(1, 1), n(1, 1)], fn: (a, b) => a.matmul(b) },
  { name: 'matmul vector', inputs: [n(7), n(7, 3)], fn: (a, b) => a.matmul(b) },
  { name: 'matmul matrix-vector', inputs: [n(5, 7), n(7)], fn: (a, b) => a.matmul(b) },
  { name: 'matmul transposed operand', inputs: [n(6, 5), n(6, 4)], fn: (a, b) => a.transpose().matmul(b) },
  // K % 4 == 0 takes the vec4 kernel (its backward reads transposed operands in place); the
  // long K of the last row is split across workgroups.
  { name: 'matmul vec4 37x132x68', inputs: [n(37, 132), n(132, 68)], gradInputs: [n(3, 4), n(4, 8)], fn: (a, b) => a.matmul(b) },
  { name: 'matmul vec4 both transposed', inputs: [n(20, 12), n(8, 20)], gradInputs: [n(4, 4), n(8, 4)], fn: (a, b) => a.transpose().matmul(b.transpose()) },
  { name: 'matmul vec4 batched broadcast', inputs: [n(2, 1, 9, 16), n(3, 16, 8)], gradInputs: [n(2, 1, 3, 4), n(3, 4, 4)], fn: (a, b) => a.matmul(b) },
  { name: 'matmul split-K 5x1028x12', inputs: [n(5, 1028), n(1028, 12)], gradInputs: [n(2, 8), n(8, 4)], fn: (a, b) => a.matmul(b) },
  // the kernel families with tables of their own
  ...NORM_CASES,
  ...CNN_CASES,
  ...LOSS_CASES,
  ...LSTM_CASES,
  ...GRU_CASES,
  ...EMBEDDING_CASES,
];
