// Small helpers every op module uses.
import type { Backend, DType, Handle } from '../../backend/backend.js';
import { checkOutput, debugState } from '../debug.js';
import { brief, fmt } from '../shape.js';
import { Tensor } from '../tensor.js';

/** An op's tensor argument checked: a Tensor that is not disposed, or an error naming the op. */
export function live(op: string, t: unknown, what = 'input'): Tensor {
  if (!(t instanceof Tensor)) throw new Error(`${op}: expected a Tensor as ${what}, got ${brief(t)}`);
  if (t.isDisposed) throw new Error(`${op}: the ${what} tensor of shape ${fmt(t.shape)} was used after dispose()`);
  return t;
}

/** The backend all inputs live on; mixing backends is an error that says how to fix it. */
export function backendOf(op: string, ...tensors: Tensor[]): Backend {
  tensors.forEach((t) => live(op, t));
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
export function operand(op: string, like: Tensor, x: Tensor | number): Tensor {
  if (x instanceof Tensor) return live(op, x, 'other');
  if (typeof x !== 'number') throw new Error(`${op}: expected a Tensor or a number, got ${brief(x)}`);
  const dtype: DType = like.dtype === 'int32' && Number.isInteger(x) ? 'int32' : 'float32';
  return scalarOn(like.backend, x, dtype);
}

export function requireFloat(op: string, t: Tensor): void {
  live(op, t);
  if (t.dtype !== 'float32') throw new Error(`${op}: expected a float32 tensor, got ${t.dtype} of shape [${t.shape.join(', ')}]`);
}
