// The WebGPU backend: every Backend method is a kernel dispatch recorded by the runtime.
import type {
  Backend, BinaryOp, CompareOp, DType, HostArray, MatmulSpec, OptimHyper, OptimKind, ReduceOp, TypedArray, UnaryOp, View,
} from '../backend.js';
import type { Conv2dSpec, Pool2dSpec } from '../cnnSpecs.js';
import type { ClassLossSpec } from '../lossSpec.js';
import { autotuneMatmul } from './autotune.js';
import { type Gpu, requestGpu } from './device.js';
import * as ew from './kernels/elementwise.js';
import * as layout from './kernels/layout.js';
import { optimStep } from './kernels/optim.js';
import { takeRows } from './kernels/take.js';
import { matmul } from './kernels/matmul.js';
import * as red from './kernels/reduce.js';
import * as conv from './kernels/conv2d.js';
import * as emb from './kernels/embedding.js';
import * as lstm from './kernels/lstm.js';
import * as gru from './kernels/gru.js';
import type { LstmForward, LstmGrads, LstmSaved, LstmSpec } from '../lstmSpec.js';
import type { GruForward, GruGrads, GruSaved, GruSpec } from '../gruSpec.js';
import * as loss from './kernels/loss.js';
import * as pool from './kernels/pool.js';
import * as norm from './kernels/norm.js';
import type { NormGrads, NormSpec, RunningStats } from '../normSpec.js';
import type { ProfileGroup, ProfileSession } from '../profileSpec.js';
import { DEFAULT_QUERY_CAPACITY, GpuProfiler, timestampSupportError } from './profiler.js';
import { GpuHandle, GpuRuntime } from './runtime.js';

export class WebGpuBackend implements Backend<GpuHandle> {
  readonly name = 'webgpu' as const;
  constructor(readonly rt: GpuRuntime) {}

  /** Null when the machine has no WebGPU adapter. */
  static async create(): Promise<WebGpuBackend | null> {
    const gpu: Gpu | null = await requestGpu();
    if (!gpu) return null;
    const rt = new GpuRuntime(gpu);
    await rt.compileAll();
    await autotuneMatmul(rt);
    return new WebGpuBackend(rt);
  }

  get lost(): boolean {
    return this.rt.lost !== null;
  }

  configure(options: { poolLimitBytes?: number; waitTimeoutMs?: number }): void {
    if (options.poolLimitBytes !== undefined) this.rt.poolLimitBytes = options.poolLimitBytes;
    if (options.waitTimeoutMs !== undefined) this.rt.waitTimeoutMs = options.waitTimeoutMs;
  }

  startProfiling(by: ProfileGroup, queryCapacity = DEFAULT_QUERY_CAPACITY): ProfileSession {
    const rt = this.rt;
    const unsupported = timestampSupportError(rt.device.features as ReadonlySet<string>, rt.gpu.adapter.info.description || rt.gpu.adapter.info.device);
    if (unsupported) throw unsupported;
    const profiler = new GpuProfiler(rt.device, by, queryCapacity);
    rt.startProfiling(profiler);
    return {
      stop: () => {
        rt.stopProfiling();
        return profiler.finish();
      },
    };
  }

  upload(data: HostArray): GpuHandle {
    return this.rt.upload(data instanceof Float64Array ? Float32Array.from(data) : data);
  }
  empty(size: number, dtype: DType): GpuHandle { return this.rt.alloc(size, dtype); }
  fill(size: number, value: number, dtype: DType): GpuHandle { return layout.fill(this.rt, size, value, dtype); }
  async read(x: GpuHandle): Promise<TypedArray> {
    const bytes = await this.rt.readChecked(x);
    return x.dtype === 'int32' ? new Int32Array(bytes) : new Float32Array(bytes);
  }
  throttle(): Promise<void> { return this.rt.throttle(); }
  release(x: GpuHandle): void { this.rt.release(x); }
  allocatedBytes(): number { return this.rt.allocatedBytes(); }
  pooledBytes(): number { return this.rt.pooledBytes(); }
  emptyCache(): void { this.rt.emptyCache(); }
  checkNumerics(x: GpuHandle, describe: string): void { this.rt.checkNumerics(x, describe); }

