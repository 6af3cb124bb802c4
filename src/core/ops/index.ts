// Every differentiable op, re-exported for Tensor's methods and the public namespace.
export * from './creation.js';
export * from './elementwise.js';
export * from './reduce.js';
export * from './layout.js';
export * from './matmul.js';
export * from './conv.js';
export * from './pool.js';
export * from './loss.js';
export * from './lstm.js';
export * from './gru.js';
export * from './embedding.js';
export * from './norm.js';
export { backward } from '../autograd.js';
