// MNIST for the examples: the training images (optionally only the first --limit of them) as a
// shuffled DataLoader, since all 60000 exceed some devices' largest buffer; the last 5000
// training images held out for validation, and the 10000 test images, as tensors.
import * as dg from '../../src/index.js';
import type { ExampleArgs } from './args.js';

const { nn } = dg;
export const VALIDATION = 5000;

/** The Keras CNN: two 3x3 convolutions with 2x2 max pooling, then Dense(64, relu) and Dense(10). */
export function mnistCnn(): dg.nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 32, 3), new nn.ReLU(), new nn.MaxPool2d(2), // -> 32 x 13 x 13
    new nn.Conv2d(32, 64, 3), new nn.ReLU(), new nn.MaxPool2d(2), // -> 64 x 5 x 5
    new nn.Flatten(), new nn.Linear(64 * 5 * 5, 64), new nn.ReLU(),
    new nn.Linear(64, 10),
  );
}

/**
 * The same CNN with BatchNorm2d after each convolution (before its ReLU, as in the BatchNorm
 * paper); the convolutions drop their bias, which the normalisation's mean would cancel.
 */
export function mnistBnCnn(): dg.nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 32, 3, { bias: false }), new nn.BatchNorm2d(32), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 3, { bias: false }), new nn.BatchNorm2d(64), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(64 * 5 * 5, 64), new nn.ReLU(),
    new nn.Linear(64, 10),
  );
}

export interface MnistSplits {
  train: { images: Float32Array; labels: Int32Array; n: number };
  val: [dg.Tensor, dg.Tensor];
  test: [dg.Tensor, dg.Tensor];
}

/** Images as [N, 1, 28, 28], or [N, 28, 28] with `rows` (28 steps of 28 pixels, for an LSTM). */
export async function mnistSplits(args: ExampleArgs, options: { rows?: boolean } = {}): Promise<MnistSplits> {
  const all = await dg.data.mnistArrays({ split: 'train' });
  const testSet = await dg.data.mnistArrays({ split: 'test' });
  const px = 28 * 28;
  const nTrain = all.labels.length - VALIDATION;
  const n = Math.min(args.limit ?? nTrain, nTrain);
  const shape = (k: number) => (options.rows ? [k, 28, 28] : [k, 1, 28, 28]);
  const pair = (images: Float32Array, labels: Int32Array): [dg.Tensor, dg.Tensor] => {
    const k = Math.min(labels.length, args.evalLimit ?? Infinity);
    return [dg.tensor(images.subarray(0, k * px), shape(k)), dg.tensor(labels.subarray(0, k), [k], { dtype: 'int32' })];
  };
  return {
    train: { images: all.images.subarray(0, n * px), labels: all.labels.subarray(0, n), n },
    val: pair(all.images.subarray(nTrain * px), all.labels.subarray(nTrain)),
    test: pair(testSet.images, testSet.labels),
  };
}

/** A shuffled loader over the training split; `transform` changes each batch on the host (augmentation). */
export function trainLoader(s: MnistSplits, batchSize: number, options: { rows?: boolean; transform?: dg.data.DataLoaderOptions['transform'] } = {}): dg.data.DataLoader {
  const { images, labels, n } = s.train;
  const dataset = new dg.data.TensorDataset({ shape: options.rows ? [n, 28, 28] : [n, 1, 28, 28], data: images }, { shape: [n], data: labels });
  return new dg.data.DataLoader(dataset, { batchSize, shuffle: true, transform: options.transform });
}
