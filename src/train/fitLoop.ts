// fit's training loop over a resolved FitPlan: epochs of batches (forward, loss, backward,
// optimizer step), callbacks' hooks, validation, progress, and training checkpoints written
// between hooks and read back to resume. Loss and metric sums stay on the device and are read
// a few times per epoch, so the GPU runs ahead of the host between reads.
import type { Backend } from '../backend/backend.js';
import { getBackend, keep } from '../core/engine.js';
import { tensor } from '../core/ops/creation.js';
import { getRngState, permutation, setRngState } from '../core/random.js';
import { fmt } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { tidy } from '../core/tidy.js';
import type { AnyModule } from '../nn/module.js';
import { recordInput } from '../nn/signature.js';
import { Accumulator } from './accumulator.js';
import { sourceSteps, tensorSteps } from './batches.js';
import type { FitContext, Logs } from './callbacks.js';
import type { Compiled } from './compiled.js';
import { evaluateCompiled, forward, withMode } from './evaluation.js';
import { disposeFitPlan, type FitPlan } from './fitOptions.js';
import { History } from './history.js';
import { Progress } from './progress.js';
import { restoreTraining } from './resume.js';
import { readTrainingCheckpoint, type RunPosition, type TrainingCheckpoint, writeTrainingCheckpoint } from './trainingCheckpoint.js';

const EPOCH_BOUNDARY = { step: 0, rngEpochStart: null, accumulator: null } as const;

/** Trains the model as the plan says, then frees what the plan made. */
export async function runFit(model: AnyModule, c: Compiled, plan: FitPlan): Promise<History> {
  const run = new FitRun(model, c, plan);
  try {
    await run.run();
  } finally {
    disposeFitPlan(plan);
  }
  return run.history;
}

class FitRun {
  readonly history: History;
  readonly #progress: Progress | null;
  /** Steps between reads of the running sums for the progress bar. */
  readonly #readEvery: number;
  readonly #device: Backend;
  readonly #ctx: FitContext;
  // Checkpoints asked for during a round of hooks are written after the round, so they hold
  // every callback's state after it.
  readonly #requested: string[] = [];
  #acc: Accumulator | null = null;
  #rngEpochStart = getRngState();
  #epochNow = 0;
  #nextEpoch = 0;

  constructor(readonly model: AnyModule, readonly c: Compiled, readonly plan: FitPlan) {
    const live = plan.verbose === 1 && plan.output.isTTY === true;
    this.#progress = plan.verbose === 0 ? null : new Progress(plan.output, live, plan.epochs, plan.steps);
    // A terminal shows running values: read the sums about ten times per epoch there, else only at the end.
    this.#readEvery = live ? Math.max(1, Math.ceil(plan.steps / 10)) : Infinity;
    this.history = new History({ epochs: plan.epochs, steps: plan.steps, batchSize: plan.batchSize });
    // Where the steps run: the model's parameters (or, for a model without any, the data).
    this.#device = model.parameters()[0]?.backend ?? ('x' in plan.train ? plan.train.x.backend : getBackend());
    this.#ctx = this.#context();
  }

