// Dispatch for the GRU steps of shaders/recurrent.wgsl: a whole sequence is queued with no
// read-back, one dispatch per step (gru_step_forward / gru_step_backward fuse the recurrent
// product into the gates); the backward then takes dW_hh for all steps in one matmul. Thread
// layout, uniform and closing products are the LSTM's (./recurrentSteps.ts).
import type { GruForward, GruGrads, GruSpec } from '../../gruSpec.js';
import { lstmSlots, lstmTime } from '../../lstmSpec.js';
import type { GpuHandle, GpuRuntime } from '../runtime.js';
import { gather, scatter } from './layout.js';
import { backwardSteps, forwardSteps, initialStateGrad, recurrentWeightGrad, type StepOffsets } from './recurrentSteps.js';

function stepOffsets(t: number, spec: GruSpec): StepOffsets {
  const { steps: T, batch: B, hidden: H } = spec;
  const { prev, next } = lstmSlots(t, spec);
  return {
    gateOff: t * B * 4 * H, prevOff: prev * B * H, nextOff: next * B * H, outOff: t * B * H, maskOff: t * B, finalOff: T * B * H,
    dsOff: 0, hasLater: 0, laterOff: 0, xgOff: t * B * 3 * H, recOff: T * B * 3 * H,
  };
}

export function gruForward(
  rt: GpuRuntime, xGates: GpuHandle, h0: GpuHandle, wHh: GpuHandle, bHh: GpuHandle, mask: GpuHandle | null, spec: GruSpec,
): GruForward<GpuHandle> {
  const { steps: T, batch: B, hidden: H } = spec;
  const BH = B * H;
  const out = rt.alloc((T + 1) * BH, 'float32');
  const states = rt.alloc((T + 1) * BH, 'float32');
  const gates = rt.alloc(T * B * 4 * H, 'float32');
  scatter(rt, states, h0, { shape: [BH], strides: [1], offset: lstmSlots(lstmTime(0, spec), spec).prev * BH });
  // The steps read W_hhᵀ [H, 3H], transposed once per sequence so that each step reads its rows in order.
  const w = gather(rt, wHh, { shape: [H, 3 * H], strides: [1, H], offset: 0 });
  forwardSteps(rt, 'gru_step_forward', {}, spec, mask, { xg: xGates, bhh: bHh, states, gates, out, w }, (t) => stepOffsets(t, spec));
  rt.release(w);
  return { out, states, gates };
}

export function gruBackward(
  rt: GpuRuntime, dOut: GpuHandle, wHh: GpuHandle, fwd: { states: GpuHandle; gates: GpuHandle }, mask: GpuHandle | null, spec: GruSpec,
): GruGrads<GpuHandle> {
  const { steps: T, batch: B, hidden: H } = spec;
  const BH = B * H;
  const G = T * B * 3 * H;
  // [2, T, B, 3H]: gradients of the input sums, then of the recurrent sums.
  const dgates = rt.alloc(2 * G, 'float32');
  // dh for the state each step wrote; the final state's is dOut's last row.
  const { ds: last, laterOff } = backwardSteps(
    rt, 'gru_step_backward', spec, mask, dOut, BH, { states: fwd.states, gates: fwd.gates, dgates, w: wHh }, (t) => stepOffsets(t, spec), (o) => G + o.xgOff,
  );
  const dh0 = initialStateGrad(rt, last, dgates, laterOff, wHh, spec, 3);
  rt.release(last);
  const dwHh = recurrentWeightGrad(rt, dgates, G, fwd.states, spec, 3);
  const dxGates = gather(rt, dgates, { shape: [G], strides: [1], offset: 0 });
  const dhGates = gather(rt, dgates, { shape: [G], strides: [1], offset: G });
  rt.release(dgates);
  return { dxGates, dhGates, dh0, dwHh };
}
