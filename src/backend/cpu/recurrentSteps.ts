// What the cpu references of the recurrent layers (LSTM: 4 gates, GRU: 3) share: the walk over
// steps in the recurrence's order, and dW_hh.
import { type LstmSpec, lstmSlots, lstmTime } from '../lstmSpec.js';

/** Calls fn for every step in the order the recurrence takes them and every batch row, with
 *  the state slots the step reads and writes and whether the mask ([T, B] or null) keeps it. */
export function forEachStepRow(spec: LstmSpec, mask: Float64Array | null, fn: (t: number, b: number, slots: { prev: number; next: number }, live: boolean) => void): void {
  const { steps: T, batch: B } = spec;
  for (let k = 0; k < T; k++) {
    const t = lstmTime(k, spec);
    const slots = lstmSlots(t, spec);
    for (let b = 0; b < B; b++) fn(t, b, slots, mask === null || mask[t * B + b] !== 0);
  }
}

/** Sum over steps and batch of dGates_t^T [G·H] · h entering step t [H], from the saved states. */
export function recurrentWeightGrad(dGates: Float64Array, states: Float64Array, spec: LstmSpec, G: number): Float64Array {
  const { steps: T, batch: B, hidden: H } = spec;
  const dwHh = new Float64Array(G * H * H);
  for (let t = 0; t < T; t++) {
    const { prev } = lstmSlots(t, spec);
    for (let b = 0; b < B; b++) {
      for (let q = 0; q < G * H; q++) {
        const dg = dGates[(t * B + b) * G * H + q]!;
        for (let m = 0; m < H; m++) dwHh[q * H + m] = dwHh[q * H + m]! + dg * states[(prev * B + b) * H + m]!;
      }
    }
  }
  return dwHh;
}
