// Keras' compile/fit/evaluate/predict for any nn.Module. Batches are cut on the device (narrow,
// or takeRows through a shuffled index tensor uploaded once per epoch); the loss and metric
// statistics are summed on the device and read a few times per epoch, so the GPU runs ahead
// of the host between reads.
import { getBackend, keep, noGrad } from '../core/engine.js';
import { checkOptions } from '../core/ops/options.js';
import { tensor } from '../core/ops/creation.js';
import { cat, clone, narrow } from '../core/ops/layout.js';
import { takeRows } from '../core/ops/take.js';
import { getRngState, permutation, setRngState } from '../core/random.js';
import { fmt } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { tidy } from '../core/tidy.js';
import { type Metric, metricByName } from '../metrics/metric.js';
import { type AnyModule, Module } from '../nn/module.js';
import { recordInput } from '../nn/signature.js';
import { Adam, AdamW } from '../optim/adam.js';
import { Optimizer } from '../optim/optimizer.js';
import { RMSprop } from '../optim/rmsprop.js';
import { SGD } from '../optim/sgd.js';
import type { Callback, FitContext, Logs } from './callbacks.js';
import { History } from './history.js';
import { type LossFn, outputKind, resolveLoss, type ResolvedLoss } from './losses.js';
import { defaultOutput, type Output, Progress } from './progress.js';
import { restoreTraining } from './resume.js';
import { readTrainingCheckpoint, type RunPosition, type TrainingCheckpoint, writeTrainingCheckpoint } from './trainingCheckpoint.js';

type AnyOptimizer = Optimizer<{ lr: number }>;

export interface CompileOptions {
  /** 'adam' | 'adamw' | 'sgd' | 'rmsprop' (PyTorch's default settings), or an optimizer. */
  optimizer: string | AnyOptimizer;
  loss: string | LossFn;
  /** Names ('accuracy', 'binaryAccuracy', 'precision', 'recall', 'f1') or Metric objects. */
  metrics?: (string | Metric)[];
}

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  /** [xVal, yVal], or a batch source (e.g. flowFromDirectory on a validation folder). */
  validationData?: [Tensor, Tensor] | BatchSource;
  /** Fraction held out from the END of x and y, before shuffling, as Keras does. */
  validationSplit?: number;
  shuffle?: boolean;
  callbacks?: Callback[];
  /** 0 silent; 1 (default) a live bar on a terminal, one line per epoch elsewhere; 2 one line per epoch. */
  verbose?: 0 | 1 | 2;
  /** Where progress goes (default process.stdout; in a page, the console). */
  output?: Output;
  /** The epoch to start at, 0-based (Keras' initial_epoch); training runs to `epochs` as before. */
  initialEpoch?: number;
  /**
   * A training checkpoint (ModelCheckpoint({ saveTrainingState: true })) to continue from: the
   * model, optimizer, callbacks, generator and position in the run are put back, so the run
   * goes on as if never interrupted (bit for bit on the cpu backend). Needs the same data,
   * batch size, optimizer and callbacks as the run that wrote it.
   */
  resumeFrom?: string;
}

// Every key of FitOptions, as a record so a new option fails the typecheck until it is listed.
const FIT_OPTION_KEYS: Record<keyof FitOptions, true> = {
  epochs: true, batchSize: true, validationData: true, validationSplit: true, shuffle: true, callbacks: true,
  verbose: true, output: true, initialEpoch: true, resumeFrom: true,
};
const FIT_OPTIONS = Object.keys(FIT_OPTION_KEYS);

export interface EvaluateOptions {
  batchSize?: number;
}

