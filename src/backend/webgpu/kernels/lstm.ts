// Dispatch for the LSTM steps of shaders/recurrent.wgsl: a whole sequence is queued with no
// read-back, one dispatch per step (lstm_step_forward / lstm_step_backward fuse the recurrent
// product into the cell); the backward then takes dW_hh for all steps in one matmul.
import { type LstmForward, type LstmGrads, type LstmSpec, lstmSlots, lstmTime } from '../../lstmSpec.js';
import type { GpuHandle, GpuRuntime } from '../runtime.js';
import { gather, scatter } from './layout.js';
import { matmul } from './matmul.js';
import { backwardSteps, forwardSteps, initialStateGrad, recurrentWeightGrad, type StepOffsets } from './recurrentSteps.js';

function stepOffsets(t: number, spec: LstmSpec): StepOffsets {
  const { batch: B, hidden: H, steps: T } = spec;
  const { prev, next } = lstmSlots(t, spec);
  return {
    gateOff: t * B * 4 * H, prevOff: prev * B * H, nextOff: next * B * H, outOff: t * B * H,
    maskOff: t * B, finalOff: T * B * H, dsOff: 0, hasLater: 0, laterOff: 0, xgOff: 0, recOff: 0,
  };
}

/** h (read at `hOffset` as [B, H]) · W_hhᵀ -> [B, 4H], W_hh read transposed in place. */
function recurrentForward(rt: GpuRuntime, states: GpuHandle, hOffset: number, wHh: GpuHandle, spec: LstmSpec): GpuHandle {
  const H = spec.hidden;
  return matmul(rt, states, wHh, {
    batch: 1, M: spec.batch, K: H, N: 4 * H, aOffsets: [hOffset], bOffsets: [0],
    aRowStride: H, aColStride: 1, bRowStride: 1, bColStride: H,
  });
}

export function lstmForward(
  rt: GpuRuntime, xGates: GpuHandle, h0: GpuHandle, c0: GpuHandle, wHh: GpuHandle, mask: GpuHandle | null, spec: LstmSpec,
): LstmForward<GpuHandle> {
  const { steps: T, batch: B, hidden: H } = spec;
  const BH = B * H;
  const out = rt.alloc((T + 2) * BH, 'float32');
  const states = rt.alloc((T + 1) * BH, 'float32');
  const cells = rt.alloc((T + 1) * BH, 'float32');
  const gates = rt.alloc(T * B * 4 * H, 'float32');
  const first = lstmSlots(lstmTime(0, spec), spec).prev;
  const slot = { shape: [BH], strides: [1], offset: first * BH };
  scatter(rt, states, h0, slot);
  scatter(rt, cells, c0, slot);
  // The steps read W_hhᵀ [H, 4H], transposed once per sequence so that each step reads its rows
  // in order; a single step instead takes its recurrent sums from one matmul (PRODUCT = 0).
  const single = T === 1;
  const o0 = stepOffsets(lstmTime(0, spec), spec);
  const w = single ? recurrentForward(rt, states, o0.prevOff, wHh, spec) : gather(rt, wHh, { shape: [H, 4 * H], strides: [1, H], offset: 0 });
  forwardSteps(rt, 'lstm_step_forward', { PRODUCT: single ? 0 : 1 }, spec, mask, { xg: xGates, states, cells, gates, out, w }, (t) => stepOffsets(t, spec));
  rt.release(w);
  return { out, states, cells, gates };
}

export function lstmBackward(
  rt: GpuRuntime, dOut: GpuHandle, wHh: GpuHandle, fwd: { states: GpuHandle; cells: GpuHandle; gates: GpuHandle },
  mask: GpuHandle | null, spec: LstmSpec,
): LstmGrads<GpuHandle> {
  const { steps: T, batch: B, hidden: H } = spec;
  const BH = B * H;
  const dgates = rt.alloc(T * B * 4 * H, 'float32');
  // (dh, dc) for the state each step wrote; the final state's gradients are dOut's last two rows.
  const { ds: last, laterOff } = backwardSteps(
    rt, 'lstm_step_backward', spec, mask, dOut, 2 * BH, { cells: fwd.cells, gates: fwd.gates, dgates, w: wHh }, (t) => stepOffsets(t, spec), (o) => o.gateOff,
  );
  const dh0 = initialStateGrad(rt, last, dgates, laterOff, wHh, spec, 4);
  const dc0 = gather(rt, last, { shape: [BH], strides: [1], offset: BH });
  rt.release(last);
  const dwHh = recurrentWeightGrad(rt, dgates, 0, fwd.states, spec, 4);
  return { dxGates: dgates, dh0, dc0, dwHh };
}
