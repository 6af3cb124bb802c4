// A model's forward in eval mode over a pair of tensors or a batch source, summing loss and
// metrics on the device: evaluate, and fit's validation after each epoch.
import { noGrad } from '../core/engine.js';
import { Tensor } from '../core/tensor.js';
import { tidy } from '../core/tidy.js';
import type { AnyModule } from '../nn/module.js';
import { Accumulator } from './accumulator.js';
import { type BatchSource, sourceSteps, tensorSteps } from './batches.js';
import type { Logs } from './callbacks.js';
import type { Compiled } from './compiled.js';

/** The model's output for x; `op` names the public function in the error for a model returning more. */
export function forward(op: string, model: AnyModule, x: Tensor): Tensor {
  const out = model.forward(x);
  if (!(out instanceof Tensor)) throw new Error(`${op}: the model's forward must return one Tensor for fit/evaluate/predict`);
  return out;
}

/** Runs fn with the model in train (true) or eval mode, then puts its mode back. */
export async function withMode<T>(model: AnyModule, training: boolean, fn: () => Promise<T>): Promise<T> {
  const prev = model.training;
  model.train(training);
  try {
    return await fn();
  } finally {
    model.train(prev);
  }
}

export async function evaluateCompiled(model: AnyModule, c: Compiled, data: [Tensor, Tensor] | BatchSource, batchSize: number, prefix: string): Promise<Logs> {
  const acc = new Accumulator(c.metrics);
  const op = prefix ? 'fit (validationData)' : 'evaluate';
  const steps = Array.isArray(data) ? tensorSteps(data[0], data[1], batchSize, null) : sourceSteps(data, c.loss, op);
  const device = model.parameters()[0]?.backend ?? (Array.isArray(data) ? data[0].backend : undefined);
  try {
    return await withMode(model, false, async () => {
      for (const makeBatch of steps) {
        noGrad(() => tidy(() => {
          const [xb, yb] = makeBatch();
          const pred = forward(op, model, xb);
          acc.add(c.loss.fn(pred, yb), pred, yb);
        }));
        await device?.throttle();
      }
      return acc.read(prefix);
    });
  } finally {
    acc.dispose();
  }
}
