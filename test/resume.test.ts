// Exact resumption: a run interrupted and continued from ModelCheckpoint's training state gives
// the same losses and weights as one never interrupted (bit for bit on cpu, within float
// tolerance on webgpu), from an epoch end or from the middle of an epoch; the generator and
// schedulers save and restore their state; bad checkpoints and options are refused clearly.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { assertClose, GPU_TOL, rejectsWith, throwsWith } from './support/compare.js';
import { EPOCHS, EXAMPLES, BATCH, type Run, setupRun, weightBytes } from './support/resumeRun.js';
import { forEachBackend } from './support/webgpu.js';

const test = suite('resume');
const dir = mkdtempSync(join(tmpdir(), 'dawngrad-resume-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const STEPS = Math.ceil(EXAMPLES / BATCH);

/** A callback that fails the fit at a given global batch, as a crash would (stateless: a resumed fit need not repeat it). */
function crashAt(globalBatch: number): dg.train.Callback {
  let seen = 0;
  return { onBatchEnd: () => { if (++seen === globalBatch) throw new Error('simulated crash'); } };
}

async function uninterrupted(path: string, saveFreq: 'epoch' | number): Promise<{ run: Run; history: dg.train.History }> {
  const run = setupRun(path, saveFreq);
  return { run, history: await run.model.fit(run.x, run.y, { ...run.options, callbacks: run.callbacks }) };
}

/** Trains until the crash, then continues in a fresh model, optimizer and callbacks from the checkpoint. */
async function interruptedAndResumed(path: string, saveFreq: 'epoch' | number, crashBatch: number): Promise<{ run: Run; history: dg.train.History }> {
  const first = setupRun(path, saveFreq);
  await rejectsWith(first.model.fit(first.x, first.y, { ...first.options, callbacks: [...first.callbacks, crashAt(crashBatch)] }), ['simulated crash'], 'the crash');
  const run = setupRun(path, saveFreq);
  dg.manualSeed(12345); // the generator must come back from the checkpoint, not from the seed
  return { run, history: await run.model.fit(run.x, run.y, { ...run.options, callbacks: run.callbacks, resumeFrom: path }) };
}

test('interrupted after 2 of 4 epochs and resumed, the cpu run is bit-identical to an uninterrupted one', async () => {
  await dg.init({ backend: 'cpu' });
  const straight = await uninterrupted(join(dir, 'straight-epoch.safetensors'), 'epoch');
  // The crash comes in the first batch of epoch 2 (0-based): the newest checkpoint is epoch 1's end.
  const resumed = await interruptedAndResumed(join(dir, 'resumed-epoch.safetensors'), 'epoch', 2 * STEPS + 1);
  assert.equal(resumed.history.epoch, [2, 3]);
  assert.equal(resumed.history.history.loss, straight.history.history.loss!.slice(2));
  assert.equal(resumed.history.history.accuracy, straight.history.history.accuracy!.slice(2));
  assert.equal(await weightBytes(resumed.run.model), await weightBytes(straight.run.model));
  const [es, esStraight] = [resumed.run.callbacks[1], straight.run.callbacks[1]] as dg.train.EarlyStopping[];
  assert.equal([es!.best, es!.bestEpoch, es!.wait], [esStraight!.best, esStraight!.bestEpoch, esStraight!.wait]);
  const lr = (r: Run) => (r.callbacks[0] as dg.train.LRSchedulerCallback).scheduler.getLastLr();
  assert.equal(lr(resumed.run), lr(straight.run));
});

forEachBackend(test, 'resumed from the middle of an epoch, the run continues exactly (cpu: bit for bit)', async (b) => {
  // Checkpoints every 3 batches; the crash at global batch 8 (epoch 1, batch 3) leaves the one
  // taken after global batch 6 (epoch 1, batch 1): the epoch's shuffle, running sums and dropout
  // masks must all continue from there.
  const straight = await uninterrupted(join(dir, `straight-mid-${b}.safetensors`), 3);
  const resumed = await interruptedAndResumed(join(dir, `resumed-mid-${b}.safetensors`), 3, 8);
  assert.equal(resumed.history.epoch, [1, 2, 3]);
  const want = straight.history.history;
  if (b === 'cpu') {
    assert.equal(resumed.history.history, { loss: want.loss!.slice(1), accuracy: want.accuracy!.slice(1) });
    assert.equal(await weightBytes(resumed.run.model), await weightBytes(straight.run.model));
    return;
  }
  // float32 on the device, summed in the same order: equal in practice; the tolerance only
  // allows for a device whose reductions are not deterministic.
  assertClose(resumed.history.history.loss!, want.loss!.slice(1), GPU_TOL, 'webgpu losses');
  const [got, expected] = [resumed.run.model.stateDict(), straight.run.model.stateDict()];
  for (const k of Object.keys(expected)) assertClose(await got[k]!.data(), await expected[k]!.data(), GPU_TOL, `webgpu ${k}`);
});

test('dg.load reads the model out of a training checkpoint', async () => {
  await dg.init({ backend: 'cpu' });
  const path = join(dir, 'loadable.safetensors');
  const { run } = await uninterrupted(path, 'epoch');
  // EarlyStopping put the best epoch's weights back after the last checkpoint; compare with the file's epoch.
  const loaded = await dg.load(path);
  const file = await dg.io.readSafetensorsFile(path, { exactF64: true });
  assert.equal(Object.keys(loaded.stateDict()), Object.keys(run.model.stateDict()));
  for (const [k, t] of Object.entries(loaded.stateDict())) assert.equal([...await t.data()], [...Float32Array.from(file.tensors.get(k)!.data)], k);
  assert.ok([...file.tensors.keys()].some((k) => k.startsWith(dg.io.TRAINING_PREFIX)), 'the optimizer state rides along');
});

test('ModelCheckpoint saves a model of an unregistered class: weights only, and a training checkpoint that resumes', async () => {
  await dg.init({ backend: 'cpu' });
  class Net extends dg.nn.Module {
    readonly fc = new dg.nn.Linear(2, 3);
    override forward(x: dg.Tensor): dg.Tensor { return this.fc.forward(x); }
  }
  const build = () => {
    dg.manualSeed(4);
    const m = new Net();
    return m.compile({ optimizer: new dg.optim.SGD(m.parameters(), { lr: 0.1, momentum: 0.9 }), loss: 'sparseCategoricalCrossentropy' });
  };
  const { x, y } = setupRun(join(dir, 'unused.safetensors'), 'epoch');
  const weights = join(dir, 'net-weights.safetensors');
  const state = join(dir, 'net-state.safetensors');
  const callbacks = () => [new dg.train.ModelCheckpoint({ filepath: weights, monitor: 'loss' }), new dg.train.ModelCheckpoint({ filepath: state, saveTrainingState: true })];
  const warn = console.warn;
  console.warn = () => {}; // the one weights-only warning per class; io.model.test.ts checks it
  try {
    const straight = build();
    await straight.fit(x, y, { epochs: 3, batchSize: BATCH, verbose: 0, callbacks: callbacks() });
    const first = build();
    await first.fit(x, y, { epochs: 1, batchSize: BATCH, verbose: 0, callbacks: callbacks() });
    const resumed = build();
    await resumed.fit(x, y, { epochs: 3, batchSize: BATCH, verbose: 0, callbacks: callbacks(), resumeFrom: state });
    assert.equal(await weightBytes(resumed), await weightBytes(straight));
    await rejectsWith(dg.load(weights), ['no architecture', 'Net'], 'weights-only file');
    const fresh = new Net();
    await dg.loadStateDict(fresh, weights);
    assert.equal([...await fresh.fc.weight.data()], [...await resumed.fc.weight.data()]);
  } finally {
    console.warn = warn;
  }
});

test('resumeFrom refuses a file without training state, another optimizer, other callbacks or a contradicting initialEpoch', async () => {
  await dg.init({ backend: 'cpu' });
  const path = join(dir, 'refusals.safetensors');
  const { run } = await uninterrupted(path, 'epoch');
  const plain = join(dir, 'plain.safetensors');
  await dg.save(run.model, plain);
  await rejectsWith(run.model.fit(run.x, run.y, { ...run.options, resumeFrom: plain }), ['fit', 'not a training checkpoint', 'saveTrainingState'], 'plain model file');

  const sgd = setupRun(join(dir, 'unused.safetensors'), 'epoch');
  sgd.model.compile({ optimizer: new dg.optim.SGD(sgd.model.parameters(), { lr: 0.1 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  await rejectsWith(sgd.model.fit(sgd.x, sgd.y, { ...sgd.options, callbacks: sgd.callbacks, resumeFrom: path }), ['resumeFrom', 'Adam', 'SGD'], 'other optimizer');

  const fewer = setupRun(join(dir, 'unused.safetensors'), 'epoch');
  await rejectsWith(fewer.model.fit(fewer.x, fewer.y, { ...fewer.options, callbacks: fewer.callbacks.slice(1), resumeFrom: path }), ['resumeFrom', 'EarlyStopping', 'same callbacks'], 'other callbacks');

  const again = setupRun(join(dir, 'unused.safetensors'), 'epoch');
  await rejectsWith(again.model.fit(again.x, again.y, { ...again.options, callbacks: again.callbacks, resumeFrom: path, initialEpoch: 1 }), ['initialEpoch 1', `epoch ${EPOCHS}`], 'initialEpoch vs checkpoint');
  await rejectsWith(again.model.fit(again.x, again.y, { ...again.options, resumeFrom: join(dir, 'missing.safetensors') }), ['missing.safetensors'], 'no such file');
});

test('a damaged training checkpoint is refused with what is wrong', async () => {
  await dg.init({ backend: 'cpu' });
  const path = join(dir, 'damaged-source.safetensors');
  await uninterrupted(path, 'epoch');
  const file = await dg.io.readSafetensorsFile(path, { exactF64: true });
  const training = JSON.parse(file.metadata[dg.io.TRAINING_KEY]!) as Record<string, unknown>;
  const cases: [string, Record<string, string>, (name: string) => boolean, string[]][] = [
    ['rng', { [dg.io.TRAINING_KEY]: JSON.stringify({ ...training, rng: [1, 2, 3] }) }, () => true, ['random generator state is damaged']],
    ['json', { [dg.io.TRAINING_KEY]: '{"version": 1,' }, () => true, ['not valid JSON']],
    ['version', { [dg.io.TRAINING_KEY]: JSON.stringify({ ...training, version: 99 }) }, () => true, ['version 99']],
    ['optimizer tensor', {}, (name) => !name.endsWith('/0/exp_avg'), ['Adam.loadStateDict', 'exp_avg']],
  ];
  for (const [what, metadata, keep, says] of cases) {
    const damaged = join(dir, `damaged-${what.replace(' ', '-')}.safetensors`);
    const tensors = new Map([...file.tensors].filter(([name]) => keep(name)));
    await dg.io.writeSafetensorsFile(damaged, tensors, { ...file.metadata, ...metadata });
    const run = setupRun(join(dir, 'unused.safetensors'), 'epoch');
    await rejectsWith(run.model.fit(run.x, run.y, { ...run.options, callbacks: run.callbacks, resumeFrom: damaged }), ['fit: resumeFrom', damaged, ...says], what);
  }
});

test('a training checkpoint asked for in onTrainEnd holds the state after the last epoch', async () => {
  await dg.init({ backend: 'cpu' });
  const path = join(dir, 'at-end.safetensors');
  const run = setupRun(join(dir, 'unused.safetensors'), 'epoch');
  const atEnd: dg.train.Callback = { onTrainEnd: (ctx) => ctx.saveTrainingState(path) };
  await run.model.fit(run.x, run.y, { ...run.options, epochs: 2, callbacks: [...run.callbacks, atEnd] });
  const training = JSON.parse((await dg.io.readSafetensorsFile(path)).metadata[dg.io.TRAINING_KEY]!) as { epoch: number; step: number };
  assert.equal([training.epoch, training.step], [2, 0]);
});

test('initialEpoch starts the epoch count there and is validated', async () => {
  await dg.init({ backend: 'cpu' });
  const run = setupRun(join(dir, 'initial.safetensors'), 'epoch');
  const h = await run.model.fit(run.x, run.y, { ...run.options, initialEpoch: 2 });
  assert.equal(h.epoch, [2, 3]);
  for (const bad of [-1, 1.5, NaN, EPOCHS + 1]) {
    await rejectsWith(run.model.fit(run.x, run.y, { ...run.options, initialEpoch: bad }), ['fit: initialEpoch', String(bad), `[0, ${EPOCHS}]`], `initialEpoch ${bad}`);
  }
});

test('ModelCheckpoint validates saveFreq and refuses options that cannot go together', () => {
  for (const bad of [0, -2, 1.5, NaN, 'batch']) {
    throwsWith(() => new dg.train.ModelCheckpoint({ filepath: 'x', saveFreq: bad as number }), ['ModelCheckpoint', 'saveFreq', String(bad)], `saveFreq ${String(bad)}`);
  }
  throwsWith(() => new dg.train.ModelCheckpoint({ filepath: 'x', saveWeightsOnly: true, saveTrainingState: true }), ['ModelCheckpoint', 'saveWeightsOnly', 'saveTrainingState'], 'both');
  throwsWith(() => new dg.train.ModelCheckpoint({ filepath: 'x', saveBestOnly: true, saveFreq: 5 }), ['ModelCheckpoint', 'saveBestOnly', "'epoch'"], 'best per batch');
});

test('a batch-source fit refuses a mid-epoch training checkpoint, which it could not replay', async () => {
  await dg.init({ backend: 'cpu' });
  const run = setupRun(join(dir, 'source.safetensors'), 2);
  const ds = await dg.data.TensorDataset.fromTensors(run.x, run.y);
  const loader = new dg.data.DataLoader(ds, { batchSize: BATCH, shuffle: true });
  await rejectsWith(run.model.fit(loader, { epochs: 1, verbose: 0, callbacks: run.callbacks }), ['saveTrainingState', 'batch source', "saveFreq 'epoch'"], 'mid-epoch on a source');
});

test('getRngState / setRngState replay the same random numbers and refuse a damaged state', async () => {
  await dg.init({ backend: 'cpu' });
  dg.manualSeed(3);
  dg.randn([5]).dispose();
  const state = dg.getRngState();
  const first = [...await dg.randn([7]).data()];
  dg.setRngState(state);
  assert.equal([...await dg.randn([7]).data()], first);
  dg.setRngState(state);
  const copy = dg.getRngState();
  copy[0] = (copy[0] + 1) >>> 0;
  assert.equal(dg.getRngState(), state, 'getRngState returns a copy, not the live generator');
  throwsWith(() => dg.setRngState([1, 2, 3] as unknown as dg.RngState), ['setRngState', '4 unsigned 32-bit'], 'three words');
  throwsWith(() => dg.setRngState([1, 2, 3, 2 ** 32]), ['setRngState', '4294967296'], 'too large');
  throwsWith(() => dg.setRngState([0, 0, 0, 0]), ['setRngState', 'all-zero'], 'all zero');
});

test('schedulers save and restore their state; a refused state leaves them unchanged', () => {
  const params = () => [dg.zeros([2], { requiresGrad: true })];
  const a = new dg.optim.SGD(params(), { lr: 1 });
  const step = new dg.optim.StepLR(a, { stepSize: 2, gamma: 0.5 });
  for (let i = 0; i < 3; i++) step.step();
  const b = new dg.optim.SGD(params(), { lr: 1 });
  const copy = new dg.optim.StepLR(b, { stepSize: 2, gamma: 0.5 });
  copy.loadStateDict(JSON.parse(JSON.stringify(step.stateDict())));
  step.step();
  copy.step();
  assert.equal(copy.getLastLr(), step.getLastLr());
  assert.equal(copy.stateDict(), { lastEpoch: 4, baseLrs: [1] });
  throwsWith(() => copy.loadStateDict({ lastEpoch: -1, baseLrs: [1] }), ['StepLR.loadStateDict', 'lastEpoch', '-1'], 'negative epoch');
  throwsWith(() => copy.loadStateDict({ lastEpoch: 1, baseLrs: [1, 2] }), ['StepLR.loadStateDict', 'baseLrs', '1 non-negative'], 'group count');
  assert.equal(copy.stateDict(), { lastEpoch: 4, baseLrs: [1] }, 'unchanged after refusals');

  const plateau = new dg.optim.ReduceLROnPlateau(new dg.optim.SGD(params(), { lr: 1 }), { patience: 1 });
  plateau.step(3);
  plateau.step(4);
  const again = new dg.optim.ReduceLROnPlateau(new dg.optim.SGD(params(), { lr: 1 }), { patience: 1 });
  again.loadStateDict(plateau.stateDict());
  assert.equal(again.stateDict(), { best: 3, numBadEpochs: 1, cooldownCounter: 0 });
  throwsWith(() => again.loadStateDict({ best: NaN, numBadEpochs: 0, cooldownCounter: 0 }), ['ReduceLROnPlateau.loadStateDict', 'best'], 'NaN best');
  throwsWith(() => again.loadStateDict({ best: 1, numBadEpochs: 0.5, cooldownCounter: 0 }), ['ReduceLROnPlateau.loadStateDict', 'numBadEpochs', '0.5'], 'fractional count');
  assert.equal(again.stateDict(), { best: 3, numBadEpochs: 1, cooldownCounter: 0 }, 'unchanged after refusals');
});

test.run();
