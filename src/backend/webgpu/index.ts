// The WebGPU backend: every Backend method is a kernel dispatch recorded by the runtime.
import type {
  Backend, BinaryOp, CompareOp, DType, Handle, MatmulSpec, ReduceOp, TypedArray, UnaryOp, View,
} from '../backend.js';
import { autotuneMatmul } from './autotune.js';
import { type Gpu, requestGpu } from './device.js';
import * as ew from './kernels/elementwise.js';
import * as layout from './kernels/layout.js';
import { matmul } from './kernels/matmul.js';
import * as red from './kernels/reduce.js';
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

  upload(data: TypedArray | Float64Array): Handle {
    return this.rt.upload(data instanceof Float64Array ? Float32Array.from(data) : data);
  }
  empty(size: number, dtype: DType): Handle { return this.rt.alloc(size, dtype); }
  fill(size: number, value: number, dtype: DType): Handle { return layout.fill(this.rt, size, value, dtype); }
  async read(x: Handle): Promise<TypedArray> {
    const bytes = await this.rt.readBuffer(g(x));
    return x.dtype === 'int32' ? new Int32Array(bytes) : new Float32Array(bytes);
  }
  release(x: Handle): void { this.rt.release(g(x)); }
  allocatedBytes(): number { return this.rt.allocatedBytes(); }

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
}
