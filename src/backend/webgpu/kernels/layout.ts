// Dispatch for shaders/layout.wgsl (gather/scatter of strided views) and shaders/convert.wgsl.
import { type DType, sizeOf, type View } from '../../backend.js';
import type { GpuHandle, GpuRuntime } from '../runtime.js';
import { elementwiseGrid, floatBits, viewWords } from './common.js';

export function gather(rt: GpuRuntime, x: GpuHandle, view: View): GpuHandle {
  const n = sizeOf(view.shape);
  const out = rt.alloc(n, x.dtype);
  rt.dispatch({ shader: 'layout', entry: 'gather' }, [x, out, rt.constant(viewWords('gather', n, view))], elementwiseGrid(n));
  return out;
}

export function scatter(rt: GpuRuntime, dst: GpuHandle, src: GpuHandle, view: View): void {
  const n = sizeOf(view.shape);
  rt.dispatch({ shader: 'layout', entry: 'scatter' }, [src, dst, rt.constant(viewWords('scatter', n, view))], elementwiseGrid(n));
}

export function fill(rt: GpuRuntime, size: number, value: number, dtype: DType): GpuHandle {
  const out = rt.alloc(size, dtype);
  const bits = dtype === 'int32' ? value >>> 0 : floatBits(value);
  const params = rt.constant(Uint32Array.from([size, bits]));
  rt.dispatch({ shader: 'convert', entry: 'fill' }, { p: params, dst_u: out }, elementwiseGrid(size));
  return out;
}

export function cast(rt: GpuRuntime, x: GpuHandle, dtype: DType): GpuHandle {
  const out = rt.alloc(x.size, dtype);
  const params = rt.constant(Uint32Array.from([x.size, 0]));
  const bindings = dtype === 'int32' ? { src_f: x, dst_i: out, p: params } : { src_i: x, dst_f: out, p: params };
  rt.dispatch({ shader: 'convert', entry: dtype === 'int32' ? 'to_i32' : 'to_f32' }, bindings, elementwiseGrid(x.size));
  return out;
}
