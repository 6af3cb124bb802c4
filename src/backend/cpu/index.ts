// The CPU reference backend: plain loops over float64, written to be obviously right rather
// than fast. 'float32' tensors are held as Float64Array here so that finite-difference
// gradient checks run in float64; reads round to Float32Array like the GPU's.
import {
  type Backend, type BinaryOp, type CompareOp, type DType, type Handle, type HostArray, type MatmulSpec,
  type OptimHyper, type OptimKind, type ReduceOp, type TypedArray, type UnaryOp, type View, sizeOf,
} from '../backend.js';
import { binaryScalar, compareScalar, unaryDerivative, unaryForward } from './math.js';
import type { Conv2dSpec, Pool2dSpec } from '../cnnSpecs.js';
import type { ClassLossSpec } from '../lossSpec.js';
import * as conv from './conv2d.js';
import * as emb from './embedding.js';
import * as lstm from './lstm.js';
import * as gru from './gru.js';
import type { LstmForward, LstmGrads, LstmSaved, LstmSpec } from '../lstmSpec.js';
import type { GruForward, GruGrads, GruSaved, GruSpec } from '../gruSpec.js';
import * as loss from './loss.js';
import * as pool from './pool.js';
import * as norm from './norm.js';
import type { NormGrads, NormSpec, RunningStats } from '../normSpec.js';
import { optimStep } from './optim.js';
import { takeRows } from './take.js';

export class CpuHandle implements Handle {
  constructor(readonly data: Float64Array | Int32Array, readonly dtype: DType) {}
  get size(): number { return this.data.length; }
  /** A float32 handle's float64 storage (the op layer has checked the dtype). */
  get f64(): Float64Array { return this.data as Float64Array; }
  /** An int32 handle's storage (indices, labels, counts). */
  get i32(): Int32Array { return this.data as Int32Array; }
}

function alloc(size: number, dtype: DType): CpuHandle {
  return new CpuHandle(dtype === 'int32' ? new Int32Array(size) : new Float64Array(size), dtype);
}

/** Calls fn(outIndex, viewOffset) for every element of a strided view, in row-major order. */
export function forEachInView(view: View, fn: (i: number, offset: number) => void): void {
  const rank = view.shape.length;
  const n = sizeOf(view.shape);
  const idx = new Array<number>(rank).fill(0);
  let off = view.offset;
  for (let i = 0; i < n; i++) {
    fn(i, off);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      off += view.strides[d]!;
      if (idx[d]! < view.shape[d]!) break;
      off -= view.strides[d]! * view.shape[d]!;
      idx[d] = 0;
    }
  }
}

function viewOffsets(view: View): Int32Array {
  const out = new Int32Array(sizeOf(view.shape));
  forEachInView(view, (i, off) => { out[i] = off; });
  return out;
}

export class CpuBackend implements Backend<CpuHandle> {
  readonly name = 'cpu' as const;
  private bytes = 0;

  private track(x: CpuHandle): CpuHandle {
    this.bytes += x.size * 4;
    return x;
  }

  upload(data: HostArray): CpuHandle {
    const copy = data instanceof Int32Array ? Int32Array.from(data) : Float64Array.from(data);
    return this.track(new CpuHandle(copy, copy instanceof Int32Array ? 'int32' : 'float32'));
  }

  empty(size: number, dtype: DType): CpuHandle {
    return this.track(alloc(size, dtype));
  }

  fill(size: number, value: number, dtype: DType): CpuHandle {
    const x = alloc(size, dtype);
    x.data.fill(value);
    return this.track(x);
  }

  /** Every cpu op has finished when it returns. */
  async throttle(): Promise<void> {}

  async read(x: CpuHandle): Promise<TypedArray> {
    const d = x.data;
    return d instanceof Int32Array ? Int32Array.from(d) : Float32Array.from(d);
  }

  /** The float64 values themselves, for gradient checks and exact saves. Called from above the
   *  interface with a tensor's handle, so it checks that the handle is this backend's kind. */
  readExact(x: Handle): Float64Array {
    if (!(x instanceof CpuHandle)) throw new Error('readExact: the handle is not a cpu backend\'s (read a tensor on the cpu backend)');
    return Float64Array.from(x.data);
  }

  release(x: CpuHandle): void {
    this.bytes -= x.size * 4;
  }

  allocatedBytes(): number {
    return this.bytes;
  }

