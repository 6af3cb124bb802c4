// dg.data: datasets, batching, augmentation and text preprocessing.
export { mnist, mnistArrays, type MnistArrays, type MnistOptions, type MnistSplit } from './mnist.js';
export { parseIdx, type IdxArray } from './idx.js';
export { DataLoader, TensorDataset, type Dataset, type DataLoaderOptions } from './dataset.js';
export { ImageDataGenerator, type ImageDataGeneratorOptions, type FillMode } from './augment.js';
export type { DirectoryIterator, FlowFromDirectoryOptions, ClassMode } from './directory.js';
export type { ColorMode, Interpolation } from './resize.js';
export { Tokenizer, padSequences, words, type TokenizerOptions, type PadOptions } from './text.js';
export { spamAssassin, type SpamAssassinData, type SpamAssassinOptions } from './spamAssassin.js';
