// What fit returns, as Keras' History: per-epoch values of the loss and every metric.
export class History {
  readonly epoch: number[] = [];
  readonly history: Record<string, number[]> = {};

  constructor(readonly params: { epochs: number; steps: number; batchSize: number }) {}

  record(epoch: number, logs: Record<string, number>): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }
}
