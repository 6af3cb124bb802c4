// What the benchmark uses of each library, as types: dawngrad's public module as it is, and
// TensorFlow.js's core API (each tfjs runner loads its backend package on top of it).
import type * as tfjs from '@tensorflow/tfjs-core';
import type * as dawngrad from '../src/index.js';
import type { Tensor } from '../src/index.js';

export type { Tensor };
export type Dg = typeof dawngrad;
export type Tf = typeof tfjs;
export type TfTensor = tfjs.Tensor;
