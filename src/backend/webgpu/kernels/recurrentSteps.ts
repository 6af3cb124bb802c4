// What the fused step kernels of the LSTM and the GRU (shaders/recurrent.wgsl) share on the
// host: their Params uniform, their thread layout's grids, the binding arrays, and the products
// that close a backward pass (the first state's gradient and dW_hh over all steps).
import { type LstmSpec, lstmSlots } from '../../lstmSpec.js';
import type { Binding, GpuHandle, GpuRuntime } from '../runtime.js';
import { WG } from './common.js';
import { binary } from './elementwise.js';
import { matmul } from './matmul.js';

/** One step's offsets into the sequence buffers: the Params struct of shaders/recurrent.wgsl. */
export interface StepOffsets {
  gateOff: number;
  prevOff: number;
  nextOff: number;
  outOff: number;
  maskOff: number;
  finalOff: number;
  dsOff: number;
  hasLater: number;
  laterOff: number;
  /** GRU only (0 for an LSTM): its [B, 3H] blocks of xg and dgates, and dgates' recurrent half. */
  xgOff: number;
  recOff: number;
}

export function stepParams(rt: GpuRuntime, spec: LstmSpec, o: StepOffsets): GPUBuffer {
  return rt.constant(Uint32Array.from([
    spec.batch, spec.hidden, o.gateOff, o.prevOff, o.nextOff, o.outOff, o.maskOff, o.finalOff, o.dsOff, o.hasLater, o.laterOff,
    o.xgOff, o.recOff, 0, 0, 0,
  ]));
}

/** The dispatch's bindings array (indexed by binding number, holes unused) from a map. */
export function byNumber(entries: Record<number, Binding>): Binding[] {
  const out: Binding[] = [];
  for (const [i, b] of Object.entries(entries)) out[Number(i)] = b;
  return out;
}

/** Batch rows per invocation (ROWS in shaders/recurrent.wgsl). Workgroups: x over chunks of WG hidden
 *  units, y over row blocks, so that the rows a workgroup reads are uniform. */
const ROWS = 4;
export const stepGrid = (spec: LstmSpec): [number, number] => [Math.ceil(spec.hidden / WG), Math.ceil(spec.batch / ROWS)];
/** The step_backward entries: each invocation takes 4 units, WG apart, so a workgroup covers 4 * WG. */
export const backwardWg = (spec: LstmSpec) => Math.min(WG, 8 * Math.ceil(spec.hidden / 32));
export const backwardGrid = (spec: LstmSpec): [number, number] => [Math.ceil(spec.hidden / (4 * backwardWg(spec))), Math.ceil(spec.batch / ROWS)];

/**
 * dL/dh0 [B, H]: what the last step taken left in `ds` (its first [B, H]), plus that step's
 * recurrent term dGates (read at `gOffset` as [B, G·H]) · W_hh [G·H, H], for G gates.
 */
export function initialStateGrad(rt: GpuRuntime, ds: GpuHandle, dgates: GpuHandle, gOffset: number, wHh: GpuHandle, spec: LstmSpec, G: number): GpuHandle {
  const H = spec.hidden;
  const BH = spec.batch * H;
  const hw = matmul(rt, dgates, wHh, {
    batch: 1, M: spec.batch, K: G * H, N: H, aOffsets: [gOffset], bOffsets: [0],
    aRowStride: G * H, aColStride: 1, bRowStride: H, bColStride: 1,
  });
  const flat = { shape: [BH], strides: [1], offset: 0 };
  const dh0 = binary(rt, 'add', ds, flat, hw, flat, [BH]);
  rt.release(hw);
  return dh0;
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
