// nn.GRU and nn.GRUCell: torch.nn.GRU's and GRUCell's parameters, names and initialisation
// around the functional dg.gru / dg.gruCell (src/core/ops/gru.ts), which run each
// layer-direction as one fused sequence kernel.
import { full } from '../core/ops/creation.js';
import { gru, gruCell } from '../core/ops/gru.js';
import { reshape } from '../core/ops/layout.js';
import { checkElements, checkSize, fmt } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { uniform } from './init.js';
import { Module, registerLayer, type JsonObject } from './module.js';
import { RecurrentLayer, type RecurrentLayerOptions, recurrentFromConfig } from './recurrentLayer.js';

export type GRUOptions = RecurrentLayerOptions;

export interface GRUForwardOptions {
  /**
   * Per-example lengths of a padded batch: what PyTorch does with packed sequences. Steps past
   * an example's length output zeros and leave its state alone, so padding never changes its
   * results; hN is taken at its last real step (its first, for the reverse direction).
   */
  lengths?: readonly number[];
  /**
   * Keras-style mask of real steps, [B, T] with batchFirst or [T, B]: 0 steps keep the state
   * and output zero wherever they are (front padding too), e.g. `dg.ne(tokenIds, 0)`.
   */
  mask?: Tensor;
}

export class GRU extends RecurrentLayer<[Tensor, (Tensor | null)?, GRUForwardOptions?], [Tensor, Tensor]> {
  constructor(inputSize: number, hiddenSize: number, options: GRUOptions = {}) {
    super('GRU', inputSize, hiddenSize, options, 3);
  }

  /**
   * x [T, B, inputSize] ([B, T, inputSize] with batchFirst), optional h0
   * [numLayers * numDirections, B, hiddenSize]. Returns [out, hN] with out
   * [T, B, numDirections * hiddenSize] (or batch first).
   */
  override forward(x: Tensor, h0?: Tensor | null, options: GRUForwardOptions = {}): [Tensor, Tensor] {
    return gru(x, this.weights, { ...this.runOptions(), h0: h0 ?? null, lengths: options.lengths ?? null, mask: options.mask ?? null });
  }
}

export interface GRUCellOptions {
  bias?: boolean;
}

export class GRUCell extends Module<[Tensor, (Tensor | null)?], Tensor> {
  readonly bias: boolean;
  // Private, so that the state dict holds them once, under their registered names.
  readonly #weightIh: Tensor;
  readonly #weightHh: Tensor;
  readonly #biasIh: Tensor | null = null;
  readonly #biasHh: Tensor | null = null;

  constructor(readonly inputSize: number, readonly hiddenSize: number, options: GRUCellOptions = {}) {
    super();
    this.bias = options.bias ?? true;
    checkSize('GRUCell', 'inputSize', inputSize);
    checkSize('GRUCell', 'hiddenSize', hiddenSize);
    const H = hiddenSize;
    checkElements('GRUCell', 'the weights', [3 * H, inputSize + H]);
    // PyTorch's init: every parameter from U(-1/sqrt(H), 1/sqrt(H)).
    const bound = 1 / Math.sqrt(H);
    this.#weightIh = this.registerParameter('weight_ih', uniform([3 * H, inputSize], bound));
    this.#weightHh = this.registerParameter('weight_hh', uniform([3 * H, H], bound));
    if (this.bias) {
      this.#biasIh = this.registerParameter('bias_ih', uniform([3 * H], bound));
      this.#biasHh = this.registerParameter('bias_hh', uniform([3 * H], bound));
    }
  }

  /** x [B, inputSize] (or unbatched [inputSize]), h [B, hiddenSize] (zeros when absent) -> h' of h's shape. */
  override forward(x: Tensor, h?: Tensor | null): Tensor {
    if (x.rank !== 1 && x.rank !== 2) throw new Error(`GRUCell: expected input [batch, ${this.inputSize}] or [${this.inputSize}], got ${fmt(x.shape)}`);
    const unbatched = x.rank === 1;
    const xb = unbatched ? reshape(x, [1, x.shape[0]!]) : x;
    const B = xb.shape[0]!;
    const hb = h ? (unbatched ? reshape(h, [1, h.shape[0]!]) : h) : full([B, this.hiddenSize], 0, { backend: x.backend });
    const h1 = gruCell(xb, hb, this.#weightIh, this.#weightHh, this.#biasIh, this.#biasHh);
    return unbatched ? reshape(h1, [this.hiddenSize]) : h1;
  }

  override config(): JsonObject {
    return { inputSize: this.inputSize, hiddenSize: this.hiddenSize, bias: this.bias };
  }
}

registerLayer('GRU', GRU, (c) => new GRU(...recurrentFromConfig(c)));
registerLayer('GRUCell', GRUCell, (c) => new GRUCell(c.inputSize as number, c.hiddenSize as number, { bias: c.bias as boolean }));
