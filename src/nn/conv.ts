// nn.Conv2d and nn.Conv1d over dg.conv2d / dg.conv1d, with PyTorch's initialisation
// (kaiming-uniform, a = sqrt(5)) and state-dict keys (weight, bias).
import { conv1d, type Conv1dOptions, conv2d, type Conv2dOptions } from '../core/ops/conv.js';
import { sizes } from '../core/ops/window.js';
import { checkElements, checkSize } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { biasUniform, kaimingUniform } from './init.js';
import { Module, registerLayer, type JsonObject } from './module.js';

type Size2 = number | [number, number];
type Size1 = number | [number];

export interface Conv2dLayerOptions {
  stride?: Size2;
  padding?: Size2 | 'valid' | 'same';
  dilation?: Size2;
  groups?: number;
  bias?: boolean;
}

export interface Conv1dLayerOptions {
  stride?: Size1;
  padding?: Size1 | 'valid' | 'same';
  dilation?: Size1;
  groups?: number;
  bias?: boolean;
}

interface ConvOptions { stride: Size2 | Size1; padding: Size2 | Size1 | 'valid' | 'same'; dilation: Size2 | Size1; groups: number }

/** The weight, bias and options both layers share; `spatial` is the number of kernel axes. */
abstract class ConvNd extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly kernelSize: number[];
  protected readonly options: ConvOptions;

  constructor(
    layer: string, spatial: number, readonly inChannels: number, readonly outChannels: number,
    kernelSize: number | readonly number[], options: Conv2dLayerOptions | Conv1dLayerOptions,
  ) {
    super();
    const groups = options.groups ?? 1;
    for (const [name, v] of [['inChannels', inChannels], ['outChannels', outChannels], ['groups', groups]] as const) checkSize(layer, name, v);
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new Error(`${layer}: inChannels (${inChannels}) and outChannels (${outChannels}) must both be divisible by groups (${groups})`);
    }
    this.kernelSize = sizes(layer, 'kernelSize', kernelSize, 1, spatial);
    // Checked here, not at the first forward, so a bad layer is refused where it is built.
    sizes(layer, 'stride', options.stride ?? 1, 1, spatial);
    sizes(layer, 'dilation', options.dilation ?? 1, 1, spatial);
    if (options.padding !== 'same' && options.padding !== 'valid') sizes(layer, 'padding', options.padding ?? 0, 0, spatial);
    checkElements(layer, 'the weight', [outChannels, inChannels / groups, ...this.kernelSize]);
    this.options = { stride: options.stride ?? 1, padding: options.padding ?? 0, dilation: options.dilation ?? 1, groups };
    this.weight = this.param(kaimingUniform([outChannels, inChannels / groups, ...this.kernelSize]));
    this.bias = options.bias ?? true ? this.param(biasUniform(outChannels, this.weight.shape)) : null;
  }

  override config(): JsonObject {
    return {
      inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: this.kernelSize,
      ...this.options, bias: this.bias !== null,
    };
  }
}

export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Size2, options: Conv2dLayerOptions = {}) {
    super('Conv2d', 2, inChannels, outChannels, kernelSize, options);
  }

  override forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, this.options as Conv2dOptions);
  }
}

/** x [N, inChannels, L] -> [N, outChannels, L']; weight [outChannels, inChannels / groups, k]. */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Size1, options: Conv1dLayerOptions = {}) {
    super('Conv1d', 1, inChannels, outChannels, kernelSize, options);
  }

  override forward(x: Tensor): Tensor {
    return conv1d(x, this.weight, this.bias, this.options as Conv1dOptions);
  }
}

registerLayer('Conv2d', Conv2d, (c) => new Conv2d(c.inChannels as number, c.outChannels as number, c.kernelSize as [number, number], c as Conv2dLayerOptions));
registerLayer('Conv1d', Conv1d, (c) => new Conv1d(c.inChannels as number, c.outChannels as number, c.kernelSize as [number], c as Conv1dLayerOptions));
