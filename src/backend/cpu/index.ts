// The CPU reference backend: plain loops over float64, written to be obviously right rather
// than fast. 'float32' tensors are held as Float64Array here so that finite-difference
// gradient checks run in float64; reads round to Float32Array like the GPU's.
import {
  type Backend, type BinaryOp, type CompareOp, type DType, type Handle, type MatmulSpec,
  type OptimHyper, type OptimKind, type ReduceOp, type TypedArray, type UnaryOp, type View, sizeOf,
} from '../backend.js';
import { binaryScalar, compareScalar, unaryDerivative, unaryForward } from './math.js';
import type { ClassLossSpec, Conv2dSpec, Pool2dSpec } from '../cnnSpecs.js';
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
}

function alloc(size: number, dtype: DType): CpuHandle {
  return new CpuHandle(dtype === 'int32' ? new Int32Array(size) : new Float64Array(size), dtype);
}

const h = (x: Handle) => x as CpuHandle;
/** A float32 handle's float64 storage. */
const f = (x: Handle) => h(x).data as Float64Array;

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

export class CpuBackend implements Backend {
  readonly name = 'cpu' as const;
  private bytes = 0;

  private track(x: CpuHandle): CpuHandle {
    this.bytes += x.size * 4;
    return x;
  }

  upload(data: TypedArray | Float64Array): Handle {
    const dtype: DType = data instanceof Int32Array ? 'int32' : 'float32';
    const copy = dtype === 'int32' ? Int32Array.from(data as Int32Array) : Float64Array.from(data);
    return this.track(new CpuHandle(copy, dtype));
  }

  empty(size: number, dtype: DType): Handle {
    return this.track(alloc(size, dtype));
  }

  fill(size: number, value: number, dtype: DType): Handle {
    const x = alloc(size, dtype);
    x.data.fill(value);
    return this.track(x);
  }

  /** Every cpu op has finished when it returns. */
  async throttle(): Promise<void> {}

  async read(x: Handle): Promise<TypedArray> {
    const d = h(x).data;
    return d instanceof Int32Array ? Int32Array.from(d) : Float32Array.from(d);
  }

  /** The float64 values themselves, for gradient checks. */
  readExact(x: Handle): Float64Array {
    return Float64Array.from(h(x).data);
  }