  unary(op: UnaryOp, x: GpuHandle, param: number): GpuHandle { return ew.unary(this.rt, op, x, undefined, param); }
  unaryGrad(op: UnaryOp, x: GpuHandle, dy: GpuHandle, param: number): GpuHandle { return ew.unary(this.rt, op, x, dy, param); }
  binary(op: BinaryOp, a: GpuHandle, aView: View, b: GpuHandle, bView: View, outShape: readonly number[]): GpuHandle {
    return ew.binary(this.rt, op, a, aView, b, bView, outShape);
  }
  compare(op: CompareOp, a: GpuHandle, aView: View, b: GpuHandle, bView: View, outShape: readonly number[]): GpuHandle {
    return ew.compare(this.rt, op, a, aView, b, bView, outShape);
  }
  where(cond: GpuHandle, a: GpuHandle, b: GpuHandle): GpuHandle { return ew.where(this.rt, cond, a, b); }
  reduce(op: ReduceOp, x: GpuHandle, outer: number, len: number, inner: number): GpuHandle {
    return red.reduce(this.rt, op, x, outer, len, inner);
  }
  softmax(x: GpuHandle, rows: number, len: number, log: boolean): GpuHandle { return red.softmax(this.rt, x, rows, len, log); }
  matmul(a: GpuHandle, b: GpuHandle, spec: MatmulSpec): GpuHandle { return matmul(this.rt, a, b, spec); }
  gather(x: GpuHandle, view: View): GpuHandle { return layout.gather(this.rt, x, view); }
  scatter(dst: GpuHandle, src: GpuHandle, view: View): void { layout.scatter(this.rt, dst, src, view); }
  cast(x: GpuHandle, dtype: DType): GpuHandle { return layout.cast(this.rt, x, dtype); }
  conv2d(x: GpuHandle, w: GpuHandle, bias: GpuHandle | null, spec: Conv2dSpec): GpuHandle {
    return conv.conv2d(this.rt, x, w, bias, spec);
  }
  conv2dBackwardInput(dy: GpuHandle, w: GpuHandle, spec: Conv2dSpec): GpuHandle { return conv.conv2dBackwardInput(this.rt, dy, w, spec); }
  conv2dBackwardWeight(dy: GpuHandle, x: GpuHandle, spec: Conv2dSpec): GpuHandle { return conv.conv2dBackwardWeight(this.rt, dy, x, spec); }
  maxPool2d(x: GpuHandle, spec: Pool2dSpec, withArgmax: boolean): [GpuHandle, GpuHandle | null] { return pool.maxPool2d(this.rt, x, spec, withArgmax); }
  maxPool2dBackward(dy: GpuHandle, argmax: GpuHandle, spec: Pool2dSpec): GpuHandle { return pool.maxPool2dBackward(this.rt, dy, argmax, spec); }
  avgPool2d(x: GpuHandle, spec: Pool2dSpec): GpuHandle { return pool.avgPool2d(this.rt, x, spec); }
  avgPool2dBackward(dy: GpuHandle, spec: Pool2dSpec): GpuHandle { return pool.avgPool2dBackward(this.rt, dy, spec); }
  classLoss(x: GpuHandle, labels: GpuHandle, weight: GpuHandle | null, spec: ClassLossSpec, reduction: 'sum' | 'none'): GpuHandle {
    return loss.classLoss(this.rt, x, labels, weight, spec, reduction);
  }
  classLossBackward(x: GpuHandle, labels: GpuHandle, weight: GpuHandle | null, dy: GpuHandle, spec: ClassLossSpec, scale: number, gStride: number): GpuHandle {
    return loss.classLossBackward(this.rt, x, labels, weight, dy, spec, scale, gStride);
  }
  lstmForward(xGates: GpuHandle, h0: GpuHandle, c0: GpuHandle, wHh: GpuHandle, mask: GpuHandle | null, spec: LstmSpec): LstmForward<GpuHandle> {
    return lstm.lstmForward(this.rt, xGates, h0, c0, wHh, mask, spec);
  }
  lstmBackward(dOut: GpuHandle, wHh: GpuHandle, fwd: LstmSaved<GpuHandle>, mask: GpuHandle | null, spec: LstmSpec): LstmGrads<GpuHandle> {
    return lstm.lstmBackward(this.rt, dOut, wHh, fwd, mask, spec);
  }
  gruForward(xGates: GpuHandle, h0: GpuHandle, wHh: GpuHandle, bHh: GpuHandle, mask: GpuHandle | null, spec: GruSpec): GruForward<GpuHandle> {
    return gru.gruForward(this.rt, xGates, h0, wHh, bHh, mask, spec);
  }
  gruBackward(dOut: GpuHandle, wHh: GpuHandle, fwd: GruSaved<GpuHandle>, mask: GpuHandle | null, spec: GruSpec): GruGrads<GpuHandle> {
    return gru.gruBackward(this.rt, dOut, wHh, fwd, mask, spec);
  }
  normStats(x: GpuHandle, spec: NormSpec, running: RunningStats<GpuHandle> | null): GpuHandle {
    return norm.normStats(this.rt, x, spec, running);
  }
  runningNormStats(mean: GpuHandle, variance: GpuHandle, eps: number): GpuHandle { return norm.runningNormStats(this.rt, mean, variance, eps); }
  normForward(x: GpuHandle, stats: GpuHandle, weight: GpuHandle | null, bias: GpuHandle | null, spec: NormSpec): GpuHandle {
    return norm.normForward(this.rt, x, stats, weight, bias, spec);
  }
  normBackward(dy: GpuHandle, x: GpuHandle, stats: GpuHandle, weight: GpuHandle | null, spec: NormSpec, batchStats: boolean, affineGrads: boolean): NormGrads<GpuHandle> {
    return norm.normBackward(this.rt, dy, x, stats, weight, spec, batchStats, affineGrads);
  }
  embedding(weight: GpuHandle, indices: GpuHandle, dim: number): GpuHandle { return emb.embedding(this.rt, weight, indices, dim); }
  embeddingGrad(dOut: GpuHandle, indices: GpuHandle, rows: number, dim: number): GpuHandle {
    return emb.embeddingGrad(this.rt, dOut, indices, rows, dim);
  }
  optimStep(kind: OptimKind, param: GpuHandle, grad: GpuHandle, states: readonly (GpuHandle | null)[], hyper: OptimHyper): void {
    optimStep(this.rt, kind, param, grad, states, hyper);
  }
  takeRows(x: GpuHandle, rowSize: number, indices: GpuHandle): GpuHandle { return takeRows(this.rt, x, rowSize, indices); }
}
