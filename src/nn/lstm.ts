// nn.LSTM: torch.nn.LSTM's parameters, names and initialisation around the functional dg.lstm
// (src/core/ops/lstm.ts), which runs each layer-direction as one fused sequence kernel.
import { type LstmWeights, lstm } from '../core/ops/lstm.js';
import type { Tensor } from '../core/tensor.js';
import { uniform } from './init.js';
import { Module, registerLayer, type JsonObject } from './module.js';

export interface LSTMOptions {
  numLayers?: number;
  bias?: boolean;
  batchFirst?: boolean;
  bidirectional?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode (PyTorch's `dropout`). */
  dropout?: number;
}

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
  readonly #weights: LstmWeights[] = [];

  constructor(readonly inputSize: number, readonly hiddenSize: number, options: LSTMOptions = {}) {
    super();
    this.numLayers = options.numLayers ?? 1;
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.bidirectional = options.bidirectional ?? false;
    this.dropout = options.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout <= 1)) throw new Error(`LSTM: dropout must be in [0, 1], got ${this.dropout}`);
    for (const [name, v] of [['inputSize', inputSize], ['hiddenSize', hiddenSize], ['numLayers', this.numLayers]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`LSTM: ${name} must be a positive integer, got ${v}`);
    }
    const H = hiddenSize;
    const D = this.bidirectional ? 2 : 1;
    // PyTorch initialises every LSTM parameter from U(-1/sqrt(H), 1/sqrt(H)).
    const bound = 1 / Math.sqrt(H);
    for (let l = 0; l < this.numLayers; l++) {
      for (let d = 0; d < D; d++) {
        const suffix = `_l${l}${d === 1 ? '_reverse' : ''}`;
        const w: LstmWeights = {
          weightIh: this.registerParameter(`weight_ih${suffix}`, uniform([4 * H, l === 0 ? inputSize : D * H], bound)),
          weightHh: this.registerParameter(`weight_hh${suffix}`, uniform([4 * H, H], bound)),
        };
        if (this.bias) {
          w.biasIh = this.registerParameter(`bias_ih${suffix}`, uniform([4 * H], bound));
          w.biasHh = this.registerParameter(`bias_hh${suffix}`, uniform([4 * H], bound));
        }
        this.#weights.push(w);
      }
    }
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
    return {
      inputSize: this.inputSize, hiddenSize: this.hiddenSize, numLayers: this.numLayers, bias: this.bias,
      batchFirst: this.batchFirst, bidirectional: this.bidirectional, dropout: this.dropout,
    };
  }
}

registerLayer('LSTM', LSTM, (c) => new LSTM(c.inputSize as number, c.hiddenSize as number, {
  numLayers: c.numLayers as number, bias: c.bias as boolean, batchFirst: c.batchFirst as boolean,
  bidirectional: c.bidirectional as boolean, dropout: c.dropout as number,
}));