  /** Released arrays go straight back to the JavaScript heap: nothing is pooled. */
  pooledBytes(): number {
    return 0;
  }

  emptyCache(): void {}

  checkNumerics(x: CpuHandle, describe: string): void {
    if (!x.data.every(Number.isFinite)) throw new Error(`checkNumerics: ${describe} produced NaN or Inf`);
  }

  unary(op: UnaryOp, x: CpuHandle, param: number): CpuHandle {
    const src = x.data;
    const out = alloc(src.length, 'float32');
    for (let i = 0; i < src.length; i++) out.data[i] = unaryForward(op, src[i]!, param);
    return this.track(out);
  }

  unaryGrad(op: UnaryOp, x: CpuHandle, dy: CpuHandle, param: number): CpuHandle {
    const xs = x.data;
    const g = dy.data;
    const out = alloc(xs.length, 'float32');
    for (let i = 0; i < xs.length; i++) out.data[i] = g[i]! * unaryDerivative(op, xs[i]!, param);
    return this.track(out);
  }

  binary(op: BinaryOp, a: CpuHandle, aView: View, b: CpuHandle, bView: View, outShape: readonly number[]): CpuHandle {
    const ao = viewOffsets({ ...aView, shape: outShape });
    const bo = viewOffsets({ ...bView, shape: outShape });
    const out = alloc(ao.length, a.dtype);
    const ad = a.data, bd = b.data;
    for (let i = 0; i < ao.length; i++) {
      let v = binaryScalar(op, ad[ao[i]!]!, bd[bo[i]!]!);
      // int32 division truncates toward zero, like WGSL's i32 '/'.
      if (a.dtype === 'int32') v = Math.trunc(v);
      out.data[i] = v;
    }
    return this.track(out);
  }

  compare(op: CompareOp, a: CpuHandle, aView: View, b: CpuHandle, bView: View, outShape: readonly number[]): CpuHandle {
    const ao = viewOffsets({ ...aView, shape: outShape });
    const bo = viewOffsets({ ...bView, shape: outShape });
    const out = alloc(ao.length, 'float32');
    const ad = a.data, bd = b.data;
    for (let i = 0; i < ao.length; i++) out.data[i] = compareScalar(op, ad[ao[i]!]!, bd[bo[i]!]!) ? 1 : 0;
    return this.track(out);
  }

  where(cond: CpuHandle, a: CpuHandle, b: CpuHandle): CpuHandle {
    const c = cond.data, ad = a.data, bd = b.data;
    const out = alloc(c.length, a.dtype);
    for (let i = 0; i < c.length; i++) out.data[i] = c[i] !== 0 ? ad[i]! : bd[i]!;
    return this.track(out);
  }