  release(x: Handle): void {
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

  checkNumerics(x: Handle, describe: string): void {
    if (!h(x).data.every(Number.isFinite)) throw new Error(`checkNumerics: ${describe} produced NaN or Inf`);
  }

  unary(op: UnaryOp, x: Handle, param: number): Handle {
    const src = h(x).data;
    const out = alloc(src.length, 'float32');
    for (let i = 0; i < src.length; i++) out.data[i] = unaryForward(op, src[i]!, param);
    return this.track(out);
  }

  unaryGrad(op: UnaryOp, x: Handle, dy: Handle, param: number): Handle {
    const xs = h(x).data;
    const g = h(dy).data;
    const out = alloc(xs.length, 'float32');
    for (let i = 0; i < xs.length; i++) out.data[i] = g[i]! * unaryDerivative(op, xs[i]!, param);
    return this.track(out);
  }

  binary(op: BinaryOp, a: Handle, aView: View, b: Handle, bView: View, outShape: readonly number[]): Handle {
    const ao = viewOffsets({ ...aView, shape: outShape });
    const bo = viewOffsets({ ...bView, shape: outShape });
    const out = alloc(ao.length, a.dtype);
    const ad = h(a).data, bd = h(b).data;
    for (let i = 0; i < ao.length; i++) {
      let v = binaryScalar(op, ad[ao[i]!]!, bd[bo[i]!]!);
      // int32 division truncates toward zero, like WGSL's i32 '/'.
      if (a.dtype === 'int32') v = Math.trunc(v);
      out.data[i] = v;
    }
    return this.track(out);
  }

  compare(op: CompareOp, a: Handle, aView: View, b: Handle, bView: View, outShape: readonly number[]): Handle {
    const ao = viewOffsets({ ...aView, shape: outShape });
    const bo = viewOffsets({ ...bView, shape: outShape });
    const out = alloc(ao.length, 'float32');
    const ad = h(a).data, bd = h(b).data;
    for (let i = 0; i < ao.length; i++) out.data[i] = compareScalar(op, ad[ao[i]!]!, bd[bo[i]!]!) ? 1 : 0;
    return this.track(out);
  }

  where(cond: Handle, a: Handle, b: Handle): Handle {
    const c = h(cond).data, ad = h(a).data, bd = h(b).data;
    const out = alloc(c.length, a.dtype);
    for (let i = 0; i < c.length; i++) out.data[i] = c[i] !== 0 ? ad[i]! : bd[i]!;
    return this.track(out);
  }

  reduce(op: ReduceOp, x: Handle, outer: number, len: number, inner: number): Handle {
    const src = h(x).data;
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

  softmax(x: Handle, rows: number, len: number, log: boolean): Handle {
    const src = h(x).data;
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

  matmul(a: Handle, b: Handle, s: MatmulSpec): Handle {
    const ad = h(a).data, bd = h(b).data;
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

  gather(x: Handle, view: View): Handle {
    const src = h(x).data;
    const out = alloc(sizeOf(view.shape), x.dtype);
    forEachInView(view, (i, off) => { out.data[i] = src[off]!; });
    return this.track(out);
  }

  scatter(dst: Handle, src: Handle, view: View): void {
    const d = h(dst).data, s = h(src).data;
    forEachInView(view, (i, off) => { d[off] = s[i]!; });
  }

  cast(x: Handle, dtype: DType): Handle {
    const src = h(x).data;
    const out = alloc(src.length, dtype);
    // float -> int truncates toward zero, as WGSL's i32(f32) does.
    for (let i = 0; i < src.length; i++) out.data[i] = dtype === 'int32' ? Math.trunc(src[i]!) : src[i]!;
    return this.track(out);
  }

  private f64(x: Float64Array): Handle {
    return this.track(new CpuHandle(x, 'float32'));
  }
  conv2d(x: Handle, w: Handle, bias: Handle | null, spec: Conv2dSpec): Handle {
    return this.f64(conv.conv2d(f(x), f(w), bias ? f(bias) : null, spec));
  }
  conv2dBackwardInput(dy: Handle, w: Handle, spec: Conv2dSpec): Handle { return this.f64(conv.conv2dBackwardInput(f(dy), f(w), spec)); }
  conv2dBackwardWeight(dy: Handle, x: Handle, spec: Conv2dSpec): Handle { return this.f64(conv.conv2dBackwardWeight(f(dy), f(x), spec)); }
  maxPool2d(x: Handle, spec: Pool2dSpec, withArgmax: boolean): [Handle, Handle | null] {
    const r = pool.maxPool2d(f(x), spec);
    return [this.f64(r.out), withArgmax ? this.track(new CpuHandle(r.argmax, 'int32')) : null];
  }
  maxPool2dBackward(dy: Handle, argmax: Handle, spec: Pool2dSpec): Handle {
    return this.f64(pool.maxPool2dBackward(f(dy), h(argmax).data as Int32Array, spec));
  }
  avgPool2d(x: Handle, spec: Pool2dSpec): Handle { return this.f64(pool.avgPool2d(f(x), spec)); }
  avgPool2dBackward(dy: Handle, spec: Pool2dSpec): Handle { return this.f64(pool.avgPool2dBackward(f(dy), spec)); }
  classLoss(x: Handle, labels: Handle, weight: Handle | null, spec: ClassLossSpec, reduction: 'sum' | 'none'): Handle {
    return this.f64(loss.classLoss(f(x), h(labels).data as Int32Array, weight ? f(weight) : null, spec, reduction));
  }
  classLossBackward(x: Handle, labels: Handle, weight: Handle | null, g: Handle, spec: ClassLossSpec, scale: number, gStride: number): Handle {
    return this.f64(loss.classLossBackward(f(x), h(labels).data as Int32Array, weight ? f(weight) : null, f(g), spec, scale, gStride));
  }
  lstmForward(xGates: Handle, h0: Handle, c0: Handle, wHh: Handle, mask: Handle | null, spec: LstmSpec): LstmForward {
    const r = lstm.lstmForward(f(xGates), f(h0), f(c0), f(wHh), mask ? f(mask) : null, spec);
    return { out: this.f64(r.out), states: this.f64(r.states), cells: this.f64(r.cells), gates: this.f64(r.gates) };
  }
  lstmBackward(dOut: Handle, wHh: Handle, fwd: LstmSaved, mask: Handle | null, spec: LstmSpec): LstmGrads {
    const saved = { states: f(fwd.states), cells: f(fwd.cells), gates: f(fwd.gates) };
    const r = lstm.lstmBackward(f(dOut), f(wHh), saved, mask ? f(mask) : null, spec);
    return { dxGates: this.f64(r.dxGates), dh0: this.f64(r.dh0), dc0: this.f64(r.dc0), dwHh: this.f64(r.dwHh) };
  }
  gruForward(xGates: Handle, h0: Handle, wHh: Handle, bHh: Handle, mask: Handle | null, spec: GruSpec): GruForward {
    const r = gru.gruForward(f(xGates), f(h0), f(wHh), f(bHh), mask ? f(mask) : null, spec);
    return { out: this.f64(r.out), states: this.f64(r.states), gates: this.f64(r.gates) };
  }
  gruBackward(dOut: Handle, wHh: Handle, fwd: GruSaved, mask: Handle | null, spec: GruSpec): GruGrads {
    const r = gru.gruBackward(f(dOut), f(wHh), { states: f(fwd.states), gates: f(fwd.gates) }, mask ? f(mask) : null, spec);
    return { dxGates: this.f64(r.dxGates), dhGates: this.f64(r.dhGates), dh0: this.f64(r.dh0), dwHh: this.f64(r.dwHh) };
  }
  normStats(x: Handle, spec: NormSpec, running: RunningStats | null): Handle {
    const r = running && { mean: f(running.mean), var: f(running.var), count: running.count ? h(running.count).data as Int32Array : null, momentum: running.momentum };
    return this.f64(norm.normStats(f(x), spec, r));
  }
  runningNormStats(mean: Handle, variance: Handle, eps: number): Handle {
    return this.f64(norm.runningNormStats(f(mean), f(variance), eps));
  }
  normForward(x: Handle, stats: Handle, weight: Handle | null, bias: Handle | null, spec: NormSpec): Handle {
    return this.f64(norm.normForward(f(x), f(stats), weight ? f(weight) : null, bias ? f(bias) : null, spec));
  }
  normBackward(dy: Handle, x: Handle, stats: Handle, weight: Handle | null, spec: NormSpec, batchStats: boolean, affineGrads: boolean): NormGrads {
    const r = norm.normBackward(f(dy), f(x), f(stats), weight ? f(weight) : null, spec, batchStats, affineGrads);
    return { dx: this.f64(r.dx), dWeight: r.dWeight && this.f64(r.dWeight), dBias: r.dBias && this.f64(r.dBias) };
  }
  embedding(weight: Handle, indices: Handle, dim: number): Handle {
    return this.f64(emb.embeddingForward(f(weight), h(indices).data as Int32Array, dim));
  }
  embeddingGrad(dOut: Handle, indices: Handle, rows: number, dim: number): Handle {
    return this.f64(emb.embeddingBackward(f(dOut), h(indices).data as Int32Array, rows, dim));
  }

  optimStep(kind: OptimKind, param: Handle, grad: Handle, states: readonly (Handle | null)[], hyper: OptimHyper): void {
    const f64 = (x: Handle) => h(x).data as Float64Array;
    optimStep(kind, f64(param), f64(grad), states.map((s) => (s ? f64(s) : null)), hyper);
  }

  takeRows(x: Handle, rowSize: number, indices: Handle): Handle {
    const out = alloc(indices.size * rowSize, x.dtype);
    takeRows(h(x).data, rowSize, h(indices).data as Int32Array, out.data);
    return this.track(out);
  }
}
