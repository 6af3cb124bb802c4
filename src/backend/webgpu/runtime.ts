// The GPU runtime: buffer pool, pipeline/bind-group/constant caches, and the batching of
// dispatches into few submits. Nothing here waits for the GPU except `readBuffer` (a read-back)
// and `throttle` (completion of older submits, for loops that would otherwise run far ahead).
import { collectGarbage } from './collectGarbage.js';
import type { DType, Handle } from '../backend.js';
import type { Gpu } from './device.js';
import { compileError, listShaders, type ShaderVariant, shaderSource } from './shaders.js';
import { dispatchLabel, type GpuProfiler } from './profiler.js';

/** A pooled storage buffer holding one tensor's elements. */
export class GpuHandle implements Handle {
  constructor(
    readonly buffer: GPUBuffer,
    readonly size: number,
    readonly dtype: DType,
    readonly id: number,
  ) {}
  /** Index of the last batch (command encoder) that bound this buffer. */
  lastUse = -1;
}

/**
 * An error a kernel family finds on the device, where it cannot throw (a label or index lives
 * on the GPU, and checking it on the host first would cost a read-back every step). Its kernels
 * write a small record instead, and `readChecked` brings the record back with the tensor read.
 */
export interface DeferredCheck {
  /** The record's words while it holds no error; it is reset to these after a report. */
  readonly clean: Int32Array<ArrayBuffer>;
  /** The error the record's words describe, or null when they describe none. */
  decode(words: Int32Array): Error | null;
}

export interface Kernel {
  shader: string;
  entry: string;
  variant?: ShaderVariant;
  overrides?: Record<string, number>;
}

/** A binding: a tensor handle, or a constant buffer from `constant()`. */
export type Binding = GpuHandle | GPUBuffer | undefined;

const MIN_BYTES = 16;
/** Dispatches recorded before a submit is forced; bounds memory held by deferred releases. */
const MAX_DISPATCHES_PER_SUBMIT = 512;
const CONSTANT_CACHE_LIMIT = 4096;
/** `throttle` waits until at most this many submitted batches are unfinished. Two keep the
 *  device busy (one running, one queued) while the host records the next. */
const MAX_SUBMITS_IN_FLIGHT = 2;
/** When the bind-group cache is this full it is emptied and a garbage collection frees the
 *  dropped groups' native descriptor sets (see collectGarbage.ts). */
const BIND_GROUP_CACHE_LIMIT = 4096;

/** Rounds up to one of four size classes per power of two, so reuse wastes at most 25%. */
export function sizeClass(bytes: number): number {
  const b = Math.max(MIN_BYTES, Math.ceil(bytes / 4) * 4);
  if (b <= 256) return 256;
  const step = 2 ** Math.floor(Math.log2(b)) / 4;
  return Math.ceil(b / step) * step;
}

export class GpuRuntime {
  readonly device: GPUDevice;
  readonly limits: GPUSupportedLimits;
  private nextId = 1;
  private batch = 0;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private dispatchesInBatch = 0;
  private readonly free = new Map<number, GPUBuffer[]>();
  /** Released while the open batch still references them; pooled after its submit. */
  private deferred: GPUBuffer[] = [];
  private readonly bufferIds = new WeakMap<GPUBuffer, number>();
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  /** Completion of each submitted batch not yet waited for, oldest first (see `throttle`). */
  private readonly inFlight: Promise<undefined>[] = [];
  private readonly constants = new Map<string, GPUBuffer>();
  private toDestroy: GPUBuffer[] = [];
  private readonly staging: GPUBuffer[] = [];
  private error: Error | null = null;
  private lastErrorBatch = -1;
  private bytes = 0;
  /** Each deferred check's record, and whether a kernel may have written it since the last read. */
  private readonly checks = new Map<DeferredCheck, { record: GpuHandle; armed: boolean }>();
  /** Counters for the benchmark's "submits and read-backs per step". */
  readonly stats = { submits: 0, readbacks: 0, dispatches: 0, passes: 0 };
  /** Set only inside `dg.profile`: each dispatch then gets its own timed pass. */
  private profiler: GpuProfiler | null = null;