  reduce(op: ReduceOp, x: CpuHandle, outer: number, len: number, inner: number): CpuHandle {
    const src = x.data;
    const isArg = op === 'argmax' || op === 'argmin';
    const out = alloc(outer * inner, isArg ? 'int32' : x.dtype);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const at = (r: number) => src[(o * len + r) * inner + i]!;
        let acc = op === 'sum' ? 0 : at(0);
        let best = 0;
        for (let r = op === 'sum' ? 0 : 1; r < len; r++) {
          const v = at(r);
          if (op === 'sum') acc += v;
          else if (op === 'max') acc = v > acc || Number.isNaN(v) ? v : acc;
          else if (op === 'min') acc = v < acc || Number.isNaN(v) ? v : acc;
          // First index wins on ties, as in PyTorch.
          else if (op === 'argmax' && v > acc) { acc = v; best = r; }
          else if (op === 'argmin' && v < acc) { acc = v; best = r; }
        }
        out.data[o * inner + i] = isArg ? best : acc;
      }
    }
    return this.track(out);
  }

  softmax(x: CpuHandle, rows: number, len: number, log: boolean): CpuHandle {
    const src = x.data;
    const out = alloc(rows * len, 'float32');
    for (let r = 0; r < rows; r++) {
      let max = -Infinity;
      for (let j = 0; j < len; j++) max = Math.max(max, src[r * len + j]!);
      let sum = 0;
      for (let j = 0; j < len; j++) sum += Math.exp(src[r * len + j]! - max);
      for (let j = 0; j < len; j++) {
        const z = src[r * len + j]! - max;
        out.data[r * len + j] = log ? z - Math.log(sum) : Math.exp(z) / sum;
      }
    }
    return this.track(out);
  }

  matmul(a: CpuHandle, b: CpuHandle, s: MatmulSpec): CpuHandle {
    const ad = a.data, bd = b.data;
    const out = alloc(s.batch * s.M * s.N, 'float32');
    for (let t = 0; t < s.batch; t++) {
      for (let m = 0; m < s.M; m++) {
        for (let n = 0; n < s.N; n++) {
          let acc = 0;
          for (let k = 0; k < s.K; k++) {
            acc += ad[s.aOffsets[t]! + m * s.aRowStride + k * s.aColStride]!
              * bd[s.bOffsets[t]! + k * s.bRowStride + n * s.bColStride]!;
          }
          out.data[(t * s.M + m) * s.N + n] = acc;
        }
      }
    }
    return this.track(out);
  }

  gather(x: CpuHandle, view: View): CpuHandle {
    const src = x.data;
    const out = alloc(sizeOf(view.shape), x.dtype);
    forEachInView(view, (i, off) => { out.data[i] = src[off]!; });
    return this.track(out);
  }

  scatter(dst: CpuHandle, src: CpuHandle, view: View): void {
    const d = dst.data, s = src.data;
    forEachInView(view, (i, off) => { d[off] = s[i]!; });
  }

  cast(x: CpuHandle, dtype: DType): CpuHandle {
    const src = x.data;
    const out = alloc(src.length, dtype);
    // float -> int truncates toward zero, as WGSL's i32(f32) does.
    for (let i = 0; i < src.length; i++) out.data[i] = dtype === 'int32' ? Math.trunc(src[i]!) : src[i]!;
    return this.track(out);
  }

  /** Tracks a reference kernel's float64 result as a float32 handle. */
  private wrap(x: Float64Array): CpuHandle {
    return this.track(new CpuHandle(x, 'float32'));
  }
  conv2d(x: CpuHandle, w: CpuHandle, bias: CpuHandle | null, spec: Conv2dSpec): CpuHandle {
    return this.wrap(conv.conv2d(x.f64, w.f64, bias?.f64 ?? null, spec));
  }
  conv2dBackwardInput(dy: CpuHandle, w: CpuHandle, spec: Conv2dSpec): CpuHandle { return this.wrap(conv.conv2dBackwardInput(dy.f64, w.f64, spec)); }
  conv2dBackwardWeight(dy: CpuHandle, x: CpuHandle, spec: Conv2dSpec): CpuHandle { return this.wrap(conv.conv2dBackwardWeight(dy.f64, x.f64, spec)); }
  maxPool2d(x: CpuHandle, spec: Pool2dSpec, withArgmax: boolean): [CpuHandle, CpuHandle | null] {
    const r = pool.maxPool2d(x.f64, spec);
    return [this.wrap(r.out), withArgmax ? this.track(new CpuHandle(r.argmax, 'int32')) : null];
  }
  maxPool2dBackward(dy: CpuHandle, argmax: CpuHandle, spec: Pool2dSpec): CpuHandle {
    return this.wrap(pool.maxPool2dBackward(dy.f64, argmax.i32, spec));
  }
  avgPool2d(x: CpuHandle, spec: Pool2dSpec): CpuHandle { return this.wrap(pool.avgPool2d(x.f64, spec)); }
  avgPool2dBackward(dy: CpuHandle, spec: Pool2dSpec): CpuHandle { return this.wrap(pool.avgPool2dBackward(dy.f64, spec)); }
  classLoss(x: CpuHandle, labels: CpuHandle, weight: CpuHandle | null, spec: ClassLossSpec, reduction: 'sum' | 'none'): CpuHandle {
    return this.wrap(loss.classLoss(x.f64, labels.i32, weight?.f64 ?? null, spec, reduction));
  }
  classLossBackward(x: CpuHandle, labels: CpuHandle, weight: CpuHandle | null, g: CpuHandle, spec: ClassLossSpec, scale: number, gStride: number): CpuHandle {
    return this.wrap(loss.classLossBackward(x.f64, labels.i32, weight?.f64 ?? null, g.f64, spec, scale, gStride));
  }
  lstmForward(xGates: CpuHandle, h0: CpuHandle, c0: CpuHandle, wHh: CpuHandle, mask: CpuHandle | null, spec: LstmSpec): LstmForward<CpuHandle> {
    const r = lstm.lstmForward(xGates.f64, h0.f64, c0.f64, wHh.f64, mask?.f64 ?? null, spec);
    return { out: this.wrap(r.out), states: this.wrap(r.states), cells: this.wrap(r.cells), gates: this.wrap(r.gates) };
  }
  lstmBackward(dOut: CpuHandle, wHh: CpuHandle, fwd: LstmSaved<CpuHandle>, mask: CpuHandle | null, spec: LstmSpec): LstmGrads<CpuHandle> {
    const saved = { states: fwd.states.f64, cells: fwd.cells.f64, gates: fwd.gates.f64 };
    const r = lstm.lstmBackward(dOut.f64, wHh.f64, saved, mask?.f64 ?? null, spec);
    return { dxGates: this.wrap(r.dxGates), dh0: this.wrap(r.dh0), dc0: this.wrap(r.dc0), dwHh: this.wrap(r.dwHh) };
  }
  gruForward(xGates: CpuHandle, h0: CpuHandle, wHh: CpuHandle, bHh: CpuHandle, mask: CpuHandle | null, spec: GruSpec): GruForward<CpuHandle> {
    const r = gru.gruForward(xGates.f64, h0.f64, wHh.f64, bHh.f64, mask?.f64 ?? null, spec);
    return { out: this.wrap(r.out), states: this.wrap(r.states), gates: this.wrap(r.gates) };
  }
  gruBackward(dOut: CpuHandle, wHh: CpuHandle, fwd: GruSaved<CpuHandle>, mask: CpuHandle | null, spec: GruSpec): GruGrads<CpuHandle> {
    const r = gru.gruBackward(dOut.f64, wHh.f64, { states: fwd.states.f64, gates: fwd.gates.f64 }, mask?.f64 ?? null, spec);
    return { dxGates: this.wrap(r.dxGates), dhGates: this.wrap(r.dhGates), dh0: this.wrap(r.dh0), dwHh: this.wrap(r.dwHh) };
  }
  normStats(x: CpuHandle, spec: NormSpec, running: RunningStats<CpuHandle> | null): CpuHandle {
    const r = running && { mean: running.mean.f64, var: running.var.f64, count: running.count?.i32 ?? null, momentum: running.momentum };
    return this.wrap(norm.normStats(x.f64, spec, r));
  }
  runningNormStats(mean: CpuHandle, variance: CpuHandle, eps: number): CpuHandle {
    return this.wrap(norm.runningNormStats(mean.f64, variance.f64, eps));
  }
  normForward(x: CpuHandle, stats: CpuHandle, weight: CpuHandle | null, bias: CpuHandle | null, spec: NormSpec): CpuHandle {
    return this.wrap(norm.normForward(x.f64, stats.f64, weight?.f64 ?? null, bias?.f64 ?? null, spec));
  }
  normBackward(dy: CpuHandle, x: CpuHandle, stats: CpuHandle, weight: CpuHandle | null, spec: NormSpec, batchStats: boolean, affineGrads: boolean): NormGrads<CpuHandle> {
    const r = norm.normBackward(dy.f64, x.f64, stats.f64, weight?.f64 ?? null, spec, batchStats, affineGrads);
    return { dx: this.wrap(r.dx), dWeight: r.dWeight && this.wrap(r.dWeight), dBias: r.dBias && this.wrap(r.dBias) };
  }
  embedding(weight: CpuHandle, indices: CpuHandle, dim: number): CpuHandle {
    return this.wrap(emb.embeddingForward(weight.f64, indices.i32, dim));
  }
  embeddingGrad(dOut: CpuHandle, indices: CpuHandle, rows: number, dim: number): CpuHandle {
    return this.wrap(emb.embeddingBackward(dOut.f64, indices.i32, rows, dim));
  }

  optimStep(kind: OptimKind, param: CpuHandle, grad: CpuHandle, states: readonly (CpuHandle | null)[], hyper: OptimHyper): void {
    optimStep(kind, param.f64, grad.f64, states.map((s) => s?.f64 ?? null), hyper);
  }

  takeRows(x: CpuHandle, rowSize: number, indices: CpuHandle): CpuHandle {
    const out = alloc(indices.size * rowSize, x.dtype);
    takeRows(x.data, rowSize, indices.i32, out.data);
    return this.track(out);
  }
}
