// ModelCheckpoint: saves the model (dg.save: weights, plus the architecture when it can be
// rebuilt), only its weights, or a full training checkpoint that fit can resume from exactly,
// at epoch ends or every N batches, always or only when the monitored value improves.
import type { AnyModule } from '../nn/module.js';
import { save } from '../io/model.js';
import { saveSafetensors } from '../io/tensorFile.js';
import {
  type Callback, type CallbackState, type FitContext, isImprovement, type Logs, monitored, monitorMode, stateNumber, worst,
} from './callbacks.js';

export interface ModelCheckpointOptions {
  /** May contain {epoch} (1-based, as Keras) and {<log key>}, e.g. 'ckpt-{epoch}-{valLoss}.safetensors'. */
  filepath: string;
  monitor?: string;
  saveBestOnly?: boolean;
  saveWeightsOnly?: boolean;
  /**
   * Writes everything a run needs to continue exactly (model, optimizer, schedulers, callbacks,
   * the random generator, epoch and step): fit(x, y, { resumeFrom: filepath }) picks it up.
   */
  saveTrainingState?: boolean;
  /** 'epoch' (default): at each epoch end; a number N: after every N batches (Keras' save_freq). */
  saveFreq?: 'epoch' | number;
  mode?: 'min' | 'max' | 'auto';
}

export class ModelCheckpoint implements Callback {
  readonly filepath: string;
  readonly monitor: string;
  readonly saveBestOnly: boolean;
  readonly saveWeightsOnly: boolean;
  readonly saveTrainingState: boolean;
  readonly saveFreq: 'epoch' | number;
  readonly mode: 'min' | 'max';
  /** +-Infinity until a first value that is not NaN; a NaN epoch is never saved as the best. */
  best: number;
  /** Paths written so far, in order. */
  readonly saved: string[] = [];
  #batchesSinceSave = 0;

  constructor(options: ModelCheckpointOptions) {
    const who = 'ModelCheckpoint';
    if (typeof options?.filepath !== 'string' || options.filepath === '') throw new Error(`${who}: options.filepath is required`);
    this.filepath = options.filepath;
    this.monitor = options.monitor ?? 'valLoss';
    this.saveBestOnly = options.saveBestOnly ?? false;
    this.saveWeightsOnly = options.saveWeightsOnly ?? false;
    this.saveTrainingState = options.saveTrainingState ?? false;
    if (this.saveWeightsOnly && this.saveTrainingState) throw new Error(`${who}: saveWeightsOnly and saveTrainingState exclude each other (a training checkpoint holds the weights too)`);
    const freq = options.saveFreq ?? 'epoch';
    if (freq !== 'epoch' && !(Number.isInteger(freq) && freq >= 1)) {
      throw new Error(`${who}: saveFreq must be 'epoch' or a positive integer number of batches, got ${typeof freq === 'string' ? `'${freq}'` : String(freq)}`);
    }
    if (freq !== 'epoch' && this.saveBestOnly) throw new Error(`${who}: saveBestOnly compares epoch logs, so it needs saveFreq 'epoch' (got ${freq})`);
    this.saveFreq = freq;
    this.mode = monitorMode(who, options.mode ?? 'auto', this.monitor);
    this.best = worst(this.mode);
  }

  onTrainBegin(): void {
    this.best = worst(this.mode);
    this.#batchesSinceSave = 0;
  }

  async onBatchEnd(_batch: number, _logs: Logs, ctx: FitContext): Promise<void> {
    if (this.saveFreq === 'epoch' || ++this.#batchesSinceSave < this.saveFreq) return;
    this.#batchesSinceSave = 0;
    await this.write(ctx, this.pathFor(ctx.epoch, {}));
  }

  async onEpochEnd(epoch: number, logs: Logs, ctx: FitContext): Promise<void> {
    if (this.saveFreq !== 'epoch') return;
    if (this.saveBestOnly) {
      const v = monitored('ModelCheckpoint', this.monitor, logs);
      if (!isImprovement(this.mode, v, this.best)) return;
      this.best = v;
    }
    await this.write(ctx, this.pathFor(epoch, logs));
  }

  private pathFor(epoch: number, logs: Logs): string {
    return this.filepath.replace(/\{(\w+)\}/g, (whole, key: string) => {
      if (key === 'epoch') return String(epoch + 1);
      const v = logs[key];
      return v === undefined ? whole : v.toFixed(4);
    });
  }

  private async write(ctx: FitContext, path: string): Promise<void> {
    if (this.saveTrainingState) ctx.saveTrainingState(path);
    else await this.writeModel(ctx.model, path);
    this.saved.push(path);
  }

  private async writeModel(model: AnyModule, path: string): Promise<void> {
    if (this.saveWeightsOnly) await saveSafetensors(path, model.stateDict(), { metadata: { format: 'pt' } });
    else await save(model, path);
  }

  stateDict(): CallbackState {
    return { values: { best: this.best, batchesSinceSave: this.#batchesSinceSave } };
  }

  loadStateDict(state: CallbackState): void {
    const best = stateNumber('ModelCheckpoint', state, 'best', (v) => !Number.isNaN(v), 'a number');
    const since = stateNumber('ModelCheckpoint', state, 'batchesSinceSave', (v) => Number.isInteger(v) && v >= 0, 'an integer >= 0');
    this.best = best;
    this.#batchesSinceSave = since;
  }
}
