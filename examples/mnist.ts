// The Keras MNIST CNN (see mnistCnn: Conv2d(32, 3x3) - MaxPool - Conv2d(64, 3x3) - MaxPool -
// Dense(64) - Dense(10)), trained with Adam on sparse categorical cross-entropy.
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

model.compile({ optimizer: new dg.optim.Adam(model.parameters(), { lr: 1e-3 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
const timer = new EpochTimer();
const history = await model.fit(trainLoader(data, args.batchSize), { epochs: args.epochs, validationData: data.val, callbacks: [timer] });
const test = await model.evaluate(...data.test, { batchSize: 500 });
await finish('mnist', model, history, timer, test, args.out);
