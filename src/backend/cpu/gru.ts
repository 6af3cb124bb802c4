// Reference GRU over a sequence in float64: PyTorch's equations in plain loops, one
// (batch, unit) at a time, written to be checked by eye rather than to be fast.
import type { GruSpec } from '../gruSpec.js';
import { lstmSlots, lstmTime } from '../lstmSpec.js';
import { forEachStepRow, recurrentWeightGrad } from './recurrentSteps.js';

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

export interface GruSavedArrays {
  states: Float64Array;
  gates: Float64Array;
}

/** See GruForward in ../gruSpec.ts for the layouts. mask: [T, B] of 1/0, or null for all 1. */
export function gruForward(
  xGates: Float64Array, h0: Float64Array, wHh: Float64Array, bHh: Float64Array, mask: Float64Array | null, spec: GruSpec,
): GruSavedArrays & { out: Float64Array } {
  const { steps: T, batch: B, hidden: H } = spec;
  const BH = B * H;
  const out = new Float64Array((T + 1) * BH);
  const states = new Float64Array((T + 1) * BH);
  const gates = new Float64Array(T * B * 4 * H);
  states.set(h0, (spec.reverse ? T : 0) * BH);
  forEachStepRow(spec, mask, (t, b, { prev, next }, live) => {
    const hPrev = states.subarray(prev * BH + b * H, prev * BH + (b + 1) * H);
    for (let j = 0; j < H; j++) {
      // The recurrent sums W_h· h + b_h· of the three gates.
      const [hr, hz, hn] = [0, 1, 2].map((q) => {
        let acc = bHh[q * H + j]!;
        for (let m = 0; m < H; m++) acc += hPrev[m]! * wHh[(q * H + j) * H + m]!;
        return acc;
      }) as [number, number, number];
      const x = (t * B + b) * 3 * H + j;
      const r = sigmoid(xGates[x]! + hr);
      const z = sigmoid(xGates[x + H]! + hz);
      const n = Math.tanh(xGates[x + 2 * H]! + r * hn);
      const g = (t * B + b) * 4 * H + j;
      gates[g] = r;
      gates[g + H] = z;
      gates[g + 2 * H] = n;
      gates[g + 3 * H] = hn;
      const h = (1 - z) * n + z * hPrev[j]!;
      // A padded step leaves the state as it was and outputs zero, like a packed sequence.
      states[next * BH + b * H + j] = live ? h : hPrev[j]!;
      out[t * BH + b * H + j] = live ? h : 0;
    }
  });
  const last = spec.reverse ? 0 : T;
  out.set(states.subarray(last * BH, (last + 1) * BH), T * BH);
  return { out, states, gates };
}

export interface GruGradArrays {
  dxGates: Float64Array;
  dhGates: Float64Array;
  dh0: Float64Array;
  dwHh: Float64Array;
}

/** Back-propagation through time from dOut [T + 1, B, H] (outputs, then the final h). */
export function gruBackward(dOut: Float64Array, wHh: Float64Array, fwd: GruSavedArrays, mask: Float64Array | null, spec: GruSpec): GruGradArrays {
  const { steps: T, batch: B, hidden: H } = spec;
  const BH = B * H;
  const { states, gates } = fwd;
  const dxGates = new Float64Array(T * B * 3 * H);
  const dhGates = new Float64Array(T * B * 3 * H);
  // The gradient with respect to the state a step writes; start from the final state's.
  let dh = dOut.slice(T * BH, (T + 1) * BH);
  for (let k = T - 1; k >= 0; k--) {
    const t = lstmTime(k, spec);
    const { prev } = lstmSlots(t, spec);
    const dhPrev = new Float64Array(BH);
    for (let b = 0; b < B; b++) {
      const live = mask === null || mask[t * B + b] !== 0;
      const row = (t * B + b) * 3 * H;
      for (let j = 0; j < H; j++) {
        const s = b * H + j;
        if (!live) {
          dhPrev[s] = dh[s]!;
          continue;
        }
        const d = dh[s]! + dOut[t * BH + s]!;
        const g = (t * B + b) * 4 * H + j;
        const [r, z, n, hn] = [gates[g]!, gates[g + H]!, gates[g + 2 * H]!, gates[g + 3 * H]!];
        const dn = d * (1 - z) * (1 - n * n);
        const dz = d * (states[prev * BH + s]! - n) * z * (1 - z);
        const dr = dn * hn * r * (1 - r);
        dxGates[row + j] = dr;
        dxGates[row + H + j] = dz;
        dxGates[row + 2 * H + j] = dn;
        dhGates[row + j] = dr;
        dhGates[row + H + j] = dz;
        dhGates[row + 2 * H + j] = dn * r;
        dhPrev[s] = d * z;
      }
      // The recurrent product's input gradient: dh_prev += dhGates · W_hh.
      for (let m = 0; m < H; m++) {
        let acc = 0;
        for (let q = 0; q < 3 * H; q++) acc += dhGates[row + q]! * wHh[q * H + m]!;
        dhPrev[b * H + m] = dhPrev[b * H + m]! + acc;
      }
    }
    dh = dhPrev;
  }
  const dwHh = recurrentWeightGrad(dhGates, states, spec, 3);
  return { dxGates, dhGates, dh0: dh, dwHh };
}
