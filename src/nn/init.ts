// PyTorch's default initialisers, drawn from dawngrad's seeded generator (dg.manualSeed), so a
// model built after the same seed starts from the same weights.
import { rand, randn } from '../core/ops/creation.js';
import { assertShape, checkSize, fmt } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';

function finite(op: string, name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${op}: ${name} must be a finite number, got ${String(v)}`);
}

/** fan_in of a weight [out, in, *kernel]: in * prod(kernel), as torch.nn.init computes it. */
export function fanIn(shape: readonly number[], op = 'fanIn'): number {
  assertShape(op, shape);
  if (shape.length < 2) throw new Error(`${op}: needs a weight of rank >= 2, got shape ${fmt(shape)}`);
  return shape.slice(1).reduce((a, b) => a * b, 1);
}

/** U(-bound, bound). */
export function uniform(shape: readonly number[], bound: number): Tensor {
  assertShape('uniform', shape);
  finite('uniform', 'bound', bound);
  if (bound < 0) throw new Error(`uniform: bound must be >= 0 (values are drawn from [-bound, bound)), got ${bound}`);
  return rand(shape, { low: -bound, high: bound });
}

/**
 * torch.nn.init.kaiming_uniform_ with leaky_relu gain for slope `a`: bound = gain * sqrt(3 / fan_in).
 * Linear and Conv2d use a = sqrt(5), which makes the bound 1 / sqrt(fan_in).
 */
export function kaimingUniform(shape: readonly number[], a = Math.sqrt(5)): Tensor {
  finite('kaimingUniform', 'a', a);
  const gain = Math.sqrt(2 / (1 + a * a));
  return uniform(shape, gain * Math.sqrt(3 / fanIn(shape, 'kaimingUniform')));
}

/** The bias init of Linear and Conv2d: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) of the weight's fan_in. */
export function biasUniform(size: number, weightShape: readonly number[]): Tensor {
  checkSize('biasUniform', 'size', size);
  return uniform([size], 1 / Math.sqrt(fanIn(weightShape, 'biasUniform')));
}

/** N(mean, std), Embedding's default. */
export function normal(shape: readonly number[], mean = 0, std = 1): Tensor {
  assertShape('normal', shape);
  finite('normal', 'mean', mean);
  finite('normal', 'std', std);
  const t = randn(shape);
  if (mean === 0 && std === 1) return t;
  const scaled = t.mul(std).add(mean);
  t.dispose();
  return scaled;
}
