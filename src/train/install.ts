// Adds compile/fit/evaluate/predict to every nn.Module. They live here, above nn, and reach
// Module through its prototype; the declaration below merges them into Module's type.
import { Tensor } from '../core/tensor.js';
import { Module } from '../nn/module.js';
import type { History } from './history.js';
import type { Logs } from './callbacks.js';
import { type BatchSource, compile, type CompileOptions, evaluate, type EvaluateOptions, fit, type FitOptions, predict } from './trainer.js';

declare module '../nn/module.js' {
  // Type parameters must repeat the class's exactly for the declarations to merge.
  interface Module<In extends unknown[] = [Tensor], Out = Tensor> {
    /** Chooses the optimizer, loss and metrics for fit/evaluate (Keras' compile). */
    compile(options: CompileOptions): this;
    /** Trains on x [N, ...] and y [N, ...] (Keras' fit); resolves to the per-epoch History. */
    fit(x: Tensor, y: Tensor, options?: FitOptions): Promise<History>;
    /** Trains on the batches [x, y] of a source such as a dg.data.DataLoader (Keras' fit on a generator). */
    fit(source: BatchSource, options?: FitOptions): Promise<History>;
    /** Loss and metrics over x, y in eval mode. */
    evaluate(x: Tensor, y: Tensor, options?: EvaluateOptions): Promise<Logs>;
    /** Loss and metrics over one pass of a batch source's [x, y] (Keras' evaluate on a generator). */
    evaluate(source: BatchSource): Promise<Logs>;
    /** The model's outputs for x, computed in batches in eval mode. */
    predict(x: Tensor, options?: EvaluateOptions): Promise<Tensor>;
    /** The outputs for one pass of a batch source, in its order (Keras' predict on a generator). */
    predict(source: BatchSource): Promise<Tensor>;
  }
}

Module.prototype.compile = function (this: Module<unknown[], unknown>, options: CompileOptions) {
  compile(this, options);
  return this;
};
Module.prototype.fit = function (this: Module<unknown[], unknown>, x: Tensor | BatchSource, y?: Tensor | FitOptions, options?: FitOptions) {
  return x instanceof Tensor ? fit(this, x, y as Tensor, options) : fit(this, x, y as FitOptions | undefined);
} as Module['fit'];
Module.prototype.evaluate = function (this: Module<unknown[], unknown>, x: Tensor | BatchSource, y?: Tensor, options?: EvaluateOptions) {
  return x instanceof Tensor ? evaluate(this, x, y!, options) : evaluate(this, x);
} as Module['evaluate'];
Module.prototype.predict = function (this: Module<unknown[], unknown>, x: Tensor | BatchSource, options?: EvaluateOptions) {
  return x instanceof Tensor ? predict(this, x, options) : predict(this, x);
} as Module['predict'];
