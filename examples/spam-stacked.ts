// Spam or ham with two stacked LSTMs: Embedding(10000, 64) - LSTM(128) returning every step -
// LSTM(128) - Dense(1, sigmoid), trained on binary cross-entropy with Adam.
//   npm run spam:stacked -- --epochs 3 --batch-size 32
import * as dg from '../src/index.js';
import { exampleArgs } from './common/args.js';
import { EpochTimer, finish } from './common/run.js';
import { MAX_LEN, spamSplits, VOCAB } from './common/spam.js';

const { nn } = dg;
const args = exampleArgs('spam-stacked', { epochs: 3, batchSize: 32 });
await dg.init({ backend: args.backend });
dg.manualSeed(0);

const data = spamSplits(args, { floatLabels: true }); // labels [N, 1] of 0 (ham) or 1 (spam)
const model = new nn.Sequential(
  new nn.Embedding(VOCAB, 64),
  new nn.LSTM(64, 128, { batchFirst: true }),
  new nn.AllSteps(), // Keras' return_sequences=True: [N, 200, 128] for the next LSTM
  new nn.LSTM(128, 128, { batchFirst: true }),
  new nn.LastStep(),
  new nn.Linear(128, 1), new nn.Sigmoid(), // a probability, so fit reads the loss on probabilities
);
console.log(`${model}\ntraining on ${data.train[0].shape[0]} messages of ${MAX_LEN} tokens (10% of them held out for validation)`);

model.compile({ optimizer: new dg.optim.Adam(model.parameters(), { lr: 1e-3 }), loss: 'binaryCrossentropy', metrics: ['binaryAccuracy', 'f1'] });
const timer = new EpochTimer();
const history = await model.fit(...data.train, { epochs: args.epochs, batchSize: args.batchSize, validationSplit: 0.1, callbacks: [timer] });
const test = await model.evaluate(...data.test, { batchSize: 256 });
await finish('spam-stacked', model, history, timer, test, args.out);
