// dW_hh of a recurrent layer (LSTM: 4 gates, GRU: 3), shared by their cpu references.
import { type LstmSpec, lstmSlots } from '../lstmSpec.js';

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
