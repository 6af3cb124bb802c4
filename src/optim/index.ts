// dg.optim: optimizers, learning-rate schedulers, gradient clipping.
export { Optimizer, type OptimizerStateDict, type ParamGroup, type ParamGroupInput, type Params } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export {
  LRScheduler, StepLR, ExponentialLR, CosineAnnealingLR, ReduceLROnPlateau, type ReduceLROnPlateauOptions,
  type LRSchedulerState, type ReduceLROnPlateauState,
} from './scheduler.js';
export { clipGradNorm } from './clip.js';
