// Dispatch for shaders/unary.wgsl and shaders/binary.wgsl.
import {
  BINARY_OPS, type BinaryOp, COMPARE_OPS, type CompareOp, contiguousStrides, sizeOf, UNARY_OPS,
  type UnaryOp, type View,
} from '../../backend.js';
import type { GpuHandle, GpuRuntime } from '../runtime.js';
import { elementwiseGrid, floatBits, mergeDims, packDims, PER_THREAD, WG } from './common.js';

export function unary(rt: GpuRuntime, op: UnaryOp, x: GpuHandle, dy: GpuHandle | undefined, param: number): GpuHandle {
  const out = rt.alloc(x.size, 'float32');
  const params = rt.constant(Uint32Array.from([x.size, floatBits(param)]));
  rt.dispatch(
    { shader: 'unary', entry: dy ? 'backward' : 'forward', overrides: { OP: UNARY_OPS.indexOf(op) } },
    { x, dy, out, p: params },
    elementwiseGrid(x.size),
  );
  return out;
}

function isPlain(view: View, shape: readonly number[]): boolean {
  if (view.offset !== 0) return false;
  const c = contiguousStrides(shape);
  return view.strides.every((s, d) => s === c[d] || shape[d] === 1);
}

function broadcastDispatch(
  rt: GpuRuntime, entry: 'binary' | 'compare', opIndex: number, a: GpuHandle, aView: View,
  b: GpuHandle, bView: View, outShape: readonly number[],
): GpuHandle {
  const n = sizeOf(outShape);
  const out = rt.alloc(n, entry === 'compare' ? 'float32' : a.dtype);
  const contiguous = isPlain(aView, outShape) && isPlain(bView, outShape) ? 1 : 0;
  let dims = mergeDims(outShape, [aView.strides, bView.strides]);
  // At most three dimensions left, with rows wide enough to fill a workgroup: the `_3d` entries,
  // on the view padded to three dimensions.
  const pad = 3 - dims.shape.length;
  const [planes, rows, cols] = [...Array<number>(Math.max(0, pad)).fill(1), ...dims.shape] as [number, number, number];
  const limit = rt.limits.maxComputeWorkgroupsPerDimension;
  const grid3d = !contiguous && pad >= 0 && cols >= WG && rows <= limit && planes <= limit;
  if (grid3d) {
    dims = { shape: [planes, rows, cols], strides: dims.strides.map((s) => [...Array<number>(pad).fill(0), ...s]) };
  }
  const params = rt.constant(Uint32Array.from([
    n, dims.shape.length, aView.offset, bView.offset, ...packDims(entry, dims.shape, ...dims.strides),
  ]));
  const bindings = entry === 'compare' ? { a, b, p: params, mask: out } : { a, b, out, p: params };
  rt.dispatch(
    {
      shader: 'binary', entry: grid3d ? `${entry}_3d` : entry, variant: a.dtype === 'int32' ? 'i32' : 'f32',
      overrides: { OP: opIndex, CONTIGUOUS: contiguous },
    },
    bindings,
    grid3d ? [Math.ceil(cols / (PER_THREAD * WG)), rows, planes] : elementwiseGrid(n),
  );
  return out;
}

export function binary(rt: GpuRuntime, op: BinaryOp, a: GpuHandle, aView: View, b: GpuHandle, bView: View, outShape: readonly number[]): GpuHandle {
  return broadcastDispatch(rt, 'binary', BINARY_OPS.indexOf(op), a, aView, b, bView, outShape);
}

export function compare(rt: GpuRuntime, op: CompareOp, a: GpuHandle, aView: View, b: GpuHandle, bView: View, outShape: readonly number[]): GpuHandle {
  return broadcastDispatch(rt, 'compare', COMPARE_OPS.indexOf(op), a, aView, b, bView, outShape);
}

export function where(rt: GpuRuntime, cond: GpuHandle, a: GpuHandle, b: GpuHandle): GpuHandle {
  const out = rt.alloc(a.size, a.dtype);
  const params = rt.constant(Uint32Array.from([a.size, 1, 0, 0, ...packDims('where', [a.size], [1], [1])]));
  rt.dispatch(
    { shader: 'binary', entry: 'where_select', variant: a.dtype === 'int32' ? 'i32' : 'f32' },
    { a, b, out, p: params, cond },
    elementwiseGrid(a.size),
  );
  return out;
}
