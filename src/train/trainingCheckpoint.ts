// A full training checkpoint: one safetensors file holding the model's state dict under its
// own keys (so dg.load and PyTorch read the model from it), and, named under TRAINING_PREFIX,
// the optimizer's state tensors, the epoch's running loss and metric sums, and callbacks'
// tensors; the rest (epoch, step, generator state, optimizer settings, callbacks' values) is
// JSON in __metadata__. Float tensors are written at their device's own precision (float64 on
// the cpu backend), so a resumed run continues bit for bit. Written atomically, as dg.save.
import type { Backend } from '../backend/backend.js';
import { tensor } from '../core/ops/creation.js';
import type { RngState } from '../core/random.js';
import type { Tensor } from '../core/tensor.js';
import { modelMetadata, TRAINING_KEY, TRAINING_PREFIX } from '../io/model.js';
import { readSafetensorsFile, type WritableTensor, writeSafetensorsFile } from '../io/safetensors.js';
import { toHostExact } from '../io/tensorFile.js';
import type { AnyModule } from '../nn/module.js';
import type { Optimizer, OptimizerStateDict } from '../optim/optimizer.js';
import type { Callback, CallbackState } from './callbacks.js';

const VERSION = 1;

/** Where in a run a checkpoint was taken, and what fit needs to continue from there. */
export interface RunPosition {
  /** The epoch to continue (0-based). */
  epoch: number;
  /** Batches of that epoch already done: 0 at an epoch boundary. */
  step: number;
  /** Batches per epoch of the run that wrote it. */
  steps: number;
  /** The generator's state at this point. */
  rng: RngState;
  /** Mid-epoch: the generator's state before the epoch's shuffle was drawn, to draw it again. */
  rngEpochStart: RngState | null;
  /** Mid-epoch: the epoch's examples so far and its running loss and metric sums. */
  accumulator: { count: number; sums: Tensor[] } | null;
}

export interface SavedCallback {
  index: number;
  type: string;
  state: CallbackState;
}

/** A checkpoint read back: tensors are on the backend asked for, owned by the caller (dispose()). */
export interface TrainingCheckpoint extends RunPosition {
  model: Map<string, Tensor>;
  optimizerName: string;
  optimizer: OptimizerStateDict;
  callbacks: SavedCallback[];
  dispose(): void;
}

// JSON has no NaN or Infinity; a callback's "best so far" starts at +-Infinity and may be NaN.
const NON_FINITE = '$nonFinite';
const replacer = (_key: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { [NON_FINITE]: String(v) } : v);
function reviver(_key: string, v: unknown): unknown {
  if (typeof v !== 'object' || v === null || !(NON_FINITE in v)) return v;
  const text = (v as Record<string, unknown>)[NON_FINITE];
  return text === 'NaN' ? NaN : text === 'Infinity' ? Infinity : text === '-Infinity' ? -Infinity : v;
}

const optimizerKey = (index: number, buffer: string) => `${TRAINING_PREFIX}optimizer/${index}/${buffer}`;
const accumulatorKey = (k: number) => `${TRAINING_PREFIX}accumulator/${k}`;
const callbackKey = (index: number, name: string) => `${TRAINING_PREFIX}callbacks/${index}/${name}`;

/** Writes the checkpoint (see the file comment); the tensors are only read. */
export async function writeTrainingCheckpoint(path: string, model: AnyModule, optimizer: Optimizer<{ lr: number }>, callbacks: readonly Callback[], at: RunPosition): Promise<void> {
  const tensors = new Map<string, Tensor>(Object.entries(model.stateDict()));
  const sd = optimizer.stateDict();
  const steps: Record<string, number> = {};
  for (const [index, entry] of Object.entries(sd.state)) {
    steps[index] = entry.step;
    for (const [name, v] of Object.entries(entry)) if (typeof v !== 'number') tensors.set(optimizerKey(Number(index), name), v);
  }
  at.accumulator?.sums.forEach((t, k) => tensors.set(accumulatorKey(k), t));
  const saved: { index: number; type: string; values: Record<string, unknown>; tensors: string[] }[] = [];
  callbacks.forEach((cb, index) => {
    if (!cb.stateDict) return;
    const state = cb.stateDict();
    const names = Object.keys(state.tensors ?? {});
    for (const name of names) tensors.set(callbackKey(index, name), state.tensors![name]!);
    saved.push({ index, type: cb.constructor.name, values: state.values, tensors: names });
  });
  const training = {
    version: VERSION, epoch: at.epoch, step: at.step, steps: at.steps, rng: at.rng, rngEpochStart: at.rngEpochStart,
    accumulator: at.accumulator ? { count: at.accumulator.count, sums: at.accumulator.sums.length } : null,
    optimizer: { name: optimizer.name, paramGroups: sd.paramGroups, steps },
    callbacks: saved,
  };
  const host: Map<string, WritableTensor> = await toHostExact(tensors);
  await writeSafetensorsFile(path, host, { ...modelMetadata(model), [TRAINING_KEY]: JSON.stringify(training, replacer) });
}

