// Spam or ham: Embedding(10000, 64) - Bidirectional LSTM(64) - Dense(64, relu) - Dense(2) on
// the SpamAssassin corpus, Adam, with accuracy and the spam class's F1.
//   npm run spam -- --epochs 5 --batch-size 32
//
// Messages are padded in front to 200 tokens (Keras' pad_sequences default). As Keras'
// Embedding(mask_zero=True) would, the model masks the padding out of the LSTM: without the
// mask the reverse direction reads a short message first and up to 199 padding steps after it,
// and its final state has mostly forgotten the message. A mask is a second input to the LSTM,
// so the model is a small Module of its own (PyTorch style) rather than a Sequential.
import * as dg from '../src/index.js';
import { exampleArgs } from './common/args.js';
import { EpochTimer, finish } from './common/run.js';
import { MAX_LEN, spamSplits, VOCAB } from './common/spam.js';

const { nn } = dg;

class SpamBiLSTM extends nn.Module {
  embedding = new nn.Embedding(VOCAB, 64);
  lstm = new nn.LSTM(64, 64, { batchFirst: true, bidirectional: true });
  hidden = new nn.Linear(128, 64);
  out = new nn.Linear(64, 2);

  override forward(tokens: dg.Tensor): dg.Tensor {
    // Token id 0 is padding; the mask is computed on the device, so no read-back.
    const [, [hN]] = this.lstm.forward(this.embedding.forward(tokens), null, { mask: dg.ne(tokens, 0) });
    // hN [2, B, 64]: the forward direction after the last real token, the reverse one after the first.
    const both = hN.permute([1, 0, 2]).reshape([tokens.shape[0]!, 128]);
    return this.out.forward(dg.relu(this.hidden.forward(both)));
  }
}
// Registered so dg.save records the architecture and dg.load can rebuild it.
nn.registerLayer('SpamBiLSTM', SpamBiLSTM, () => new SpamBiLSTM());

const args = exampleArgs('spam', { epochs: 5, batchSize: 32 });
await dg.init({ backend: args.backend });
dg.manualSeed(0);

const data = spamSplits(args);
const model = new SpamBiLSTM();
console.log(`${model}\ntraining on ${data.train[0].shape[0]} messages of ${MAX_LEN} tokens (10% of them held out for validation)`);

model.compile({ optimizer: new dg.optim.Adam(model.parameters(), { lr: 1e-3 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy', 'f1'] });
const timer = new EpochTimer();
const history = await model.fit(...data.train, { epochs: args.epochs, batchSize: args.batchSize, validationSplit: 0.1, callbacks: [timer] });
const test = await model.evaluate(...data.test, { batchSize: 256 });
await finish('spam', model, history, timer, test, args.out);
