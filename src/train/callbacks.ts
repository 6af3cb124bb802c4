// fit's callbacks (Keras' protocol, camelCase): hooks at epoch and batch ends, and the two that
// steer training, EarlyStopping and learning-rate scheduling. A monitored value that is NaN
// counts as the worst possible, so a diverged run neither looks like an improvement nor resets
// patience.
import { keep, noGrad } from '../core/engine.js';
import { clone } from '../core/ops/layout.js';
import { Tensor } from '../core/tensor.js';
import type { AnyModule } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { type LRSchedulerState, LRScheduler, ReduceLROnPlateau, type ReduceLROnPlateauState } from '../optim/scheduler.js';

export type Logs = Record<string, number>;

/** What a callback can see and do during fit. */
export interface FitContext {
  readonly model: AnyModule;
  readonly optimizer: Optimizer<{ lr: number }>;
  /** Ends training after the current batch (from onBatchEnd) or epoch (Keras' model.stop_training = True). */
  stopTraining: boolean;
  /** The epoch in progress, 0-based. */
  readonly epoch: number;
  /**
   * Asks fit to write a full training checkpoint (model, optimizer, schedulers and callbacks,
   * the random generator, epoch and step) to `path` once every callback has run this hook, so
   * the state written includes them all; fit(..., { resumeFrom: path }) continues from it.
   */
  saveTrainingState(path: string): void;
  /** The mean loss of the epoch's batches so far (one read of the device). */
  runningLoss(): Promise<number>;
  /** Writes a line where fit writes its progress (a callback saying why it stopped training). */
  print(line: string): void;
}

/**
 * The part of a callback that changes during training: plain values (JSON; NaN and
 * +-Infinity allowed) and tensors, saved in a training checkpoint and put back on resume.
 */
export interface CallbackState {
  values: Record<string, unknown>;
  tensors?: Record<string, Tensor>;
}

export interface Callback {
  onTrainBegin?(ctx: FitContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: FitContext): void | Promise<void>;
  /** Batch logs carry only `batch` and `size`: reading the loss per batch would stall the GPU. */
  onBatchEnd?(batch: number, logs: Logs, ctx: FitContext): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs, ctx: FitContext): void | Promise<void>;
  onTrainEnd?(ctx: FitContext): void | Promise<void>;
  /** Its training state, for a checkpoint; fit calls this between hooks. */
  stateDict?(): CallbackState;
  /** Restores stateDict() (after onTrainBegin) when fit resumes from a checkpoint. The tensors are the caller's. */
  loadStateDict?(state: CallbackState): void;
}

/** The worst value of a monitored quantity: where every first finite value is an improvement. */
export function worst(mode: 'min' | 'max'): number {
  return mode === 'min' ? Infinity : -Infinity;
}

/** Whether v beats best by more than minDelta; a NaN v never does. */
export function isImprovement(mode: 'min' | 'max', v: number, best: number, minDelta = 0): boolean {
  if (Number.isNaN(v)) return false;
  return mode === 'min' ? v < best - minDelta : v > best + minDelta;
}

/** `state.values[key]` as a number passing `ok`, or an error naming the callback and key. */
export function stateNumber(who: string, state: CallbackState, key: string, ok: (v: number) => boolean, expected: string): number {
  const v = state?.values?.[key];
  if (typeof v !== 'number' || !ok(v)) throw new Error(`${who}.loadStateDict: ${key} must be ${expected}, got ${JSON.stringify(v)}`);
  return v;
}

const isEpochOrNone = (v: number) => Number.isInteger(v) && v >= -1;
const isCount = (v: number) => Number.isInteger(v) && v >= 0;
const notNaN = (v: number) => !Number.isNaN(v);

/** Keras' 'auto' mode: accuracy-like metrics should grow, everything else (losses) shrink. */
export function monitorMode(who: string, mode: string, monitor: string): 'min' | 'max' {
  if (mode !== 'min' && mode !== 'max' && mode !== 'auto') throw new Error(`${who}: mode must be 'min', 'max' or 'auto', got '${mode}'`);
  if (mode !== 'auto') return mode;
  return /acc|precision|recall|f1/i.test(monitor) ? 'max' : 'min';
}

export function monitored(who: string, monitor: string, logs: Logs): number {
  const v = logs[monitor];
  if (v === undefined) {
    throw new Error(`${who}: the monitored value '${monitor}' is not in the epoch logs (available: ${Object.keys(logs).join(', ')}); pass validationData/validationSplit or choose another monitor`);
  }
  return v;
}

export interface EarlyStoppingOptions {
  monitor?: string;
  minDelta?: number;
  patience?: number;
  mode?: 'min' | 'max' | 'auto';
  /** Puts back the weights of the best epoch when training stops (or ends). */
  restoreBestWeights?: boolean;
}

