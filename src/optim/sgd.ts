// torch.optim.SGD: momentum, dampening, Nesterov momentum and L2 weight decay.
import { BASE_HYPER, checkNonNegative, checkRange, Optimizer, type ParamGroup, type Params, withDefaults } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
}

export class SGD extends Optimizer<SGDOptions> {
  protected readonly kind = 'sgd';

  constructor(params: Params<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super('SGD', params, withDefaults('SGD', { lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 }, options));
  }

  protected validate(g: ParamGroup<SGDOptions>): void {
    checkNonNegative('SGD', g, ['lr', 'momentum']);
    checkRange('SGD', 'dampening', g.dampening, Number.isFinite, 'a finite number');
    checkNonNegative('SGD', g, ['weightDecay']);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new Error(`SGD: nesterov momentum requires momentum > 0 and dampening 0, got momentum ${g.momentum}, dampening ${g.dampening}`);
    }
  }

  protected stateNames(g: ParamGroup<SGDOptions>): (string | null)[] {
    return [g.momentum !== 0 ? 'momentum_buffer' : null];
  }

  protected hyper(g: ParamGroup<SGDOptions>, step: number) {
    return { ...BASE_HYPER, step, lr: g.lr, weightDecay: g.weightDecay, momentum: g.momentum, dampening: g.dampening, nesterov: g.nesterov };
  }
}
