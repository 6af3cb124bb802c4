// What fit returns, as Keras' History: per-epoch values of the loss and every metric.
export class History {
  readonly epoch: number[] = [];
  readonly history: Record<string, number[]> = {};

  constructor(readonly params: { epochs: number; steps: number; batchSize: number }) {
    for (const key of ['epochs', 'steps', 'batchSize'] as const) {
      const v = params?.[key];
      if (!Number.isInteger(v) || v < 0) throw new Error(`History: params.${key} must be an integer >= 0, got ${String(v)}`);
    }
  }

  record(epoch: number, logs: Record<string, number>): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }
}
