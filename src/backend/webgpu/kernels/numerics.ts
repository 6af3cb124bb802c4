// Dispatch for shaders/numerics.wgsl: the device side of dg.debug({ checkNumerics: true }).
import type { GpuHandle, GpuRuntime } from '../runtime.js';
import { elementwiseGrid, WG } from './common.js';

/** The record's value while no checked output was non-finite. */
export const NO_BAD_OP = 0xffffffff;

/** Queues the check of x (float32) as op number `serial`; `record` keeps the smallest bad serial. */
export function checkFinite(rt: GpuRuntime, x: GpuHandle, serial: number, record: GpuHandle): void {
  if (x.size === 0) return;
  const params = rt.constant(Uint32Array.from([x.size, serial]));
  rt.dispatch({ shader: 'numerics', entry: 'check_finite', overrides: { WG } }, [x, params, record], elementwiseGrid(x.size));
}
