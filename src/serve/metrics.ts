// Prometheus metrics (prom-client), on a registry of the server's own so that two servers in
// one process (tests) do not share counters. Model labels are only ever names the registry
// knows: a request for an unknown model counts under model="", so clients cannot grow the
// label set.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export type Api = 'tfserving' | 'kserve' | 'health' | 'metrics' | 'other';

export class ServeMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'dawngrad_requests_total',
    help: 'HTTP requests answered, by model, API and status code',
    labelNames: ['model', 'api', 'code'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'dawngrad_request_duration_seconds',
    help: 'Time from receiving a request to answering it, by model and API',
    labelNames: ['model', 'api'] as const,
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10],
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'dawngrad_batch_size',
    help: 'Examples per forward pass (several requests joined by dynamic batching)',
    labelNames: ['model'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'dawngrad_queue_depth',
    help: 'Requests waiting for a batch, by model',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });
  readonly loads = new Counter({
    name: 'dawngrad_model_loads_total',
    help: 'Model version loads, by model, version and result (success or failure)',
    labelNames: ['model', 'version', 'result'] as const,
    registers: [this.registry],
  });
  readonly servedVersion = new Gauge({
    name: 'dawngrad_model_version',
    help: 'The version each model serves',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