/** Stops fit once `monitor` has not improved by more than minDelta for `patience` epochs. */
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly mode: 'min' | 'max';
  readonly restoreBestWeights: boolean;
  /** +-Infinity until a first value that is not NaN. */
  best: number;
  bestEpoch = -1;
  wait = 0;
  stoppedEpoch = -1;
  #bestWeights: Record<string, Tensor> | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    this.monitor = options.monitor ?? 'valLoss';
    this.minDelta = Math.abs(options.minDelta ?? 0);
    if (!Number.isFinite(this.minDelta)) throw new Error(`EarlyStopping: minDelta must be a finite number, got ${String(options.minDelta)}`);
    this.patience = options.patience ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new Error(`EarlyStopping: patience must be a non-negative integer, got ${options.patience}`);
    this.mode = monitorMode('EarlyStopping', options.mode ?? 'auto', this.monitor);
    this.restoreBestWeights = options.restoreBestWeights ?? false;
    this.best = worst(this.mode);
  }

  onTrainBegin(): void {
    this.best = worst(this.mode);
    this.bestEpoch = -1;
    this.wait = 0;
    this.stoppedEpoch = -1;
    this.dropSnapshot();
  }

  onEpochEnd(epoch: number, logs: Logs, ctx: FitContext): void {
    const v = monitored('EarlyStopping', this.monitor, logs);
    if (isImprovement(this.mode, v, this.best, this.minDelta)) {
      this.best = v;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBestWeights) this.snapshot(ctx.model);
      return;
    }
    if (++this.wait > this.patience) {
      this.stoppedEpoch = epoch;
      ctx.stopTraining = true;
    }
  }

  onTrainEnd(ctx: FitContext): void {
    if (this.restoreBestWeights && this.#bestWeights) ctx.model.loadStateDict(this.#bestWeights);
    this.dropSnapshot();
  }

  private snapshot(model: AnyModule): void {
    this.dropSnapshot();
    this.#bestWeights = noGrad(() => Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, keep(clone(t))])));
  }

  private dropSnapshot(): void {
    for (const t of Object.values(this.#bestWeights ?? {})) t.dispose();
    this.#bestWeights = null;
  }

  stateDict(): CallbackState {
    const values = { best: this.best, bestEpoch: this.bestEpoch, wait: this.wait, stoppedEpoch: this.stoppedEpoch };
    return this.#bestWeights ? { values, tensors: { ...this.#bestWeights } } : { values };
  }

  loadStateDict(state: CallbackState): void {
    const who = 'EarlyStopping';
    const best = stateNumber(who, state, 'best', notNaN, 'a number');
    const bestEpoch = stateNumber(who, state, 'bestEpoch', isEpochOrNone, 'an integer >= -1');
    const wait = stateNumber(who, state, 'wait', isCount, 'an integer >= 0');
    const stoppedEpoch = stateNumber(who, state, 'stoppedEpoch', isEpochOrNone, 'an integer >= -1');
    const tensors = Object.entries(state.tensors ?? {});
    if (!tensors.every(([, t]) => t instanceof Tensor)) throw new Error(`${who}.loadStateDict: tensors must be Tensors (the best epoch's weights)`);
    Object.assign(this, { best, bestEpoch, wait, stoppedEpoch });
    this.dropSnapshot();
    if (tensors.length) this.#bestWeights = noGrad(() => Object.fromEntries(tensors.map(([k, t]) => [k, keep(clone(t))])));
  }
}

/**
 * Steps a learning-rate scheduler at each epoch end: StepLR & co. by epoch, ReduceLROnPlateau
 * on `monitor` (default 'valLoss', falling back to 'loss' without validation data).
 */
export class LRSchedulerCallback implements Callback {
  constructor(readonly scheduler: LRScheduler | ReduceLROnPlateau, readonly options: { monitor?: string } = {}) {
    if (!(scheduler instanceof LRScheduler) && !(scheduler instanceof ReduceLROnPlateau)) {
      throw new Error('LRSchedulerCallback: expected an optim scheduler (StepLR, ExponentialLR, CosineAnnealingLR, ReduceLROnPlateau)');
    }
  }

  onEpochEnd(_epoch: number, logs: Logs): void {
    if (this.scheduler instanceof ReduceLROnPlateau) {
      const monitor = this.options.monitor ?? ('valLoss' in logs ? 'valLoss' : 'loss');
      this.scheduler.step(monitored('ReduceLROnPlateau', monitor, logs));
    } else {
      this.scheduler.step();
    }
  }

  stateDict(): CallbackState {
    return { values: { ...this.scheduler.stateDict() } };
  }

  loadStateDict(state: CallbackState): void {
    if (this.scheduler instanceof ReduceLROnPlateau) this.scheduler.loadStateDict(state?.values as unknown as ReduceLROnPlateauState);
    else this.scheduler.loadStateDict(state?.values as unknown as LRSchedulerState);
  }
}