interface Compiled {
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

function compiledOf(op: string, model: AnyModule): Compiled {
  const c = compiled.get(model);
  if (!c) throw new Error(`${op}: the model is not compiled; call model.compile({ optimizer, loss, metrics }) first`);
  return c;
}

function positiveInt(op: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${op}: ${name} must be a positive integer, got ${v}`);
}

function checkPair(op: string, x: Tensor, y: Tensor, loss: ResolvedLoss): void {
  if (!(x instanceof Tensor) || !(y instanceof Tensor)) throw new Error(`${op}: x and y must be Tensors`);
  if (x.rank === 0 || y.rank === 0) throw new Error(`${op}: x and y need an example dimension, got x ${fmt(x.shape)} and y ${fmt(y.shape)}`);
  if (x.shape[0] !== y.shape[0]) {
    throw new Error(`${op}: x and y must have the same number of examples, got x ${fmt(x.shape)} and y ${fmt(y.shape)}`);
  }
  if (x.shape[0] === 0) throw new Error(`${op}: no examples (x has shape ${fmt(x.shape)})`);
  loss.checkTargets(op, y);
}

function forward(op: string, model: AnyModule, x: Tensor): Tensor {
  const out = model.forward(x);
  if (!(out instanceof Tensor)) throw new Error(`${op}: the model's forward must return one Tensor for fit/evaluate/predict`);
  return out;
}

/** Device-side running sums of the loss (times batch size) and of each metric's statistics. */
class Accumulator {
  #loss: Tensor | null = null;
  #stats: (Tensor | null)[];
  count = 0;

  constructor(readonly metrics: Metric[]) {
    this.#stats = metrics.map(() => null);
  }

  /** Call inside tidy; keeps its sums alive. */
  add(loss: Tensor, pred: Tensor, y: Tensor): void {
    const n = pred.shape[0]!;
    this.count += n;
    noGrad(() => {
      this.#loss = this.bump(this.#loss, loss.detach().reshape([1]).mul(n));
      this.#stats = this.metrics.map((m, i) => this.bump(this.#stats[i]!, m.stats(pred, y).reshape([-1])));
    });
  }

  /** The running sums (loss first), for a mid-epoch checkpoint; the accumulator's own tensors. */
  sums(): Tensor[] {
    return this.#loss ? [this.#loss, ...(this.#stats as Tensor[])] : [];
  }

