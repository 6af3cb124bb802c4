// Keras' return_sequences for a Sequential: nn.LSTM returns [out, [hN, cN]] and nn.GRU
// [out, hN], and the next layer needs one tensor. AllSteps passes on `out` (return_sequences=True); LastStep passes on the
// last layer's final hidden state (return_sequences=False), which is what a classifier reads.
import { fmt } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { Module, registerLayer } from './module.js';

type RecurrentResult = [Tensor, [Tensor, Tensor] | Tensor];

/** The layer's outputs and its final hidden states (an LSTM's hN, a GRU's), checked. */
function check(layer: string, r: unknown): [Tensor, Tensor] {
  const hN: unknown = Array.isArray(r) ? (Array.isArray(r[1]) ? r[1][0] : r[1]) : null;
  const ok = Array.isArray(r) && r[0] instanceof Tensor && hN instanceof Tensor && r[0].rank === 3 && hN.rank === 3;
  if (!ok) throw new Error(`${layer}: expected a recurrent layer's [out, [hN, cN]] or [out, hN] (put it right after an nn.LSTM or nn.GRU), got ${r instanceof Tensor ? `a tensor ${fmt(r.shape)}` : String(r)}`);
  return [r[0] as Tensor, hN as Tensor];
}

/** [out, state] -> out: every step's output, for a following recurrent layer. */
export class AllSteps extends Module<[RecurrentResult], Tensor> {
  override forward(r: RecurrentResult): Tensor {
    return check('AllSteps', r)[0];
  }
}

/**
 * [out, [hN, cN]] or [out, hN] -> [B, D * H]: the last layer's final hidden state. For a bidirectional layer
 * that is the forward direction after the last step next to the reverse one after the first,
 * as Keras' Bidirectional concatenates them; with `lengths`, each example's own last step.
 */
export class LastStep extends Module<[RecurrentResult], Tensor> {
  override forward(r: RecurrentResult): Tensor {
    const [out, hN] = check('LastStep', r);
    const [layersTimesD, batch, hidden] = hN.shape as [number, number, number];
    // out's features are D * H, so D (directions) follows without being configured.
    const directions = out.shape[2]! / hidden;
    return hN.narrow(0, layersTimesD - directions, directions).permute([1, 0, 2]).reshape([batch, directions * hidden]);
  }
}

registerLayer('AllSteps', AllSteps, () => new AllSteps());
registerLayer('LastStep', LastStep, () => new LastStep());
