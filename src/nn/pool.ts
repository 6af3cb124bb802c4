// nn.MaxPool2d and nn.AvgPool2d over dg.maxPool2d / dg.avgPool2d (stride defaults to the kernel).
import { avgPool2d, maxPool2d } from '../core/ops/pool.js';
import { pair } from '../core/ops/window.js';
import type { Tensor } from '../core/tensor.js';
import { Module, registerLayer, type JsonObject } from './module.js';

type Size2 = number | [number, number];

export interface Pool2dLayerOptions {
  stride?: Size2;
  padding?: Size2;
}

/** The window options checked where the layer is built, not at its first forward. */
function checkWindow(layer: string, kernelSize: Size2, options: Pool2dLayerOptions): void {
  pair(layer, 'kernelSize', kernelSize, 1);
  if (options.stride !== undefined) pair(layer, 'stride', options.stride, 1);
  if (options.padding !== undefined) pair(layer, 'padding', options.padding, 0);
}

export class MaxPool2d extends Module {
  constructor(readonly kernelSize: Size2, readonly options: Pool2dLayerOptions = {}) {
    super();
    checkWindow('MaxPool2d', kernelSize, options);
  }
  override forward(x: Tensor): Tensor {
    return maxPool2d(x, { kernelSize: this.kernelSize, ...this.options });
  }
  override config(): JsonObject {
    return { kernelSize: this.kernelSize, ...this.options };
  }
}

export class AvgPool2d extends Module {
  constructor(readonly kernelSize: Size2, readonly options: Pool2dLayerOptions & { countIncludePad?: boolean } = {}) {
    super();
    checkWindow('AvgPool2d', kernelSize, options);
  }
  override forward(x: Tensor): Tensor {
    return avgPool2d(x, { kernelSize: this.kernelSize, ...this.options });
  }
  override config(): JsonObject {
    return { kernelSize: this.kernelSize, ...this.options };
  }
}

registerLayer('MaxPool2d', MaxPool2d, (c) => new MaxPool2d(c.kernelSize as Size2, c as Pool2dLayerOptions));
registerLayer('AvgPool2d', AvgPool2d, (c) => new AvgPool2d(c.kernelSize as Size2, c as Pool2dLayerOptions));
