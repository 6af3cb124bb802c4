// nn.Dropout: in training, zeroes each element with probability p and scales the rest by
// 1/(1-p) so the expected activation is unchanged; the identity in eval().
import { rand } from '../core/ops/creation.js';
import { live } from '../core/ops/util.js';
import type { Tensor } from '../core/tensor.js';
import { Module, registerLayer, type JsonObject } from './module.js';

export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new Error(`Dropout: p must be in [0, 1], got ${p}`);
  }

  override forward(x: Tensor): Tensor {
    live('Dropout', x);
    if (!this.training || this.p === 0) return x;
    if (this.p === 1) return x.mul(0);
    // The mask comes from the seeded generator, so dg.manualSeed makes dropout reproducible.
    const keepMask = rand(x.shape, { backend: x.backend }).ge(this.p);
    return x.mul(keepMask.mul(1 / (1 - this.p)));
  }

  override config(): JsonObject { return { p: this.p }; }
}

registerLayer('Dropout', Dropout, (c) => new Dropout(c.p as number));
