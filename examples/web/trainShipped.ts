// Trains the small model shipped with the demo (examples/web/model.safetensors), used when
// runs/mnist/model.safetensors (from `npm run mnist`) is absent: an MLP 784-64-10, two epochs
// of SGD on all 60000 training digits, saved as F16 (100 KB) since the page only predicts.
//   npx tsx examples/web/trainShipped.ts [--backend cpu]
import { writeFile } from 'node:fs/promises';
import * as dg from '../../src/index.js';

const backend = process.argv.includes('--backend') ? (process.argv[process.argv.indexOf('--backend') + 1] as dg.BackendName) : undefined;
await dg.init({ backend });
dg.manualSeed(0);
const { nn } = dg;
const model = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 64), new nn.ReLU(), new nn.Linear(64, 10));
const train = await dg.data.mnist({ split: 'train' });
const test = await dg.data.mnist({ split: 'test' });
model.compile({ optimizer: new dg.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
await model.fit(train.images, train.labels, { epochs: 2, batchSize: 64, shuffle: true });
const result = await model.evaluate(test.images, test.labels, { batchSize: 1000 });
console.log(`test accuracy ${(100 * result.accuracy!).toFixed(2)}%`);
const bytes = await dg.save(model, undefined, { floatDtype: 'F16' });
await writeFile(new URL('./model.safetensors', import.meta.url), bytes);
