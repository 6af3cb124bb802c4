// The training run the resume tests interrupt (test/resume.test.ts in-process, and the child
// process test/sigkill.test.ts kills): every kind of state a resume must restore is in play:
// shuffling and dropout from the seeded generator, Adam's moments, a StepLR schedule, and
// EarlyStopping holding the best epoch's weights. Kept free of the other test helpers, so the
// child process starts without probing for a WebGPU adapter.
import * as dg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { toHostExact } from '../../src/io/tensorFile.js';

export const EPOCHS = 4;
export const EXAMPLES = 40;
export const BATCH = 8;

/** Three overlapping 2-D clusters, labels 0..2 cycling (no random numbers: the data never moves). */
function clusters(): { x: Tensor; y: Tensor } {
  const xs = new Float32Array(EXAMPLES * 2), ys = new Int32Array(EXAMPLES);
  for (let i = 0; i < EXAMPLES; i++) {
    const c = i % 3;
    ys[i] = c;
    xs[2 * i] = [1, -1, 0][c]! + Math.sin(i);
    xs[2 * i + 1] = [0, 0, 1.2][c]! + Math.cos(1.3 * i);
  }
  return { x: dg.tensor(xs, [EXAMPLES, 2]), y: dg.tensor(ys, [EXAMPLES]) };
}

export interface Run {
  model: dg.nn.Sequential;
  x: Tensor;
  y: Tensor;
  callbacks: dg.train.Callback[];
  options: dg.train.FitOptions;
}

/** A fresh model (seeded), optimizer and callbacks; `checkpoint` is where the training state goes. */
export function setupRun(checkpoint: string, saveFreq: 'epoch' | number): Run {
  dg.manualSeed(7);
  const { x, y } = clusters();
  const model = new dg.nn.Sequential(new dg.nn.Linear(2, 16), new dg.nn.ReLU(), new dg.nn.Dropout(0.25), new dg.nn.Linear(16, 3));
  const opt = new dg.optim.Adam(model.parameters(), { lr: 0.05 });
  model.compile({ optimizer: opt, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const callbacks: dg.train.Callback[] = [
    new dg.train.LRSchedulerCallback(new dg.optim.StepLR(opt, { stepSize: 1, gamma: 0.7 })),
    new dg.train.EarlyStopping({ monitor: 'loss', patience: 10, restoreBestWeights: true }),
    new dg.train.ModelCheckpoint({ filepath: checkpoint, saveTrainingState: true, saveFreq }),
  ];
  return { model, x, y, callbacks, options: { epochs: EPOCHS, batchSize: BATCH, verbose: 0 } };
}

/** Every weight's bytes at the backend's own precision (float64 on cpu), by state-dict key. */
export async function weightBytes(model: dg.nn.AnyModule): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const [k, t] of await toHostExact(model.stateDict())) out[k] = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return out;
}
