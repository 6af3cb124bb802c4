// Spam or ham: Embedding(10000, 64) - Bidirectional LSTM(64) - Dense(64, relu) - Dense(2) on
// the SpamAssassin corpus, Adam, with accuracy and the spam class's F1.
//   npm run spam -- --epochs 3 --batch-size 32
import * as dg from '../src/index.js';
import { exampleArgs } from './common/args.js';
import { EpochTimer, finish } from './common/run.js';
import { MAX_LEN, spamSplits, VOCAB } from './common/spam.js';

const { nn } = dg;
const args = exampleArgs('spam', { epochs: 3, batchSize: 32 });
await dg.init({ backend: args.backend });
dg.manualSeed(0);

const data = spamSplits(args);
const model = new nn.Sequential(
  new nn.Embedding(VOCAB, 64), // token ids [N, 200] -> [N, 200, 64]
  new nn.LSTM(64, 64, { batchFirst: true, bidirectional: true }),
  new nn.LastStep(), // forward and backward final states -> [N, 128]
  new nn.Linear(128, 64), new nn.ReLU(),
  new nn.Linear(64, 2),
);
console.log(`${model}\ntraining on ${data.train[0].shape[0]} messages of ${MAX_LEN} tokens (10% of them held out for validation)`);

model.compile({ optimizer: new dg.optim.Adam(model.parameters(), { lr: 1e-3 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy', 'f1'] });
const timer = new EpochTimer();
const history = await model.fit(...data.train, { epochs: args.epochs, batchSize: args.batchSize, validationSplit: 0.1, callbacks: [timer] });
const test = await model.evaluate(...data.test, { batchSize: 256 });
await finish('spam', model, history, timer, test, args.out);
