// nn.LSTM: torch.nn.LSTM's parameters, names and initialisation around the functional dg.lstm
// (src/core/ops/lstm.ts), which runs each layer-direction as one fused sequence kernel.
import { type LstmWeights, lstm } from '../core/ops/lstm.js';
import type { Tensor } from '../core/tensor.js';
import { Module, registerLayer, type JsonObject } from './module.js';
import { type RecurrentLayerOptions, recurrentConfig, recurrentFromConfig, recurrentParameters } from './recurrentParameters.js';

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

export class LSTM extends Module<[Tensor, (LSTMState | null)?, LSTMForwardOptions?], [Tensor, [Tensor, Tensor]]> {
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly bidirectional: boolean;
  readonly dropout: number;
  readonly #weights: LstmWeights[];

  constructor(readonly inputSize: number, readonly hiddenSize: number, options: LSTMOptions = {}) {
    super();
    const s = recurrentParameters(this, 'LSTM', inputSize, hiddenSize, options, 4);
    ({ numLayers: this.numLayers, bias: this.bias, batchFirst: this.batchFirst, bidirectional: this.bidirectional, dropout: this.dropout } = s);
    this.#weights = s.weights;
  }

  /**
   * x [T, B, inputSize] ([B, T, inputSize] with batchFirst), optional initial [h0, c0] each
   * [numLayers * numDirections, B, hiddenSize]. Returns [out, [hN, cN]] with out
   * [T, B, numDirections * hiddenSize] (or batch first); Keras' return_sequences=false is
   * out's last step, or hN's last layer.
   */
  override forward(x: Tensor, state?: LSTMState | null, options: LSTMForwardOptions = {}): [Tensor, [Tensor, Tensor]] {
    return lstm(x, this.#weights, {
      bidirectional: this.bidirectional, batchFirst: this.batchFirst, state: state ?? null, lengths: options.lengths ?? null, mask: options.mask ?? null,
      dropout: this.training ? this.dropout : 0,
    });
  }

  override config(): JsonObject {
    return recurrentConfig(this.inputSize, this.hiddenSize, this);
  }
}

registerLayer('LSTM', LSTM, (c) => new LSTM(...recurrentFromConfig(c)));
