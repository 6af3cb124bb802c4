// Output allocation for the CNN kernels. runtime.alloc refuses a tensor larger than one
// storage binding, but its message cannot say which op asked; a user whose conv2d output is
// too large needs to hear "conv2d", the shape, the size and the limit (and that a smaller
// batch is the way out).
import type { DType } from '../../backend.js';
import type { GpuHandle, GpuRuntime } from '../runtime.js';

export function allocOutput(rt: GpuRuntime, op: string, what: string, shape: readonly number[], dtype: DType = 'float32'): GpuHandle {
  const size = shape.reduce((a, b) => a * b, 1);
  const limit = rt.limits.maxStorageBufferBindingSize;
  if (size * 4 > limit) {
    throw new Error(`${op}: the ${what} of shape [${shape.join(', ')}] needs ${size * 4} bytes, more than this device's ` +
      `maxStorageBufferBindingSize of ${limit} bytes; use a smaller batch`);
  }
  return rt.alloc(size, dtype);
}
