// The Keras MNIST CNN (see mnistCnn: Conv2d(32, 3x3) - MaxPool - Conv2d(64, 3x3) - MaxPool -
// Dense(64) - Dense(10)), trained with Adam (cosine learning-rate decay) on sparse categorical cross-entropy.
//   npm run mnist -- --epochs 5 --batch-size 64
import * as dg from '../src/index.js';
import { exampleArgs } from './common/args.js';
import { mnistCnn, mnistSplits, trainLoader } from './common/mnist.js';
import { EpochTimer, finish } from './common/run.js';

const args = exampleArgs('mnist', { epochs: 5, batchSize: 64 });
await dg.init({ backend: args.backend });
dg.manualSeed(0);

const data = await mnistSplits(args);
const model = mnistCnn();
console.log(`${model}\ntraining on ${data.train.n} images, validating on ${data.val[0].shape[0]}`);

const optimizer = new dg.optim.Adam(model.parameters(), { lr: 1e-3 });
model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
// The learning rate follows half a cosine from 1e-3 down to ~0 over the run: the last epochs
// settle into a minimum instead of bouncing around it at the full rate.
const schedule = new dg.train.LRSchedulerCallback(new dg.optim.CosineAnnealingLR(optimizer, { tMax: args.epochs }));
const timer = new EpochTimer();
const history = await model.fit(trainLoader(data, args.batchSize), { epochs: args.epochs, validationData: data.val, callbacks: [schedule, timer] });
const test = await model.evaluate(...data.test, { batchSize: 500 });
await finish('mnist', model, history, timer, test, args.out);
