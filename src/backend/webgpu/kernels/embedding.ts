// Dispatch for shaders/embedding.wgsl, and the host side of its bad-index report.
import { embeddingIndexError } from '../../embeddingError.js';
import type { GpuHandle, GpuRuntime } from '../runtime.js';
import { grid2d, WG } from './common.js';
import { fill } from './layout.js';

const NO_ERROR = Int32Array.from([-1, 0, 0, 0]);

/** The per-runtime error record the gather kernel writes, and whether a lookup ran since the last check. */
interface ErrorRecord {
  buffer: GpuHandle;
  pending: boolean;
}
const records = new WeakMap<GpuRuntime, ErrorRecord>();

function errorRecord(rt: GpuRuntime): ErrorRecord {
  let rec = records.get(rt);
  if (!rec) {
    rec = { buffer: rt.upload(NO_ERROR), pending: false };
    records.set(rt, rec);
  }
  return rec;
}

const grid = (n: number) => grid2d(Math.max(1, Math.ceil(n / WG)));

/** out [n, dim] = weight [rows, dim] rows picked by int32 indices [n]. */
export function embedding(rt: GpuRuntime, weight: GpuHandle, indices: GpuHandle, dim: number): GpuHandle {
  const n = indices.size;
  const rows = weight.size / dim;
  const out = rt.alloc(n * dim, 'float32');
  const rec = errorRecord(rt);
  const params = rt.constant(Uint32Array.from([n, dim, rows, 0]));
  rt.dispatch({ shader: 'embedding', entry: 'gather', overrides: { WG } }, [weight, indices, out, params, rec.buffer], grid(n * dim));
  rt.dispatch({ shader: 'embedding', entry: 'error_value' }, [undefined, indices, undefined, params, rec.buffer], [1]);
  rec.pending = true;
  return out;
}

/** dWeight [rows, dim]: dOut [n, dim] rows summed into the rows their indices name. */
export function embeddingGrad(rt: GpuRuntime, dOut: GpuHandle, indices: GpuHandle, rows: number, dim: number): GpuHandle {
  const n = indices.size;
  const grad = fill(rt, rows * dim, 0, 'float32');
  const params = rt.constant(Uint32Array.from([n, dim, rows, 0]));
  rt.dispatch(
    { shader: 'embedding', entry: 'scatter_add', overrides: { WG } },
    [undefined, indices, undefined, params, undefined, dOut, grad],
    grid(n * dim),
  );
  return grad;
}

/**
 * Throws the bad-index error of any lookup queued since the last check. Called after each
 * read: indices live on the device, so this is the first moment the host can know.
 */
export async function checkEmbeddingErrors(rt: GpuRuntime): Promise<void> {
  const rec = records.get(rt);
  if (!rec?.pending) return;
  rec.pending = false;
  const [pos, index, found, rows] = new Int32Array(await rt.readBuffer(rec.buffer));
  if (found !== 1) return;
  rt.device.queue.writeBuffer(rec.buffer.buffer, 0, NO_ERROR);
  throw embeddingIndexError(index!, pos!, rows!);
}