  constructor(readonly gpu: Gpu) {
    this.device = gpu.device;
    this.limits = gpu.device.limits;
    this.device.onuncapturederror = (ev) => {
      // One bad dispatch invalidates its bind group, pass, encoder and submit in turn: report
      // the first error of a batch and drop the echoes.
      if (this.error || this.batch === this.lastErrorBatch) return;
      this.error = new Error(`WebGPU error: ${ev.error.message}`);
      this.lastErrorBatch = this.batch;
    };
    void this.device.lost.then((info) => {
      this.error ??= new Error(`WebGPU device lost (${info.reason}): ${info.message}`);
    });
  }

  /** Throws a device error or loss reported since the last call. */
  check(): void {
    if (this.error) {
      const e = this.error;
      // A lost device stays lost; other errors are reported once.
      if (!e.message.startsWith('WebGPU device lost')) this.error = null;
      throw e;
    }
  }

  /** Compiles every shader in shaders/ (both variants where declared) and reports errors by file and line. */
  async compileAll(): Promise<void> {
    for (const name of listShaders()) {
      for (const variant of ['f32', 'i32'] as const) {
        let src: string;
        try {
          src = shaderSource(name, variant);
        } catch (e) {
          if (variant === 'i32') continue;
          throw e;
        }
        await this.compileModule(name, variant, src);
      }
    }
  }

  async compileModule(name: string, variant: ShaderVariant, source: string): Promise<GPUShaderModule> {
    const module = this.device.createShaderModule({ label: `${name}.wgsl`, code: source });
    const info = await module.getCompilationInfo();
    const err = compileError(name, variant, info.messages);
    // The failed module also raised an uncaptured validation error; the compile error says more.
    if (err) {
      this.error = null;
      throw err;
    }
    this.modules.set(`${name}:${variant}`, module);
    return module;
  }

  private module(name: string, variant: ShaderVariant): GPUShaderModule {
    const key = `${name}:${variant}`;
    let m = this.modules.get(key);
    if (!m) {
      m = this.device.createShaderModule({ label: `${name}.wgsl`, code: shaderSource(name, variant) });
      this.modules.set(key, m);
    }
    return m;
  }

