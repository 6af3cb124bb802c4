// fit's callbacks (Keras' protocol, camelCase): hooks at epoch and batch ends, and the two that
// steer training, EarlyStopping and learning-rate scheduling.
import { keep, noGrad } from '../core/engine.js';
import { clone } from '../core/ops/layout.js';
import type { Tensor } from '../core/tensor.js';
import type { AnyModule } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { LRScheduler, ReduceLROnPlateau } from '../optim/scheduler.js';

export type Logs = Record<string, number>;

/** What a callback can see and do during fit. */
export interface FitContext {
  readonly model: AnyModule;
  readonly optimizer: Optimizer<{ lr: number }>;
  /** Ends training after the current epoch (Keras' model.stop_training = True). */
  stopTraining: boolean;
}

export interface Callback {
  onTrainBegin?(ctx: FitContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: FitContext): void | Promise<void>;
  /** Batch logs carry only `batch` and `size`: reading the loss per batch would stall the GPU. */
  onBatchEnd?(batch: number, logs: Logs, ctx: FitContext): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs, ctx: FitContext): void | Promise<void>;
  onTrainEnd?(ctx: FitContext): void | Promise<void>;
}

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
  best = NaN;
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
  }

  onTrainBegin(): void {
    this.best = NaN;
    this.bestEpoch = -1;
    this.wait = 0;
    this.stoppedEpoch = -1;
    this.dropSnapshot();
  }

  private improved(v: number): boolean {
    if (Number.isNaN(this.best)) return true;
    return this.mode === 'min' ? v < this.best - this.minDelta : v > this.best + this.minDelta;
  }

  onEpochEnd(epoch: number, logs: Logs, ctx: FitContext): void {
    const v = monitored('EarlyStopping', this.monitor, logs);
    if (this.improved(v)) {
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
}
