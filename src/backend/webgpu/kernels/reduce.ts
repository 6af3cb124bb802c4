// Dispatch for shaders/reduce.wgsl and shaders/softmax.wgsl.
import { REDUCE_OPS, type ReduceOp } from '../../backend.js';
import { type GpuHandle, type GpuRuntime, UNUSED } from '../runtime.js';
import { grid2d, WG } from './common.js';

export function reduce(rt: GpuRuntime, op: ReduceOp, x: GpuHandle, outer: number, len: number, inner: number): GpuHandle {
  const isArg = op === 'argmax' || op === 'argmin';
  const out = rt.alloc(outer * inner, isArg ? 'int32' : x.dtype);
  const params = rt.constant(Uint32Array.from([outer, len, inner, 0]));
  const rows = inner === 1;
  // Each store() path is compiled in, so both outputs are bound; the one the OP never writes
  // is UNUSED.
  rt.dispatch(
    { shader: 'reduce', entry: rows ? 'rows' : 'cols', variant: x.dtype === 'int32' ? 'i32' : 'f32', overrides: { OP: REDUCE_OPS.indexOf(op) } },
    { x, out: isArg ? UNUSED : out, p: params, out_idx: isArg ? out : UNUSED },
    rows ? grid2d(outer) : grid2d(Math.ceil((outer * inner) / WG)),
  );
  return out;
}

export function softmax(rt: GpuRuntime, x: GpuHandle, rows: number, len: number, log: boolean): GpuHandle {
  const out = rt.alloc(rows * len, 'float32');
  const params = rt.constant(Uint32Array.from([rows, len]));
  rt.dispatch({ shader: 'softmax', entry: 'main', overrides: { LOG: log ? 1 : 0 } }, [x, out, params], grid2d(rows));
  return out;
}