  /** Continues from sums() and count saved mid-epoch (copies; the given tensors stay the caller's). */
  restore(count: number, sums: readonly Tensor[], source: string): void {
    if (sums.length !== 1 + this.metrics.length) {
      throw new Error(`fit: ${source} holds ${sums.length - 1} running metric sums, this fit has ${this.metrics.length} metrics`);
    }
    this.count = count;
    [this.#loss, ...this.#stats] = noGrad(() => sums.map((t) => keep(clone(t))));
  }

  private bump(sum: Tensor | null, v: Tensor): Tensor {
    if (!sum) return keep(v);
    const next = keep(sum.add(v));
    sum.dispose();
    return next;
  }

  /** Reads the sums: the one wait on the GPU. */
  async read(prefix = ''): Promise<Logs> {
    // Keras' 'val_accuracy' in camelCase: 'valAccuracy'.
    const key = (name: string) => (prefix ? `${prefix}${name[0]!.toUpperCase()}${name.slice(1)}` : name);
    const logs: Logs = {};
    if (!this.#loss) return logs;
    // One tensor, one read: each read is a wait for the GPU.
    const parts = [this.#loss, ...(this.#stats as Tensor[])];
    const all = noGrad(() => cat(parts, 0));
    const values = await all.data();
    all.dispose();
    logs[key('loss')] = values[0]! / this.count;
    let at = 1;
    this.metrics.forEach((m, i) => {
      const n = this.#stats[i]!.size;
      logs[key(m.name)] = m.result(values.subarray(at, at + n), this.count);
      at += n;
    });
    return logs;
  }

  dispose(): void {
    this.#loss?.dispose();
    for (const s of this.#stats) s?.dispose();
  }
}

/** [start, length] of each batch of [0, n). */
function batches(n: number, batchSize: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 0; s < n; s += batchSize) out.push([s, Math.min(batchSize, n - s)]);
  return out;
}

async function withMode<T>(model: AnyModule, training: boolean, fn: () => Promise<T>): Promise<T> {
  const prev = model.training;
  model.train(training);
  try {
    return await fn();
  } finally {
    model.train(prev);
  }
}

async function evaluateCompiled(model: AnyModule, c: Compiled, data: [Tensor, Tensor] | BatchSource, batchSize: number, prefix: string): Promise<Logs> {
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

function splitValidation(x: Tensor, y: Tensor, options: FitOptions): { xTrain: Tensor; yTrain: Tensor; val: [Tensor, Tensor] | BatchSource | null; owned: Tensor[] } {
  const split = options.validationSplit ?? 0;
  if (options.validationData) {
    if (split > 0) throw new Error('fit: give validationData or validationSplit, not both');
    return { xTrain: x, yTrain: y, val: options.validationData, owned: [] };
  }
  if (!(split >= 0 && split < 1)) throw new Error(`fit: validationSplit must be in [0, 1), got ${split}`);
  if (split === 0) return { xTrain: x, yTrain: y, val: null, owned: [] };
  const n = x.shape[0]!;
  // Keras: the first floor(n * (1 - split)) examples train, the rest validate.
  const nTrain = Math.floor(n * (1 - split));
  if (nTrain === 0 || nTrain === n) throw new Error(`fit: validationSplit ${split} of ${n} examples leaves ${nTrain === 0 ? 'no training' : 'no validation'} examples`);
  const owned = noGrad(() => [narrow(x, 0, 0, nTrain), narrow(y, 0, 0, nTrain), narrow(x, 0, nTrain, n - nTrain), narrow(y, 0, nTrain, n - nTrain)]).map((t) => keep(t));
  return { xTrain: owned[0]!, yTrain: owned[1]!, val: [owned[2]!, owned[3]!], owned };
}

/**
 * Batches fit can train on instead of x and y tensors, as Keras' fit takes a generator: e.g. a
 * dg.data.DataLoader, whose batches are uploaded one at a time (a dataset larger than the
 * device's biggest buffer, or augmented on the host each epoch). Each pass yields `length`
 * batches [x, y]; fit disposes them.
 */
export interface BatchSource extends Iterable<Tensor[]> {
  readonly length: number;
  readonly batchSize: number;
}

function isBatchSource(v: unknown): v is BatchSource {
  return typeof v === 'object' && v !== null && !(v instanceof Tensor) && typeof (v as BatchSource)[Symbol.iterator] === 'function';
}

/** One epoch's steps: each, called inside tidy, makes its batch [x, y]. */
function tensorSteps(x: Tensor, y: Tensor, batchSize: number, order: Tensor | null): (() => [Tensor, Tensor])[] {
  return batches(x.shape[0]!, batchSize).map(([start, len]) => () => {
    const idx = order ? narrow(order, 0, start, len) : null;
    return idx ? [takeRows(x, idx), takeRows(y, idx)] : [narrow(x, 0, start, len), narrow(y, 0, start, len)];
  });
}

function sourceSteps(source: BatchSource, loss: ResolvedLoss, op = 'fit'): (() => [Tensor, Tensor])[] {
  const it = source[Symbol.iterator]();
  return Array.from({ length: source.length }, (_, step) => () => {
    const next = it.next();
    if (next.done) throw new Error(`${op}: the batch source ended after ${step} batches, but its length says ${source.length}`);
    const [xb, yb] = next.value;
    if (!xb || !yb || next.value.length !== 2) throw new Error(`${op}: each batch must be [x, y], got ${next.value.length} tensors`);
    checkPair(op, xb, yb, loss);
    return [xb, yb];
  });
}

export async function fit(model: AnyModule, x: Tensor, y: Tensor, options?: FitOptions): Promise<History>;
export async function fit(model: AnyModule, source: BatchSource, options?: FitOptions): Promise<History>;
export async function fit(model: AnyModule, xOrSource: Tensor | BatchSource, yOrOptions?: Tensor | FitOptions, maybeOptions?: FitOptions): Promise<History> {
  const c = compiledOf('fit', model);
  const source = isBatchSource(xOrSource) ? xOrSource : null;
  const options = (source ? yOrOptions as FitOptions | undefined : maybeOptions) ?? {};
  // An unknown option (a typo like batch_size) would silently train with the default.
  checkOptions('fit', options, FIT_OPTIONS);
  if (options.callbacks !== undefined && !Array.isArray(options.callbacks)) throw new Error(`fit: callbacks must be a list of callbacks, got ${typeof options.callbacks}`);
  if (options.shuffle !== undefined && typeof options.shuffle !== 'boolean') throw new Error(`fit: shuffle must be true or false, got ${String(options.shuffle)}`);
  const epochs = options.epochs ?? 1;
  const batchSize = source ? source.batchSize : options.batchSize ?? 32;
  if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`fit: epochs must be a non-negative integer, got ${epochs}`);
  positiveInt('fit', 'batchSize', batchSize);
  if (source) {
    if (options.validationSplit) throw new Error('fit: validationSplit needs x and y tensors; with a batch source give validationData');
    if (options.batchSize !== undefined && options.batchSize !== source.batchSize) {
      throw new Error(`fit: the batch source makes batches of ${source.batchSize}; options.batchSize ${options.batchSize} cannot change that`);
    }
    positiveInt('fit', 'the batch source\'s length', source.length);
  } else {
    checkPair('fit', xOrSource as Tensor, yOrOptions as Tensor, c.loss);
  }
  if (options.validationData) {
    const v = options.validationData;
    if (!Array.isArray(v) && isBatchSource(v)) positiveInt('fit', 'the validation source\'s length', v.length);
    else if (!Array.isArray(v) || v.length !== 2) throw new Error('fit: validationData must be [xVal, yVal] or a batch source');
    else checkPair('fit (validationData)', v[0], v[1], c.loss);
  }
  const verbose = options.verbose ?? 1;
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new Error(`fit: verbose must be 0, 1 or 2, got ${String(verbose)}`);
  const initialEpoch = options.initialEpoch;
  if (initialEpoch !== undefined && !(Number.isInteger(initialEpoch) && initialEpoch >= 0 && initialEpoch <= epochs)) {
    throw new Error(`fit: initialEpoch must be an integer in [0, epochs] = [0, ${epochs}] (epochs is the epoch training ends at, as in Keras), got ${initialEpoch}`);
  }
  if (options.resumeFrom !== undefined && (typeof options.resumeFrom !== 'string' || options.resumeFrom === '')) {
    throw new Error(`fit: resumeFrom must be the path of a training checkpoint, got ${String(options.resumeFrom)}`);
  }
  const { xTrain, yTrain, val, owned } = source
    ? { xTrain: null, yTrain: null, val: options.validationData ?? null, owned: [] }
    : splitValidation(xOrSource as Tensor, yOrOptions as Tensor, options);
  const n = xTrain ? xTrain.shape[0]! : 0;
  const steps = source ? source.length : Math.ceil(n / batchSize);
  const out = options.output ?? defaultOutput();
  const live = verbose === 1 && out.isTTY === true;
  const progress = verbose === 0 ? null : new Progress(out, live, epochs, steps);
  // A terminal shows running values: read the sums about ten times per epoch there, else only at the end.
  const readEvery = live ? Math.max(1, Math.ceil(steps / 10)) : Infinity;
  const callbacks = options.callbacks ?? [];
  const history = new History({ epochs, steps, batchSize });
  const shuffle = options.shuffle ?? true;
  // Where the steps run: the model's parameters (or, for a model without any, the data).
  const device = model.parameters()[0]?.backend ?? xTrain?.backend ?? getBackend();

  // Checkpoints asked for during a round of hooks are written after the round, so they hold
  // every callback's state after it.
  const requested: string[] = [];
  let acc: Accumulator | null = null;
  let rngEpochStart = getRngState();
  let epochNow = 0;
  const ctx: FitContext = {
    model, optimizer: c.optimizer, stopTraining: false,
    get epoch() { return epochNow; },
    saveTrainingState: (path) => {
      if (typeof path !== 'string' || path === '') throw new Error(`saveTrainingState: expected a file path, got ${String(path)}`);
      requested.push(path);
    },
    runningLoss: async () => {
      if (!acc) throw new Error('runningLoss: there is a running loss only between an epoch\'s batches (call it from onBatchEnd)');
      return (await acc.read()).loss ?? NaN;
    },
    print: (line) => { out.write(`${line}\n`); },
  };
  const writeRequested = async (at: Omit<RunPosition, 'steps' | 'rng'>): Promise<void> => {
    if (!requested.length) return;
    if (source && at.step > 0) {
      throw new Error('saveTrainingState: a fit on a batch source can only be checkpointed at epoch ends (its batches cannot be replayed from the middle); use saveFreq \'epoch\' or fit(x, y)');
    }
    for (const path of requested.splice(0)) {
      await writeTrainingCheckpoint(path, model, c.optimizer, callbacks, { ...at, steps, rng: getRngState() });
    }
  };

  let resume: TrainingCheckpoint | null = null;
  try {
    if (options.resumeFrom !== undefined) {
      resume = await readTrainingCheckpoint(options.resumeFrom, device);
      if (initialEpoch !== undefined && initialEpoch !== resume.epoch) {
        throw new Error(`fit: initialEpoch ${initialEpoch} contradicts resumeFrom '${options.resumeFrom}', which continues at epoch ${resume.epoch}`);
      }
      if (resume.step > 0 && resume.steps !== steps) {
        throw new Error(`fit: resumeFrom '${options.resumeFrom}' stopped at batch ${resume.step} of ${resume.steps}, but this fit has ${steps} batches per epoch (other data or batch size)`);
      }
      if (resume.step > 0 && source) throw new Error(`fit: resumeFrom '${options.resumeFrom}' is a mid-epoch checkpoint, which a batch source cannot replay; give x and y`);
    }
    const firstEpoch = resume?.epoch ?? initialEpoch ?? 0;
    let nextEpoch = firstEpoch;
    await withMode(model, true, async () => {
      for (const cb of callbacks) await cb.onTrainBegin?.(ctx);
      if (resume) {
        restoreTraining(options.resumeFrom!, resume, model, c.optimizer, callbacks);
        setRngState(resume.rng);
      }
      for (let epoch = firstEpoch; epoch < epochs && !ctx.stopTraining; epoch++) {
        epochNow = epoch;
        for (const cb of callbacks) await cb.onEpochBegin?.(epoch, ctx);
        progress?.epochBegin(epoch);
        const resumed = resume && epoch === firstEpoch && resume.step > 0 ? resume : null;
        // Mid-epoch, the epoch's shuffle is drawn again from the generator as it was then.
        if (resumed) setRngState(resumed.rngEpochStart!);
        rngEpochStart = getRngState();
        const order = xTrain && shuffle ? keep(tensor(permutation(n), [n], { dtype: 'int32', backend: xTrain.backend })) : null;
        const epochAcc = new Accumulator(c.metrics);
        acc = epochAcc;
        let logs: Logs;
        try {
          if (resumed) {
            epochAcc.restore(resumed.accumulator!.count, resumed.accumulator!.sums, `resumeFrom '${options.resumeFrom}'`);
            setRngState(resumed.rng);
          }
          const makeBatches = source ? sourceSteps(source, c.loss) : tensorSteps(xTrain!, yTrain!, batchSize, order);
          for (let step = resumed?.step ?? 0; step < steps && !ctx.stopTraining; step++) {
            let len = 0;
            tidy(() => {
              const [xb, yb] = makeBatches[step]!();
              len = xb.shape[0]!;
              // dg.save writes it into the file, so a served model knows what to accept.
              recordInput(model, xb);
              c.optimizer.zeroGrad();
              const pred = forward('fit', model, xb);
              const loss = c.loss.fn(pred, yb);
              if (loss.size !== 1) throw new Error(`fit: the loss must be a scalar, got shape ${fmt(loss.shape)}`);
              loss.backward();
              c.optimizer.step();
              epochAcc.add(loss, pred, yb);
            });
            // Keeps the host at most a step or so ahead of the device (no read-back).
            await device.throttle();
            for (const cb of callbacks) await cb.onBatchEnd?.(step, { batch: step, size: len }, ctx);
            await writeRequested({ epoch, step: step + 1, rngEpochStart, accumulator: { count: epochAcc.count, sums: epochAcc.sums() } });
            if (progress && (step + 1) % readEvery === 0 && step + 1 < steps) progress.update(step + 1, await epochAcc.read());
          }
          logs = await epochAcc.read();
        } finally {
          epochAcc.dispose();
          acc = null;
          order?.dispose();
        }
        c.optimizer.zeroGrad();
        if (val) Object.assign(logs, await evaluateCompiled(model, c, val, batchSize, 'val'));
        progress?.epochEnd(epoch, logs);
        history.record(epoch, logs);
        for (const cb of callbacks) await cb.onEpochEnd?.(epoch, logs, ctx);
        nextEpoch = epoch + 1;
        await writeRequested({ epoch: nextEpoch, step: 0, rngEpochStart: null, accumulator: null });
      }
      for (const cb of callbacks) await cb.onTrainEnd?.(ctx);
      // Asked for at the very end: the state after training, at the boundary of the last epoch.
      await writeRequested({ epoch: nextEpoch, step: 0, rngEpochStart: null, accumulator: null });
    });
  } finally {
    resume?.dispose();
    for (const t of owned) t.dispose();
  }
  return history;
}
