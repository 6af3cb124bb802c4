// The spam example's model: Embedding(10000, 64) - bidirectional LSTM or GRU(64) over the
// masked tokens - Dense(64, relu) - Dense(2), with optional dropout after the embedding and
// before the last layer. Its own file, so a saved model can be loaded without training one.
import * as dg from '../../src/index.js';
import { VOCAB } from './spam.js';

const { nn } = dg;

export type Rnn = 'lstm' | 'gru';

export class SpamBiRNN extends nn.Module {
  embedding = new nn.Embedding(VOCAB, 64);
  rnn: dg.nn.LSTM | dg.nn.GRU;
  hidden = new nn.Linear(128, 64);
  out = new nn.Linear(64, 2);
  drop: dg.nn.Dropout;

  constructor(readonly kind: Rnn = 'lstm', readonly p = 0) {
    super();
    const options = { batchFirst: true, bidirectional: true };
    this.rnn = kind === 'gru' ? new nn.GRU(64, 64, options) : new nn.LSTM(64, 64, options);
    this.drop = new nn.Dropout(p);
  }

  override forward(tokens: dg.Tensor): dg.Tensor {
    // Token id 0 is padding; the mask is computed on the device, so no read-back.
    const x = this.drop.forward(this.embedding.forward(tokens));
    const mask = dg.ne(tokens, 0);
    // LSTM returns [out, [hN, cN]], GRU [out, hN].
    const hN = this.rnn instanceof nn.GRU ? this.rnn.forward(x, null, { mask })[1] : this.rnn.forward(x, null, { mask })[1][0];
    // hN [2, B, 64]: the forward direction after the last real token, the reverse one after the first.
    const both = hN.permute([1, 0, 2]).reshape([tokens.shape[0]!, 128]);
    return this.out.forward(this.drop.forward(dg.relu(this.hidden.forward(both))));
  }

  override config(): dg.nn.JsonObject { return { rnn: this.kind, dropout: this.p }; }
}
// Registered so dg.save records the architecture and dg.load can rebuild it.
nn.registerLayer('SpamBiRNN', SpamBiRNN, (c) => new SpamBiRNN(c.rnn as Rnn, c.dropout as number));

