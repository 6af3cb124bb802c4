// The GPU runtime: buffer pool, pipeline/bind-group/constant caches, and the batching of
// dispatches into few submits. Nothing here waits for the GPU except `readBuffer` (a read-back)
// and `throttle` (completion of older submits, for loops that would otherwise run far ahead).
import { collectGarbage } from './collectGarbage.js';
import type { DType, Handle } from '../backend.js';
import { type DeferredCheck, mergeDeps, NO_DEPS, PendingCheck, takeError } from './deferredCheck.js';
import type { Gpu } from './device.js';
import { bindingSlots, compileError, listShaders, type ShaderVariant, shaderSource, writableBindings } from './shaders.js';
import { withTimeout } from './timeout.js';
import { checkFinite, NO_BAD_OP } from './kernels/numerics.js';
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
  /** The deferred checks of the calls this buffer's contents were computed from. */
  deps: readonly PendingCheck[] = NO_DEPS;
  /** Set when this buffer is a check's record rather than a tensor. */
  recordOf: PendingCheck | null = null;
}

export type { DeferredCheck } from './deferredCheck.js';

export interface Kernel {
  shader: string;
  entry: string;
  variant?: ShaderVariant;
  overrides?: Record<string, number>;
}

/** Bound where an entry point mentions a binding that this call leaves untouched (no bias, no
 *  mask, momentum 0): pipelines use layout 'auto', which lists every binding the entry
 *  mentions, even one used only behind an override constant that is off. */
export const UNUSED: unique symbol = Symbol('unused binding');

/** A binding: a tensor handle, a constant buffer from `constant()`, UNUSED, or nothing (a slot
 *  the entry point does not mention). */
export type Binding = GpuHandle | GPUBuffer | typeof UNUSED | undefined;

/** A dispatch's bindings: by slot number, or by the WGSL variable's name. */
export type Bindings = readonly Binding[] | Readonly<Record<string, Binding>>;

const MIN_BYTES = 16;
/** A placeholder's size: the smallest size class, enough for any binding's minimum size here. */
const PLACEHOLDER_BYTES = 256;
/** Dispatches recorded before a submit is forced; bounds memory held by deferred releases. */
const MAX_DISPATCHES_PER_SUBMIT = 512;
const CONSTANT_CACHE_LIMIT = 4096;
/** Read-back buffers kept per size class, and in all: reads in flight at once are few. */
const STAGING_PER_CLASS = 4;
const STAGING_LIMIT_BYTES = 64 * 1024 * 1024;
/** Free transient uniforms kept per size: as many as one batch used at most, in practice. */
const TRANSIENT_PER_SIZE = 64;
/** `throttle` waits until at most this many submitted batches are unfinished. Two keep the
 *  device busy (one running, one queued) while the host records the next. */
const MAX_SUBMITS_IN_FLIGHT = 2;
/** When the bind-group cache is this full it is emptied and a garbage collection frees the
 *  dropped groups' native descriptor sets (see collectGarbage.ts). */
const BIND_GROUP_CACHE_LIMIT = 4096;
/** Checked calls of one kind between two read-backs that get a record of their own; later
 *  ones share the newest, so a loop that never reads holds a bounded number of records. */
