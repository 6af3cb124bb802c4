// What the benchmark uses of each library, as types. dawngrad's side is written against the
// public contract (/work/shared/API.md) rather than against src/index.ts's current exports:
// conv2d, pooling, losses, optimizers and the LSTM land while the suite exists, and a workload
// whose op is missing must show up as "not yet implemented" instead of breaking the build.
import type * as tfjs from '@tensorflow/tfjs-core';
import type { Tensor } from '../src/index.js';

export type { Tensor };
export type Tf = typeof tfjs;
export type TfTensor = tfjs.Tensor;

export interface Module {
  parameters(): Tensor[];
  namedParameters(): Iterable<[string, Tensor]>;
  loadStateDict(state: Record<string, Tensor>): unknown;
}

export interface Optimizer {
  step(): void;
  zeroGrad(): void;
}

export interface Dg {
  init(options: { backend: 'webgpu' | 'cpu' }): Promise<void>;
  tensor(data: Float32Array | Int32Array, shape: number[], options?: { requiresGrad?: boolean }): Tensor;
  tidy<T>(fn: () => T): T;
  matmul(a: Tensor, b: Tensor): Tensor;
  conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, options?: { stride?: number; padding?: number }): Tensor;
  maxPool2d(x: Tensor, options: { kernelSize: number; stride?: number }): Tensor;
  crossEntropy(logits: Tensor, labels: Tensor): Tensor;
  batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, weight?: Tensor | null, bias?: Tensor | null, options?: { training?: boolean }): Tensor;
  lstmCell(x: Tensor, h: Tensor, c: Tensor, wIh: Tensor, wHh: Tensor, bIh?: Tensor, bHh?: Tensor): [Tensor, Tensor];
  nn: {
    LSTM: new (inputSize: number, hiddenSize: number, options?: { batchFirst?: boolean }) => Module & {
      forward(x: Tensor): [Tensor, [Tensor, Tensor]];
    };
    GRU: new (inputSize: number, hiddenSize: number, options?: { batchFirst?: boolean }) => Module & {
      forward(x: Tensor): [Tensor, Tensor];
    };
  };
  optim: {
    Adam: new (params: Tensor[], options?: { lr?: number }) => Optimizer;
  };
}

/** The dotted names in `needs` (e.g. 'optim.Adam') that `dg` does not have yet. */
export function missingNames(dg: object, needs: readonly string[]): string[] {
  return needs.filter((path) => {
    let v: unknown = dg;
    for (const part of path.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
    return typeof v !== 'function';
  });
}
