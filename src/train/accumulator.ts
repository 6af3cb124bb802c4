// Device-side running sums of an epoch's loss and metric statistics, read a few times per epoch
// (each read is a wait for the GPU), so the device runs ahead of the host between reads.
import { keep, noGrad } from '../core/engine.js';
import { cat, clone } from '../core/ops/layout.js';
import type { Tensor } from '../core/tensor.js';
import type { Metric } from '../metrics/metric.js';
import type { Logs } from './callbacks.js';

/** Device-side running sums of the loss (times batch size) and of each metric's statistics. */
export class Accumulator {
  #loss: Tensor | null = null;
  #stats: (Tensor | null)[];
  count = 0;

  constructor(readonly metrics: Metric[]) {
    this.#stats = metrics.map(() => null);
  }

  /** Call inside tidy; keeps its sums alive. */
  add(loss: Tensor, pred: Tensor, y: Tensor): void {
    const n = pred.shape[0]!;
    this.count += n;
    noGrad(() => {
      this.#loss = this.bump(this.#loss, loss.detach().reshape([1]).mul(n));
      this.#stats = this.metrics.map((m, i) => this.bump(this.#stats[i]!, m.stats(pred, y).reshape([-1])));
    });
  }

  /** The running sums (loss first), for a mid-epoch checkpoint; the accumulator's own tensors. */
  sums(): Tensor[] {
    return this.#loss ? [this.#loss, ...(this.#stats as Tensor[])] : [];
  }

  /** Continues from sums() and count saved mid-epoch (copies; the given tensors stay the caller's). */
  restore(count: number, sums: readonly Tensor[], source: string): void {
    if (sums.length !== 1 + this.metrics.length) {
      throw new Error(`fit: ${source} holds ${sums.length - 1} running metric sums, this fit has ${this.metrics.length} metrics`);
    }
    this.count = count;
    [this.#loss, ...this.#stats] = noGrad(() => sums.map((t) => keep(clone(t))));
  }

  private bump(sum: Tensor | null, v: Tensor): Tensor {
    if (!sum) return keep(v);
    const next = keep(sum.add(v));
    sum.dispose();
    return next;
  }

  /** Reads the sums: the one wait on the GPU. */
  async read(prefix = ''): Promise<Logs> {
    // Keras' 'val_accuracy' in camelCase: 'valAccuracy'.
    const key = (name: string) => (prefix ? `${prefix}${name[0]!.toUpperCase()}${name.slice(1)}` : name);
    const logs: Logs = {};
    if (!this.#loss) return logs;
    // One tensor, one read: each read is a wait for the GPU.
    const parts = [this.#loss, ...(this.#stats as Tensor[])];
    const all = noGrad(() => cat(parts, 0));
    const values = await all.data();
    all.dispose();
    logs[key('loss')] = values[0]! / this.count;
    let at = 1;
    this.metrics.forEach((m, i) => {
      const n = this.#stats[i]!.size;
      logs[key(m.name)] = m.result(values.subarray(at, at + n), this.count);
      at += n;
    });
    return logs;
  }

  dispose(): void {
    this.#loss?.dispose();
    for (const s of this.#stats) s?.dispose();
  }
}
