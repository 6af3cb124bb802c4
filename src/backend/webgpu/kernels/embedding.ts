// Dispatch for shaders/embedding.wgsl, and the host side of its bad-index report.
// The reference kernel owns the error's wording, so both backends raise the same one.
import { embeddingIndexError } from '../../backend.js';
import type { DeferredCheck, GpuHandle, GpuRuntime } from '../runtime.js';
import { grid2d, WG } from './common.js';
import { fill } from './layout.js';

/** The record shaders/embedding.wgsl writes: [first bad position (-1: none), the index found
 *  there, 1 once that is stored, the weight's rows], fetched by the next read. */
const badIndex: DeferredCheck = {
  clean: Int32Array.from([-1, 0, 0, 0]),
  decode: ([pos, index, found, rows]) => (found === 1 ? embeddingIndexError(index!, pos!, rows!) : null),
};

const grid = (n: number) => grid2d(Math.max(1, Math.ceil(n / WG)));

/** out [n, dim] = weight [rows, dim] rows picked by int32 indices [n]. */
export function embedding(rt: GpuRuntime, weight: GpuHandle, indices: GpuHandle, dim: number): GpuHandle {
  const n = indices.size;
  const rows = weight.size / dim;
  const out = rt.alloc(n * dim, 'float32');
  const err = rt.checkRecord(badIndex);
  const params = rt.constant(Uint32Array.from([n, dim, rows, 0]));
  rt.dispatch({ shader: 'embedding', entry: 'gather', overrides: { WG } }, [weight, indices, out, params, err], grid(n * dim));
  rt.dispatch({ shader: 'embedding', entry: 'error_value' }, { indices, p: params, err }, [1]);
  return out;
}

/** dWeight [rows, dim]: dOut [n, dim] rows summed into the rows their indices name. */
export function embeddingGrad(rt: GpuRuntime, dOut: GpuHandle, indices: GpuHandle, rows: number, dim: number): GpuHandle {
  const n = indices.size;
  const grad = fill(rt, rows * dim, 0, 'float32');
  const params = rt.constant(Uint32Array.from([n, dim, rows, 0]));
  const err = rt.checkRecord(badIndex);
  rt.dispatch(
    { shader: 'embedding', entry: 'scatter_add', overrides: { WG } },
    { indices, p: params, err, dout: dOut, grad },
    grid(n * dim),
  );
  rt.dispatch({ shader: 'embedding', entry: 'error_value' }, { indices, p: params, err }, [1]);
  return grad;
}
