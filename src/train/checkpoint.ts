// ModelCheckpoint: saves the model (architecture + weights, dg.save) or only its weights as a
// safetensors file at epoch ends, every epoch or only when the monitored value improves.
import type { AnyModule } from '../nn/module.js';
import { save } from '../io/model.js';
import { saveSafetensors } from '../io/tensorFile.js';
import { type Callback, type FitContext, type Logs, monitored, monitorMode } from './callbacks.js';

export interface ModelCheckpointOptions {
  /** May contain {epoch} (1-based, as Keras) and {<log key>}, e.g. 'ckpt-{epoch}-{valLoss}.safetensors'. */
  filepath: string;
  monitor?: string;
  saveBestOnly?: boolean;
  saveWeightsOnly?: boolean;
  mode?: 'min' | 'max' | 'auto';
}

export class ModelCheckpoint implements Callback {
  readonly filepath: string;
  readonly monitor: string;
  readonly saveBestOnly: boolean;
  readonly saveWeightsOnly: boolean;
  readonly mode: 'min' | 'max';
  best = NaN;
  /** Paths written so far, in order. */
  readonly saved: string[] = [];

  constructor(options: ModelCheckpointOptions) {
    if (typeof options?.filepath !== 'string' || options.filepath === '') throw new Error('ModelCheckpoint: options.filepath is required');
    this.filepath = options.filepath;
    this.monitor = options.monitor ?? 'valLoss';
    this.saveBestOnly = options.saveBestOnly ?? false;
    this.saveWeightsOnly = options.saveWeightsOnly ?? false;
    this.mode = monitorMode('ModelCheckpoint', options.mode ?? 'auto', this.monitor);
  }

  async onEpochEnd(epoch: number, logs: Logs, ctx: FitContext): Promise<void> {
    if (this.saveBestOnly) {
      const v = monitored('ModelCheckpoint', this.monitor, logs);
      const better = Number.isNaN(this.best) || (this.mode === 'min' ? v < this.best : v > this.best);
      if (!better) return;
      this.best = v;
    }
    const path = this.filepath.replace(/\{(\w+)\}/g, (whole, key: string) => {
      if (key === 'epoch') return String(epoch + 1);
      const v = logs[key];
      return v === undefined ? whole : v.toFixed(4);
    });
    await this.write(ctx.model, path);
    this.saved.push(path);
  }

  private async write(model: AnyModule, path: string): Promise<void> {
    if (this.saveWeightsOnly) await saveSafetensors(path, model.stateDict(), { metadata: { format: 'pt' } });
    else await save(model, path);
  }
}
