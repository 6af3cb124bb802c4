// What the GRU kernels of both backends take and return. One call runs one direction of one
// layer over a whole sequence, like the LSTM's (./lstmSpec.ts), whose spec, state slots and
// step order it shares.
import type { Handle } from './backend.js';
import type { LstmSpec } from './lstmSpec.js';

/** One GRU direction over a sequence, PyTorch gate order r, z, n; the same fields as an LSTM's. */
export type GruSpec = LstmSpec;

/**
 * The forward's result. `out` is [steps + 1, batch, hidden]: the output at every step, then the
 * final h. What the backward reads:
 * - `states` [steps + 1, batch, hidden]: h entering each step, in the LSTM's slots (lstmSlots).
 * - `gates` [steps, batch, 4 * hidden]: r, z, n and W_hn·h + b_hn (which r scaled).
 */
export interface GruForward<H extends Handle = Handle> extends GruSaved<H> {
  out: H;
}

export interface GruSaved<H extends Handle = Handle> {
  states: H;
  gates: H;
}

/**
 * Gradients of one direction: dxGates [steps, batch, 3H] with respect to x·W_ihᵀ + b_ih,
 * dhGates [steps, batch, 3H] with respect to h·W_hhᵀ + b_hh (they differ in n, whose recurrent
 * sum r scales), dh0 [batch, H] and dwHh [3H, H].
 */
export interface GruGrads<H extends Handle = Handle> {
  dxGates: H;
  dhGates: H;
  dh0: H;
  dwHh: H;
}
