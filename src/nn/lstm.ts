// nn.LSTM: torch.nn.LSTM's parameters, names and initialisation around the functional dg.lstm
// (src/core/ops/lstm.ts), which runs each layer-direction as one fused sequence kernel.
import { lstm } from '../core/ops/lstm.js';
import type { Tensor } from '../core/tensor.js';
import { registerLayer } from './module.js';
import { RecurrentLayer, type RecurrentLayerOptions, recurrentFromConfig } from './recurrentLayer.js';

export type LSTMOptions = RecurrentLayerOptions;

export interface LSTMForwardOptions {
  /**
   * Per-example lengths of a padded batch: what PyTorch does with packed sequences. Steps past
   * an example's length output zeros and leave its state alone, so padding never changes its
   * results; hN and cN are taken at its last real step (its first, for the reverse direction).
   */
  lengths?: readonly number[];
  /**
   * Keras-style mask of real steps, [B, T] with batchFirst or [T, B]: 0 steps keep the state
   * and output zero wherever they are (front padding too), e.g. `dg.ne(tokenIds, 0)`.
   */
  mask?: Tensor;
}

type LSTMState = readonly [Tensor, Tensor];

export class LSTM extends RecurrentLayer<[Tensor, (LSTMState | null)?, LSTMForwardOptions?], [Tensor, [Tensor, Tensor]]> {
  constructor(inputSize: number, hiddenSize: number, options: LSTMOptions = {}) {
    super('LSTM', inputSize, hiddenSize, options, 4);
  }

  /**
   * x [T, B, inputSize] ([B, T, inputSize] with batchFirst), optional initial [h0, c0] each
   * [numLayers * numDirections, B, hiddenSize]. Returns [out, [hN, cN]] with out
   * [T, B, numDirections * hiddenSize] (or batch first); Keras' return_sequences=false is
   * out's last step, or hN's last layer.
   */
  override forward(x: Tensor, state?: LSTMState | null, options: LSTMForwardOptions = {}): [Tensor, [Tensor, Tensor]] {
    return lstm(x, this.weights, { ...this.runOptions(), state: state ?? null, lengths: options.lengths ?? null, mask: options.mask ?? null });
  }
}

registerLayer('LSTM', LSTM, (c) => new LSTM(...recurrentFromConfig(c)));
