// Pooling layers over the functional pools: nn.MaxPool2d and nn.AvgPool2d (stride defaults to
// the kernel), nn.AdaptiveAvgPool2d and nn.AdaptiveMaxPool2d (a fixed output size), and Keras'
// GlobalAveragePooling2D / GlobalMaxPooling2D, which are the adaptive pools to 1x1 with the
// two unit axes dropped ([N, C, H, W] -> [N, C]) unless keepDims.
import { adaptiveAvgPool2d, adaptiveMaxPool2d, type AdaptiveSize, avgPool2d, maxPool2d } from '../core/ops/pool.js';
import { pair } from '../core/ops/window.js';
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
  divisorOverride?: number;
}

/** The window options checked where the layer is built, not at its first forward. */
function checkWindow(layer: string, kernelSize: Size2, options: MaxPool2dLayerOptions): void {
  pair(layer, 'kernelSize', kernelSize, 1);
  if (options.stride !== undefined) pair(layer, 'stride', options.stride, 1);
  if (options.padding !== undefined) pair(layer, 'padding', options.padding, 0);
  if (options.dilation !== undefined) pair(layer, 'dilation', options.dilation, 1);
}

export class MaxPool2d extends Module {
  constructor(readonly kernelSize: Size2, readonly options: MaxPool2dLayerOptions = {}) {
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
  constructor(readonly kernelSize: Size2, readonly options: AvgPool2dLayerOptions = {}) {
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

/** Checked where the layer is built: a positive integer, or a pair of them (null keeps that size). */
function checkOutputSize(layer: string, outputSize: AdaptiveSize): void {
  const given: unknown[] = typeof outputSize === 'number' ? [outputSize, outputSize] : Array.isArray(outputSize) ? outputSize : [];
  if (given.length !== 2 || given.some((v) => v !== null && (!Number.isInteger(v) || (v as number) < 1))) {
    throw new Error(`${layer}: outputSize must be a positive integer or a pair [h, w] of them (null keeps that input size), got ${JSON.stringify(outputSize)?.slice(0, 80)}`);
  }
}

/** outputSize: a number or [h, w]; null in a pair keeps that input size (PyTorch's None). */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: AdaptiveSize) {
    super();
    checkOutputSize('AdaptiveAvgPool2d', outputSize);
  }
  override forward(x: Tensor): Tensor { return adaptiveAvgPool2d(x, this.outputSize); }
  override config(): JsonObject { return { outputSize: this.outputSize as JsonObject[string] }; }
}

export class AdaptiveMaxPool2d extends Module {
  constructor(readonly outputSize: AdaptiveSize) {
    super();
    checkOutputSize('AdaptiveMaxPool2d', outputSize);
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
    if (typeof this.keepDims !== 'boolean') throw new Error(`${new.target.name}: keepDims must be true or false, got ${String(this.keepDims)}`);
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
