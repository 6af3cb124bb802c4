// dawngrad's public entry point: `import * as dg from 'dawngrad'`.
import './backend/register.js';
export type { DType, TypedArray } from './backend/backend.js';
export { init, backend, noGrad, setGradEnabled, isGradEnabled, keep, memory, type BackendName } from './core/engine.js';
export { emptyCache, type GpuOptions, type MemoryInfo } from './core/engine.js';
export { debug, type DebugOptions } from './core/debug.js';
export { manualSeed, getRngState, setRngState, type RngState } from './core/random.js';
export { Tensor, type NestedArray } from './core/tensor.js';
export { tidy } from './core/tidy.js';
export { profile, type Profile, type ProfileOptions, type KernelTime, type ProfileGroup } from './core/profile.js';
export {
  tensor, zeros, ones, full, arange, randn, rand, eye, zerosLike, onesLike, type CreateOptions,
  add, sub, mul, div, pow, maximum, minimum, eq, ne, lt, le, gt, ge, where, clamp, cast,
  neg, exp, log, sqrt, abs, square, reciprocal, sin, cos, sign, relu, sigmoid, tanh, gelu, leakyRelu,
  silu, softplus, elu, hardswish, mish, logSigmoid, log1p, expm1, type SoftplusOptions,
  sum, mean, max, min, argmax, argmin, softmax, logSoftmax,
  reshape, flatten, unsqueeze, squeeze, permute, transpose, expand, narrow, cat, stack, clone, toBackend,
  matmul,
  conv2d, conv1d, maxPool2d, avgPool2d, adaptiveAvgPool2d, adaptiveMaxPool2d, crossEntropy, nllLoss, binaryCrossEntropyWithLogits, mseLoss,
  type Conv2dOptions, type Conv1dOptions, type MaxPool2dOptions, type AvgPool2dOptions, type AdaptiveSize, type CrossEntropyOptions, type ClassLossOptions, type LossOptions, type Reduction,
} from './core/ops/index.js';
export { lstmCell, lstm, lstmLayer, embedding, type EmbeddingOptions, type LstmWeights, type LstmOptions, type LstmLayerOptions } from './core/ops/index.js';
export { gruCell, gru, gruLayer, type GruWeights, type GruOptions, type GruLayerOptions } from './core/ops/index.js';
export { batchNorm, layerNorm, type BatchNormOptions, type LayerNormOptions } from './core/ops/index.js';
export * as nn from './nn/index.js';
export * as io from './io/index.js';
export { save, load, loadStateDict } from './io/model.js';
export * as data from './data/index.js';
export * as optim from './optim/index.js';
export * as metrics from './metrics/index.js';
export * as train from './train/index.js';
