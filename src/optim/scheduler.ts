// Learning-rate schedulers (torch.optim.lr_scheduler): each `step()` moves to the next epoch
// and sets every group's lr from a closed form of the epoch, so resuming at an epoch is exact.
import { Optimizer, withDefaults } from './optimizer.js';

type AnyOptimizer = Optimizer<{ lr: number }>;

export abstract class LRScheduler {
  readonly baseLrs: number[];
  lastEpoch = 0;

  constructor(readonly optimizer: AnyOptimizer) {
    checkOptimizer(new.target.name, optimizer);
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
  }

  protected abstract lrAt(base: number, epoch: number): number;

  step(): void {
    this.lastEpoch++;
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = this.lrAt(this.baseLrs[i]!, this.lastEpoch); });
  }

  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** What changes as it steps (the settings are the constructor's), for exact resumption. */
  stateDict(): LRSchedulerState {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs] };
  }

  /** Restores stateDict(); the optimizer's lr comes back with the optimizer's own state. */
  loadStateDict(state: LRSchedulerState): void {
    const who = `${this.constructor.name}.loadStateDict`;
    if (!Number.isInteger(state?.lastEpoch) || state.lastEpoch < 0) throw new Error(`${who}: lastEpoch must be a non-negative integer, got ${state?.lastEpoch}`);
    const lrs = state.baseLrs;
    if (!Array.isArray(lrs) || lrs.length !== this.baseLrs.length || !lrs.every((v) => Number.isFinite(v) && v >= 0)) {
      throw new Error(`${who}: baseLrs must be ${this.baseLrs.length} non-negative numbers (one per parameter group), got ${JSON.stringify(lrs)}`);
    }
    this.lastEpoch = state.lastEpoch;
    lrs.forEach((v, i) => { this.baseLrs[i] = v; });
  }
}

export interface LRSchedulerState {
  lastEpoch: number;
  baseLrs: number[];
}

function checkOptimizer(op: string, optimizer: unknown): void {
  if (!(optimizer instanceof Optimizer)) throw new Error(`${op}: expected an optim.Optimizer to schedule, got ${optimizer === null ? 'null' : typeof optimizer}`);
}

/** A numeric option: finite and at least `min` (schedulers' gamma, etaMin, thresholds, ...). */
function finiteAtLeast(op: string, name: string, v: number, min: number, orEqual = true): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (!orEqual && v === min)) {
    throw new Error(`${op}: ${name} must be a finite number ${orEqual ? '>=' : '>'} ${min}, got ${String(v)}`);
  }
  return v;
}

