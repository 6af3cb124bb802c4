// Dispatch for shaders/gru.wgsl: a whole sequence is queued with no read-back, one dispatch per
// step (step_forward / step_backward fuse the recurrent product into the gates); the backward
// then takes dW_hh for all steps in one matmul. Thread layout and closing products are the
// LSTM's (./recurrentSteps.ts).
import type { GruForward, GruGrads, GruSpec } from '../../gruSpec.js';
import { lstmSlots, lstmTime } from '../../lstmSpec.js';
import type { GpuHandle, GpuRuntime } from '../runtime.js';
import { WG } from './common.js';
import { binary } from './elementwise.js';
import { gather, scatter } from './layout.js';
import { backwardGrid, backwardWg, byNumber, recurrentInputGrad, recurrentWeightGrad, stepGrid } from './recurrentSteps.js';

/** The Params uniform of step t (field order as in the shader); `later` is the backward's. */
function params(rt: GpuRuntime, t: number, spec: GruSpec, later: { dsOff: number; laterOff: number } | null = null): GPUBuffer {
  const { steps: T, batch: B, hidden: H } = spec;
  const { prev, next } = lstmSlots(t, spec);
  return rt.constant(Uint32Array.from([
    B, H, t * B * 3 * H, t * B * 4 * H, prev * B * H, next * B * H, t * B * H, t * B, T * B * H,
    later?.dsOff ?? 0, later && later.laterOff >= 0 ? 1 : 0, Math.max(0, later?.laterOff ?? 0), T * B * 3 * H, 0, 0, 0,
  ]));
}

export function gruForward(
  rt: GpuRuntime, xGates: GpuHandle, h0: GpuHandle, wHh: GpuHandle, bHh: GpuHandle, mask: GpuHandle | null, spec: GruSpec,
): GruForward {
  const { steps: T, batch: B, hidden: H } = spec;
  const BH = B * H;
  const out = rt.alloc((T + 1) * BH, 'float32');
  const states = rt.alloc((T + 1) * BH, 'float32');
  const gates = rt.alloc(T * B * 4 * H, 'float32');
  scatter(rt, states, h0, { shape: [BH], strides: [1], offset: lstmSlots(lstmTime(0, spec), spec).prev * BH });
  // The steps read W_hhᵀ [H, 3H], transposed once per sequence so that each step reads its rows in order.
  const w = gather(rt, wHh, { shape: [H, 3 * H], strides: [1, H], offset: 0 });
  const kernel = { shader: 'gru', entry: 'step_forward', overrides: { WG, MASKED: mask ? 1 : 0 } };
  for (let k = 0; k < T; k++) {
    // Without a mask the shader never reads binding 6, but layout 'auto' still expects it
    // (the read is behind an override-constant branch): any read-only buffer will do.
    const bindings = byNumber({ 0: xGates, 1: bHh, 2: states, 4: gates, 5: out, 6: mask ?? xGates, 7: params(rt, lstmTime(k, spec), spec), 12: w });
    rt.dispatch(kernel, bindings, stepGrid(spec));
  }
  rt.release(w);
  return { out, states, gates };
}

export function gruBackward(rt: GpuRuntime, dOut: GpuHandle, wHh: GpuHandle, fwd: { states: GpuHandle; gates: GpuHandle }, mask: GpuHandle | null, spec: GruSpec): GruGrads {
  const { steps: T, batch: B, hidden: H } = spec;
  const BH = B * H;
  const G = T * B * 3 * H;
  // [2, T, B, 3H]: gradients of the input sums, then of the recurrent sums.
  const dgrads = rt.alloc(2 * G, 'float32');
  const kernel = { shader: 'gru', entry: 'step_backward', overrides: { WG: backwardWg(spec), MASKED: mask ? 1 : 0 } };
  // dh for the state the current step wrote; the final state's is dOut's last row.
  let ds: GpuHandle | null = null;
  let laterOff = -1;
  for (let k = T - 1; k >= 0; k--) {
    const t = lstmTime(k, spec);
    const dsOut = rt.alloc(BH, 'float32');
    // The mask binding, unused without a mask, gets dOut (read-only here) for the 'auto' layout.
    const bindings = byNumber({
      2: fwd.states, 4: fwd.gates, 6: mask ?? dOut, 8: dOut, 9: dgrads, 10: ds ?? dOut, 11: dsOut, 12: wHh,
      7: params(rt, t, spec, { dsOff: ds ? 0 : T * BH, laterOff }),
    });
    rt.dispatch(kernel, bindings, backwardGrid(spec));
    if (ds) rt.release(ds);
    ds = dsOut;
    laterOff = G + t * B * 3 * H;
  }
  const last = ds!;
  const hw = recurrentInputGrad(rt, dgrads, laterOff, wHh, spec, 3);
  const flat = { shape: [BH], strides: [1], offset: 0 };
  const dh0 = binary(rt, 'add', last, flat, hw, flat, [BH]);
  rt.release(hw);
  rt.release(last);
  const dwHh = recurrentWeightGrad(rt, dgrads, G, fwd.states, spec, 3);
  const dxGates = gather(rt, dgrads, { shape: [G], strides: [1], offset: 0 });
  const dhGates = gather(rt, dgrads, { shape: [G], strides: [1], offset: G });
  rt.release(dgrads);
  return { dxGates, dhGates, dh0, dwHh };
}