  private pipeline(k: Kernel): { pipeline: GPUComputePipeline; key: string } {
    const variant = k.variant ?? 'f32';
    const key = `${k.shader}:${variant}:${k.entry}:${k.overrides ? JSON.stringify(k.overrides) : ''}`;
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      pipeline = this.device.createComputePipeline({
        label: key,
        layout: 'auto',
        compute: { module: this.module(k.shader, variant), entryPoint: k.entry, constants: k.overrides },
      });
      this.check();
      this.pipelines.set(key, pipeline);
    }
    return { pipeline, key };
  }

  private bufferId(b: GPUBuffer): number {
    let id = this.bufferIds.get(b);
    if (id === undefined) {
      id = this.nextId++;
      this.bufferIds.set(b, id);
    }
    return id;
  }

  // ---- memory -------------------------------------------------------------------------------

  allocatedBytes(): number {
    return this.bytes;
  }

  alloc(size: number, dtype: DType): GpuHandle {
    this.check();
    const need = size * 4;
    if (need > this.limits.maxStorageBufferBindingSize) {
      throw new Error(
        `tensor of ${size} elements (${need} bytes) exceeds this device's maxStorageBufferBindingSize of ` +
        `${this.limits.maxStorageBufferBindingSize} bytes`);
    }
    const cls = sizeClass(need);
    let buffer = this.free.get(cls)?.pop();
    if (!buffer) {
      buffer = this.device.createBuffer({
        size: cls,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      });
      this.bytes += cls;
    }
    return new GpuHandle(buffer, size, dtype, this.bufferId(buffer));
  }

  release(h: GpuHandle): void {
    if (h.lastUse === this.batch && this.encoder) this.deferred.push(h.buffer);
    else this.pool(h.buffer);
  }

  private pool(b: GPUBuffer): void {
    let list = this.free.get(b.size);
    if (!list) this.free.set(b.size, (list = []));
    list.push(b);
  }

  /** Writes host data into a fresh buffer. Safe without ordering concerns: a pooled buffer is
   *  never referenced by the unsubmitted batch (see `release`). */
  upload(data: Float32Array | Int32Array): GpuHandle {
    const h = this.alloc(data.length, data instanceof Int32Array ? 'int32' : 'float32');
    if (data.length > 0) this.device.queue.writeBuffer(h.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    return h;
  }

  /**
   * An immutable buffer holding `words` (shape uniforms, offset tables), cached by content:
   * training loops repeat shapes, so this is almost always a cache hit, and because the buffer
   * never changes no write can race with queued dispatches that read it.
   */
  constant(words: Uint32Array, usage: 'uniform' | 'storage' = 'uniform'): GPUBuffer {
    const key = `${usage}:${words.join(',')}`;
    let b = this.constants.get(key);
    if (b) {
      // Refresh its place in the LRU order.
      this.constants.delete(key);
      this.constants.set(key, b);
      return b;
    }
    b = this.device.createBuffer({
      size: Math.max(MIN_BYTES, Math.ceil(words.byteLength / 16) * 16),
      usage: usage === 'uniform' ? GPUBufferUsage.UNIFORM : GPUBufferUsage.STORAGE,
      mappedAtCreation: true,
    });
    new Uint32Array(b.getMappedRange()).set(words);
    b.unmap();
    this.constants.set(key, b);
    if (this.constants.size > CONSTANT_CACHE_LIMIT) {
      const [oldKey, old] = this.constants.entries().next().value as [string, GPUBuffer];
      this.constants.delete(oldKey);
      // The open batch may still bind it: destroy only after the next submit.
      this.toDestroy.push(old);
    }
    return b;
  }

  // ---- recording -----------------------------------------------------------------------------

  dispatch(k: Kernel, bindings: readonly Binding[], workgroups: readonly [number, number?, number?]): void {
    this.check();
    // Before the bindings are marked as used by this batch, so `release` defers the right ones.
    if (this.profiler?.full) this.flush();
    const { pipeline, key } = this.pipeline(k);
    let bgKey = key;
    const entries: GPUBindGroupEntry[] = [];
    bindings.forEach((b, i) => {
      if (b === undefined) return;
      const buffer = b instanceof GpuHandle ? b.buffer : b;
      if (b instanceof GpuHandle) b.lastUse = this.batch;
      entries.push({ binding: i, resource: { buffer } });
      bgKey += `|${i}:${this.bufferId(buffer)}`;
    });
    let bindGroup = this.bindGroups.get(bgKey);
    if (!bindGroup) {
      bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
      // Dawn reports creation errors as they happen: throw before recording, so one bad call
      // does not invalidate the whole batch of queued work around it.
      this.check();
      if (this.bindGroups.size >= BIND_GROUP_CACHE_LIMIT) {
        this.bindGroups.clear();
        collectGarbage();
      }
      this.bindGroups.set(bgKey, bindGroup);
    }
    const pass = this.profiler ? this.timedPass(this.profiler, k, workgroups) : this.computePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    const [x, y = 1, z = 1] = workgroups;
    if (x > 0 && y > 0 && z > 0) pass.dispatchWorkgroups(x, y, z);
    if (this.profiler) pass.end();
    this.stats.dispatches++;
    if (++this.dispatchesInBatch >= MAX_DISPATCHES_PER_SUBMIT) this.flush();
  }

  private computePass(): GPUComputePassEncoder {
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    if (!this.pass) {
      this.pass = this.encoder.beginComputePass();
      this.stats.passes++;
    }
    return this.pass;
  }

  /** Profiling: the dispatch's own pass, with timestamps written at its beginning and end. */
  private timedPass(p: GpuProfiler, k: Kernel, workgroups: readonly [number, number?, number?]): GPUComputePassEncoder {
    this.encoder ??= this.device.createCommandEncoder();
    this.stats.passes++;
    return this.encoder.beginComputePass({ timestampWrites: p.writes(dispatchLabel(k, p.group, workgroups)) });
  }

  /** Enters profiling mode (see profiler.ts): every dispatch from here on is timed by `p`. */
  startProfiling(p: GpuProfiler): void {
    if (this.profiler) throw new Error('profile: a profile is already running; profile() calls cannot be nested or overlap');
    // Work queued before the profile is submitted untimed, and the shared pass is closed.
    this.flush();
    this.profiler = p;
  }

  /** Submits the profiled work with its timestamps' resolve, and returns to the shared pass. */
  stopProfiling(): void {
    try {
      this.flush();
    } finally {
      this.profiler = null;
    }
  }

  /** Submits everything recorded so far. */
  flush(): void {
    if (!this.encoder) return;
    this.pass?.end();
    this.pass = null;
    this.profiler?.resolve(this.encoder);
    this.device.queue.submit([this.encoder.finish()]);
    this.inFlight.push(this.device.queue.onSubmittedWorkDone());
    // Without throttle() calls, only the newest are worth keeping.
    if (this.inFlight.length > 64) this.inFlight.shift();
    this.profiler?.submitted();
    this.stats.submits++;
    this.encoder = null;
    this.dispatchesInBatch = 0;
    this.batch++;
    for (const b of this.deferred) this.pool(b);
    this.deferred = [];
    for (const b of this.toDestroy) b.destroy();
    this.toDestroy = [];
  }

  /** Waits (without a read-back) until at most MAX_SUBMITS_IN_FLIGHT submitted batches are
   *  unfinished; see Backend.throttle. */
  async throttle(): Promise<void> {
    while (this.inFlight.length > MAX_SUBMITS_IN_FLIGHT) await this.inFlight.shift();
    this.check();
  }

  /** Copies a tensor back to the host: the one place that waits for the GPU. */
  async readBuffer(h: GpuHandle): Promise<ArrayBuffer> {
    return (await this.readBuffers([h]))[0]!;
  }

  /** Copies several tensors back with one submit and one wait (a read plus a side check, such
   *  as the loss kernels' bad-label flag, costs no extra round trip). */
  async readBuffers(hs: readonly GpuHandle[]): Promise<ArrayBuffer[]> {
    this.check();
    this.pass?.end();
    this.pass = null;
    this.encoder ??= this.device.createCommandEncoder();
    const copies = hs.map((h) => {
      const bytes = Math.max(MIN_BYTES, h.size * 4);
      const idx = this.staging.findIndex((s) => s.size >= bytes && s.size <= 4 * bytes);
      const staging = idx >= 0 ? this.staging.splice(idx, 1)[0]! : this.device.createBuffer({
        size: sizeClass(bytes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
      h.lastUse = this.batch;
      this.encoder!.copyBufferToBuffer(h.buffer, 0, staging, 0, Math.ceil(bytes / 4) * 4);
      return { h, bytes, staging };
    });
    this.flush();
    this.stats.readbacks++;
    try {
      await Promise.all(copies.map((c) => c.staging.mapAsync(GPUMapMode.READ, 0, c.bytes)));
    } catch (e) {
      this.check();
      throw e;
    }
    const outs = copies.map(({ h, bytes, staging }) => {
      const out = staging.getMappedRange(0, bytes).slice(0, h.size * 4);
      staging.unmap();
      this.staging.push(staging);
      return out;
    });
    this.check();
    return outs;
  }

  /** The record `check`'s kernels write to (created on first use), armed so that the next
   *  `readChecked` fetches it. */
  checkRecord(check: DeferredCheck): GpuHandle {
    let c = this.checks.get(check);
    if (!c) {
      c = { record: this.upload(check.clean), armed: false };
      this.checks.set(check, c);
    }
    c.armed = true;
    return c.record;
  }

  /** Reads h back together with the records of the checks armed since the last read, in one
   *  round trip, and throws the first error they hold. Each error is thrown once: its record is
   *  reset, and another check's error stays armed for the next read. */
  async readChecked(h: GpuHandle): Promise<ArrayBuffer> {
    const armed = [...this.checks].filter(([, c]) => c.armed);
    // Disarmed before the wait, so that a kernel queued meanwhile re-arms its check.
    for (const [, c] of armed) c.armed = false;
    const [bytes, ...records] = await this.readBuffers([h, ...armed.map(([, c]) => c.record)]);
    let first: Error | null = null;
    for (const [i, [check, c]] of armed.entries()) {
      const error = check.decode(new Int32Array(records[i]!));
      if (!error) continue;
      if (first) {
        c.armed = true;
        continue;
      }
      first = error;
      this.device.queue.writeBuffer(c.record.buffer, 0, check.clean);
    }
    if (first) throw first;
    return bytes!;
  }

  /** Frees pooled buffers that no tensor holds (after a large model is dropped, say). */
  emptyCache(): void {
    this.flush();
    for (const list of this.free.values()) {
      for (const b of list) {
        this.bytes -= b.size;
        b.destroy();
      }
    }
    this.free.clear();
    this.bindGroups.clear();
  }
}

