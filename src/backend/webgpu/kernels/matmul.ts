// Dispatch for shaders/matmul.wgsl.
import type { MatmulSpec } from '../../backend.js';
import type { GpuHandle, GpuRuntime } from '../runtime.js';

const WG_X = 8;
const WG_Y = 8;
const TM = 4;
const TN = 4;

export function matmul(rt: GpuRuntime, a: GpuHandle, b: GpuHandle, s: MatmulSpec): GpuHandle {
  const out = rt.alloc(s.batch * s.M * s.N, 'float32');
  if (s.batch > rt.limits.maxComputeWorkgroupsPerDimension) {
    throw new Error(`matmul: ${s.batch} batched products exceed this device's limit of ${rt.limits.maxComputeWorkgroupsPerDimension}`);
  }
  const params = rt.constant(Uint32Array.from([s.M, s.K, s.N, s.batch, s.aRowStride, s.aColStride, s.bRowStride, s.bColStride]));
  const offsets = new Uint32Array(2 * s.batch);
  for (let t = 0; t < s.batch; t++) {
    offsets[2 * t] = s.aOffsets[t]!;
    offsets[2 * t + 1] = s.bOffsets[t]!;
  }
  rt.dispatch(
    { shader: 'matmul', entry: 'main', overrides: { WG_X, WG_Y } },
    [a, b, out, params, rt.constant(offsets, 'storage')],
    [Math.ceil(s.N / (TN * WG_X)), Math.ceil(s.M / (TM * WG_Y)), s.batch],
  );
  return out;
}
