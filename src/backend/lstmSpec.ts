// What the LSTM kernels of both backends take and return. One call runs one direction of one
// layer over a whole sequence, so the webgpu backend can queue every step at once.
import type { Handle } from './backend.js';

/**
 * One LSTM direction over `steps` time steps of a batch, PyTorch gate order i, f, g, o.
 * `reverse` walks time from the last step to the first (the `_reverse` half of a BiLSTM).
 */
export interface LstmSpec {
  steps: number;
  batch: number;
  hidden: number;
  reverse: boolean;
}

/**
 * The forward's result. `out` is [steps + 2, batch, hidden]: the output at every step, then
 * the final h, then the final c (one buffer so the op has one output to differentiate).
 * The rest is what the backward reads, all indexed by time:
 * - `states` [steps + 1, batch, hidden]: h entering each step. The forward direction keeps h0
 *   in slot 0 and h after step t in slot t + 1; the reverse one h0 in slot `steps` and h after
 *   step t in slot t. Either way the states entering steps 0..T-1 are one contiguous block,
 *   which makes the recurrent weight's gradient a single matmul.
 * - `cells` [steps + 1, batch, hidden]: c, in the same slots.
 * - `gates` [steps, batch, 4 * hidden]: the activated gates sigmoid(i), sigmoid(f), tanh(g), sigmoid(o).
 */
export interface LstmForward<H extends Handle = Handle> extends LstmSaved<H> {
  out: H;
}

/** The part of the forward's result that the backward reads. */
export interface LstmSaved<H extends Handle = Handle> {
  states: H;
  cells: H;
  gates: H;
}

/** Gradients of one direction: dxGates [steps, batch, 4H], dh0 and dc0 [batch, H], dwHh [4H, H]. */
export interface LstmGrads<H extends Handle = Handle> {
  dxGates: H;
  dh0: H;
  dc0: H;
  dwHh: H;
}

/** Slot of `states`/`cells` holding the state that step t reads, and the one it writes. */
export function lstmSlots(t: number, spec: LstmSpec): { prev: number; next: number } {
  return spec.reverse ? { prev: t + 1, next: t } : { prev: t, next: t + 1 };
}

/** The time index of the k-th step taken. */
export function lstmTime(k: number, spec: LstmSpec): number {
  return spec.reverse ? spec.steps - 1 - k : k;
}
