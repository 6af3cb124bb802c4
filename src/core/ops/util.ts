// Small helpers every op module uses.
import type { Backend, DType, Handle } from '../../backend/backend.js';
import { checkOutput, debugState } from '../debug.js';
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
  const out = Tensor.fromHandle(handle, shape, backend);
  if (debugState.checkNumerics) {
    try {
      checkOutput(backend, handle, shape);
    } catch (e) {
      out.dispose();
      throw e;
    }
  }
  return out;
}

/** A 0-d tensor holding `value`, on the given backend. */
export function scalarOn(backend: Backend, value: number, dtype: DType = 'float32'): Tensor {
  // An upload, not a fill kernel: a queue write costs less than a dispatch. Not checked by
  // checkNumerics: a scalar operand is no op's output, and a NaN one shows in the op it enters.
  return Tensor.fromHandle(backend.upload(dtype === 'int32' ? Int32Array.of(value) : Float32Array.of(value)), [], backend);
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
