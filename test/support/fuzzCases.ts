// Seeded random cases for every kernel family: shapes, broadcasting, axes, transposes, conv and
// pool options, LSTM configurations, loss options and batch/layer norm layouts are drawn from one generator per seed, so
// a failing case is reproduced exactly by its seed alone (see test/fuzz.test.ts).
import * as dg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { type InputSpec, seeded } from './compare.js';
import { seqCase, type SeqCall } from './recurrentCases.js';

export interface FuzzCase {
  family: string;
  /** Says what was drawn, e.g. "conv2d x [2, 3, 7, 5] w [4, 3, 3, 2] {stride: 2}". */
  name: string;
  inputs: InputSpec[];
  fn: (...xs: Tensor[]) => Tensor;
  /** Whether gradients are compared (false for ops with no gradient, e.g. comparisons). */
  differentiable: boolean;
}

/**
 * Draws in [0, 1) from the tests' seeded xorshift (`seeded`): 4096 values a seed, more than any
 * case draws (a file's tensor data wraps around them, which is harmless).
 */
export function rng(seed: number): () => number {
  const u = seeded(4096, seed, 'uniform');
  let i = 0;
  return () => (u[i++ % u.length]! + 1) / 2;
}

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
/** Sizes that stress kernels: 1, small primes, and a few past one 64-wide tile. */
const SIZES = [1, 1, 2, 3, 4, 5, 7, 8, 13, 17, 31, 67];
const size = (r: Rand, max = 67) => pick(r, SIZES.filter((s) => s <= max));
const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;
const n = (shape: number[], kind: InputSpec['kind'] = 'normal'): InputSpec => ({ shape, kind });
/** Keeps a case's element count bounded so a few hundred of them fit in CI's minute. */
const shapeOf = (r: Rand, rank: number, budget = 4096): number[] => {
  const s: number[] = [];
  for (let d = 0; d < rank; d++) s.push(size(r, Math.max(1, Math.floor(budget / s.reduce((a, b) => a * b, 1)))));
  return s;
};

function elementwise(r: Rand): FuzzCase {
  const shape = shapeOf(r, int(r, 1, 4));
  // The second operand drops leading dimensions and sets others to 1: NumPy broadcasting.
  const other = shape.slice(int(r, 0, shape.length - 1)).map((d) => (r() < 0.4 ? 1 : d));
  const [a, b] = r() < 0.5 ? [shape, other] : [other, shape];
  const op = pick(r, ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'pow', 'where', 'gt'] as const);
  const unary = pick(r, ['exp', 'tanh', 'sigmoid', 'relu', 'abs', 'neg', 'square', 'sin'] as const);
  const name = `${op}(${fmt(a)}, ${fmt(b)}).${unary}()`;
  if (op === 'where') {
    return { family: 'elementwise', name, differentiable: true, inputs: [n(a), n(b), n(a)], fn: (x, y, c) => dg.where(c!.gt(0), x!, y!)[unary]() };
  }
  if (op === 'gt') return { family: 'elementwise', name, differentiable: false, inputs: [n(a), n(b)], fn: (x, y) => x!.gt(y!).add(x!.le(y!).mul(2)) };
  const positive = op === 'div' || op === 'pow';
  return {
    family: 'elementwise', name, differentiable: true,
    inputs: [n(a, op === 'pow' ? 'positive' : 'normal'), n(b, positive ? 'positive' : 'normal')],
    fn: (x, y) => (x![op] as (o: Tensor) => Tensor).call(x, y!)[unary](),
  };
}

function reduction(r: Rand): FuzzCase {
  const shape = shapeOf(r, int(r, 1, 4));
  const axes = shape.map((_, d) => d).filter(() => r() < 0.5);
  const keepDim = r() < 0.5;
  const op = pick(r, ['sum', 'mean', 'max', 'min', 'argmax', 'logSoftmax'] as const);
  const name = `${op} of ${fmt(shape)} over ${op === 'logSoftmax' || op === 'argmax' ? 'the last axis' : fmt(axes)}${keepDim ? ' keepDim' : ''}`;
  const fn = (x: Tensor): Tensor => {
    if (op === 'logSoftmax') return x.logSoftmax(-1);
    if (op === 'argmax') return x.argmax(-1, keepDim);
    const over = axes.length ? axes : undefined;
    return (x[op] as (a?: number[], k?: boolean) => Tensor).call(x, over, keepDim);
  };
  return { family: 'reduction', name, differentiable: op !== 'argmax', inputs: [n(shape)], fn };
}

