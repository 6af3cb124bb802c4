// Spam or ham: Embedding(10000, 64) - Bidirectional GRU(64) - Dense(64, relu) - Dense(2) on the
// SpamAssassin corpus, Adam, with accuracy and the spam class's F1; at most 5 epochs, stopped
// early on the validation loss (patience 1) with the best epoch's weights restored.
//   npm run spam -- --epochs 5 --batch-size 32
//
// Messages are padded in front to 200 tokens (Keras' pad_sequences default). As Keras'
// Embedding(mask_zero=True) would, the model masks the padding out of the recurrent layer:
// without the mask the reverse direction reads a short message first and up to 199 padding
// steps after it, and its final state has mostly forgotten the message. A mask is a second
// input to the recurrent layer, so the model is a small Module of its own (PyTorch style)
// rather than a Sequential.
//
// The flags pick a configuration (examples/RESULTS.md says how the defaults were chosen, on the
// validation split only): --rnn gru|lstm, --dropout P (after the embedding and before the
// last layer), --patience N (early stopping on the validation loss, restoring the best epoch's
// weights; 0 turns it off) and --test skip, which trains and validates but never touches the
// test split: what candidate configurations run with.
import * as dg from '../src/index.js';
import { exampleArgs } from './common/args.js';
import { EpochTimer, finish } from './common/run.js';
import { MAX_LEN, spamSplits } from './common/spam.js';
import { SpamBiRNN } from './common/spamModel.js';

const args = exampleArgs('spam', { epochs: 5, batchSize: 32, extra: { rnn: 'gru', dropout: '0', patience: '1', test: 'run' } });
const { rnn, test: testMode } = args.extra;
const dropout = Number(args.extra.dropout);
const patience = Number(args.extra.patience);
if (rnn !== 'lstm' && rnn !== 'gru') throw new Error(`spam: --rnn must be 'lstm' or 'gru', got '${rnn}'`);
if (!(dropout >= 0 && dropout < 1)) throw new Error(`spam: --dropout must be in [0, 1), got '${args.extra.dropout}'`);
if (!Number.isInteger(patience) || patience < 0) throw new Error(`spam: --patience must be an integer >= 0, got '${args.extra.patience}'`);
if (testMode !== 'run' && testMode !== 'skip') throw new Error(`spam: --test must be 'run' or 'skip', got '${testMode}'`);

await dg.init({ backend: args.backend });
dg.manualSeed(0);

const data = spamSplits(args);
const model = new SpamBiRNN(rnn, dropout);
console.log(`${model}\ntraining on ${data.train[0].shape[0]} messages of ${MAX_LEN} tokens (10% of them held out for validation)`);

model.compile({ optimizer: new dg.optim.Adam(model.parameters(), { lr: 1e-3 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy', 'f1'] });
const timer = new EpochTimer();
const callbacks: dg.train.Callback[] = [timer];
const stopper = patience > 0 ? new dg.train.EarlyStopping({ monitor: 'valLoss', patience, restoreBestWeights: true }) : null;
if (stopper) callbacks.push(stopper);
const history = await model.fit(...data.train, { epochs: args.epochs, batchSize: args.batchSize, validationSplit: 0.1, callbacks });
if (stopper) console.log(`early stopping: best validation loss ${stopper.best.toFixed(4)} after epoch ${stopper.bestEpoch + 1}; its weights are the model's`);
if (testMode === 'skip') {
  // Validation only: the kept epoch's validation metrics (the best one's with --patience, else the last).
  const h = history.history;
  const e = stopper && stopper.bestEpoch >= 0 ? stopper.bestEpoch : h.loss!.length - 1;
  const val = { loss: h.valLoss![e]!, accuracy: h.valAccuracy![e]!, f1: h.valF1![e]! };
  await finish('spam', model, history, timer, val, args.out, `validation (epoch ${e + 1})`);
} else {
  await finish('spam', model, history, timer, await model.evaluate(...data.test, { batchSize: 256 }), args.out);
}
