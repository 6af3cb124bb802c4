// The demo's in-page training, written against the dawngrad namespace it is given so that
// the page (the browser bundle, webgpu) and Node (the sources, cpu) run the very same steps:
// the browser test compares their losses. Weight init and batch order come from dawngrad's
// host-side seeded generator and the batch order from one here, so both start from the same weights and see the same batches.
import type * as Dg from '../../src/index.js';
import { type Digits, PIXELS } from './digitsFile.js';

export interface TrainOptions {
  /** Steps to run; the page's default is five epochs of its digits. */
  steps: number;
  batchSize: number;
  lr: number;
  seed: number;
  /** Checked before each step: the page's stop button. */
  shouldStop?: () => boolean;
  /** After each step, with its loss and batch accuracy (read back: the chart plots them). */
  onStep?: (report: StepReport) => void | Promise<void>;
}

export interface StepReport {
  step: number;
  loss: number;
  accuracy: number;
  ms: number;
}

export const TRAIN_DEFAULTS = { batchSize: 64, lr: 0.05, seed: 0 };

/** The small MLP the demo trains (the shipped model has the same layers). */
export function makeModel(dg: typeof Dg): Dg.nn.Sequential {
  const { nn } = dg;
  return new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 64), new nn.ReLU(), new nn.Linear(64, 10));
}

/** A small seeded generator for the batch order (dawngrad's own is private to it). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates. */
function shuffled(n: number, random: () => number): Int32Array<ArrayBuffer> {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Batch `step` of a seeded shuffle of the digits, redrawn each epoch: images [B, 1, 28, 28] in [0, 1]. */
function batch(dg: typeof Dg, digits: Digits, order: Int32Array, step: number, batchSize: number): { x: Dg.Tensor; y: Dg.Tensor } {
  const perEpoch = Math.floor(digits.count / batchSize);
  const start = (step % perEpoch) * batchSize;
  const x = new Float32Array(batchSize * PIXELS);
  const y = new Int32Array(batchSize);
  for (let i = 0; i < batchSize; i++) {
    const d = order[start + i]!;
    for (let p = 0; p < PIXELS; p++) x[i * PIXELS + p] = digits.pixels[d * PIXELS + p]! / 255;
    y[i] = digits.labels[d]!;
  }
  return { x: dg.tensor(x, [batchSize, 1, 28, 28]), y: dg.tensor(y, [batchSize], { dtype: 'int32' }) };
}

export async function train(dg: typeof Dg, digits: Digits, options: TrainOptions): Promise<{ model: Dg.nn.Sequential; losses: number[] }> {
  const { steps, batchSize, lr, seed } = options;
  if (batchSize > digits.count) throw new Error(`train: batchSize ${batchSize} exceeds the ${digits.count} digits`);
  dg.manualSeed(seed);
  const model = makeModel(dg);
  const optimizer = new dg.optim.SGD(model.parameters(), { lr, momentum: 0.9 });
  const perEpoch = Math.floor(digits.count / batchSize);
  const random = mulberry32(seed);
  let order: Int32Array<ArrayBuffer> = new Int32Array(0);
  const losses: number[] = [];
  for (let step = 0; step < steps && !options.shouldStop?.(); step++) {
    const t0 = performance.now();
    if (step % perEpoch === 0) order = shuffled(digits.count, random);
    // Everything the step makes but the two scalars is freed at once (as fit does); the
    // optimizer keeps its own state out of the scope.
    const [loss, correct] = dg.tidy(() => {
      const { x, y } = batch(dg, digits, order, step, batchSize);
      optimizer.zeroGrad();
      const logits = model.call(x);
      const l = dg.crossEntropy(logits, y);
      l.backward();
      optimizer.step();
      return [l, logits.argmax(1).eq(y).sum()];
    });
    const [lossValue, correctValue] = [await loss.item(), await correct.item()];
    loss.dispose();
    correct.dispose();
    losses.push(lossValue);
    await options.onStep?.({ step, loss: lossValue, accuracy: correctValue / batchSize, ms: performance.now() - t0 });
  }
  return { model, losses };
}
