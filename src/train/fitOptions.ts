// fit's arguments, checked and resolved into a plain plan (FitPlan) the training loop runs
// without looking at the options again. The checks run in a fixed order, so a call with
// several mistakes always names the same one first.
import { keep, noGrad } from '../core/engine.js';
import { checkOptions } from '../core/ops/options.js';
import { narrow } from '../core/ops/layout.js';
import type { Tensor } from '../core/tensor.js';
import { type BatchSource, checkPair, isBatchSource, positiveInt } from './batches.js';
import type { Callback } from './callbacks.js';
import type { ResolvedLoss } from './losses.js';
import { defaultOutput, type Output } from './progress.js';

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

type Validation = [Tensor, Tensor] | BatchSource;

/** What fit trains on and how, every option resolved to its value. */
export interface FitPlan {
  /** The batches to train on: a batch source, or x and y (after validationSplit's cut). */
  train: { source: BatchSource } | { x: Tensor; y: Tensor };
  val: Validation | null;
  /** Tensors the plan made (validationSplit's parts); disposeFitPlan frees them. */
  owned: Tensor[];
  epochs: number;
  batchSize: number;
  /** Batches per epoch. */
  steps: number;
  shuffle: boolean;
  verbose: 0 | 1 | 2;
  output: Output;
  callbacks: Callback[];
  initialEpoch: number | undefined;
  resumeFrom: string | undefined;
}

/** fit's overloads, (x, y, options?) or (source, options?), checked and resolved. */
export function planFit(loss: ResolvedLoss, xOrSource: Tensor | BatchSource, yOrOptions?: Tensor | FitOptions, maybeOptions?: FitOptions): FitPlan {
  const source = isBatchSource(xOrSource) ? xOrSource : null;
  const options = (source ? yOrOptions as FitOptions | undefined : maybeOptions) ?? {};
  const { epochs, batchSize } = checkSettings(options, source);
  if (source) checkSource(options, source);
  else checkPair('fit', xOrSource as Tensor, yOrOptions as Tensor, loss);
  if (options.validationData) checkValidationData(options.validationData, loss);
  const verbose = checkVerbose(options.verbose);
  checkResumeSettings(options, epochs);
  const split = source ? null : splitValidation(xOrSource as Tensor, yOrOptions as Tensor, options);
  return {
    train: split ? { x: split.x, y: split.y } : { source: source! },
    val: split ? split.val : options.validationData ?? null,
    owned: split?.owned ?? [],
    epochs, batchSize, verbose,
    steps: split ? Math.ceil(split.x.shape[0]! / batchSize) : source!.length,
    shuffle: options.shuffle ?? true,
    output: options.output ?? defaultOutput(),
    callbacks: options.callbacks ?? [],
    initialEpoch: options.initialEpoch,
    resumeFrom: options.resumeFrom,
  };
}

export function disposeFitPlan(plan: FitPlan): void {
  for (const t of plan.owned) t.dispose();
}

/** The option names and the plain settings: epochs, batch size, callbacks, shuffle. */
function checkSettings(options: FitOptions, source: BatchSource | null): { epochs: number; batchSize: number } {
  // An unknown option (a typo like batch_size) would silently train with the default.
  checkOptions('fit', options, FIT_OPTIONS);
  if (options.callbacks !== undefined && !Array.isArray(options.callbacks)) throw new Error(`fit: callbacks must be a list of callbacks, got ${typeof options.callbacks}`);
  if (options.shuffle !== undefined && typeof options.shuffle !== 'boolean') throw new Error(`fit: shuffle must be true or false, got ${String(options.shuffle)}`);
  const epochs = options.epochs ?? 1;
  const batchSize = source ? source.batchSize : options.batchSize ?? 32;
  if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`fit: epochs must be a non-negative integer, got ${epochs}`);
  positiveInt('fit', 'batchSize', batchSize);
  return { epochs, batchSize };
}

function checkVerbose(given: FitOptions['verbose']): 0 | 1 | 2 {
  const verbose = given ?? 1;
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new Error(`fit: verbose must be 0, 1 or 2, got ${String(verbose)}`);
  return verbose;
}

/** A batch source sets its own batch size and cannot be split. */
function checkSource(options: FitOptions, source: BatchSource): void {
  if (options.validationSplit) throw new Error('fit: validationSplit needs x and y tensors; with a batch source give validationData');
  if (options.batchSize !== undefined && options.batchSize !== source.batchSize) {
    throw new Error(`fit: the batch source makes batches of ${source.batchSize}; options.batchSize ${options.batchSize} cannot change that`);
  }
  positiveInt('fit', 'the batch source\'s length', source.length);
}

function checkValidationData(v: Validation, loss: ResolvedLoss): void {
  if (!Array.isArray(v) && isBatchSource(v)) positiveInt('fit', 'the validation source\'s length', v.length);
  else if (!Array.isArray(v) || v.length !== 2) throw new Error('fit: validationData must be [xVal, yVal] or a batch source');
  else checkPair('fit (validationData)', v[0], v[1], loss);
}

/** initialEpoch and resumeFrom on their own; resumeFrom against the run is checked when the file is read. */
function checkResumeSettings(options: FitOptions, epochs: number): void {
  const initialEpoch = options.initialEpoch;
  if (initialEpoch !== undefined && !(Number.isInteger(initialEpoch) && initialEpoch >= 0 && initialEpoch <= epochs)) {
    throw new Error(`fit: initialEpoch must be an integer in [0, epochs] = [0, ${epochs}] (epochs is the epoch training ends at, as in Keras), got ${initialEpoch}`);
  }
  if (options.resumeFrom !== undefined && (typeof options.resumeFrom !== 'string' || options.resumeFrom === '')) {
    throw new Error(`fit: resumeFrom must be the path of a training checkpoint, got ${String(options.resumeFrom)}`);
  }
}

function splitValidation(x: Tensor, y: Tensor, options: FitOptions): { x: Tensor; y: Tensor; val: Validation | null; owned: Tensor[] } {
  const split = options.validationSplit ?? 0;
  if (options.validationData) {
    if (split > 0) throw new Error('fit: give validationData or validationSplit, not both');
    return { x, y, val: options.validationData, owned: [] };
  }
  if (!(split >= 0 && split < 1)) throw new Error(`fit: validationSplit must be in [0, 1), got ${split}`);
  if (split === 0) return { x, y, val: null, owned: [] };
  const n = x.shape[0]!;
  // Keras: the first floor(n * (1 - split)) examples train, the rest validate.
  const nTrain = Math.floor(n * (1 - split));
  if (nTrain === 0 || nTrain === n) throw new Error(`fit: validationSplit ${split} of ${n} examples leaves ${nTrain === 0 ? 'no training' : 'no validation'} examples`);
  const owned = noGrad(() => [narrow(x, 0, 0, nTrain), narrow(y, 0, 0, nTrain), narrow(x, 0, nTrain, n - nTrain), narrow(y, 0, nTrain, n - nTrain)]).map((t) => keep(t));
  return { x: owned[0]!, y: owned[1]!, val: [owned[2]!, owned[3]!], owned };
}
