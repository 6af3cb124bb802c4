// What nn.LSTM and nn.GRU share: their options, checked, and their parameters registered in
// PyTorch's order and names (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, then _reverse,
// then l1 ...) with PyTorch's init.
import type { RecurrentWeights } from '../core/ops/recurrent.js';
import { uniform } from './init.js';
import type { JsonObject, Module } from './module.js';

export interface RecurrentLayerOptions {
  numLayers?: number;
  bias?: boolean;
  batchFirst?: boolean;
  bidirectional?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode (PyTorch's `dropout`). */
  dropout?: number;
}

export interface RecurrentSetup {
  numLayers: number;
  bias: boolean;
  batchFirst: boolean;
  bidirectional: boolean;
  dropout: number;
  weights: RecurrentWeights[];
}

/** Checks a recurrent layer's sizes and options and registers its parameters on `m`; `gates` per unit (LSTM 4, GRU 3). */
export function recurrentParameters<I extends unknown[], O>(
  m: Module<I, O>, layer: string, inputSize: number, hiddenSize: number, options: RecurrentLayerOptions, gates: number,
): RecurrentSetup {
  const s = {
    numLayers: options.numLayers ?? 1, bias: options.bias ?? true, batchFirst: options.batchFirst ?? false,
    bidirectional: options.bidirectional ?? false, dropout: options.dropout ?? 0,
  };
  if (!(s.dropout >= 0 && s.dropout <= 1)) throw new Error(`${layer}: dropout must be in [0, 1], got ${s.dropout}`);
  for (const [name, v] of [['inputSize', inputSize], ['hiddenSize', hiddenSize], ['numLayers', s.numLayers]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${layer}: ${name} must be a positive integer, got ${v}`);
  }
  const H = hiddenSize;
  const D = s.bidirectional ? 2 : 1;
  // PyTorch initialises every parameter of its recurrent layers from U(-1/sqrt(H), 1/sqrt(H)).
  const bound = 1 / Math.sqrt(H);
  const weights: RecurrentWeights[] = [];
  for (let l = 0; l < s.numLayers; l++) {
    for (let d = 0; d < D; d++) {
      const suffix = `_l${l}${d === 1 ? '_reverse' : ''}`;
      const w: RecurrentWeights = {
        weightIh: m.registerParameter(`weight_ih${suffix}`, uniform([gates * H, l === 0 ? inputSize : D * H], bound)),
        weightHh: m.registerParameter(`weight_hh${suffix}`, uniform([gates * H, H], bound)),
      };
      if (s.bias) {
        w.biasIh = m.registerParameter(`bias_ih${suffix}`, uniform([gates * H], bound));
        w.biasHh = m.registerParameter(`bias_hh${suffix}`, uniform([gates * H], bound));
      }
      weights.push(w);
    }
  }
  return { ...s, weights };
}

/** The architecture JSON of a recurrent layer (what dg.save writes and recurrentFromConfig reads). */
export function recurrentConfig(inputSize: number, hiddenSize: number, s: Omit<RecurrentSetup, 'weights'>): JsonObject {
  return {
    inputSize, hiddenSize, numLayers: s.numLayers, bias: s.bias, batchFirst: s.batchFirst, bidirectional: s.bidirectional, dropout: s.dropout,
  };
}

/** A saved config back as constructor arguments. */
export function recurrentFromConfig(c: JsonObject): [number, number, RecurrentLayerOptions] {
  return [c.inputSize as number, c.hiddenSize as number, {
    numLayers: c.numLayers as number, bias: c.bias as boolean, batchFirst: c.batchFirst as boolean,
    bidirectional: c.bidirectional as boolean, dropout: c.dropout as number,
  }];
}
