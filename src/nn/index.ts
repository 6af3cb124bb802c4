// dg.nn: modules and layers.
export { Module, registerLayer, buildLayer, isParameter, type AnyModule, type LayerSpec, type Json, type JsonObject } from './module.js';
export * as init from './init.js';
export { inputSignature, setInputSignature, type InputSignature } from './signature.js';
export { Linear, type LinearOptions } from './linear.js';
export { ReLU, Sigmoid, Tanh, GELU, LeakyReLU, Softmax, SiLU, Softplus, ELU, Hardswish, Mish, LogSigmoid } from './activation.js';
export { Dropout } from './dropout.js';
export { Flatten } from './flatten.js';
export { Sequential } from './sequential.js';
export { LSTM, type LSTMOptions, type LSTMForwardOptions } from './lstm.js';
export { GRU, GRUCell, type GRUOptions, type GRUForwardOptions, type GRUCellOptions } from './gru.js';
export { AllSteps, LastStep } from './recurrentOutput.js';
export { Embedding, type EmbeddingOptions } from './embedding.js';
export { Conv2d, Conv1d, type Conv2dLayerOptions, type Conv1dLayerOptions } from './conv.js';
export {
  MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, GlobalAveragePooling2D, GlobalMaxPooling2D,
  type Pool2dLayerOptions, type MaxPool2dLayerOptions, type AvgPool2dLayerOptions, type GlobalPoolingOptions,
} from './pool.js';
export { BatchNorm1d, BatchNorm2d, LayerNorm, type BatchNormLayerOptions, type LayerNormLayerOptions } from './norm.js';
