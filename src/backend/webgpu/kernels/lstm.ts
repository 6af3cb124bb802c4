// Dispatch for shaders/lstm.wgsl: a whole sequence is queued as (matmul, fused cell) pairs,
// one per step, with no read-back; the backward likewise, then one matmul for dW_hh.
import type { MatmulSpec } from '../../backend.js';
import { type LstmForward, type LstmGrads, type LstmSpec, lstmSlots, lstmTime } from '../../lstmSpec.js';
import type { Binding, GpuHandle, GpuRuntime } from '../runtime.js';
import { grid2d, WG } from './common.js';
import { binary } from './elementwise.js';
import { gather, scatter } from './layout.js';
import { matmul } from './matmul.js';

interface StepOffsets {
  gateOff: number;
  prevOff: number;
  nextOff: number;
  outOff: number;
  maskOff: number;
  finalOff: number;
  dsOff: number;
  hasHw: number;
}

function stepOffsets(t: number, spec: LstmSpec): StepOffsets {
  const { batch: B, hidden: H, steps: T } = spec;
  const { prev, next } = lstmSlots(t, spec);
  return {
    gateOff: t * B * 4 * H, prevOff: prev * B * H, nextOff: next * B * H, outOff: t * B * H,
    maskOff: t * B, finalOff: T * B * H, dsOff: 0, hasHw: 1,
  };
}

function params(rt: GpuRuntime, spec: LstmSpec, o: StepOffsets): GPUBuffer {
  return rt.constant(Uint32Array.from([
    spec.batch, spec.hidden, o.gateOff, o.prevOff, o.nextOff, o.outOff, o.maskOff, o.finalOff, o.dsOff, o.hasHw, 0, 0,
  ]));
}

/** h (read at `hOffset` as [B, H]) · W_hhᵀ -> [B, 4H]. */
function recurrentForward(rt: GpuRuntime, states: GpuHandle, hOffset: number, wHh: GpuHandle, spec: LstmSpec): GpuHandle {
  const H = spec.hidden;
  const s: MatmulSpec = {
    batch: 1, M: spec.batch, K: H, N: 4 * H, aOffsets: [hOffset], bOffsets: [0],
    aRowStride: H, aColStride: 1, bRowStride: 1, bColStride: H,
  };
  return matmul(rt, states, wHh, s);
}

/** dGates (read at `gOffset` as [B, 4H]) · W_hh -> [B, H]. */
function recurrentBackward(rt: GpuRuntime, dgates: GpuHandle, gOffset: number, wHh: GpuHandle, spec: LstmSpec): GpuHandle {
  const H = spec.hidden;
  const s: MatmulSpec = {
    batch: 1, M: spec.batch, K: 4 * H, N: H, aOffsets: [gOffset], bOffsets: [0],
    aRowStride: 4 * H, aColStride: 1, bRowStride: H, bColStride: 1,
  };
  return matmul(rt, dgates, wHh, s);
}

const grid = (spec: LstmSpec) => grid2d(Math.max(1, Math.ceil((spec.batch * spec.hidden) / WG)));

export function lstmForward(
  rt: GpuRuntime, xGates: GpuHandle, h0: GpuHandle, c0: GpuHandle, wHh: GpuHandle, mask: GpuHandle | null, spec: LstmSpec,
): LstmForward {
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
  const kernel = { shader: 'lstm', entry: 'cell_forward', overrides: { WG, MASKED: mask ? 1 : 0 } };
  for (let k = 0; k < T; k++) {
    const t = lstmTime(k, spec);
    const o = stepOffsets(t, spec);
    const hw = recurrentForward(rt, states, o.prevOff, wHh, spec);
    // Without a mask the shader never reads binding 6, but layout 'auto' still expects it
    // (the read is behind an override-constant branch): any read-only buffer will do.
    const bindings: Binding[] = [xGates, hw, states, cells, gates, out, mask ?? xGates, params(rt, spec, o)];
    rt.dispatch(kernel, bindings, grid(spec));
    rt.release(hw);
  }
  return { out, states, cells, gates };
}

export function lstmBackward(
  rt: GpuRuntime, dOut: GpuHandle, wHh: GpuHandle, fwd: { states: GpuHandle; cells: GpuHandle; gates: GpuHandle },
  mask: GpuHandle | null, spec: LstmSpec,
): LstmGrads {
  const { steps: T, batch: B, hidden: H } = spec;
  const BH = B * H;
  const dgates = rt.alloc(T * B * 4 * H, 'float32');
  const kernel = { shader: 'lstm', entry: 'cell_backward', overrides: { WG, MASKED: mask ? 1 : 0 } };
  // (dh, dc) for the state the current step wrote; the final state's gradients are dOut's last two rows.
  let ds: GpuHandle | null = null;
  let laterGateOff = -1;
  for (let k = T - 1; k >= 0; k--) {
    const t = lstmTime(k, spec);
    const o = stepOffsets(t, spec);
    const hw = laterGateOff >= 0 ? recurrentBackward(rt, dgates, laterGateOff, wHh, spec) : null;
    const dsOut = rt.alloc(2 * BH, 'float32');
    const p = params(rt, spec, { ...o, dsOff: ds ? 0 : T * BH, hasHw: hw ? 1 : 0 });
    // Unused bindings (hw on the first step taken, the mask when there is none) get dOut,
    // which is read-only here, to satisfy the 'auto' layout.
    const bindings: Binding[] = [];
    bindings[1] = hw ?? dOut;
    bindings[3] = fwd.cells;
    bindings[4] = fwd.gates;
    bindings[6] = mask ?? dOut;
    bindings[7] = p;
    bindings[8] = dOut;
    bindings[9] = dgates;
    bindings[10] = ds ?? dOut;
    bindings[11] = dsOut;
    rt.dispatch(kernel, bindings, grid(spec));
    if (hw) rt.release(hw);
    if (ds) rt.release(ds);
    ds = dsOut;
    laterGateOff = o.gateOff;
  }
  const last = ds!;
  const hw = recurrentBackward(rt, dgates, laterGateOff, wHh, spec);
  const flat = (offset: number) => ({ shape: [BH], strides: [1], offset });
  const dh0 = binary(rt, 'add', last, flat(0), hw, flat(0), [BH]);
  const dc0 = gather(rt, last, flat(BH));
  rt.release(hw);
  rt.release(last);
  // dW_hh = dGatesᵀ [4H, T·B] · (states entering each step) [T·B, H], all steps in one product.
  // In both directions step t reads slot t + (reverse ? 1 : 0), so they start at step 0's.
  const dwHh = matmul(rt, dgates, fwd.states, {
    batch: 1, M: 4 * H, K: T * B, N: H, aOffsets: [0], bOffsets: [lstmSlots(0, spec).prev * BH],
    aRowStride: 1, aColStride: 4 * H, bRowStride: H, bColStride: 1,
  });
  return { dxGates: dgates, dh0, dc0, dwHh };
}
