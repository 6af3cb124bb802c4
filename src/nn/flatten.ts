// nn.Flatten: merges dimensions startDim..endDim (by default all but the batch dimension).
import { live } from '../core/ops/util.js';
import type { Tensor } from '../core/tensor.js';
import { Module, registerLayer, type JsonObject } from './module.js';

export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
    for (const [name, v] of [['startDim', startDim], ['endDim', endDim]] as const) {
      if (!Number.isInteger(v)) throw new Error(`Flatten: ${name} must be an integer, got ${String(v)}`);
    }
  }
  override forward(x: Tensor): Tensor { return live('Flatten', x).flatten(this.startDim, this.endDim); }
  override config(): JsonObject { return { startDim: this.startDim, endDim: this.endDim }; }
}

registerLayer('Flatten', Flatten, (c) => new Flatten(c.startDim as number, c.endDim as number));