function matmul(r: Rand): FuzzCase {
  const [m, k, p] = [size(r), size(r), size(r)];
  const batchA = r() < 0.4 ? [int(r, 1, 3)] : [];
  const batchB = r() < 0.4 ? (batchA.length && r() < 0.5 ? [1] : [int(r, 1, 3)]) : [];
  const bShared = batchA.length && batchB.length && batchB[0] !== 1 ? [batchA[0]!] : batchB;
  const [ta, tb] = [r() < 0.3, r() < 0.3];
  // A transposed operand is made as its transpose and flipped back: a strided view into matmul.
  const a = [...batchA, ...(ta ? [k, m] : [m, k])];
  const b = [...bShared, ...(tb ? [p, k] : [k, p])];
  const name = `matmul ${fmt(a)}${ta ? 'ᵀ' : ''} x ${fmt(b)}${tb ? 'ᵀ' : ''}`;
  return {
    family: 'matmul', name, differentiable: true, inputs: [n(a), n(b)],
    fn: (x, y) => (ta ? x!.transpose(-1, -2) : x!).matmul(tb ? y!.transpose(-1, -2) : y!),
  };
}

/** conv2d, or conv1d (one spatial axis), with every option; padding 'same' (stride 1) may need
 *  uneven padding (an even kernel or an odd dilation times an odd kernel - 1). */
function conv(r: Rand): FuzzCase {
  const spatial = r() < 0.3 ? 1 : 2;
  const groups = pick(r, [1, 1, 2, 3]);
  const cin = groups * int(r, 1, 3);
  const cout = groups * int(r, 1, 3);
  const k = Array.from({ length: spatial }, () => int(r, 1, 4));
  const dilation = pick(r, [1, 1, 2, 3]);
  const same = r() < 0.25;
  const stride = same ? 1 : pick(r, [1, 1, 2, 3]);
  const pad = same ? k.map(() => 0) : k.map((kk) => int(r, 0, Math.floor(kk / 2)));
  // Big enough for at least one output position.
  const spatialSize = k.map((kk, i) => Math.max(1, int(r, dilation * (kk - 1) + 1 - 2 * pad[i]!, 12)));
  const x = [int(r, 1, 3), cin, ...spatialSize];
  const weight = [cout, cin / groups, ...k];
  const bias = r() < 0.5;
  const padding = same ? 'same' as const : spatial === 1 ? pad[0]! : pad as [number, number];
  const options = { stride, padding, dilation, groups };
  const op = spatial === 1 ? 'conv1d' : 'conv2d';
  return {
    family: 'conv', name: `${op} x ${fmt(x)} w ${fmt(weight)}${bias ? ' +bias' : ''} ${JSON.stringify(options)}`, differentiable: true,
    inputs: [n(x), n(weight), ...(bias ? [n([cout])] : [])],
    fn: (xs, ws, b) => (spatial === 1 ? dg.conv1d(xs!, ws!, b ?? null, options as dg.Conv1dOptions) : dg.conv2d(xs!, ws!, b ?? null, options as dg.Conv2dOptions)),
  };
}

/** Whether some window along an axis has no tap inside the input (PyTorch's output size). */
function emptyWindow(size: number, k: number, s: number, p: number, d: number, ceilMode: boolean): boolean {
  const span = size + 2 * p - d * (k - 1) - 1;
  let out = (ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceilMode && (out - 1) * s >= size + p) out--;
  for (let o = 0; o < out; o++) {
    if (!Array.from({ length: k }, (_, j) => o * s - p + j * d).some((i) => i >= 0 && i < size)) return true;
  }
  return false;
}

