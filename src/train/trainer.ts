// Keras' fit/evaluate/predict for any nn.Module compiled with compile: the public entry points.
// fit checks its arguments into a plan (fitOptions.ts) and runs it (fitLoop.ts); evaluate and
// predict cut batches on the device (batches.ts) and run the model in eval mode.
import { noGrad } from '../core/engine.js';
import { checkOptions } from '../core/ops/options.js';
import { cat, narrow } from '../core/ops/layout.js';
import { Tensor } from '../core/tensor.js';
import { tidy } from '../core/tidy.js';
import type { AnyModule } from '../nn/module.js';
import { batches, type BatchSource, checkPair, isBatchSource, positiveInt } from './batches.js';
import type { Logs } from './callbacks.js';
import { compiledOf } from './compiled.js';
import { evaluateCompiled, forward, withMode } from './evaluation.js';
import { runFit } from './fitLoop.js';
import { type FitOptions, planFit } from './fitOptions.js';
import type { History } from './history.js';

export type { BatchSource } from './batches.js';
export { compile, type CompileOptions } from './compiled.js';
export type { FitOptions } from './fitOptions.js';

export interface EvaluateOptions {
  batchSize?: number;
}

export async function evaluate(model: AnyModule, x: Tensor, y: Tensor, options?: EvaluateOptions): Promise<Logs>;
/** Over one pass of a source's batches [x, y] (its own batch size). */
export async function evaluate(model: AnyModule, source: BatchSource): Promise<Logs>;
export async function evaluate(model: AnyModule, xOrSource: Tensor | BatchSource, y?: Tensor, options: EvaluateOptions = {}): Promise<Logs> {
  const c = compiledOf('evaluate', model);
  checkOptions('evaluate', options, ['batchSize']);
  if (isBatchSource(xOrSource)) {
    positiveInt('evaluate', 'the batch source\'s length', xOrSource.length);
    return evaluateCompiled(model, c, xOrSource, xOrSource.batchSize, '');
  }
  const batchSize = options.batchSize ?? 32;
  positiveInt('evaluate', 'batchSize', batchSize);
  checkPair('evaluate', xOrSource, y!, c.loss);
  return evaluateCompiled(model, c, [xOrSource, y!], batchSize, '');
}

/** The model's outputs for x, computed in batches (eval mode, no graph), as one tensor. */
export async function predict(model: AnyModule, x: Tensor, options?: EvaluateOptions): Promise<Tensor>;
/** Over one pass of a source's batches, [x] or [x, y] (y unused): e.g. flowFromDirectory with classMode null and shuffle off. */
export async function predict(model: AnyModule, source: BatchSource): Promise<Tensor>;
export async function predict(model: AnyModule, x: Tensor | BatchSource, options: EvaluateOptions = {}): Promise<Tensor> {
  if (isBatchSource(x)) return predictSource(model, x);
  checkOptions('predict', options, ['batchSize']);
  const batchSize = options.batchSize ?? 32;
  positiveInt('predict', 'batchSize', batchSize);
  if (!(x instanceof Tensor) || x.rank === 0) throw new Error('predict: x must be a Tensor with an example dimension');
  return withMode(model, false, async () => noGrad(() => tidy(() => {
    const outs = batches(x.shape[0]!, batchSize).map(([s, len]) => forward('predict', model, narrow(x, 0, s, len)));
    return outs.length === 1 ? outs[0]! : cat(outs, 0);
  })));
}

/** Each batch's input is disposed once its output exists, so only the outputs pile up. */
async function predictSource(model: AnyModule, source: BatchSource): Promise<Tensor> {
  positiveInt('predict', 'the batch source\'s length', source.length);
  const it = source[Symbol.iterator]();
  const device = model.parameters()[0]?.backend;
  const outs: Tensor[] = [];
  try {
    return await withMode(model, false, async () => {
      for (let step = 0; step < source.length; step++) {
        outs.push(noGrad(() => tidy(() => {
          const next = it.next();
          if (next.done) throw new Error(`predict: the batch source ended after ${step} batches, but its length says ${source.length}`);
          const [xb] = next.value;
          if (!(xb instanceof Tensor) || xb.rank === 0) throw new Error('predict: each batch must start with a Tensor x with an example dimension');
          return forward('predict', model, xb);
        })));
        await device?.throttle();
      }
      return outs.length === 1 ? outs.pop()! : noGrad(() => cat(outs, 0));
    });
  } finally {
    for (const t of outs) t.dispose();
  }
}

export async function fit(model: AnyModule, x: Tensor, y: Tensor, options?: FitOptions): Promise<History>;
export async function fit(model: AnyModule, source: BatchSource, options?: FitOptions): Promise<History>;
export async function fit(model: AnyModule, xOrSource: Tensor | BatchSource, yOrOptions?: Tensor | FitOptions, maybeOptions?: FitOptions): Promise<History> {
  const c = compiledOf('fit', model);
  return runFit(model, c, planFit(c.loss, xOrSource, yOrOptions, maybeOptions));
}