function positiveInt(op: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${op}: ${name} must be a positive integer, got ${v}`);
  return v;
}

/** lr = base * gamma^floor(epoch / stepSize). */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: AnyOptimizer, options: { stepSize: number; gamma?: number }) {
    super(optimizer);
    this.stepSize = positiveInt('StepLR', 'stepSize', options.stepSize);
    this.gamma = finiteAtLeast('StepLR', 'gamma', options.gamma ?? 0.1, 0, false);
  }
  protected lrAt(base: number, epoch: number): number {
    return base * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

/** lr = base * gamma^epoch. */
export class ExponentialLR extends LRScheduler {
  constructor(optimizer: AnyOptimizer, readonly options: { gamma: number }) {
    super(optimizer);
    if (!Number.isFinite(options.gamma) || options.gamma <= 0) throw new Error(`ExponentialLR: gamma must be a positive number, got ${options.gamma}`);
  }
  protected lrAt(base: number, epoch: number): number {
    return base * this.options.gamma ** epoch;
  }
}

/** lr = etaMin + (base - etaMin) * (1 + cos(pi * epoch / tMax)) / 2 (SGDR without restarts). */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: AnyOptimizer, options: { tMax: number; etaMin?: number }) {
    super(optimizer);
    this.tMax = positiveInt('CosineAnnealingLR', 'tMax', options.tMax);
    this.etaMin = finiteAtLeast('CosineAnnealingLR', 'etaMin', options.etaMin ?? 0, 0);
  }
  protected lrAt(base: number, epoch: number): number {
    return this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}

export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number;
  eps?: number;
}

/** Cuts lr by `factor` once the watched metric has not improved for `patience` epochs. */
export class ReduceLROnPlateau {
  readonly options: Required<ReduceLROnPlateauOptions>;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;

  constructor(readonly optimizer: AnyOptimizer, options: ReduceLROnPlateauOptions = {}) {
    checkOptimizer('ReduceLROnPlateau', optimizer);
    this.options = withDefaults<Required<ReduceLROnPlateauOptions>>('ReduceLROnPlateau',
      { mode: 'min', factor: 0.1, patience: 10, threshold: 1e-4, thresholdMode: 'rel', cooldown: 0, minLr: 0, eps: 1e-8 }, options);
    const o = this.options;
    for (const name of ['patience', 'cooldown'] as const) {
      if (!Number.isInteger(o[name]) || o[name] < 0) throw new Error(`ReduceLROnPlateau: ${name} must be an integer >= 0, got ${String(o[name])}`);
    }
    for (const name of ['threshold', 'minLr', 'eps'] as const) finiteAtLeast('ReduceLROnPlateau', name, o[name], 0);
    if (!(o.factor > 0 && o.factor < 1)) throw new Error(`ReduceLROnPlateau: factor must be in (0, 1), got ${o.factor}`);
    if (o.mode !== 'min' && o.mode !== 'max') throw new Error(`ReduceLROnPlateau: mode must be 'min' or 'max', got '${String(o.mode)}'`);
    if (o.thresholdMode !== 'rel' && o.thresholdMode !== 'abs') throw new Error(`ReduceLROnPlateau: thresholdMode must be 'rel' or 'abs', got '${String(o.thresholdMode)}'`);
    this.best = o.mode === 'min' ? Infinity : -Infinity;
  }

  private isBetter(v: number): boolean {
    const { mode, threshold, thresholdMode } = this.options;
    if (mode === 'min') return v < (thresholdMode === 'rel' ? this.best * (1 - threshold) : this.best - threshold);
    return v > (thresholdMode === 'rel' ? this.best * (1 + threshold) : this.best + threshold);
  }

  /** Call once per epoch with the watched metric (e.g. validation loss). */
  step(metric: number): void {
    if (!Number.isFinite(metric)) throw new Error(`ReduceLROnPlateau: the metric must be a finite number, got ${metric}`);
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.options.patience) {
      for (const g of this.optimizer.paramGroups) {
        const next = Math.max(g.lr * this.options.factor, this.options.minLr);
        if (g.lr - next > this.options.eps) g.lr = next;
      }
      this.cooldownCounter = this.options.cooldown;
      this.numBadEpochs = 0;
    }
  }

  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The plateau bookkeeping, for exact resumption; best is +-Infinity before the first step. */
  stateDict(): ReduceLROnPlateauState {
    return { best: this.best, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter };
  }

  loadStateDict(state: ReduceLROnPlateauState): void {
    const who = 'ReduceLROnPlateau.loadStateDict';
    if (typeof state?.best !== 'number' || Number.isNaN(state.best)) throw new Error(`${who}: best must be a number, got ${state?.best}`);
    for (const key of ['numBadEpochs', 'cooldownCounter'] as const) {
      if (!Number.isInteger(state[key]) || state[key] < 0) throw new Error(`${who}: ${key} must be a non-negative integer, got ${state[key]}`);
    }
    this.best = state.best;
    this.numBadEpochs = state.numBadEpochs;
    this.cooldownCounter = state.cooldownCounter;
  }
}

export interface ReduceLROnPlateauState {
  best: number;
  numBadEpochs: number;
  cooldownCounter: number;
}