/** Windowed max/avg pooling with ceil mode and (max) dilation, or an adaptive pool to any size
 *  (overlapping bins, more outputs than inputs, or bins that divide the input). */
function pool(r: Rand): FuzzCase {
  const kind = pick(r, ['max', 'avg'] as const);
  if (r() < 0.3) {
    const x = [int(r, 1, 3), int(r, 1, 4), int(r, 1, 13), int(r, 1, 13)];
    const outputSize: [number, number] = [int(r, 1, 9), int(r, 1, 9)];
    return {
      family: 'pool', name: `adaptive${kind === 'max' ? 'Max' : 'Avg'}Pool2d ${fmt(x)} -> ${fmt(outputSize)}`, differentiable: true, inputs: [n(x)],
      fn: (xs) => (kind === 'max' ? dg.adaptiveMaxPool2d(xs!, outputSize) : dg.adaptiveAvgPool2d(xs!, outputSize)),
    };
  }
  const kernelSize: [number, number] = [int(r, 1, 3), int(r, 1, 3)];
  const stride: [number, number] = [int(r, 1, 3), int(r, 1, 3)];
  const padding: [number, number] = [int(r, 0, Math.floor(kernelSize[0] / 2)), int(r, 0, Math.floor(kernelSize[1] / 2))];
  const dilation: [number, number] = kind === 'max' ? [pick(r, [1, 1, 2, 3]), pick(r, [1, 1, 2, 3])] : [1, 1];
  const ceilMode = r() < 0.4;
  // At least one output position in floor mode too (the smallest input the window fits).
  const low = (i: 0 | 1) => Math.max(1, dilation[i] * (kernelSize[i] - 1) + 1 - 2 * padding[i]);
  const x = [int(r, 1, 3), int(r, 1, 4), int(r, low(0), 13), int(r, low(1), 13)];
  // A dilated window can have every tap in the padding (its max is -Infinity, which the
  // tolerance checks cannot compare; test/cnn.test.ts checks that case): such an axis drops its
  // padding, and grows to fit one window if it must; windows then start inside the input.
  for (const i of [0, 1] as const) {
    if (!emptyWindow(x[2 + i]!, kernelSize[i], stride[i], padding[i], dilation[i], ceilMode)) continue;
    padding[i] = 0;
    x[2 + i] = Math.max(x[2 + i]!, dilation[i] * (kernelSize[i] - 1) + 1);
  }
  const options = { kernelSize, stride, padding, ceilMode, ...(kind === 'max' ? { dilation } : { countIncludePad: r() < 0.5, ...(r() < 0.2 ? { divisorOverride: int(r, 1, 9) } : {}) }) };
  return {
    family: 'pool', name: `${kind}Pool2d ${fmt(x)} ${JSON.stringify(options)}`, differentiable: true, inputs: [n(x)],
    fn: (xs) => (kind === 'max' ? dg.maxPool2d(xs!, options as dg.MaxPool2dOptions) : dg.avgPool2d(xs!, options as dg.AvgPool2dOptions)),
  };
}

/** The multi-layer LSTM and GRU, each run through the recurrent table's case builder. */
const RECURRENT = {
  lstm: { cell: { gates: 4, stateKinds: 2 }, run: (x: Tensor, c: SeqCall) => {
    const [out, [h, cN]] = dg.lstm(x, c.weights, { ...c.options, state: c.state as [Tensor, Tensor] | null });
    return [out, h, cN];
  } },
  gru: { cell: { gates: 3, stateKinds: 1 }, run: (x: Tensor, c: SeqCall) => {
    const [out, h] = dg.gru(x, c.weights, { ...c.options, h0: c.state?.[0] ?? null });
    return [out, h];
  } },
} as const;

