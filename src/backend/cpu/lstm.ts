// Reference LSTM over a sequence in float64: the textbook equations in plain loops, one
// (batch, unit) at a time, written to be checked by eye rather than to be fast.
import { type LstmSpec, lstmSlots, lstmTime } from '../lstmSpec.js';
import { forEachStepRow, recurrentWeightGrad } from './recurrentSteps.js';

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

export interface LstmSavedArrays {
  states: Float64Array;
  cells: Float64Array;
  gates: Float64Array;
}

/** See LstmForward in ../lstmSpec.ts for the layouts. mask: [T, B] of 1/0, or null for all 1. */
export function lstmForward(
  xGates: Float64Array, h0: Float64Array, c0: Float64Array, wHh: Float64Array, mask: Float64Array | null, spec: LstmSpec,
): LstmSavedArrays & { out: Float64Array } {
  const { steps: T, batch: B, hidden: H } = spec;
  const BH = B * H;
  const out = new Float64Array((T + 2) * BH);
  const states = new Float64Array((T + 1) * BH);
  const cells = new Float64Array((T + 1) * BH);
  const gates = new Float64Array(T * B * 4 * H);
  const first = spec.reverse ? T : 0;
  states.set(h0, first * BH);
  cells.set(c0, first * BH);
  forEachStepRow(spec, mask, (t, b, { prev, next }, live) => {
    const hPrev = states.subarray(prev * BH + b * H, prev * BH + (b + 1) * H);
    for (let j = 0; j < H; j++) {
      const pre = [0, 1, 2, 3].map((q) => {
        let acc = xGates[(t * B + b) * 4 * H + q * H + j]!;
        for (let m = 0; m < H; m++) acc += hPrev[m]! * wHh[(q * H + j) * H + m]!;
        return acc;
      });
      const [i, f, g, o] = [sigmoid(pre[0]!), sigmoid(pre[1]!), Math.tanh(pre[2]!), sigmoid(pre[3]!)];
      const gBase = (t * B + b) * 4 * H + j;
      gates[gBase] = i;
      gates[gBase + H] = f;
      gates[gBase + 2 * H] = g;
      gates[gBase + 3 * H] = o;
      const cPrev = cells[prev * BH + b * H + j]!;
      const c = f * cPrev + i * g;
      const h = o * Math.tanh(c);
      // A padded step leaves the state as it was and outputs zero, like a packed sequence.
      cells[next * BH + b * H + j] = live ? c : cPrev;
      states[next * BH + b * H + j] = live ? h : hPrev[j]!;
      out[t * BH + b * H + j] = live ? h : 0;
    }
  });
  const last = spec.reverse ? 0 : T;
  out.set(states.subarray(last * BH, (last + 1) * BH), T * BH);
  out.set(cells.subarray(last * BH, (last + 1) * BH), (T + 1) * BH);
  return { out, states, cells, gates };
}

export interface LstmGradArrays {
  dxGates: Float64Array;
  dh0: Float64Array;
  dc0: Float64Array;
  dwHh: Float64Array;
}

/** Back-propagation through time from dOut [T + 2, B, H] (outputs, final h, final c). */
export function lstmBackward(
  dOut: Float64Array, wHh: Float64Array, fwd: LstmSavedArrays, mask: Float64Array | null, spec: LstmSpec,
): LstmGradArrays {
  const { steps: T, batch: B, hidden: H } = spec;
  const BH = B * H;
  const { states, cells, gates } = fwd;
  const dxGates = new Float64Array(T * B * 4 * H);
  // Gradients with respect to the state a step writes; start from the final state's.
  let dh = dOut.slice(T * BH, (T + 1) * BH);
  let dc = dOut.slice((T + 1) * BH, (T + 2) * BH);
  for (let k = T - 1; k >= 0; k--) {
    const t = lstmTime(k, spec);
    const { prev, next } = lstmSlots(t, spec);
    const dhPrev = new Float64Array(BH);
    const dcPrev = new Float64Array(BH);
    for (let b = 0; b < B; b++) {
      const live = mask === null || mask[t * B + b] !== 0;
      for (let j = 0; j < H; j++) {
        const s = b * H + j;
        if (!live) {
          dhPrev[s] = dh[s]!;
          dcPrev[s] = dc[s]!;
          continue;
        }
        const dhTotal = dh[s]! + dOut[t * BH + s]!;
        const gBase = (t * B + b) * 4 * H + j;
        const [i, f, g, o] = [gates[gBase]!, gates[gBase + H]!, gates[gBase + 2 * H]!, gates[gBase + 3 * H]!];
        const tc = Math.tanh(cells[next * BH + s]!);
        const dcTotal = dc[s]! + dhTotal * o * (1 - tc * tc);
        dxGates[gBase] = dcTotal * g * i * (1 - i);
        dxGates[gBase + H] = dcTotal * cells[prev * BH + s]! * f * (1 - f);
        dxGates[gBase + 2 * H] = dcTotal * i * (1 - g * g);
        dxGates[gBase + 3 * H] = dhTotal * tc * o * (1 - o);
        dcPrev[s] = dcTotal * f;
      }
      // The recurrent matmul's input gradient: dh_prev += dGates · W_hh.
      for (let m = 0; m < H; m++) {
        let acc = 0;
        for (let r = 0; r < 4 * H; r++) acc += dxGates[(t * B + b) * 4 * H + r]! * wHh[r * H + m]!;
        dhPrev[b * H + m] = dhPrev[b * H + m]! + acc;
      }
    }
    dh = dhPrev;
    dc = dcPrev;
  }
  const dwHh = recurrentWeightGrad(dxGates, states, spec, 4);
  return { dxGates, dh0: dh, dc0: dc, dwHh };
}
