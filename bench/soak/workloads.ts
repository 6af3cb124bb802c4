// The two long-run workloads of `npm run soak` and test/soak.test.ts: a CNN trained with `fit`
// and an LSTM trained by a hand-written loop with `tidy`, sampling memory as they go.
import { existsSync, readFileSync } from 'node:fs';
import * as dg from '../../src/index.js';
import { getBackend } from '../../src/core/engine.js';
import { WebGpuBackend } from '../../src/backend/webgpu/index.js';
import { collectGarbage } from '../../src/backend/webgpu/collectGarbage.js';

export interface SoakSample {
  workload: string;
  step: number;
  /** Live tensors and their bytes (dg.memory()). */
  tensors: number;
  liveBytes: number;
  pooledBytes: number;
  /** The webgpu runtime's bind-group cache (0 on cpu); bounded by the cache's limit, not flat,
   *  since which pooled buffer an op gets depends on where submits fall. */
  bindGroups: number;
  /** The runtime's constant (uniform) buffers and its read-back staging and per-step uniform
   *  buffers (0 on cpu): flat after the first steps of a steady loop. */
  constants: number;
  staging: number;
  transients: number;
  /** The process's memory mappings (Linux; -1 elsewhere): where dropped bind groups' native
   *  descriptor sets would pile up if they were never collected. */
  mappings: number;
  rssBytes: number;
  /** The V8 heap in use, and memory outside it that V8 knows of (ArrayBuffers, wrappers):
   *  RSS growth with these flat is native (Dawn, the Vulkan driver, malloc). */
  heapUsedBytes: number;
  externalBytes: number;
  loss: number;
}

export interface SoakOptions {
  steps: number;
  /** A sample every this many steps (and at the last). */
  every: number;
  /** Small shapes for CI; the full ones are MNIST's (28 x 28 images, 28-step rows). */
  small: boolean;
  onSample?: (s: SoakSample) => void;
}

function sample(workload: string, step: number, loss: number): SoakSample {
  // A full collection first, so RSS and the tensor count show what is reachable, not what the
  // collector has not got round to yet.
  collectGarbage();
  const m = dg.memory();
  const be = getBackend();
  const caches = be instanceof WebGpuBackend ? be.rt.cacheSizes() : { bindGroups: 0, constants: 0, staging: 0, transients: 0 };
  const mappings = existsSync('/proc/self/maps') ? readFileSync('/proc/self/maps', 'utf8').split('\n').length : -1;
  const usage = process.memoryUsage();
  return {
    workload, step, tensors: m.tensors, liveBytes: m.liveBytes, pooledBytes: m.pooledBytes,
    bindGroups: caches.bindGroups, constants: caches.constants, staging: caches.staging, transients: caches.transients, mappings,
    rssBytes: usage.rss, heapUsedBytes: usage.heapUsed, externalBytes: usage.external, loss,
  };
}

/** Seeded images with a class each (the pixel pattern is learnable: class k lights row k). */
function images(n: number, size: number, classes: number): [dg.Tensor, dg.Tensor] {
  const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
  const x = dg.rand([n, 1, size, size]).mul(0.1);
  const rows = dg.tensor(Float32Array.from({ length: n * size }, (_, k) => (k % size === labels[Math.floor(k / size)]! % size ? 1 : 0)), [n, 1, size, 1]);
  return [dg.tidy(() => x.add(rows)), dg.tensor(labels)];
}

/** The MNIST CNN (small: one narrow conv) trained by `fit` for `steps` batches. */
export async function cnnSoak(o: SoakOptions): Promise<SoakSample[]> {
  dg.manualSeed(1);
  const { nn } = dg;
  const size = o.small ? 12 : 28;
  const batch = o.small ? 16 : 64;
  const model = o.small
    ? new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(4 * 5 * 5, 10))
    : new nn.Sequential(
      new nn.Conv2d(1, 32, 3), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Conv2d(32, 64, 3), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Flatten(), new nn.Linear(64 * 5 * 5, 64), new nn.ReLU(), new nn.Linear(64, 10));
  const batchesPerEpoch = 20;
  const [x, y] = images(batch * batchesPerEpoch, size, 10);
  model.compile({ optimizer: new dg.optim.Adam(model.parameters(), { lr: 1e-3 }), loss: 'sparseCategoricalCrossentropy' });
  const samples: SoakSample[] = [];
  let step = 0;
  let lastLoss = Number.NaN;
  const recorder = {
    // fit reads the loss once per epoch (batch logs hold none): the samples show the last epoch's.
    onEpochEnd: (_e: number, logs: Record<string, number>) => {
      lastLoss = logs.loss ?? Number.NaN;
    },
    onBatchEnd: () => {
      step++;
      if (step % o.every === 0 || step === o.steps) {
        const s = sample('cnn', step, lastLoss);
        samples.push(s);
        o.onSample?.(s);
      }
    },
  };
  await model.fit(x, y, { epochs: Math.ceil(o.steps / batchesPerEpoch), batchSize: batch, callbacks: [recorder], verbose: 0, shuffle: true });
  x.dispose();
  y.dispose();
  return samples;
}

/** An LSTM over rows of an image (sequential MNIST), a Linear head, Adam, each step in tidy. */
export async function lstmSoak(o: SoakOptions): Promise<SoakSample[]> {
  dg.manualSeed(2);
  const steps = o.small ? 8 : 28;
  const hidden = o.small ? 16 : 128;
  const batch = o.small ? 8 : 64;
  const lstm = new dg.nn.LSTM(steps, hidden, { batchFirst: true });
  const head = new dg.nn.Linear(hidden, 10);
  const params = [...lstm.parameters(), ...head.parameters()];
  const opt = new dg.optim.Adam(params, { lr: 1e-3 });
  const [img, labels] = images(batch, steps, 10);
  const x = img.reshape([batch, steps, steps]);
  const samples: SoakSample[] = [];
  for (let step = 1; step <= o.steps; step++) {
    const loss = dg.tidy(() => {
      opt.zeroGrad();
      const [out] = lstm.forward(x);
      const l = dg.crossEntropy(head.forward(out.narrow(1, steps - 1, 1).reshape([batch, hidden])), labels);
      l.backward();
      opt.step();
      return l;
    });
    if (step % o.every === 0 || step === o.steps) {
      const s = sample('lstm', step, await loss.item());
      samples.push(s);
      o.onSample?.(s);
    } else {
      // A training loop reads its loss now and then; between reads the device is kept close.
      await getBackend().throttle();
    }
    loss.dispose();
  }
  for (const t of [img, x, labels, ...params]) t.dispose();
  return samples;
}
