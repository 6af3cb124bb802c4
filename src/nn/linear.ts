// nn.Linear: y = x W^T + b over the last dimension, with PyTorch's initialisation.
import { matmulRaw } from '../core/ops/matmul.js';
import { live } from '../core/ops/util.js';
import { checkElements, checkSize, fmt } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { biasUniform, kaimingUniform } from './init.js';
import { Module, registerLayer, type JsonObject } from './module.js';

export interface LinearOptions {
  bias?: boolean;
}

export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: LinearOptions = {}) {
    super();
    checkSize('Linear', 'inFeatures', inFeatures);
    checkSize('Linear', 'outFeatures', outFeatures);
    checkElements('Linear', 'the weight', [outFeatures, inFeatures]);
    this.weight = this.param(kaimingUniform([outFeatures, inFeatures]));
    this.bias = options.bias ?? true ? this.param(biasUniform(outFeatures, this.weight.shape)) : null;
  }

  override forward(x: Tensor): Tensor {
    live('Linear', x);
    if (x.rank < 1 || x.shape[x.rank - 1] !== this.inFeatures) {
      throw new Error(`Linear: expected input [..., ${this.inFeatures}] (inFeatures=${this.inFeatures}), got ${fmt(x.shape)}`);
    }
    const x2 = x.rank === 1 ? x.reshape([1, this.inFeatures]) : x;
    let y = matmulRaw(x2, this.weight, false, true, 'Linear');
    if (this.bias) y = y.add(this.bias);
    return x.rank === 1 ? y.reshape([this.outFeatures]) : y;
  }

  override config(): JsonObject {
    return { inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias !== null };
  }
}

registerLayer('Linear', Linear, (c) => new Linear(c.inFeatures as number, c.outFeatures as number, { bias: c.bias as boolean }));
