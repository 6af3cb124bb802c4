// Adds compile/fit/evaluate/predict to every nn.Module. They live here, above nn, and reach
// Module through its prototype; the declaration below merges them into Module's type.
import type { Tensor } from '../core/tensor.js';
import { Module } from '../nn/module.js';
import type { History } from './history.js';
import type { Logs } from './callbacks.js';
import { compile, type CompileOptions, evaluate, type EvaluateOptions, fit, type FitOptions, predict } from './trainer.js';

declare module '../nn/module.js' {
  // Type parameters must repeat the class's exactly for the declarations to merge.
  interface Module<In extends unknown[] = [Tensor], Out = Tensor> {
    /** Chooses the optimizer, loss and metrics for fit/evaluate (Keras' compile). */
    compile(options: CompileOptions): this;
    /** Trains on x [N, ...] and y [N, ...] (Keras' fit); resolves to the per-epoch History. */
    fit(x: Tensor, y: Tensor, options?: FitOptions): Promise<History>;
    /** Loss and metrics over x, y in eval mode. */
    evaluate(x: Tensor, y: Tensor, options?: EvaluateOptions): Promise<Logs>;
    /** The model's outputs for x, computed in batches in eval mode. */
    predict(x: Tensor, options?: EvaluateOptions): Promise<Tensor>;
  }
}

Module.prototype.compile = function (this: Module<unknown[], unknown>, options: CompileOptions) {
  compile(this, options);
  return this;
};
Module.prototype.fit = function (this: Module<unknown[], unknown>, x: Tensor, y: Tensor, options?: FitOptions) {
  return fit(this, x, y, options);
};
Module.prototype.evaluate = function (this: Module<unknown[], unknown>, x: Tensor, y: Tensor, options?: EvaluateOptions) {
  return evaluate(this, x, y, options);
};
Module.prototype.predict = function (this: Module<unknown[], unknown>, x: Tensor, options?: EvaluateOptions) {
  return predict(this, x, options);
};
