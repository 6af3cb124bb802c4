// The WebGPU backend: every Backend method is a kernel dispatch recorded by the runtime.
import type {
  Backend, BinaryOp, CompareOp, DType, Handle, MatmulSpec, OptimHyper, OptimKind, ReduceOp, TypedArray, UnaryOp, View,
} from '../backend.js';
import type { ClassLossSpec, Conv2dSpec, Pool2dSpec } from '../cnnSpecs.js';
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
import { GpuHandle, GpuRuntime } from './runtime.js';

const g = (x: Handle) => x as GpuHandle;

export class WebGpuBackend implements Backend {
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

  upload(data: TypedArray | Float64Array): Handle {
    return this.rt.upload(data instanceof Float64Array ? Float32Array.from(data) : data);
  }
  empty(size: number, dtype: DType): Handle { return this.rt.alloc(size, dtype); }
  fill(size: number, value: number, dtype: DType): Handle { return layout.fill(this.rt, size, value, dtype); }
  async read(x: Handle): Promise<TypedArray> {
    const bytes = await this.rt.readChecked(g(x));
    return x.dtype === 'int32' ? new Int32Array(bytes) : new Float32Array(bytes);
  }
  throttle(): Promise<void> { return this.rt.throttle(); }
  release(x: Handle): void { this.rt.release(g(x)); }
  allocatedBytes(): number { return this.rt.allocatedBytes(); }
  pooledBytes(): number { return this.rt.pooledBytes(); }
  emptyCache(): void { this.rt.emptyCache(); }
  checkNumerics(x: Handle, describe: string): void { this.rt.checkNumerics(g(x), describe); }

