// Per-dispatch GPU times from timestamp queries. While a profiler is attached, the runtime gives
// each dispatch its own compute pass whose beginning and end write a timestamp, and at each
// submit the profiler resolves that batch's timestamps into a buffer it reads back later. Nothing
// here runs unless profiling was asked for: the runtime's normal mode records many dispatches in
// one shared pass, which timestamp writes (allowed only at pass boundaries) would split.
import type { DispatchSample, ProfileGroup } from '../profileSpec.js';
import type { Kernel } from './runtime.js';

interface Chunk {
  labels: string[];
  readback: GPUBuffer;
  /** Settles once the chunk's times are read (or its read failed); never rejects. */
  done?: Promise<void>;
}

/** Timestamp pairs recorded per query set before the runtime must submit and resolve. */
export const DEFAULT_QUERY_CAPACITY = 4096;

/** The error `dg.profile` gives on an adapter without timestamp queries. */
export function timestampSupportError(features: ReadonlySet<string>, adapter: string): Error | null {
  if (features.has('timestamp-query')) return null;
  return new Error(
    `profile: the WebGPU adapter '${adapter}' does not offer the 'timestamp-query' feature, so per-dispatch ` +
    'GPU times cannot be measured on it (time whole steps with performance.now() around a read-back instead)');
}

/** The name a dispatch's time is filed under. */
export function dispatchLabel(k: Kernel, group: ProfileGroup, workgroups: readonly [number, number?, number?]): string {
  let label = `${k.shader}.wgsl:${k.entry}`;
  if (group === 'kernel') return label;
  if (k.variant === 'i32') label += ' (i32)';
  if (k.overrides && Object.keys(k.overrides).length > 0) {
    label += ` ${Object.entries(k.overrides).map(([name, v]) => `${name}=${v}`).join(' ')}`;
  }
  if (group === 'pipeline') return label;
  const [x, y = 1, z = 1] = workgroups;
  return `${label} grid ${x}x${y}x${z}`;
}

export class GpuProfiler {
  private readonly querySet: GPUQuerySet;
  private readonly resolveBuffer: GPUBuffer;
  /** Labels of the dispatches recorded into the open batch, in query-pair order. */
  private labels: string[] = [];
  private readonly chunks: Chunk[] = [];
  private readonly samples: DispatchSample[] = [];
  private readError: Error | null = null;

  constructor(
    private readonly device: GPUDevice,
    readonly group: ProfileGroup = 'kernel',
    readonly capacity = DEFAULT_QUERY_CAPACITY,
  ) {
    if (!Number.isInteger(capacity) || capacity < 2 || capacity % 2 !== 0) {
      throw new Error(`profile: query capacity must be an even integer >= 2, got ${capacity}`);
    }
    this.querySet = device.createQuerySet({ type: 'timestamp', count: capacity });
    this.resolveBuffer = device.createBuffer({
      size: capacity * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
  }

  /** True when the open batch has used every query: the runtime submits before the next dispatch. */
  get full(): boolean {
    return 2 * (this.labels.length + 1) > this.capacity;
  }

  /** The timestamp writes for the next dispatch's own pass. */
  writes(label: string): GPUComputePassTimestampWrites {
    const i = 2 * this.labels.length;
    this.labels.push(label);
    return { querySet: this.querySet, beginningOfPassWriteIndex: i, endOfPassWriteIndex: i + 1 };
  }

  /** Records, at the end of a batch's encoder, the copy of its timestamps to a readable buffer. */
  resolve(encoder: GPUCommandEncoder): void {
    if (this.labels.length === 0) return;
    const count = 2 * this.labels.length;
    // The query set and resolve buffer are reused by the next batch: queue order finishes this
    // copy before that batch writes them. Each batch reads back from its own buffer, though,
    // because mapping is asynchronous.
    const readback = this.device.createBuffer({ size: count * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    encoder.resolveQuerySet(this.querySet, 0, count, this.resolveBuffer, 0);
    encoder.copyBufferToBuffer(this.resolveBuffer, 0, readback, 0, count * 8);
    this.chunks.push({ labels: this.labels, readback });
    this.labels = [];
  }

  /** Starts reading the batch just submitted; the results are collected by `finish`. */
  submitted(): void {
    const chunk = this.chunks[this.chunks.length - 1];
    if (!chunk || chunk.done) return;
    chunk.done = chunk.readback.mapAsync(GPUMapMode.READ).then(() => {
      const t = new BigUint64Array(chunk.readback.getMappedRange());
      chunk.labels.forEach((kernel, i) => {
        // A pass that ends "before" it begins (a clock adjustment) is counted as zero.
        const ns = Number(t[2 * i + 1]! - t[2 * i]!);
        this.samples.push({ kernel, ns: Math.max(0, ns) });
      });
      chunk.readback.unmap();
    }).catch((e: unknown) => {
      this.readError ??= e instanceof Error ? e : new Error(String(e));
    }).finally(() => chunk.readback.destroy());
  }

  /** Waits for every submitted batch's times (which also waits for its work), frees the query
   *  set, and returns the samples in dispatch order. Call after the runtime's last submit. */
  async finish(): Promise<DispatchSample[]> {
    await Promise.all(this.chunks.map((c) => c.done));
    this.querySet.destroy();
    this.resolveBuffer.destroy();
    if (this.readError) throw new Error(`profile: reading the timestamps failed: ${this.readError.message}`);
    return this.samples;
  }
}
