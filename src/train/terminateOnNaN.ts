// TerminateOnNaN (Keras): stops fit as soon as it sees the loss become NaN or infinite, and says
// so. fit reads nothing per batch (that would stall the GPU), so by default the loss is looked
// at once per epoch; `checkEvery: N` also reads the running loss every N batches, where a NaN
// in any batch shows, since the running sum stays NaN from that batch on.
import type { Callback, FitContext, Logs } from './callbacks.js';

export interface TerminateOnNaNOptions {
  /** Batches between reads of the running loss (each read waits for the device); default: epoch ends only. */
  checkEvery?: number;
}

export class TerminateOnNaN implements Callback {
  readonly checkEvery: number | null;
  /** Where training was stopped, or null while it was not. */
  stopped: { epoch: number; batch: number | null; loss: number } | null = null;

  constructor(options: TerminateOnNaNOptions = {}) {
    const n = options.checkEvery;
    if (n !== undefined && !(Number.isInteger(n) && n >= 1)) throw new Error(`TerminateOnNaN: checkEvery must be a positive integer number of batches, got ${n}`);
    this.checkEvery = n ?? null;
  }

  onTrainBegin(): void {
    this.stopped = null;
  }

  async onBatchEnd(batch: number, _logs: Logs, ctx: FitContext): Promise<void> {
    if (this.checkEvery === null || (batch + 1) % this.checkEvery !== 0) return;
    const loss = await ctx.runningLoss();
    if (!Number.isFinite(loss)) this.stop(ctx, loss, batch);
  }

  onEpochEnd(_epoch: number, logs: Logs, ctx: FitContext): void {
    const loss = logs.loss;
    // Stopped at a batch already: said then.
    if (loss !== undefined && !Number.isFinite(loss) && !this.stopped) this.stop(ctx, loss, null);
  }

  private stop(ctx: FitContext, loss: number, batch: number | null): void {
    this.stopped = { epoch: ctx.epoch, batch, loss };
    ctx.stopTraining = true;
    const where = batch === null ? `epoch ${ctx.epoch + 1}` : `epoch ${ctx.epoch + 1}, batch ${batch + 1}`;
    ctx.print(`TerminateOnNaN: the loss is ${loss} at ${where}; training stopped`);
  }
}
