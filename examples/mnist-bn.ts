// The MNIST CNN of examples/mnist.ts with BatchNorm2d after each convolution (see mnistBnCnn),
// trained the same way: Adam with cosine learning-rate decay, sparse categorical cross-entropy.
// fit trains in training mode (batch statistics, running estimates updated on the device);
// validation, the test evaluation and the saved model's predictions use the running estimates.
//   npm run mnist:bn -- --epochs 5 --batch-size 64
import * as dg from '../src/index.js';
import { exampleArgs } from './common/args.js';
import { mnistBnCnn, mnistSplits, trainLoader } from './common/mnist.js';
import { EpochTimer, finish } from './common/run.js';

const args = exampleArgs('mnist-bn', { epochs: 5, batchSize: 64 });
await dg.init({ backend: args.backend });
dg.manualSeed(0);

const data = await mnistSplits(args);
const model = mnistBnCnn();
console.log(`${model}\ntraining on ${data.train.n} images, validating on ${data.val[0].shape[0]}`);

const optimizer = new dg.optim.Adam(model.parameters(), { lr: 1e-3 });
model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
const schedule = new dg.train.LRSchedulerCallback(new dg.optim.CosineAnnealingLR(optimizer, { tMax: args.epochs }));
const timer = new EpochTimer();
const history = await model.fit(trainLoader(data, args.batchSize), { epochs: args.epochs, validationData: data.val, callbacks: [schedule, timer] });
const test = await model.evaluate(...data.test, { batchSize: 500 });
await finish('mnist-bn', model, history, timer, test, args.out);
