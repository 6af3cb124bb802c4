// nn.Conv2d over dg.conv2d, with PyTorch's initialisation (kaiming-uniform, a = sqrt(5)).
import { conv2d, type Conv2dOptions } from '../core/ops/conv.js';
import { pair } from '../core/ops/window.js';
import { checkElements, checkSize } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { biasUniform, kaimingUniform } from './init.js';
import { Module, registerLayer, type JsonObject } from './module.js';

type Size2 = number | [number, number];

export interface Conv2dLayerOptions {
  stride?: Size2;
  padding?: Size2 | 'valid' | 'same';
  dilation?: Size2;
  groups?: number;
  bias?: boolean;
}

export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly kernelSize: [number, number];
  readonly #options: Required<Omit<Conv2dLayerOptions, 'bias'>>;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Size2, options: Conv2dLayerOptions = {}) {
    super();
    const groups = options.groups ?? 1;
    for (const [name, v] of [['inChannels', inChannels], ['outChannels', outChannels], ['groups', groups]] as const) checkSize('Conv2d', name, v);
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new Error(`Conv2d: inChannels (${inChannels}) and outChannels (${outChannels}) must both be divisible by groups (${groups})`);
    }
    this.kernelSize = pair('Conv2d', 'kernelSize', kernelSize, 1);
    // Checked here, not at the first forward, so a bad layer is refused where it is built.
    pair('Conv2d', 'stride', options.stride ?? 1, 1);
    pair('Conv2d', 'dilation', options.dilation ?? 1, 1);
    if (options.padding !== 'same' && options.padding !== 'valid') pair('Conv2d', 'padding', options.padding ?? 0, 0);
    checkElements('Conv2d', 'the weight', [outChannels, inChannels / groups, ...this.kernelSize]);
    this.#options = { stride: options.stride ?? 1, padding: options.padding ?? 0, dilation: options.dilation ?? 1, groups };
    this.weight = this.param(kaimingUniform([outChannels, inChannels / groups, ...this.kernelSize]));
    this.bias = options.bias ?? true ? this.param(biasUniform(outChannels, this.weight.shape)) : null;
  }

  override forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, this.#options as Conv2dOptions);
  }

  override config(): JsonObject {
    return {
      inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: this.kernelSize,
      ...this.#options, bias: this.bias !== null,
    };
  }
}

registerLayer('Conv2d', Conv2d, (c) => new Conv2d(c.inChannels as number, c.outChannels as number, c.kernelSize as [number, number], c as Conv2dLayerOptions));
