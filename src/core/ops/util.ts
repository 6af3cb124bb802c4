// Small helpers every op module uses.
import type { Backend, DType, Handle } from '../../backend/backend.js';
import { Tensor } from '../tensor.js';

/** The backend all inputs live on; mixing backends is an error that says how to fix it. */
export function backendOf(op: string, ...tensors: Tensor[]): Backend {
  const b = tensors[0]!.backend;
  for (const t of tensors) {
    if (t.backend !== b) throw new Error(`${op}: tensors live on different backends (${b.name} and ${t.backend.name}); move one with dg.toBackend`);
  }
  return b;
}

export function wrap(handle: Handle, shape: readonly number[], backend: Backend): Tensor {
  return Tensor.fromHandle(handle, shape, backend);
}

/** A 0-d tensor holding `value`, on the given backend. */
export function scalarOn(backend: Backend, value: number, dtype: DType = 'float32'): Tensor {
  // An upload, not a fill kernel: a queue write costs less than a dispatch.
  return wrap(backend.upload(dtype === 'int32' ? Int32Array.of(value) : Float32Array.of(value)), [], backend);
}

/** Turns a number operand into a scalar tensor beside `like`; int32 stays int32 only for integers. */
export function operand(like: Tensor, x: Tensor | number): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== 'number') throw new Error(`expected a Tensor or a number, got ${typeof x}`);
  const dtype: DType = like.dtype === 'int32' && Number.isInteger(x) ? 'int32' : 'float32';
  return scalarOn(like.backend, x, dtype);
}

export function requireFloat(op: string, t: Tensor): void {
  if (t.dtype !== 'float32') throw new Error(`${op}: expected a float32 tensor, got ${t.dtype} of shape [${t.shape.join(', ')}]`);
}
