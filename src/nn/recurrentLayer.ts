// What nn.LSTM and nn.GRU share: their options, checked, their parameters registered in
// PyTorch's order and names (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, then _reverse,
// then l1 ...) with PyTorch's init, and their saved architecture.
import type { RecurrentWeights } from '../core/ops/recurrent.js';
import { checkElements, checkSize } from '../core/shape.js';
import { uniform } from './init.js';
import { type JsonObject, Module } from './module.js';

export interface RecurrentLayerOptions {
  numLayers?: number;
  bias?: boolean;
  batchFirst?: boolean;
  bidirectional?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode (PyTorch's `dropout`). */
  dropout?: number;
}

/**
 * The base of nn.LSTM and nn.GRU: `gates` per unit (LSTM 4, GRU 3). Subclasses run `weights`,
 * each layer's directions in PyTorch's order (l0, l0_reverse, l1, ...).
 */
export abstract class RecurrentLayer<In extends unknown[], Out> extends Module<In, Out> {
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly bidirectional: boolean;
  readonly dropout: number;
  // An array of plain objects: the state dict sees the parameters under their registered names only.
  protected readonly weights: RecurrentWeights[] = [];

  constructor(layer: string, readonly inputSize: number, readonly hiddenSize: number, options: RecurrentLayerOptions, gates: number) {
    super();
    this.numLayers = options.numLayers ?? 1;
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.bidirectional = options.bidirectional ?? false;
    this.dropout = options.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout <= 1)) throw new Error(`${layer}: dropout must be in [0, 1], got ${this.dropout}`);
    for (const [name, v] of [['inputSize', inputSize], ['hiddenSize', hiddenSize], ['numLayers', this.numLayers]] as const) checkSize(layer, name, v);
    const H = hiddenSize;
    const D = this.bidirectional ? 2 : 1;
    // All layers' weights together, so numLayers cannot make an unbounded number of small ones.
    checkElements(layer, 'the weights', [this.numLayers * D * gates * H, Math.max(inputSize, D * H) + H + 2]);
    // PyTorch initialises every parameter of its recurrent layers from U(-1/sqrt(H), 1/sqrt(H)).
    const bound = 1 / Math.sqrt(H);
    for (let l = 0; l < this.numLayers; l++) {
      for (let d = 0; d < D; d++) {
        const suffix = `_l${l}${d === 1 ? '_reverse' : ''}`;
        const w: RecurrentWeights = {
          weightIh: this.registerParameter(`weight_ih${suffix}`, uniform([gates * H, l === 0 ? inputSize : D * H], bound)),
          weightHh: this.registerParameter(`weight_hh${suffix}`, uniform([gates * H, H], bound)),
        };
        if (this.bias) {
          w.biasIh = this.registerParameter(`bias_ih${suffix}`, uniform([gates * H], bound));
          w.biasHh = this.registerParameter(`bias_hh${suffix}`, uniform([gates * H], bound));
        }
        this.weights.push(w);
      }
    }
  }

  /** The options every recurrent forward passes on; dropout only in training mode. */
  protected runOptions(): { bidirectional: boolean; batchFirst: boolean; dropout: number } {
    return { bidirectional: this.bidirectional, batchFirst: this.batchFirst, dropout: this.training ? this.dropout : 0 };
  }

  override config(): JsonObject {
    return {
      inputSize: this.inputSize, hiddenSize: this.hiddenSize, numLayers: this.numLayers, bias: this.bias,
      batchFirst: this.batchFirst, bidirectional: this.bidirectional, dropout: this.dropout,
    };
  }
}

/** A saved config back as constructor arguments. */
export function recurrentFromConfig(c: JsonObject): [number, number, RecurrentLayerOptions] {
  return [c.inputSize as number, c.hiddenSize as number, {
    numLayers: c.numLayers as number, bias: c.bias as boolean, batchFirst: c.batchFirst as boolean,
    bidirectional: c.bidirectional as boolean, dropout: c.dropout as number,
  }];
}
