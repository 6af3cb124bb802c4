// compile: the optimizer, loss and metrics fit/evaluate use for a model, kept beside it (a
// WeakMap, so the model is not changed and is freed as usual).
import { type Metric, metricByName } from '../metrics/metric.js';
import { type AnyModule, Module } from '../nn/module.js';
import { Adam, AdamW } from '../optim/adam.js';
import { Optimizer } from '../optim/optimizer.js';
import { RMSprop } from '../optim/rmsprop.js';
import { SGD } from '../optim/sgd.js';
import { type LossFn, outputKind, resolveLoss, type ResolvedLoss } from './losses.js';

export type AnyOptimizer = Optimizer<{ lr: number }>;

export interface CompileOptions {
  /** 'adam' | 'adamw' | 'sgd' | 'rmsprop' (PyTorch's default settings), or an optimizer. */
  optimizer: string | AnyOptimizer;
  loss: string | LossFn;
  /** Names ('accuracy', 'binaryAccuracy', 'precision', 'recall', 'f1') or Metric objects. */
  metrics?: (string | Metric)[];
}

export interface Compiled {
  optimizer: AnyOptimizer;
  loss: ResolvedLoss;
  metrics: Metric[];
}

const compiled = new WeakMap<AnyModule, Compiled>();

function makeOptimizer(model: AnyModule, spec: string | AnyOptimizer): AnyOptimizer {
  if (spec instanceof Optimizer) return spec;
  const params = model.parameters();
  switch (typeof spec === 'string' ? spec.toLowerCase() : spec) {
    case 'adam': return new Adam(params);
    case 'adamw': return new AdamW(params);
    case 'sgd': return new SGD(params);
    case 'rmsprop': return new RMSprop(params);
    default: throw new Error(`compile: unknown optimizer '${String(spec)}' (expected 'adam', 'adamw', 'sgd', 'rmsprop' or an optim.Optimizer)`);
  }
}

export function compile(model: AnyModule, options: CompileOptions): void {
  if (!(model instanceof Module)) throw new Error(`compile: expected an nn.Module, got ${model === null ? 'null' : typeof model}`);
  if (!options || options.optimizer === undefined || options.loss === undefined) {
    throw new Error('compile: expected { optimizer, loss, metrics? }');
  }
  const kind = outputKind(model);
  const loss = resolveLoss(options.loss, kind, 'compile');
  // Probabilities split at 0.5, logits at 0.
  const threshold = kind === 'probabilities' ? 0.5 : 0;
  const metrics = (options.metrics ?? []).map((m) => (typeof m === 'string' ? metricByName(m, { threshold }, 'compile') : m));
  const names = metrics.map((m) => m.name);
  if (new Set(names).size !== names.length) throw new Error(`compile: metrics repeat a name: ${names.join(', ')}`);
  compiled.set(model, { optimizer: makeOptimizer(model, options.optimizer), loss, metrics });
}

export function compiledOf(op: string, model: AnyModule): Compiled {
  const c = compiled.get(model);
  if (!c) throw new Error(`${op}: the model is not compiled; call model.compile({ optimizer, loss, metrics }) first`);
  return c;
}
