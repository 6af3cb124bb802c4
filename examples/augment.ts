// The MNIST CNN trained on digits that move: every batch is randomly shifted, zoomed and sheared
// on the host (dg.data.ImageDataGenerator, as Keras'), so no image is seen twice alike.
// Writes a grid of augmented digits to runs/augment/augmented.png first.
//   npm run augment -- --epochs 4 --batch-size 64
import { join } from 'node:path';
import * as dg from '../src/index.js';
import { exampleArgs } from './common/args.js';
import { mnistCnn, mnistSplits, trainLoader } from './common/mnist.js';
import { writeDigitGrid } from './common/png.js';
import { EpochTimer, finish } from './common/run.js';

const args = exampleArgs('augment', { epochs: 4, batchSize: 64 });
await dg.init({ backend: args.backend });
dg.manualSeed(0);

const generator = new dg.data.ImageDataGenerator({ widthShiftRange: 0.1, heightShiftRange: 0.1, zoomRange: 0.1, shearRange: 10 });
const data = await mnistSplits(args);

// Each row: one training digit, then seven random augmentations of it.
const ROWS = 6, COLS = 8;
const sample = Float32Array.from({ length: ROWS * COLS * 784 }, (_, i) => data.train.images[Math.floor(i / (COLS * 784)) * 784 + (i % 784)]!);
const shown = generator.apply({ shape: [ROWS * COLS, 1, 28, 28], data: sample }).data as Float32Array;
for (let r = 0; r < ROWS; r++) shown.set(sample.subarray(r * COLS * 784, r * COLS * 784 + 784), r * COLS * 784);
writeDigitGrid(join(args.out, 'augmented.png'), shown, ROWS, COLS);
console.log(`wrote ${join(args.out, 'augmented.png')}: originals on the left, augmentations to their right`);

const model = mnistCnn();
const optimizer = new dg.optim.Adam(model.parameters(), { lr: 1e-3 });
model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
// The learning rate follows half a cosine from 1e-3 down to ~0 over the run: the last epochs
// settle into a minimum instead of bouncing around it at the full rate.
const schedule = new dg.train.LRSchedulerCallback(new dg.optim.CosineAnnealingLR(optimizer, { tMax: args.epochs }));
const timer = new EpochTimer();
const loader = trainLoader(data, args.batchSize, { transform: ([images, labels]) => [generator.apply(images!), labels!] });
const history = await model.fit(loader, { epochs: args.epochs, validationData: data.val, callbacks: [schedule, timer] });
const test = await model.evaluate(...data.test, { batchSize: 500 });
await finish('augment', model, history, timer, test, args.out);