function recurrent(kind: keyof typeof RECURRENT): (r: Rand) => FuzzCase {
  return (r) => {
    const cfg = {
      T: int(r, 1, 6), B: int(r, 1, 5), I: int(r, 1, 6), H: pick(r, [1, 2, 3, 5, 8, 13]),
      layers: int(r, 1, 2), bidirectional: r() < 0.5, batchFirst: r() < 0.5, initialState: r() < 0.5,
    };
    const lengths = r() < 0.3 ? Array.from({ length: cfg.B }, () => int(r, 1, cfg.T)) : undefined;
    const c = seqCase('', { ...cfg, lengths }, RECURRENT[kind].cell, RECURRENT[kind].run);
    return { family: kind, name: `${kind} ${JSON.stringify({ ...cfg, lengths })}`, differentiable: true, inputs: c.inputs, fn: c.fn };
  };
}

function loss(r: Rand): FuzzCase {
  const kind = pick(r, ['crossEntropy', 'nllLoss', 'bce', 'mse'] as const);
  const reduction = pick(r, ['mean', 'sum', 'none'] as const);
  const N = size(r, 31);
  const C = int(r, 1, 9);
  if (kind === 'bce' || kind === 'mse') {
    const shape = [N, int(r, 1, 4)];
    return {
      family: 'loss', name: `${kind} ${fmt(shape)} ${reduction}`, differentiable: true,
      inputs: [n(shape), { shape, kind: 'uniform', grad: false }],
      fn: (x, t) => (kind === 'bce' ? dg.binaryCrossEntropyWithLogits(x!, t!.abs(), { reduction }) : dg.mseLoss(x!, t!, { reduction })),
    };
  }
  const labelSmoothing = kind === 'crossEntropy' && r() < 0.4 ? pick(r, [0.1, 0.25]) : 0;
  const options = { reduction, ...(labelSmoothing ? { labelSmoothing } : {}) };
  return {
    family: 'loss', name: `${kind} [${N}, ${C}] ${JSON.stringify(options)}`, differentiable: true,
    inputs: [n([N, C]), { shape: [N], dtype: 'int32', max: C }],
    fn: (x, y) => (kind === 'crossEntropy' ? dg.crossEntropy(x!, y!, options) : dg.nllLoss(x!.logSoftmax(1), y!, { reduction })),
  };
}

function norm(r: Rand): FuzzCase {
  const affine = r() < 0.6;
  if (r() < 0.5) {
    const shape = shapeOf(r, int(r, 2, 4));
    // Training needs two values per channel; a draw with one trains nothing, so it evaluates.
    const perChannel = shape.reduce((a, b) => a * b, 1) / shape[1]!;
    const training = perChannel > 1 && r() < 0.6;
    const C = shape[1]!;
    const momentum = pick(r, [0.1, 0.5]);
    const running: InputSpec[] = [{ shape: [C], grad: false }, { shape: [C], kind: 'positive', grad: false }];
    return {
      family: 'norm', name: `batchNorm ${fmt(shape)} ${training ? 'training' : 'eval'}${affine ? ' affine' : ''}`, differentiable: true,
      inputs: [n(shape), ...running, ...(affine ? [n([C]), n([C])] : [])],
      fn: (x, rm, rv, w, b) => dg.batchNorm(x!, rm!, rv!, w ?? null, b ?? null, { training, momentum }),
    };
  }
  const shape = shapeOf(r, int(r, 1, 4));
  const over = shape.slice(shape.length - int(r, 1, shape.length));
  return {
    family: 'norm', name: `layerNorm ${fmt(shape)} over ${fmt(over)}${affine ? ' affine' : ''}`, differentiable: true,
    inputs: [n(shape), ...(affine ? [n(over), n(over)] : [])],
    fn: (x, w, b) => dg.layerNorm(x!, over, w ?? null, b ?? null),
  };
}

export const FAMILIES = { elementwise, reduction, matmul, conv, pool, lstm: recurrent('lstm'), gru: recurrent('gru'), loss, norm } as const;
export type Family = keyof typeof FAMILIES;

/** The case a seed draws for a family: the same seed always gives the same case. */
export function fuzzCase(family: Family, seed: number): FuzzCase {
  return FAMILIES[family](rng(seed));
}

/** Elements over every input: the finite-difference check runs only on small cases. */
export const elementsOf = (c: FuzzCase) => c.inputs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
