// What the fused step kernels of the LSTM and the GRU (shaders/recurrent.wgsl) share on the
// host: their Params uniform, the loops that queue one dispatch per step (with their thread
// layout's grids), and the products that close a backward pass (the first state's gradient
// and dW_hh over all steps).
import { type LstmSpec, lstmSlots, lstmTime } from '../../lstmSpec.js';
import { type Binding, type GpuHandle, type GpuRuntime, UNUSED } from '../runtime.js';
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

/** Batch rows per invocation (ROWS in shaders/recurrent.wgsl). Workgroups: x over chunks of WG hidden
 *  units, y over row blocks, so that the rows a workgroup reads are uniform. */
const ROWS = 4;
const stepGrid = (spec: LstmSpec): [number, number] => [Math.ceil(spec.hidden / WG), Math.ceil(spec.batch / ROWS)];
/** The step_backward entries: each invocation takes 4 units, WG apart, so a workgroup covers 4 * WG. */
const backwardWg = (spec: LstmSpec) => Math.min(WG, 8 * Math.ceil(spec.hidden / 32));
const backwardGrid = (spec: LstmSpec): [number, number] => [Math.ceil(spec.hidden / (4 * backwardWg(spec))), Math.ceil(spec.batch / ROWS)];

/**
 * Queues one forward dispatch of `entry` per step, in the order the recurrence takes them.
 * `buffers`: the bindings (by name) but the mask and the step's Params; `offsets` gives step t's.
 */
export function forwardSteps(
  rt: GpuRuntime, entry: string, overrides: Record<string, number>, spec: LstmSpec, mask: GpuHandle | null,
  buffers: Readonly<Record<string, Binding>>, offsets: (t: number) => StepOffsets,
): void {
  const kernel = { shader: 'recurrent', entry, overrides: { WG, MASKED: mask ? 1 : 0, ...overrides } };
  for (let k = 0; k < spec.steps; k++) {
    const bindings: Record<string, Binding> = { ...buffers, mask: mask ?? UNUSED, p: stepParams(rt, spec, offsets(lstmTime(k, spec))) };
    rt.dispatch(kernel, bindings, stepGrid(spec));
  }
}

/**
 * Queues one backward dispatch of `entry` per step, the last step first. Each reads the state
 * gradients the later step wrote (the first one: dOut's final rows, from T·B·H) and writes its
 * own, `dsSize` elements; `laterOf` says where a step's gate gradients start, for the next
 * step's recurrent term. `buffers`: the bindings but mask, params, dOut and the state
 * gradients. Returns the last state gradients (the initial state's, less the last step's
 * recurrent term) and where the last step's gate gradients start.
 */
export function backwardSteps(
  rt: GpuRuntime, entry: string, spec: LstmSpec, mask: GpuHandle | null, dOut: GpuHandle, dsSize: number,
  buffers: Readonly<Record<string, Binding>>, offsets: (t: number) => StepOffsets, laterOf: (o: StepOffsets) => number,
): { ds: GpuHandle; laterOff: number } {
  const kernel = { shader: 'recurrent', entry, overrides: { WG: backwardWg(spec), MASKED: mask ? 1 : 0 } };
  let ds: GpuHandle | null = null;
  let laterOff = -1;
  for (let k = spec.steps - 1; k >= 0; k--) {
    const o = offsets(lstmTime(k, spec));
    const dsOut = rt.alloc(dsSize, 'float32');
    const later = { dsOff: ds ? 0 : spec.steps * spec.batch * spec.hidden, hasLater: laterOff >= 0 ? 1 : 0, laterOff: Math.max(0, laterOff) };
    const bindings: Record<string, Binding> = { ...buffers, mask: mask ?? UNUSED, dout: dOut, ds_in: ds ?? dOut, ds_out: dsOut, p: stepParams(rt, spec, { ...o, ...later }) };
    rt.dispatch(kernel, bindings, backwardGrid(spec));
    if (ds) rt.release(ds);
    ds = dsOut;
    laterOff = laterOf(o);
  }
  return { ds: ds!, laterOff };
}

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
