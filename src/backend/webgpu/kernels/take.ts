// Dispatch for shaders/take.wgsl.
import type { GpuHandle, GpuRuntime } from '../runtime.js';
import { elementwiseGrid } from './common.js';

export function takeRows(rt: GpuRuntime, x: GpuHandle, rowSize: number, indices: GpuHandle): GpuHandle {
  const n = indices.size * rowSize;
  const out = rt.alloc(n, x.dtype);
  const rows = rowSize === 0 ? 0 : x.size / rowSize;
  rt.dispatch({ shader: 'take', entry: 'take_rows' }, [x, indices, out, rt.constant(Uint32Array.from([n, rowSize, rows, 0]))], elementwiseGrid(n));
  return out;
}
