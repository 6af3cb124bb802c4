// torch.optim.RMSprop: running average of squared gradients, optional momentum and centering.
import { BASE_HYPER, checkNonNegative, Optimizer, type ParamGroup, type Params, withDefaults } from './optimizer.js';

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  momentum: number;
  centered: boolean;
  weightDecay: number;
}

export class RMSprop extends Optimizer<RMSpropOptions> {
  protected readonly kind = 'rmsprop';

  constructor(params: Params<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super('RMSprop', params, withDefaults('RMSprop', { lr: 1e-2, alpha: 0.99, eps: 1e-8, momentum: 0, centered: false, weightDecay: 0 }, options));
  }

  protected validate(g: ParamGroup<RMSpropOptions>): void {
    checkNonNegative('RMSprop', g, ['lr', 'alpha', 'eps', 'momentum', 'weightDecay']);
  }

  protected stateNames(g: ParamGroup<RMSpropOptions>): (string | null)[] {
    return ['square_avg', g.momentum > 0 ? 'momentum_buffer' : null, g.centered ? 'grad_avg' : null];
  }

  protected hyper(g: ParamGroup<RMSpropOptions>, step: number) {
    return {
      ...BASE_HYPER, step, lr: g.lr, weightDecay: g.weightDecay, alpha: g.alpha, eps: g.eps, momentum: g.momentum, centered: g.centered,
    };
  }
}