  #context(): FitContext {
    const run = this;
    return {
      model: this.model, optimizer: this.c.optimizer, stopTraining: false,
      get epoch() { return run.#epochNow; },
      saveTrainingState: (path) => {
        if (typeof path !== 'string' || path === '') throw new Error(`saveTrainingState: expected a file path, got ${String(path)}`);
        this.#requested.push(path);
      },
      runningLoss: async () => {
        if (!this.#acc) throw new Error('runningLoss: there is a running loss only between an epoch\'s batches (call it from onBatchEnd)');
        return (await this.#acc.read()).loss ?? NaN;
      },
      print: (line) => { this.plan.output.write(`${line}\n`); },
    };
  }

  async run(): Promise<void> {
    let resume: TrainingCheckpoint | null = null;
    try {
      resume = await this.#openResume();
      const firstEpoch = resume?.epoch ?? this.plan.initialEpoch ?? 0;
      this.#nextEpoch = firstEpoch;
      await withMode(this.model, true, () => this.#train(firstEpoch, resume));
    } finally {
      resume?.dispose();
    }
  }

  /** The plan's checkpoint, read and checked against this run; null without resumeFrom. */
  async #openResume(): Promise<TrainingCheckpoint | null> {
    const { resumeFrom: path, initialEpoch, steps } = this.plan;
    if (path === undefined) return null;
    const resume = await readTrainingCheckpoint(path, this.#device);
    if (initialEpoch !== undefined && initialEpoch !== resume.epoch) {
      throw new Error(`fit: initialEpoch ${initialEpoch} contradicts resumeFrom '${path}', which continues at epoch ${resume.epoch}`);
    }
    if (resume.step > 0 && resume.steps !== steps) {
      throw new Error(`fit: resumeFrom '${path}' stopped at batch ${resume.step} of ${resume.steps}, but this fit has ${steps} batches per epoch (other data or batch size)`);
    }
    if (resume.step > 0 && 'source' in this.plan.train) throw new Error(`fit: resumeFrom '${path}' is a mid-epoch checkpoint, which a batch source cannot replay; give x and y`);
    return resume;
  }

  async #train(firstEpoch: number, resume: TrainingCheckpoint | null): Promise<void> {
    const { callbacks, epochs } = this.plan;
    for (const cb of callbacks) await cb.onTrainBegin?.(this.#ctx);
    if (resume) {
      restoreTraining(this.plan.resumeFrom!, resume, this.model, this.c.optimizer, callbacks);
      setRngState(resume.rng);
    }
    for (let epoch = firstEpoch; epoch < epochs && !this.#ctx.stopTraining; epoch++) {
      await this.#epoch(epoch, resume && epoch === firstEpoch && resume.step > 0 ? resume : null);
    }
    for (const cb of callbacks) await cb.onTrainEnd?.(this.#ctx);
    // Asked for at the very end: the state after training, at the boundary of the last epoch.
    await this.#writeRequested({ epoch: this.#nextEpoch, ...EPOCH_BOUNDARY });
  }

  /** One epoch; `resumed` is the mid-epoch checkpoint it continues, if any. */
  async #epoch(epoch: number, resumed: TrainingCheckpoint | null): Promise<void> {
    this.#epochNow = epoch;
    for (const cb of this.plan.callbacks) await cb.onEpochBegin?.(epoch, this.#ctx);
    this.#progress?.epochBegin(epoch);
    // Mid-epoch, the epoch's shuffle is drawn again from the generator as it was then.
    if (resumed) setRngState(resumed.rngEpochStart!);
    this.#rngEpochStart = getRngState();
    const logs = await this.#trainBatches(epoch, resumed);
    this.c.optimizer.zeroGrad();
    if (this.plan.val) Object.assign(logs, await evaluateCompiled(this.model, this.c, this.plan.val, this.plan.batchSize, 'val'));
    this.#progress?.epochEnd(epoch, logs);
    this.history.record(epoch, logs);
    for (const cb of this.plan.callbacks) await cb.onEpochEnd?.(epoch, logs, this.#ctx);
    this.#nextEpoch = epoch + 1;
    await this.#writeRequested({ epoch: this.#nextEpoch, ...EPOCH_BOUNDARY });
  }

  /** The epoch's batches (from `resumed`'s step on), with hooks and checkpoints after each; its logs. */
  async #trainBatches(epoch: number, resumed: TrainingCheckpoint | null): Promise<Logs> {
    const { train, steps } = this.plan;
    const order = this.#shuffleOrder();
    const acc = new Accumulator(this.c.metrics);
    this.#acc = acc;
    try {
      if (resumed) {
        acc.restore(resumed.accumulator!.count, resumed.accumulator!.sums, `resumeFrom '${this.plan.resumeFrom}'`);
        setRngState(resumed.rng);
      }
      const makeBatches = 'source' in train ? sourceSteps(train.source, this.c.loss) : tensorSteps(train.x, train.y, this.plan.batchSize, order);
      for (let step = resumed?.step ?? 0; step < steps && !this.#ctx.stopTraining; step++) {
        const len = this.#step(makeBatches[step]!, acc);
        // Keeps the host at most a step or so ahead of the device (no read-back).
        await this.#device.throttle();
        for (const cb of this.plan.callbacks) await cb.onBatchEnd?.(step, { batch: step, size: len }, this.#ctx);
        await this.#writeRequested({ epoch, step: step + 1, rngEpochStart: this.#rngEpochStart, accumulator: { count: acc.count, sums: acc.sums() } });
        if (this.#progress && (step + 1) % this.#readEvery === 0 && step + 1 < steps) this.#progress.update(step + 1, await acc.read());
      }
      return await acc.read();
    } finally {
      acc.dispose();
      this.#acc = null;
      order?.dispose();
    }
  }

  /** This epoch's order of the examples of x and y, drawn from the generator; null for a source or without shuffle. */
  #shuffleOrder(): Tensor | null {
    const { train } = this.plan;
    if (!('x' in train) || !this.plan.shuffle) return null;
    const n = train.x.shape[0]!;
    return keep(tensor(permutation(n), [n], { dtype: 'int32', backend: train.x.backend }));
  }

  /** One optimizer step on one batch; the batch's size. */
  #step(makeBatch: () => [Tensor, Tensor], acc: Accumulator): number {
    return tidy(() => {
      const [xb, yb] = makeBatch();
      // dg.save writes it into the file, so a served model knows what to accept.
      recordInput(this.model, xb);
      this.c.optimizer.zeroGrad();
      const pred = forward('fit', this.model, xb);
      const loss = this.c.loss.fn(pred, yb);
      if (loss.size !== 1) throw new Error(`fit: the loss must be a scalar, got shape ${fmt(loss.shape)}`);
      loss.backward();
      this.c.optimizer.step();
      acc.add(loss, pred, yb);
      return xb.shape[0]!;
    });
  }

  async #writeRequested(at: Omit<RunPosition, 'steps' | 'rng'>): Promise<void> {
    if (!this.#requested.length) return;
    if ('source' in this.plan.train && at.step > 0) {
      throw new Error('saveTrainingState: a fit on a batch source can only be checkpointed at epoch ends (its batches cannot be replayed from the middle); use saveFreq \'epoch\' or fit(x, y)');
    }
    for (const path of this.#requested.splice(0)) {
      await writeTrainingCheckpoint(path, this.model, this.c.optimizer, this.plan.callbacks, { ...at, steps: this.plan.steps, rng: getRngState() });
    }
  }
}
