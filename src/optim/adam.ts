// torch.optim.Adam (L2 weight decay added to the gradient) and AdamW (decoupled decay).
import { BASE_HYPER, checkNonNegative, checkRange, Optimizer, type ParamGroup, type Params, withDefaults } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
}

abstract class AdamBase extends Optimizer<AdamOptions> {
  protected readonly kind = 'adam';
  protected abstract readonly decoupled: boolean;

  protected validate(g: ParamGroup<AdamOptions>): void {
    checkNonNegative(this.name, g, ['lr', 'eps', 'weightDecay']);
    if (!Array.isArray(g.betas) || g.betas.length !== 2) throw new Error(`${this.name}: betas must be [beta1, beta2], got ${String(g.betas)}`);
    g.betas.forEach((b, i) => checkRange(this.name, `beta${i + 1}`, b, (v) => v >= 0 && v < 1, 'in [0, 1)'));
  }

  protected stateNames(): (string | null)[] {
    return ['exp_avg', 'exp_avg_sq'];
  }

  protected hyper(g: ParamGroup<AdamOptions>, step: number) {
    return {
      ...BASE_HYPER, step, lr: g.lr, weightDecay: g.weightDecay, beta1: g.betas[0], beta2: g.betas[1], eps: g.eps, decoupled: this.decoupled,
    };
  }
}

export class Adam extends AdamBase {
  protected readonly decoupled = false;
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('Adam', params, withDefaults<AdamOptions>('Adam', { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 }, options));
  }
}

/** Adam with decoupled weight decay (Loshchilov & Hutter); PyTorch's default decay 0.01. */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('AdamW', params, withDefaults<AdamOptions>('AdamW', { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2 }, options));
  }
}