  unary(op: UnaryOp, x: Handle, param: number): Handle { return ew.unary(this.rt, op, g(x), undefined, param); }
  unaryGrad(op: UnaryOp, x: Handle, dy: Handle, param: number): Handle { return ew.unary(this.rt, op, g(x), g(dy), param); }
  binary(op: BinaryOp, a: Handle, aView: View, b: Handle, bView: View, outShape: readonly number[]): Handle {
    return ew.binary(this.rt, op, g(a), aView, g(b), bView, outShape);
  }
  compare(op: CompareOp, a: Handle, aView: View, b: Handle, bView: View, outShape: readonly number[]): Handle {
    return ew.compare(this.rt, op, g(a), aView, g(b), bView, outShape);
  }
  where(cond: Handle, a: Handle, b: Handle): Handle { return ew.where(this.rt, g(cond), g(a), g(b)); }
  reduce(op: ReduceOp, x: Handle, outer: number, len: number, inner: number): Handle {
    return red.reduce(this.rt, op, g(x), outer, len, inner);
  }
  softmax(x: Handle, rows: number, len: number, log: boolean): Handle { return red.softmax(this.rt, g(x), rows, len, log); }
  matmul(a: Handle, b: Handle, spec: MatmulSpec): Handle { return matmul(this.rt, g(a), g(b), spec); }
  gather(x: Handle, view: View): Handle { return layout.gather(this.rt, g(x), view); }
  scatter(dst: Handle, src: Handle, view: View): void { layout.scatter(this.rt, g(dst), g(src), view); }
  cast(x: Handle, dtype: DType): Handle { return layout.cast(this.rt, g(x), dtype); }
  conv2d(x: Handle, w: Handle, bias: Handle | null, spec: Conv2dSpec): Handle {
    return conv.conv2d(this.rt, g(x), g(w), bias ? g(bias) : null, spec);
  }
  conv2dBackwardInput(dy: Handle, w: Handle, spec: Conv2dSpec): Handle { return conv.conv2dBackwardInput(this.rt, g(dy), g(w), spec); }
  conv2dBackwardWeight(dy: Handle, x: Handle, spec: Conv2dSpec): Handle { return conv.conv2dBackwardWeight(this.rt, g(dy), g(x), spec); }
  maxPool2d(x: Handle, spec: Pool2dSpec, withArgmax: boolean): [Handle, Handle | null] { return pool.maxPool2d(this.rt, g(x), spec, withArgmax); }
  maxPool2dBackward(dy: Handle, argmax: Handle, spec: Pool2dSpec): Handle { return pool.maxPool2dBackward(this.rt, g(dy), g(argmax), spec); }
  avgPool2d(x: Handle, spec: Pool2dSpec): Handle { return pool.avgPool2d(this.rt, g(x), spec); }
  avgPool2dBackward(dy: Handle, spec: Pool2dSpec): Handle { return pool.avgPool2dBackward(this.rt, g(dy), spec); }
  classLoss(x: Handle, labels: Handle, weight: Handle | null, spec: ClassLossSpec, reduction: 'sum' | 'none'): Handle {
    return loss.classLoss(this.rt, g(x), g(labels), weight ? g(weight) : null, spec, reduction);
  }
  classLossBackward(x: Handle, labels: Handle, weight: Handle | null, dy: Handle, spec: ClassLossSpec, scale: number, gStride: number): Handle {
    return loss.classLossBackward(this.rt, g(x), g(labels), weight ? g(weight) : null, g(dy), spec, scale, gStride);
  }
  lstmForward(xGates: Handle, h0: Handle, c0: Handle, wHh: Handle, mask: Handle | null, spec: LstmSpec): LstmForward {
    return lstm.lstmForward(this.rt, g(xGates), g(h0), g(c0), g(wHh), mask ? g(mask) : null, spec);
  }
  lstmBackward(dOut: Handle, wHh: Handle, fwd: LstmSaved, mask: Handle | null, spec: LstmSpec): LstmGrads {
    const saved = { states: g(fwd.states), cells: g(fwd.cells), gates: g(fwd.gates) };
    return lstm.lstmBackward(this.rt, g(dOut), g(wHh), saved, mask ? g(mask) : null, spec);
  }
  gruForward(xGates: Handle, h0: Handle, wHh: Handle, bHh: Handle, mask: Handle | null, spec: GruSpec): GruForward {
    return gru.gruForward(this.rt, g(xGates), g(h0), g(wHh), g(bHh), mask ? g(mask) : null, spec);
  }
  gruBackward(dOut: Handle, wHh: Handle, fwd: GruSaved, mask: Handle | null, spec: GruSpec): GruGrads {
    return gru.gruBackward(this.rt, g(dOut), g(wHh), { states: g(fwd.states), gates: g(fwd.gates) }, mask ? g(mask) : null, spec);
  }
  normStats(x: Handle, spec: NormSpec, running: RunningStats | null): Handle {
    return norm.normStats(this.rt, g(x), spec, running && { mean: g(running.mean), var: g(running.var), count: running.count ? g(running.count) : null, momentum: running.momentum });
  }
  runningNormStats(mean: Handle, variance: Handle, eps: number): Handle { return norm.runningNormStats(this.rt, g(mean), g(variance), eps); }
  normForward(x: Handle, stats: Handle, weight: Handle | null, bias: Handle | null, spec: NormSpec): Handle {
    return norm.normForward(this.rt, g(x), g(stats), weight ? g(weight) : null, bias ? g(bias) : null, spec);
  }
  normBackward(dy: Handle, x: Handle, stats: Handle, weight: Handle | null, spec: NormSpec, batchStats: boolean, affineGrads: boolean): NormGrads {
    return norm.normBackward(this.rt, g(dy), g(x), g(stats), weight ? g(weight) : null, spec, batchStats, affineGrads);
  }
  embedding(weight: Handle, indices: Handle, dim: number): Handle { return emb.embedding(this.rt, g(weight), g(indices), dim); }
  embeddingGrad(dOut: Handle, indices: Handle, rows: number, dim: number): Handle {
    return emb.embeddingGrad(this.rt, g(dOut), g(indices), rows, dim);
  }
  optimStep(kind: OptimKind, param: Handle, grad: Handle, states: readonly (Handle | null)[], hyper: OptimHyper): void {
    optimStep(this.rt, kind, g(param), g(grad), states.map((s) => (s ? g(s) : null)), hyper);
  }
  takeRows(x: Handle, rowSize: number, indices: Handle): Handle { return takeRows(this.rt, g(x), rowSize, g(indices)); }
}
