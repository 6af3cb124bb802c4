// The SpamAssassin corpus for the examples: the library's seeded, stratified 80/20 split; a
// 10000-word vocabulary fitted on the training messages only; every message cut or padded to
// its last MAX_LEN words (Keras' pad_sequences defaults), as int32 token ids [N, MAX_LEN].
// The corpus lists its folders in turn (ham, then spam), so the training messages are shuffled
// (with dg.manualSeed's generator) before fit holds out their last 10% for validation.
import * as dg from '../../src/index.js';
import { permutation } from '../../src/core/random.js';
import type { ExampleArgs } from './args.js';

export const VOCAB = 10000;
export const MAX_LEN = 200;

export interface SpamSplits {
  train: [dg.Tensor, dg.Tensor];
  test: [dg.Tensor, dg.Tensor];
}

/** Labels as int32 class ids [N], or with `floatLabels` as float32 [N, 1] for a sigmoid output. */
export function spamSplits(args: ExampleArgs, options: { floatLabels?: boolean } = {}): SpamSplits {
  const ordered = dg.data.spamAssassin({ split: 'train', seed: 0 });
  const order = Array.from(permutation(ordered.texts.length));
  const train = { texts: order.map((i) => ordered.texts[i]!), labels: Int32Array.from(order, (i) => ordered.labels[i]!) };
  const test = dg.data.spamAssassin({ split: 'test', seed: 0 });
  const tokenizer = new dg.data.Tokenizer({ numWords: VOCAB }).fitOnTexts(train.texts);
  const encode = (texts: string[], labels: Int32Array, limit: number | undefined): [dg.Tensor, dg.Tensor] => {
    const k = Math.min(texts.length, limit ?? Infinity);
    const padded = dg.data.padSequences(tokenizer.textsToSequences(texts.slice(0, k)), { maxLen: MAX_LEN });
    const y = labels.subarray(0, k);
    return [
      dg.tensor(padded.data, padded.shape, { dtype: 'int32' }),
      options.floatLabels ? dg.tensor(Float32Array.from(y), [k, 1]) : dg.tensor(y, [k], { dtype: 'int32' }),
    ];
  };
  return { train: encode(train.texts, train.labels, args.limit), test: encode(test.texts, test.labels, args.evalLimit) };
}