function fail(path: string, problem: string): never {
  throw new Error(`fit: resumeFrom '${path}': ${problem}`);
}

const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isRng = (v: unknown): v is RngState => Array.isArray(v) && v.length === 4 && v.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32);

interface TrainingJson {
  version: number;
  epoch: number;
  step: number;
  steps: number;
  rng: RngState;
  rngEpochStart: RngState | null;
  accumulator: { count: number; sums: number } | null;
  optimizer: { name: string; paramGroups: Record<string, unknown>[]; steps: Record<string, number> };
  callbacks: { index: number; type: string; values: Record<string, unknown>; tensors: string[] }[];
}

function parseTraining(path: string, text: string | undefined): TrainingJson {
  if (text === undefined) fail(path, `not a training checkpoint (no '${TRAINING_KEY}' in its __metadata__); write one with new dg.train.ModelCheckpoint({ filepath, saveTrainingState: true })`);
  let j: TrainingJson;
  try {
    j = JSON.parse(text, reviver) as TrainingJson;
  } catch (e) {
    fail(path, `its training state is not valid JSON (${(e as Error).message})`);
  }
  if (typeof j !== 'object' || j === null || j.version !== VERSION) fail(path, `unknown training state version ${JSON.stringify((j as { version?: unknown } | null)?.version)} (expected ${VERSION})`);
  if (!isCount(j.epoch) || !isCount(j.step) || !isCount(j.steps) || j.step > j.steps) fail(path, `epoch ${j.epoch}, step ${j.step} of ${j.steps} is not a position in a run`);
  if (!isRng(j.rng) || (j.rngEpochStart !== null && !isRng(j.rngEpochStart))) fail(path, 'the random generator state is damaged');
  if (j.step > 0 && (j.rngEpochStart === null || j.accumulator === null)) fail(path, 'a mid-epoch checkpoint lacks the epoch\'s generator state or running sums');
  if (j.accumulator !== null && (!isCount(j.accumulator?.count) || !isCount(j.accumulator.sums))) fail(path, 'the running sums are damaged');
  const o = j.optimizer;
  if (typeof o?.name !== 'string' || !Array.isArray(o.paramGroups) || typeof o.steps !== 'object' || o.steps === null) fail(path, 'the optimizer state is damaged');
  if (!Array.isArray(j.callbacks) || !j.callbacks.every((c) => isCount(c?.index) && typeof c.type === 'string' && Array.isArray(c.tensors))) fail(path, 'the callbacks\' state is damaged');
  return j;
}

/** Reads a checkpoint written by writeTrainingCheckpoint, with its tensors on `backend`. */
export async function readTrainingCheckpoint(path: string, backend: Backend): Promise<TrainingCheckpoint> {
  const file = await readSafetensorsFile(path, { exactF64: true });
  const j = parseTraining(path, file.metadata[TRAINING_KEY]);
  const all = new Map<string, Tensor>();
  const dispose = () => { for (const t of all.values()) t.dispose(); };
  try {
    for (const [name, t] of file.tensors) all.set(name, tensor(t.data, t.shape, { dtype: t.dtype, backend }));
    const take = (name: string): Tensor => all.get(name) ?? fail(path, `tensor '${name}' is missing`);
    const state: OptimizerStateDict['state'] = {};
    for (const [index, step] of Object.entries(j.optimizer.steps)) {
      if (!isCount(step)) fail(path, `optimizer step count of parameter ${index} is ${step}`);
      const entry: OptimizerStateDict['state'][number] = { step };
      const prefix = optimizerKey(Number(index), '');
      for (const [name, t] of all) if (name.startsWith(prefix)) entry[name.slice(prefix.length)] = t;
      state[Number(index)] = entry;
    }
    const sums = j.accumulator ? Array.from({ length: j.accumulator.sums }, (_, k) => take(accumulatorKey(k))) : [];
    const callbacks = j.callbacks.map((c) => ({
      index: c.index,
      type: c.type,
      state: { values: c.values, tensors: Object.fromEntries(c.tensors.map((name) => [name, take(callbackKey(c.index, name))])) },
    }));
    const model = new Map([...all].filter(([name]) => !name.startsWith(TRAINING_PREFIX)));
    return {
      epoch: j.epoch, step: j.step, steps: j.steps, rng: j.rng, rngEpochStart: j.rngEpochStart,
      accumulator: j.accumulator ? { count: j.accumulator.count, sums } : null,
      model, optimizerName: j.optimizer.name, optimizer: { state, paramGroups: j.optimizer.paramGroups }, callbacks, dispose,
    };
  } catch (e) {
    dispose();
    throw e;
  }
}