const RECORDS_PER_CHECK = 256;
/** Ops checked by checkNumerics between two read-backs that are told apart; later ones share one name. */
const NAMED_CHECKS = 65536;
/** Free buffers kept for reuse by default; beyond it released buffers are destroyed. */
export const DEFAULT_POOL_LIMIT_BYTES = 1 << 30;
/** A device that has not finished a read-back or a submitted batch in this long is hung. */
export const DEFAULT_WAIT_TIMEOUT_MS = 120_000;

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
  private readonly layouts = new Map<string, GPUBindGroupLayout>();
  /** Completion of each submitted batch not yet waited for, oldest first (see `throttle`). */
  private readonly inFlight: Promise<undefined>[] = [];
  private readonly constants = new Map<string, GPUBuffer>();
  /** transientUniform's buffers: bound by the open batch (by content), and free (by size). */
  private readonly transientInBatch = new Map<string, GPUBuffer>();
  private readonly transientFree = new Map<number, GPUBuffer[]>();
  private toDestroy: GPUBuffer[] = [];
  /** Free read-back buffers by size class (see takeStaging). */
  private readonly staging = new Map<number, GPUBuffer[]>();
  private stagingBytes = 0;
  private error: Error | null = null;
  private lastErrorBatch = -1;
  private bytes = 0;
  /** Bytes of free buffers: pooled, or released and waiting for the open batch's submit. */
  private pooled = 0;
  /** Free buffers beyond this many bytes are destroyed rather than pooled (`dg.init`'s `poolLimitBytes`). */
  poolLimitBytes = DEFAULT_POOL_LIMIT_BYTES;
  /** How long a read-back or `throttle` waits for the device before it is declared hung. */
  waitTimeoutMs = DEFAULT_WAIT_TIMEOUT_MS;
  /** Checked calls whose records the next read-back brings back, by kind. */
  private readonly pending = new Map<DeferredCheck, { check: PendingCheck; record: GpuHandle }[]>();
  /** checkNumerics since the last read-back: the record of the first bad op, and each op's description. */
  private numerics: { record: GpuHandle; ops: string[] } | null = null;
  /** placeholder()'s buffers, by binding slot. */
  private readonly placeholders: GPUBuffer[] = [];
  /** Which slots each pipeline's kernel writes, by pipeline key. */
  private readonly writes = new Map<string, ReadonlySet<number>>();
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
      this.lost = new Error(
        `WebGPU device lost (${info.reason}): ${info.message || 'no message'}. Tensors made on it are lost with it; ` +
        '`await dg.init()` opens a new device');
    });
  }

  /** Set once the device is lost; kept (and thrown by every call) from then on. */
  lost: Error | null = null;

  /** Throws the device's loss, else a device error reported since the last call (once). */
  check(): void {
    if (this.lost) throw this.lost;
    if (this.error) {
      const e = this.error;
      this.error = null;
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
      this.writes.set(key, writableBindings(k.shader, variant));
    }
    return { pipeline, key };
  }

  /** The pipeline's bind-group layout, asked of Dawn once: each getBindGroupLayout call makes a
   *  new wrapper (JavaScript and native), and a new bind group is made on every cache miss. */
  private layout(key: string, pipeline: GPUComputePipeline): GPUBindGroupLayout {
    let layout = this.layouts.get(key);
    if (!layout) this.layouts.set(key, (layout = pipeline.getBindGroupLayout(0)));
    return layout;
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

  /** Bytes held for reuse by the pool (free, not owned by any tensor). */
  pooledBytes(): number {
    return this.pooled;
  }

  /**
   * How many objects each cache holds (npm run soak and the runtime tests read it). Bind groups
   * are bounded by BIND_GROUP_CACHE_LIMIT and constants by CONSTANT_CACHE_LIMIT; in a steady
   * training loop constants, staging and transient buffers stop changing after the first steps.
   */
  cacheSizes(): { bindGroups: number; constants: number; staging: number; transients: number; pipelines: number } {
    let staging = 0;
    for (const list of this.staging.values()) staging += list.length;
    let transients = this.transientInBatch.size;
    for (const list of this.transientFree.values()) transients += list.length;
    return { bindGroups: this.bindGroups.size, constants: this.constants.size, staging, transients, pipelines: this.pipelines.size };
  }

  alloc(size: number, dtype: DType): GpuHandle {
    this.check();
    const need = size * 4;
    if (need > this.limits.maxStorageBufferBindingSize) {
      throw new Error(
        `tensor of ${size} elements (${need} bytes) exceeds this device's maxStorageBufferBindingSize of ` +
        `${this.limits.maxStorageBufferBindingSize} bytes (${this.bytes - this.pooled} bytes live in tensors, ${this.pooled} pooled)`);
    }
    const cls = sizeClass(need);
    let buffer = this.free.get(cls)?.pop();
    if (buffer) this.pooled -= cls;
    else buffer = this.createStorage(cls);
    return new GpuHandle(buffer, size, dtype, this.bufferId(buffer));
  }

  /**
   * A new storage buffer, created inside an out-of-memory error scope. Dawn reports the scope's
   * error only asynchronously, so a refusal surfaces at the next check (the next call into the
   * runtime), naming the request and what was live; the engine keeps working afterwards.
   */
  private createStorage(cls: number): GPUBuffer {
    const live = this.bytes - this.pooled;
    this.device.pushErrorScope('out-of-memory');
    const buffer = this.device.createBuffer({
      size: cls,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    void this.device.popErrorScope().then((e) => {
      if (!e) return;
      this.error ??= new Error(
        `alloc: the device is out of memory: a buffer of ${cls} bytes was refused while ${live} bytes were ` +
        `live in tensors and ${this.pooled} pooled (${e.message}); free tensors or call dg.emptyCache()`);
    }, () => undefined);
    this.bytes += cls;
    return buffer;
  }

  release(h: GpuHandle): void {
    this.pooled += h.buffer.size;
    if (h.lastUse === this.batch && this.encoder) this.deferred.push(h.buffer);
    else this.pool(h.buffer);
  }

  /** Keeps a free buffer for reuse, or destroys it once the pool holds `poolLimitBytes`. The
   *  buffer is no longer bound by unsubmitted work; Dawn frees it after submitted work is done. */
  private pool(b: GPUBuffer): void {
    if (this.pooled > this.poolLimitBytes) {
      this.pooled -= b.size;
      this.bytes -= b.size;
      b.destroy();
      return;
    }
    let list = this.free.get(b.size);
    if (!list) this.free.set(b.size, (list = []));
    list.push(b);
  }

  /**
   * What UNUSED binds in `slot`: a small buffer the kernel never reads or writes, made once per
   * slot and held for the runtime's life. One per slot, because WebGPU forbids one buffer in a
   * writable slot and any other slot of the same dispatch; storage buffers are untyped, so one
   * serves every element type.
   */
  private placeholder(slot: number): GPUBuffer {
    let b = this.placeholders[slot];
    if (!b) b = this.placeholders[slot] = this.createStorage(PLACEHOLDER_BYTES);
    return b;
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

  /**
   * A uniform whose words change from step to step (an optimizer's step count and bias
   * corrections). `constant` would create a buffer, and so a bind group per parameter, for every
   * step: thousands of dead buffers and native descriptor sets until the caches cycle. These few
   * buffers are rewritten instead. One handed out is bound only by the open batch, and
   * queue.writeBuffer is ordered after every batch already submitted, so once the open batch is
   * submitted the buffer can take the next step's words; in a steady loop the same buffer comes
   * back each step, and the bind groups that use it are cache hits.
   */
  transientUniform(words: Uint32Array): GPUBuffer {
    const key = words.join(',');
    let b = this.transientInBatch.get(key);
    if (b) return b;
    const size = Math.max(MIN_BYTES, Math.ceil(words.byteLength / 16) * 16);
    b = this.transientFree.get(size)?.pop() ?? this.device.createBuffer({ size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.device.queue.writeBuffer(b, 0, words.buffer, words.byteOffset, words.byteLength);
    this.transientInBatch.set(key, b);
    return b;
  }

  /** After a submit: the batch's transient uniforms may be rewritten (see transientUniform). */
  private recycleTransients(): void {
    for (const b of this.transientInBatch.values()) {
      let list = this.transientFree.get(b.size);
      if (!list) this.transientFree.set(b.size, (list = []));
      if (list.length < TRANSIENT_PER_SIZE) list.push(b);
      else b.destroy();
    }
    this.transientInBatch.clear();
  }

  // ---- recording -----------------------------------------------------------------------------

  dispatch(k: Kernel, named: Bindings, workgroups: readonly [number, number?, number?]): void {
    this.check();
    // (Array.isArray does not narrow a readonly array type.)
    const bindings = Array.isArray(named) ? named as readonly Binding[] : this.bySlot(k.shader, named as Readonly<Record<string, Binding>>);
    // Before the bindings are marked as used by this batch, so `release` defers the right ones.
    if (this.profiler?.full) this.flush();
    const { pipeline, key } = this.pipeline(k);
    let bgKey = key;
    const entries: GPUBindGroupEntry[] = [];
    const writes = this.writes.get(key)!;
    let deps = NO_DEPS;
    bindings.forEach((b, i) => {
      if (b === undefined) return;
      const buffer = b === UNUSED ? this.placeholder(i) : b instanceof GpuHandle ? b.buffer : b;
      if (b instanceof GpuHandle) {
        b.lastUse = this.batch;
        if (b.recordOf) deps = mergeDeps(deps, [b.recordOf]);
        else if (!writes.has(i)) deps = mergeDeps(deps, b.deps);
      }
      entries.push({ binding: i, resource: { buffer } });
      bgKey += `|${i}:${this.bufferId(buffer)}`;
    });
    // What the kernel writes now depends on the checks of everything it read.
    if (deps.length > 0) {
      bindings.forEach((b, i) => {
        if (b instanceof GpuHandle && !b.recordOf && writes.has(i)) b.deps = mergeDeps(b.deps, deps);
      });
    }
    let bindGroup = this.bindGroups.get(bgKey);
    if (!bindGroup) {
      bindGroup = this.device.createBindGroup({ layout: this.layout(key, pipeline), entries });
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

  /** Named bindings as the array by slot that `dispatch` walks. */
  private bySlot(shader: string, named: Readonly<Record<string, Binding>>): Binding[] {
    const slots = bindingSlots(shader);
    const out: Binding[] = [];
    for (const [name, b] of Object.entries(named)) {
      const slot = slots.get(name);
      if (slot === undefined) throw new Error(`dispatch: shaders/${shader}.wgsl has no binding '${name}' (it has ${[...slots.keys()].join(', ')})`);
      out[slot] = b;
    }
    return out;
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
    this.inFlight.push(this.device.queue.onSubmittedWorkDone() as Promise<undefined>);
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
    this.recycleTransients();
  }

  /** Waits (without a read-back) until at most MAX_SUBMITS_IN_FLIGHT submitted batches are
   *  unfinished; see Backend.throttle. */
  async throttle(): Promise<void> {
    while (this.inFlight.length > MAX_SUBMITS_IN_FLIGHT) {
      await withTimeout(this.inFlight.shift()!, this.waitTimeoutMs, 'throttle: a submitted batch');
    }
    this.check();
  }

  /** Copies a tensor back to the host: the one place that waits for the GPU. */
  async readBuffer(h: GpuHandle): Promise<ArrayBuffer> {
    return (await this.readBuffers([h]))[0]!;
  }

  /** Copies several tensors back with one submit and one wait (a read plus a side check, such
   *  as the loss kernels' bad-label flag, costs no extra round trip). All of them go into one
   *  staging buffer, so a read of many small records maps once. */
  async readBuffers(hs: readonly GpuHandle[]): Promise<ArrayBuffer[]> {
    this.check();
    this.pass?.end();
    this.pass = null;
    this.encoder ??= this.device.createCommandEncoder();
    // mapAsync wants offsets in multiples of 8; copies want multiples of 4.
    let total = 0;
    const offsets = hs.map((h) => {
      const at = total;
      total += Math.ceil(Math.max(MIN_BYTES, h.size * 4) / 8) * 8;
      return at;
    });
    const staging = this.takeStaging(total);
    hs.forEach((h, i) => {
      h.lastUse = this.batch;
      if (h.size > 0) this.encoder!.copyBufferToBuffer(h.buffer, 0, staging, offsets[i]!, h.size * 4);
    });
    this.flush();
    this.stats.readbacks++;
    try {
      await withTimeout(staging.mapAsync(GPUMapMode.READ, 0, total), this.waitTimeoutMs, 'read: the copy of a tensor back to the host');
    } catch (e) {
      // A failed map leaves the buffer in an unknown state: not reused.
      staging.destroy();
      this.check();
      throw e;
    }
    const mapped = staging.getMappedRange(0, total);
    const outs = hs.map((h, i) => mapped.slice(offsets[i]!, offsets[i]! + h.size * 4));
    staging.unmap();
    this.giveBackStaging(staging);
    this.check();
    return outs;
  }

  /** A MAP_READ buffer of at least `bytes`, reused by size class: a training loop reads the same
   *  few sizes (its loss, a metric, the checks' records) over and over. */
  private takeStaging(bytes: number): GPUBuffer {
    const cls = sizeClass(bytes);
    const reused = this.staging.get(cls)?.pop();
    if (reused) {
      this.stagingBytes -= cls;
      return reused;
    }
    return this.device.createBuffer({ size: cls, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  /** Keeps a staging buffer for the next read of its size class, up to a few of each and
   *  STAGING_LIMIT_BYTES in all (a one-off read of a large tensor is not kept). */
  private giveBackStaging(b: GPUBuffer): void {
    let list = this.staging.get(b.size);
    if (!list) this.staging.set(b.size, (list = []));
    if (list.length >= STAGING_PER_CLASS || this.stagingBytes + b.size > STAGING_LIMIT_BYTES) {
      b.destroy();
      return;
    }
    list.push(b);
    this.stagingBytes += b.size;
  }

  /**
   * A record for one checked call of `check`'s kernels to write; the buffers they write depend
   * on it (see deferredCheck.ts). The next read-back of any tensor fetches it.
   */
  checkRecord(check: DeferredCheck): GpuHandle {
    let list = this.pending.get(check);
    if (!list) this.pending.set(check, (list = []));
    if (list.length >= RECORDS_PER_CHECK) return list[list.length - 1]!.record;
    const record = this.upload(check.clean);
    record.recordOf = new PendingCheck(check);
    list.push({ check: record.recordOf, record });
    return record;
  }

  /** Queues the NaN/Inf check of an op's output (dg.debug checkNumerics); the next read-back of
   *  any tensor reports the first op, in call order, whose output was not finite. */
  checkNumerics(h: GpuHandle, describe: string): void {
    this.numerics ??= { record: this.upload(Int32Array.of(NO_BAD_OP | 0)), ops: [] };
    const { record, ops } = this.numerics;
    if (ops.length < NAMED_CHECKS) ops.push(describe);
    else ops[NAMED_CHECKS] = `an op after the first ${NAMED_CHECKS} since the last read (read a value more often to name it)`;
    checkFinite(this, h, Math.min(ops.length - 1, NAMED_CHECKS), record);
  }

  /** Reads h back, and in the same round trip every pending check's record. Throws the first
   *  error among the checks h depends on; other checks' errors wait for a read that depends on them. */
  async readChecked(h: GpuHandle): Promise<ArrayBuffer> {
    const pending = [...this.pending.values()].flat();
    const numerics = this.numerics;
    // Taken before the wait, so that calls queued meanwhile get records of the next read.
    this.pending.clear();
    this.numerics = null;
    const extra = numerics ? [numerics.record] : [];
    let bytes: ArrayBuffer;
    let records: ArrayBuffer[];
    try {
      [bytes, ...records] = await this.readBuffers([h, ...pending.map((p) => p.record), ...extra]) as [ArrayBuffer, ...ArrayBuffer[]];
    } finally {
      for (const p of pending) this.release(p.record);
      if (numerics) this.release(numerics.record);
    }
    pending.forEach((p, i) => p.check.settle(new Int32Array(records[i]!)));
    if (numerics) {
      const first = new Uint32Array(records[pending.length]!)[0]!;
      if (first !== NO_BAD_OP) throw new Error(`checkNumerics: ${numerics.ops[first]} produced NaN or Inf`);
    }
    const error = takeError(h.deps);
    if (error) throw error;
    return bytes;
  }

  /** Frees pooled buffers that no tensor holds (after a large model is dropped, say). */
  emptyCache(): void {
    this.flush();
    for (const list of this.free.values()) {
      for (const b of list) {
        this.bytes -= b.size;
        this.pooled -= b.size;
        b.destroy();
      }
    }
    this.free.clear();
    for (const list of this.staging.values()) for (const b of list) b.destroy();
    this.staging.clear();
    this.stagingBytes = 0;
    for (const list of this.transientFree.values()) for (const b of list) b.destroy();
    this.transientFree.clear();
    this.bindGroups.clear();
  }
}

