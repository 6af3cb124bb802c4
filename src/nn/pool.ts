// Pooling layers over the functional pools: nn.MaxPool2d and nn.AvgPool2d (stride defaults to
// the kernel), nn.AdaptiveAvgPool2d and nn.AdaptiveMaxPool2d (a fixed output size), and Keras'
// GlobalAveragePooling2D / GlobalMaxPooling2D, which are the adaptive pools to 1x1 with the
// two unit axes dropped ([N, C, H, W] -> [N, C]) unless keepDims.
import { adaptiveAvgPool2d, adaptiveMaxPool2d, type AdaptiveSize, avgPool2d, maxPool2d } from '../core/ops/pool.js';
import type { Tensor } from '../core/tensor.js';
import { Module, registerLayer, type JsonObject } from './module.js';

type Size2 = number | [number, number];

export interface Pool2dLayerOptions {
  stride?: Size2;
  padding?: Size2;
  ceilMode?: boolean;
}

export interface MaxPool2dLayerOptions extends Pool2dLayerOptions {
  dilation?: Size2;
}

export interface AvgPool2dLayerOptions extends Pool2dLayerOptions {
  countIncludePad?: boolean;
}

export class MaxPool2d extends Module {
  constructor(readonly kernelSize: Size2, readonly options: MaxPool2dLayerOptions = {}) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return maxPool2d(x, { kernelSize: this.kernelSize, ...this.options });
  }
  override config(): JsonObject {
    return { kernelSize: this.kernelSize, ...this.options };
  }
}

export class AvgPool2d extends Module {
  constructor(readonly kernelSize: Size2, readonly options: AvgPool2dLayerOptions = {}) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return avgPool2d(x, { kernelSize: this.kernelSize, ...this.options });
  }
  override config(): JsonObject {
    return { kernelSize: this.kernelSize, ...this.options };
  }
}

/** outputSize: a number or [h, w]; null in a pair keeps that input size (PyTorch's None). */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: AdaptiveSize) {
    super();
  }
  override forward(x: Tensor): Tensor { return adaptiveAvgPool2d(x, this.outputSize); }
  override config(): JsonObject { return { outputSize: this.outputSize as JsonObject[string] }; }
}

export class AdaptiveMaxPool2d extends Module {
  constructor(readonly outputSize: AdaptiveSize) {
    super();
  }
  override forward(x: Tensor): Tensor { return adaptiveMaxPool2d(x, this.outputSize); }
  override config(): JsonObject { return { outputSize: this.outputSize as JsonObject[string] }; }
}

export interface GlobalPoolingOptions {
  /** Keep the pooled axes as size 1 ([N, C, 1, 1]), Keras' keepdims (default false). */
  keepDims?: boolean;
}

/** One value per plane, [N, C] (or [C] for an unbatched [C, H, W] input): the adaptive pool to 1x1. */
abstract class GlobalPooling2D extends Module {
  readonly keepDims: boolean;
  constructor(options: GlobalPoolingOptions = {}) {
    super();
    this.keepDims = options.keepDims ?? false;
  }
  protected abstract pool(x: Tensor, size: AdaptiveSize): Tensor;
  override forward(x: Tensor): Tensor {
    const y = this.pool(x, 1);
    return this.keepDims ? y : y.reshape(y.shape.slice(0, -2));
  }
  override config(): JsonObject { return { keepDims: this.keepDims }; }
}

export class GlobalAveragePooling2D extends GlobalPooling2D {
  protected override pool(x: Tensor, size: AdaptiveSize): Tensor { return adaptiveAvgPool2d(x, size); }
}

export class GlobalMaxPooling2D extends GlobalPooling2D {
  protected override pool(x: Tensor, size: AdaptiveSize): Tensor { return adaptiveMaxPool2d(x, size); }
}

registerLayer('MaxPool2d', MaxPool2d, (c) => new MaxPool2d(c.kernelSize as Size2, c as MaxPool2dLayerOptions));
registerLayer('AvgPool2d', AvgPool2d, (c) => new AvgPool2d(c.kernelSize as Size2, c as AvgPool2dLayerOptions));
registerLayer('AdaptiveAvgPool2d', AdaptiveAvgPool2d, (c) => new AdaptiveAvgPool2d(c.outputSize as AdaptiveSize));
registerLayer('AdaptiveMaxPool2d', AdaptiveMaxPool2d, (c) => new AdaptiveMaxPool2d(c.outputSize as AdaptiveSize));
registerLayer('GlobalAveragePooling2D', GlobalAveragePooling2D, (c) => new GlobalAveragePooling2D(c as GlobalPoolingOptions));
registerLayer('GlobalMaxPooling2D', GlobalMaxPooling2D, (c) => new GlobalMaxPooling2D(c as GlobalPoolingOptions));
