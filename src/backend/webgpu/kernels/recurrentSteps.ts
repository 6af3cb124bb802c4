// What the fused step kernels of the LSTM and the GRU (shaders/lstm.wgsl, shaders/gru.wgsl)
// share on the host: their thread layout's grids, the binding arrays, and the two products that
// close a backward pass (the first state's recurrent gradient and dW_hh over all steps).
import { type LstmSpec, lstmSlots } from '../../lstmSpec.js';
import type { Binding, GpuHandle, GpuRuntime } from '../runtime.js';
import { WG } from './common.js';
import { matmul } from './matmul.js';

/** The dispatch's bindings array (indexed by binding number, holes unused) from a map. */
export function byNumber(entries: Record<number, Binding>): Binding[] {
  const out: Binding[] = [];
  for (const [i, b] of Object.entries(entries)) out[Number(i)] = b;
  return out;
}

/** Batch rows per invocation (ROWS in the shaders). Workgroups: x over chunks of WG hidden
 *  units, y over row blocks, so that the rows a workgroup reads are uniform. */
const ROWS = 4;
export const stepGrid = (spec: LstmSpec): [number, number] => [Math.ceil(spec.hidden / WG), Math.ceil(spec.batch / ROWS)];
/** step_backward: each invocation takes 4 units, WG apart, so a workgroup covers 4 * WG. */
export const backwardWg = (spec: LstmSpec) => Math.min(WG, 8 * Math.ceil(spec.hidden / 32));
export const backwardGrid = (spec: LstmSpec): [number, number] => [Math.ceil(spec.hidden / (4 * backwardWg(spec))), Math.ceil(spec.batch / ROWS)];

/** dGates (read at `gOffset` as [B, G·H]) · W_hh [G·H, H] -> [B, H], for G gates. */
export function recurrentInputGrad(rt: GpuRuntime, dgates: GpuHandle, gOffset: number, wHh: GpuHandle, spec: LstmSpec, G: number): GpuHandle {
  const H = spec.hidden;
  return matmul(rt, dgates, wHh, {
    batch: 1, M: spec.batch, K: G * H, N: H, aOffsets: [gOffset], bOffsets: [0],
    aRowStride: G * H, aColStride: 1, bRowStride: H, bColStride: 1,
  });
}

/**
 * dW_hh = dGatesᵀ [G·H, T·B] (read from `gOffset`) · (states entering each step) [T·B, H], all
 * steps in one product. In both directions step t reads slot t + (reverse ? 1 : 0), so the
 * states it needs start at step 0's and are contiguous.
 */
export function recurrentWeightGrad(rt: GpuRuntime, dgates: GpuHandle, gOffset: number, states: GpuHandle, spec: LstmSpec, G: number): GpuHandle {
  const { steps: T, batch: B, hidden: H } = spec;
  return matmul(rt, dgates, states, {
    batch: 1, M: G * H, K: T * B, N: H, aOffsets: [gOffset], bOffsets: [lstmSlots(0, spec).prev * B * H],
    aRowStride: 1, aColStride: G * H, bRowStride: H, bColStride: 1,
  });
}
