// nn.BatchNorm1d / BatchNorm2d and nn.LayerNorm over dg.batchNorm and dg.layerNorm, with
// PyTorch's defaults, initialisation (weight 1, bias 0, running mean 0 and variance 1) and
// state-dict keys: weight, bias, running_mean, running_var, num_batches_tracked.
//
// num_batches_tracked is int32 here (PyTorch's is int64): files from PyTorch load, since the
// safetensors reader turns I64 into int32, and PyTorch's load_state_dict converts our I32 back.
import { checkElements, checkSize, fmt } from '../core/shape.js';
import { full, tensor } from '../core/ops/creation.js';
import { batchNorm, layerNorm } from '../core/ops/norm.js';
import { live } from '../core/ops/util.js';
import type { Tensor } from '../core/tensor.js';
import { Module, registerLayer, type JsonObject } from './module.js';

export interface BatchNormLayerOptions {
  eps?: number;
  /** Weight of each batch in the running estimates; null: their cumulative average. */
  momentum?: number | null;
  /** Learnable weight and bias per channel. */
  affine?: boolean;
  /** Keep running estimates for eval mode; without them eval mode uses each batch's statistics. */
  trackRunningStats?: boolean;
}

function checkEps(layer: string, eps: number): number {
  if (typeof eps !== 'number' || !(eps >= 0) || !Number.isFinite(eps)) throw new Error(`${layer}: eps must be a finite number >= 0, got ${String(eps)}`);
  return eps;
}

abstract class BatchNormBase extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly running_mean: Tensor | null = null;
  readonly running_var: Tensor | null = null;
  readonly num_batches_tracked: Tensor | null = null;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;

  constructor(readonly numFeatures: number, options: BatchNormLayerOptions = {}) {
    super();
    const name = new.target.name;
    checkSize(name, 'numFeatures', numFeatures);
    this.eps = checkEps(name, options.eps ?? 1e-5);
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    // Checked here too, so a bad layer fails where it is built, not at its first batch.
    const m = this.momentum;
    if (m !== null && (typeof m !== 'number' || !(m >= 0 && m <= 1))) throw new Error(`${name}: momentum must be a number in [0, 1] or null, got ${String(m)}`);
    this.affine = options.affine ?? true;
    this.trackRunningStats = options.trackRunningStats ?? true;
    this.weight = this.affine ? this.param(full([numFeatures], 1)) : null;
    this.bias = this.affine ? this.param(full([numFeatures], 0)) : null;
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', full([numFeatures], 0));
      this.registerBuffer('running_var', full([numFeatures], 1));
      this.registerBuffer('num_batches_tracked', tensor(Int32Array.of(0), [], { dtype: 'int32' }));
    }
  }

  /** Throws unless x has one of the ranks this layer takes. */
  protected abstract checkInput(x: Tensor): void;

  override forward(x: Tensor): Tensor {
    const name = this.constructor.name;
    live(name, x);
    this.checkInput(x);
    if (x.shape[1] !== this.numFeatures) {
      throw new Error(`${name}: expected ${this.numFeatures} channels (numFeatures) in dimension 1, got input ${fmt(x.shape)}`);
    }
    // As PyTorch: the batch's statistics in training, and in eval mode too when no running
    // estimates are kept; running estimates are updated only in training.
    const useBatch = this.training || !this.trackRunningStats;
    const update = this.training && this.trackRunningStats;
    try {
      return batchNorm(x, update || !useBatch ? this.running_mean : null, update || !useBatch ? this.running_var : null, this.weight, this.bias, {
        training: useBatch, momentum: this.momentum, eps: this.eps, numBatchesTracked: update ? this.num_batches_tracked : null,
      });
    } catch (e) {
      throw new Error((e as Error).message.replace(/^batchNorm:/, `${name}:`));
    }
  }

  override config(): JsonObject {
    return { numFeatures: this.numFeatures, eps: this.eps, momentum: this.momentum, affine: this.affine, trackRunningStats: this.trackRunningStats };
  }
}

/** Over [N, C] or [N, C, L], statistics per channel (PyTorch's BatchNorm1d). */
export class BatchNorm1d extends BatchNormBase {
  protected override checkInput(x: Tensor): void {
    if (x.rank !== 2 && x.rank !== 3) throw new Error(`BatchNorm1d: expected 2D or 3D input [N, C] or [N, C, L], got ${fmt(x.shape)}`);
  }
}

/** Over [N, C, H, W], statistics per channel (PyTorch's BatchNorm2d). */
export class BatchNorm2d extends BatchNormBase {
  protected override checkInput(x: Tensor): void {
    if (x.rank !== 4) throw new Error(`BatchNorm2d: expected 4D input [N, C, H, W], got ${fmt(x.shape)}`);
  }
}

const batchNormOptions = (c: JsonObject): BatchNormLayerOptions => ({
  eps: c.eps as number, momentum: c.momentum as number | null, affine: c.affine as boolean, trackRunningStats: c.trackRunningStats as boolean,
});
registerLayer('BatchNorm1d', BatchNorm1d, (c) => new BatchNorm1d(c.numFeatures as number, batchNormOptions(c)));
registerLayer('BatchNorm2d', BatchNorm2d, (c) => new BatchNorm2d(c.numFeatures as number, batchNormOptions(c)));

export interface LayerNormLayerOptions {
  eps?: number;
  /** Learnable weight (and bias) of normalizedShape. */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, whether there is a bias (PyTorch 2.1's `bias`). */
  bias?: boolean;
}

/** Normalises over the trailing normalizedShape dimensions of each input (PyTorch's LayerNorm). */
export class LayerNorm extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;

  constructor(normalizedShape: number | readonly number[], options: LayerNormLayerOptions = {}) {
    super();
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new Error(`LayerNorm: normalizedShape must be a positive integer or a non-empty list of them, got ${JSON.stringify(normalizedShape)}`);
    }
    checkElements('LayerNorm', 'the weight', shape);
    this.normalizedShape = shape;
    this.eps = checkEps('LayerNorm', options.eps ?? 1e-5);
    this.elementwiseAffine = options.elementwiseAffine ?? true;
    this.weight = this.elementwiseAffine ? this.param(full(shape, 1)) : null;
    this.bias = this.elementwiseAffine && (options.bias ?? true) ? this.param(full(shape, 0)) : null;
  }

  override forward(x: Tensor): Tensor {
    live('LayerNorm', x);
    try {
      return layerNorm(x, this.normalizedShape, this.weight, this.bias, { eps: this.eps });
    } catch (e) {
      throw new Error((e as Error).message.replace(/^layerNorm:/, 'LayerNorm:'));
    }
  }

  override config(): JsonObject {
    return { normalizedShape: this.normalizedShape, eps: this.eps, elementwiseAffine: this.elementwiseAffine, bias: this.bias !== null };
  }
}

registerLayer('LayerNorm', LayerNorm, (c) => new LayerNorm(c.normalizedShape as number[], {
  eps: c.eps as number, elementwiseAffine: c.elementwiseAffine as boolean, bias: c.bias as boolean,
}));
