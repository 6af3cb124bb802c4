// dg.train: Keras-style training. Importing it installs compile/fit/evaluate/predict on nn.Module.
import './install.js';

export { compile, fit, evaluate, predict, type BatchSource, type CompileOptions, type FitOptions, type EvaluateOptions } from './trainer.js';
export { History } from './history.js';
export { EarlyStopping, LRSchedulerCallback, type Callback, type CallbackState, type FitContext, type Logs, type EarlyStoppingOptions } from './callbacks.js';
export { ModelCheckpoint, type ModelCheckpointOptions } from './checkpoint.js';
export { TerminateOnNaN, type TerminateOnNaNOptions } from './terminateOnNaN.js';
export { LOSS_NAMES, resolveLoss, outputKind, type LossFn, type LossName } from './losses.js';
export type { Output } from './progress.js';
