// The training recipe shared by the MNIST CNN examples (examples/mnist.ts, examples/mnist-bn.ts):
// the same data split, optimizer, schedule and report, so their results compare the models alone.
import * as dg from '../../src/index.js';
import { exampleArgs } from './args.js';
import { mnistSplits, trainLoader } from './mnist.js';
import { EpochTimer, finish } from './run.js';

/** Trains `build()` with Adam (cosine learning-rate decay) on sparse categorical cross-entropy, then tests and saves it. */
export async function trainMnistCnn(name: string, build: () => dg.nn.Sequential): Promise<void> {
  const args = exampleArgs(name, { epochs: 5, batchSize: 64 });
  await dg.init({ backend: args.backend });
  dg.manualSeed(0);

  const data = await mnistSplits(args);
  const model = build();
  console.log(`${model}\ntraining on ${data.train.n} images, validating on ${data.val[0].shape[0]}`);

  const optimizer = new dg.optim.Adam(model.parameters(), { lr: 1e-3 });
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  // The learning rate follows half a cosine from 1e-3 down to ~0 over the run: the last epochs
  // settle into a minimum instead of bouncing around it at the full rate.
  const schedule = new dg.train.LRSchedulerCallback(new dg.optim.CosineAnnealingLR(optimizer, { tMax: args.epochs }));
  const timer = new EpochTimer();
  const history = await model.fit(trainLoader(data, args.batchSize), { epochs: args.epochs, validationData: data.val, callbacks: [schedule, timer] });
  const test = await model.evaluate(...data.test, { batchSize: 500 });
  await finish(name, model, history, timer, test, args.out);
}
