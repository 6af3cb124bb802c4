// Activation layers: thin modules over the elementwise ops, so they can sit in a Sequential.
import { softplusOptions } from '../core/ops/elementwise.js';
import { live } from '../core/ops/util.js';
import type { Tensor } from '../core/tensor.js';
import { Module, registerLayer, type JsonObject } from './module.js';

/** The base of the layers without settings: each applies one of Tensor's activation methods. */
export abstract class MethodActivation extends Module {
  protected abstract readonly method: 'relu' | 'sigmoid' | 'tanh' | 'silu' | 'hardswish' | 'mish' | 'logSigmoid';
  // Checked here: a non-Tensor would otherwise fail as a bare TypeError (x.relu is not a function).
  override forward(x: Tensor): Tensor { return live(this.constructor.name, x)[this.method](); }
}

export class ReLU extends MethodActivation { protected readonly method = 'relu'; }
export class Sigmoid extends MethodActivation { protected readonly method = 'sigmoid'; }
export class Tanh extends MethodActivation { protected readonly method = 'tanh'; }
export class SiLU extends MethodActivation { protected readonly method = 'silu'; }
export class Hardswish extends MethodActivation { protected readonly method = 'hardswish'; }
export class Mish extends MethodActivation { protected readonly method = 'mish'; }
export class LogSigmoid extends MethodActivation { protected readonly method = 'logSigmoid'; }

export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
    if (approximate !== 'none' && approximate !== 'tanh') throw new Error(`GELU: approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  }
  override forward(x: Tensor): Tensor { return live('GELU', x).gelu({ approximate: this.approximate }); }
  override config(): JsonObject { return { approximate: this.approximate }; }
}

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
    if (!Number.isFinite(negativeSlope)) throw new Error(`LeakyReLU: negativeSlope must be a finite number, got ${negativeSlope}`);
  }
  override forward(x: Tensor): Tensor { return live('LeakyReLU', x).leakyRelu(this.negativeSlope); }
  override config(): JsonObject { return { negativeSlope: this.negativeSlope }; }
}

export class Softplus extends Module {
  /** PyTorch's positional order: nn.Softplus(beta=1, threshold=20). */
  constructor(readonly beta = 1, readonly threshold = 20) {
    super();
    // A bad layer fails where it is built, not at its first batch.
    softplusOptions('Softplus', { beta, threshold });
  }
  override forward(x: Tensor): Tensor { return live('Softplus', x).softplus({ beta: this.beta, threshold: this.threshold }); }
  override config(): JsonObject { return { beta: this.beta, threshold: this.threshold }; }
}

export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
    if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new Error(`ELU: alpha must be a finite number, got ${alpha}`);
  }
  override forward(x: Tensor): Tensor { return live('ELU', x).elu(this.alpha); }
  override config(): JsonObject { return { alpha: this.alpha }; }
}

/** Softmax over `axis` (PyTorch's dim); the last axis by default, as in Keras. */
export class Softmax extends Module {
  constructor(readonly axis = -1) {
    super();
    if (!Number.isInteger(axis)) throw new Error(`Softmax: axis must be an integer, got ${axis}`);
  }
  override forward(x: Tensor): Tensor { return live('Softmax', x).softmax(this.axis); }
  override config(): JsonObject { return { axis: this.axis }; }
}

for (const [name, cls] of Object.entries({ ReLU, Sigmoid, Tanh, SiLU, Hardswish, Mish, LogSigmoid })) registerLayer(name, cls, () => new cls());
registerLayer('GELU', GELU, (c) => new GELU(c.approximate as 'none' | 'tanh'));
registerLayer('LeakyReLU', LeakyReLU, (c) => new LeakyReLU(c.negativeSlope as number));
registerLayer('Softmax', Softmax, (c) => new Softmax(c.axis as number));
registerLayer('Softplus', Softplus, (c) => new Softplus(c.beta as number, c.threshold as number));
registerLayer('ELU', ELU, (c) => new ELU(c.alpha as number));

