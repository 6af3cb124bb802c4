// Activation layers: thin modules over the elementwise ops, so they can sit in a Sequential.
import type { Tensor } from '../core/tensor.js';
import { Module, registerLayer, type JsonObject } from './module.js';

export class ReLU extends Module {
  override forward(x: Tensor): Tensor { return x.relu(); }
}

export class Sigmoid extends Module {
  override forward(x: Tensor): Tensor { return x.sigmoid(); }
}

export class Tanh extends Module {
  override forward(x: Tensor): Tensor { return x.tanh(); }
}

export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
    if (approximate !== 'none' && approximate !== 'tanh') throw new Error(`GELU: approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  }
  override forward(x: Tensor): Tensor { return x.gelu({ approximate: this.approximate }); }
  override config(): JsonObject { return { approximate: this.approximate }; }
}

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
    if (!Number.isFinite(negativeSlope)) throw new Error(`LeakyReLU: negativeSlope must be a finite number, got ${negativeSlope}`);
  }
  override forward(x: Tensor): Tensor { return x.leakyRelu(this.negativeSlope); }
  override config(): JsonObject { return { negativeSlope: this.negativeSlope }; }
}

/** Softmax over `axis` (PyTorch's dim); the last axis by default, as in Keras. */
export class Softmax extends Module {
  constructor(readonly axis = -1) {
    super();
    if (!Number.isInteger(axis)) throw new Error(`Softmax: axis must be an integer, got ${axis}`);
  }
  override forward(x: Tensor): Tensor { return x.softmax(this.axis); }
  override config(): JsonObject { return { axis: this.axis }; }
}

registerLayer('ReLU', ReLU, () => new ReLU());
registerLayer('Sigmoid', Sigmoid, () => new Sigmoid());
registerLayer('Tanh', Tanh, () => new Tanh());
registerLayer('GELU', GELU, (c) => new GELU(c.approximate as 'none' | 'tanh'));
registerLayer('LeakyReLU', LeakyReLU, (c) => new LeakyReLU(c.negativeSlope as number));
registerLayer('Softmax', Softmax, (c) => new Softmax(c.axis as number));
