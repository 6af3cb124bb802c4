// Dynamic batching: requests queue per served model version; when the model is free, the queued
// requests whose examples have the same shape are joined along the batch dimension (up to
// maxBatchSize rows), run as one forward, and the output rows are split back in the same
// order. The window: a batch waits at most batchTimeoutMs after its oldest request for more
// to arrive, and starts at once when full. A request larger than maxBatchSize runs alone.
import { fmt } from '../core/shape.js';
import { deadlineExceeded, queueFull, ServeError } from './errors.js';
import type { HostTensor } from './tensors.js';

export interface BatchOptions {
  maxBatchSize: number;
  batchTimeoutMs: number;
  /** Requests waiting (not running) at most; one more is refused with 429. */
  maxQueue: number;
}

export interface BatchHooks {
  onBatch?(rows: number): void;
  onQueueDepth?(depth: number): void;
  /** The model threw on a batch of `rows` (each of its requests is answered 500). */
  onError?(error: Error, rows: number): void;
}

export type RunBatch = (input: HostTensor) => Promise<HostTensor>;

interface Pending {
  input: HostTensor;
  rows: number;
  /** The example shape as a string: only equal ones can share a batch. */
  key: string;
  enqueuedAt: number;
  resolve(out: HostTensor): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout | null;
  done: boolean;
}

export class Batcher {
  readonly #queue: Pending[] = [];
  #running = false;
  #timer: NodeJS.Timeout | null = null;
  #idle: (() => void)[] = [];
  #flush = false;

  constructor(readonly run: RunBatch, readonly options: BatchOptions, readonly hooks: BatchHooks = {}) {}

  get depth(): number {
    return this.#queue.length;
  }

  /** The output rows for `input`'s rows; rejects with 429 when the queue is full, 504 past timeoutMs. */
  submit(input: HostTensor, timeoutMs: number): Promise<HostTensor> {
    if (this.#queue.length >= this.options.maxQueue) {
      return Promise.reject(queueFull(`the queue is full (${this.options.maxQueue} requests waiting); retry later`));
    }
    return new Promise<HostTensor>((resolve, reject) => {
      const p: Pending = { input, rows: input.shape[0]!, key: fmt(input.shape.slice(1)), enqueuedAt: performance.now(), resolve, reject, timer: null, done: false };
      p.timer = setTimeout(() => {
        const i = this.#queue.indexOf(p);
        if (i >= 0) this.#queue.splice(i, 1);
        this.#settle(p, null, deadlineExceeded(`the request took longer than ${timeoutMs} ms`));
        this.#depthChanged();
      }, timeoutMs);
      this.#queue.push(p);
      this.#depthChanged();
      this.#pump();
    });
  }

  /** Runs what is queued without waiting for the window, and resolves once nothing is queued or running. */
  drain(): Promise<void> {
    this.#flush = true;
    this.#pump();
    if (!this.#running && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #depthChanged(): void {
    this.hooks.onQueueDepth?.(this.#queue.length);
  }

  #settle(p: Pending, out: HostTensor | null, error: Error | null): void {
    if (p.done) return;
    p.done = true;
    if (p.timer) clearTimeout(p.timer);
    if (error) p.reject(error);
    else p.resolve(out!);
  }

  #pump(): void {
    if (this.#running) return;
    if (this.#queue.length === 0) {
      for (const resolve of this.#idle.splice(0)) resolve();
      return;
    }
    const { maxBatchSize, batchTimeoutMs } = this.options;
    const first = this.#queue[0]!;
    const rows = this.#queue.reduce((n, p) => n + (p.key === first.key ? p.rows : 0), 0);
    const waited = performance.now() - first.enqueuedAt;
    if (!this.#flush && rows < maxBatchSize && waited < batchTimeoutMs) {
      this.#timer ??= setTimeout(() => {
        this.#timer = null;
        this.#pump();
      }, batchTimeoutMs - waited);
      return;
    }
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    void this.#runBatch(this.#take());
  }

  /** The oldest request, and after it every queued one of its example shape that still fits. */
  #take(): Pending[] {
    const first = this.#queue.shift()!;
    const batch = [first];
    let rows = first.rows;
    for (let i = 0; i < this.#queue.length && rows < this.options.maxBatchSize;) {
      const p = this.#queue[i]!;
      if (p.key === first.key && rows + p.rows <= this.options.maxBatchSize) {
        batch.push(p);
        rows += p.rows;
        this.#queue.splice(i, 1);
      } else {
        i++;
      }
    }
    this.#depthChanged();
    return batch;
  }

  async #runBatch(batch: Pending[]): Promise<void> {
    this.#running = true;
    try {
      const input = batch.length === 1 ? batch[0]!.input : join(batch.map((p) => p.input));
      this.hooks.onBatch?.(input.shape[0]!);
      const out = await this.run(input);
      if (out.shape[0] !== input.shape[0]) {
        throw new Error(`the model returned ${out.shape[0]} rows for a batch of ${input.shape[0]} (its output must keep the batch dimension first)`);
      }
      const rowSize = out.shape.slice(1).reduce((a, b) => a * b, 1);
      let row = 0;
      for (const p of batch) {
        const data = batch.length === 1 ? out.data : out.data.slice(row * rowSize, (row + p.rows) * rowSize);
        this.#settle(p, { data, shape: [p.rows, ...out.shape.slice(1)] }, null);
        row += p.rows;
      }
    } catch (e) {
      if (!(e instanceof ServeError)) this.hooks.onError?.(e as Error, batch.reduce((n, p) => n + p.rows, 0));
      const error = e instanceof ServeError ? e : new ServeError(500, `the model failed on this batch: ${(e as Error).message}`);
      for (const p of batch) this.#settle(p, null, error);
    } finally {
      this.#running = false;
      this.#pump();
    }
  }
}

function join(inputs: HostTensor[]): HostTensor {
  const size = inputs.reduce((n, t) => n + t.data.length, 0);
  const data = new (inputs[0]!.data.constructor as Float32ArrayConstructor | Int32ArrayConstructor)(size);
  let at = 0;
  for (const t of inputs) {
    data.set(t.data, at);
    at += t.data.length;
  }
  return { data, shape: [inputs.reduce((n, t) => n + t.shape[0]!, 0), ...inputs[0]!.shape.slice(1)] };
}
