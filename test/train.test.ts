// Keras-style training: compile/fit/evaluate/predict, History, callbacks, validationSplit,
// progress output, the no-readback-per-batch rule, and errors for bad use.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { backendNamed, enterScope, exitScope } from '../src/core/engine.js';
import type { WebGpuBackend } from '../src/backend/webgpu/index.js';
import { assertClose, GPU_TOL, hasWebGpu, throwsWith } from './support/compare.js';
import { forEachBackend, webgpuTest } from './support/webgpu.js';

const { nn, optim } = dg;
const test = suite('train');
await hasWebGpu();

/** Three well-separated 2-D clusters, n points, labels 0..2 cycling. */
function clusters(n: number): { x: Tensor; y: Tensor } {
  const xs = new Float32Array(n * 2), ys = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    ys[i] = c;
    xs[2 * i] = [2, -2, 0][c]! + 0.5 * Math.sin(i);
    xs[2 * i + 1] = [0, 0, 2.5][c]! + 0.5 * Math.cos(1.3 * i);
  }
  return { x: dg.tensor(xs, [n, 2]), y: dg.tensor(ys, [n]) };
}

const mlp = () => new nn.Sequential(new nn.Linear(2, 16), new nn.ReLU(), new nn.Linear(16, 3));

forEachBackend(test, 'fit reaches 100% training accuracy on a separable problem; History has one entry per epoch', async (b) => {
  dg.manualSeed(1);
  const { x, y } = clusters(48);
  const m = mlp();
  m.compile({ optimizer: new optim.Adam(m.parameters(), { lr: 0.05 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const h = await m.fit(x, y, { epochs: 12, batchSize: 8, verbose: 0 });
  assert.equal(h.epoch, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], b);
  assert.equal(Object.keys(h.history), ['loss', 'accuracy'], b);
  assert.is(h.history.accuracy!.at(-1), 1, `${b}: final epoch accuracy`);
  assert.ok(h.history.loss!.at(-1)! < h.history.loss![0]!, `${b}: loss falls`);
  const ev = await m.evaluate(x, y);
  assert.is(ev.accuracy, 1, `${b}: evaluate`);
  assert.equal(h.params, { epochs: 12, steps: 6, batchSize: 8 });
});

test('validationSplit holds out the last fraction, as Keras does', async () => {
  await dg.init({ backend: 'cpu' });
  dg.manualSeed(2);
  const { x, y } = clusters(20);
  const m = mlp();
  // lr 0: the weights stay put, so the validation loss is exactly evaluate() on the held-out part.
  m.compile({ optimizer: new optim.SGD(m.parameters(), { lr: 0 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const h = await m.fit(x, y, { epochs: 1, batchSize: 4, validationSplit: 0.25, verbose: 0 });
  assert.equal(Object.keys(h.history), ['loss', 'accuracy', 'valLoss', 'valAccuracy']);
  const last = await m.evaluate(x.narrow(0, 15, 5), y.narrow(0, 15, 5));
  const first = await m.evaluate(x.narrow(0, 0, 5), y.narrow(0, 0, 5));
  assert.is(h.history.valLoss![0], last.loss);
  assert.is(h.history.valAccuracy![0], last.accuracy);
  assert.is.not(h.history.valLoss![0], first.loss);
  const train = await m.evaluate(x.narrow(0, 0, 15), y.narrow(0, 0, 15));
  assertClose([h.history.loss![0]!], [train.loss!], GPU_TOL, 'training loss covers the first 15');
});

test('validationData is evaluated each epoch', async () => {
  await dg.init({ backend: 'cpu' });
  const { x, y } = clusters(12);
  const m = mlp().compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  const h = await m.fit(x, y, { epochs: 2, batchSize: 5, validationData: [x, y], verbose: 0 });
  assert.equal(Object.keys(h.history), ['loss', 'valLoss']);
  assert.is(h.history.valLoss!.length, 2);
});

test('EarlyStopping stops once the monitored value stops improving', async () => {
  await dg.init({ backend: 'cpu' });
  const { x, y } = clusters(12);
  const m = mlp().compile({ optimizer: new optim.SGD(mlp().parameters(), { lr: 0 }), loss: 'sparseCategoricalCrossentropy' });
  const stop = new dg.train.EarlyStopping({ monitor: 'loss', patience: 2 });
  // Nothing trains (lr 0, no shuffling): epoch 0 sets the best, epochs 1-3 do not beat it.
  const h = await m.fit(x, y, { epochs: 20, batchSize: 4, shuffle: false, callbacks: [stop], verbose: 0 });
  assert.is(h.epoch.length, 4);
  assert.is(stop.stoppedEpoch, 3);
});

test('EarlyStopping with restoreBestWeights puts the best epoch\'s weights back', async () => {
  await dg.init({ backend: 'cpu' });
  dg.manualSeed(4);
  const { x, y } = clusters(12);
  const m = mlp();
  const opt = new optim.SGD(m.parameters(), { lr: 0.1 });
  m.compile({ optimizer: opt, loss: 'sparseCategoricalCrossentropy' });
  // A callback that ruins training from epoch 1 on: a huge lr makes the loss explode.
  const ruin: dg.train.Callback = { onEpochEnd: (e) => { if (e === 0) opt.paramGroups[0]!.lr = 1e3; } };
  const stop = new dg.train.EarlyStopping({ monitor: 'loss', patience: 1, restoreBestWeights: true });
  const h = await m.fit(x, y, { epochs: 10, batchSize: 12, shuffle: false, callbacks: [ruin, stop], verbose: 0 });
  assert.ok(stop.bestEpoch <= 1, `best epoch ${stop.bestEpoch}`);
  assert.is(h.epoch.length, stop.bestEpoch + 3, 'stopped after patience + 1 bad epochs');
  // With one batch per epoch the logged loss is that of the weights before the epoch's step, so
  // the restored weights (from the end of the best epoch) give the next epoch's logged loss.
  const after = await m.evaluate(x, y, { batchSize: 12 });
  assertClose([after.loss!], [h.history.loss![stop.bestEpoch + 1]!], GPU_TOL, 'restored weights');
  assert.ok(after.loss! < h.history.loss!.at(-1)!, 'better than the last weights');
});

test('an LR scheduler callback steps each epoch; ReduceLROnPlateau watches the logs', async () => {
  await dg.init({ backend: 'cpu' });
  const { x, y } = clusters(6);
  const m = mlp();
  const opt = new optim.SGD(m.parameters(), { lr: 1 });
  m.compile({ optimizer: opt, loss: 'sparseCategoricalCrossentropy' });
  const seen: number[] = [];
  const spy: dg.train.Callback = { onEpochBegin: (_e, ctx) => { seen.push(ctx.optimizer.lr); } };
  await m.fit(x, y, { epochs: 3, batchSize: 6, verbose: 0, callbacks: [spy, new dg.train.LRSchedulerCallback(new optim.StepLR(opt, { stepSize: 1, gamma: 0.5 }))] });
  assert.equal(seen, [1, 0.5, 0.25]);

  // lr this small leaves the loss on a plateau, so with patience 0 every epoch after the first cuts lr.
  const slow = new optim.SGD(m.parameters(), { lr: 1e-6 });
  m.compile({ optimizer: slow, loss: 'sparseCategoricalCrossentropy' });
  seen.length = 0;
  const plateau = new optim.ReduceLROnPlateau(slow, { patience: 0, factor: 0.5 });
  await m.fit(x, y, { epochs: 4, batchSize: 6, shuffle: false, verbose: 0, callbacks: [spy, new dg.train.LRSchedulerCallback(plateau)] });
  assert.equal(seen, [1e-6, 1e-6, 5e-7, 2.5e-7]);
});

forEachBackend(test, 'evaluate\'s metrics equal dg.metrics on predict\'s output (macro for classes, class 1 for binary)', async (b) => {
  dg.manualSeed(9);
  const { x, y } = clusters(21);
  const m = mlp().compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy', 'precision', 'recall', 'f1'] });
  const ev = await m.evaluate(x, y, { batchSize: 5 });
  const p = await m.predict(x);
  const want = [await dg.metrics.accuracy(p, y), await dg.metrics.precision(p, y), await dg.metrics.recall(p, y), await dg.metrics.f1(p, y)] as number[];
  assertClose([ev.accuracy!, ev.precision!, ev.recall!, ev.f1!], want, GPU_TOL, `${b} classes`);

  const t = dg.tensor(Float32Array.from({ length: 21 }, (_, i) => (i % 3 === 0 ? 1 : 0)), [21, 1]);
  const bin = new nn.Sequential(new nn.Linear(2, 1), new nn.Sigmoid());
  bin.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['binaryAccuracy', 'precision', 'recall'] });
  const evb = await bin.evaluate(x, t, { batchSize: 4 });
  const q = await bin.predict(x);
  const per = (await dg.metrics.precision(q, t, { average: 'none' })) as number[];
  const rec = (await dg.metrics.recall(q, t, { average: 'none' })) as number[];
  assertClose([evb.binaryAccuracy!, evb.precision!, evb.recall!], [await dg.metrics.binaryAccuracy(q, t), per[1]!, rec[1]!], GPU_TOL, `${b} binary`);
});

test('onBatchEnd sees every batch with its size', async () => {
  await dg.init({ backend: 'cpu' });
  const { x, y } = clusters(10);
  const m = mlp().compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  const batches: string[] = [];
  await m.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, callbacks: [{ onBatchEnd: (b, logs) => { batches.push(`${b}:${logs.size}`); } }] });
  assert.equal(batches, ['0:4', '1:4', '2:2', '0:4', '1:4', '2:2']);
});

test('ModelCheckpoint saves the best epoch\'s model, which dg.load rebuilds', async () => {
  await dg.init({ backend: 'cpu' });
  dg.manualSeed(6);
  const dir = mkdtempSync(join(tmpdir(), 'dawngrad-ckpt-'));
  try {
    const { x, y } = clusters(24);
    const m = mlp().compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const ckpt = new dg.train.ModelCheckpoint({ filepath: join(dir, 'm-{epoch}.safetensors'), monitor: 'loss', saveBestOnly: true });
    const weights = new dg.train.ModelCheckpoint({ filepath: join(dir, 'w.safetensors'), saveWeightsOnly: true });
    const h = await m.fit(x, y, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0, callbacks: [ckpt, weights] });
    const improving = h.history.loss!.filter((v, i, all) => all.slice(0, i).every((p) => v < p)).length;
    assert.is(ckpt.saved.length, improving);
    assert.is(ckpt.saved.at(-1), join(dir, 'm-3.safetensors'));
    // The cpu backend trains in float64 and the file holds float32, hence a tolerance.
    const loaded = await dg.load(ckpt.saved.at(-1)!);
    assertClose(await (loaded.forward(x) as Tensor).data(), await m.forward(x).data(), GPU_TOL, 'dg.load');
    const fresh = mlp();
    await dg.loadStateDict(fresh, join(dir, 'w.safetensors'));
    assertClose(await fresh.forward(x).data(), await m.forward(x).data(), GPU_TOL, 'weights only');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

forEachBackend(test, 'fit, evaluate and predict leave no temporary tensors behind', async (b) => {
  const { x, y } = clusters(30);
  const m = mlp();
  const opt = new optim.Adam(m.parameters());
  m.compile({ optimizer: opt, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy', 'precision'] });
  // The scope records every tensor made while it is open and not kept on purpose (parameters,
  // gradients, optimizer state). (The global count cannot be compared: it also moves when the
  // garbage collector finalises other tests' tensors.)
  const scope = enterScope();
  await m.fit(x, y, { epochs: 2, batchSize: 7, validationSplit: 0.2, verbose: 0, callbacks: [new dg.train.EarlyStopping({ restoreBestWeights: true, patience: 5 })] });
  await m.evaluate(x, y);
  (await m.predict(x)).dispose();
  const alive = [...scope].filter((t) => !t.isDisposed);
  exitScope(scope, new Set(alive));
  assert.is(alive.length, 0, b);
  assert.ok(m.parameters().every((p) => p.grad === null), `${b}: gradients dropped after fit`);
  assert.is(Object.keys(opt.stateDict().state).length, 4, `${b}: state for each parameter`);
});

forEachBackend(test, 'predict runs in batches and matches one forward pass', async (b) => {
  const { x } = clusters(20);
  const m = mlp();
  const p = await m.predict(x, { batchSize: 7 });
  assert.equal(p.shape, [20, 3]);
  assertClose(await p.data(), await dg.noGrad(() => m.eval().forward(x)).data(), GPU_TOL, b);
  assert.is(p.requiresGrad, false);
});

webgpuTest(test)('fit reads the device a few times per epoch, not once per batch', async () => {
  await dg.init({ backend: 'webgpu' });
  const rt = ((await backendNamed('webgpu')) as WebGpuBackend).rt;
  const { x, y } = clusters(64);
  const m = mlp().compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy', 'f1'] });
  const before = rt.stats.readbacks;
  await m.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
  // 16 batches per epoch; at each epoch end one read of all the sums (the loss kernel's deferred
  // bad-label check comes back in that same read); the bound leaves one spare read per epoch.
  assert.ok(rt.stats.readbacks - before <= 2 * 2, `${rt.stats.readbacks - before} reads for 32 batches`);
});

test('progress: one line per epoch off a terminal, a redrawn bar with ETA on one', async () => {
  await dg.init({ backend: 'cpu' });
  const { x, y } = clusters(40);
  const m = mlp().compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  let text = '';
  await m.fit(x, y, { epochs: 2, batchSize: 4, output: { write: (s: string) => { text += s; } } });
  const lines = text.trim().split('\n');
  assert.is(lines.length, 2, text);
  assert.match(lines[1]!, /^Epoch 2\/2 - [\d.]+s - loss: [\d.]+ - accuracy: [\d.]+$/);

  let tty = '';
  await m.fit(x, y, { epochs: 1, batchSize: 4, output: { isTTY: true, write: (s: string) => { tty += s; } } });
  assert.ok(tty.startsWith('Epoch 1/1\n'), tty);
  assert.match(tty, /\r 1\/10 \[===>\.+\] - ETA: [\d.]+s - loss: [\d.]+ - accuracy: [\d.]+/);
  assert.match(tty, /\r10\/10 \[=+\] - [\d.]+s - loss: [\d.]+ - accuracy: [\d.]+ *\n$/);
});

test('losses by name: categorical, binary and mse targets; Softmax/Sigmoid outputs read as probabilities', async () => {
  await dg.init({ backend: 'cpu' });
  dg.manualSeed(5);
  const { x, y } = clusters(30);
  const oneHot = dg.tensor(Float32Array.from({ length: 90 }, (_, i) => (i % 3 === (Math.floor(i / 3) % 3) ? 1 : 0)), [30, 3]);
  const probs = new nn.Sequential(mlp(), new nn.Softmax());
  probs.compile({ optimizer: new optim.Adam(probs.parameters(), { lr: 0.05 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const h = await probs.fit(x, oneHot, { epochs: 15, batchSize: 10, verbose: 0 });
  assert.is(h.history.accuracy!.at(-1), 1, 'categorical on probabilities');
  // The same loss read as logits would differ: check it is the clipped -sum(y log p).
  const p = await probs.predict(x);
  const want = (await dg.noGrad(() => p.clamp(1e-7, 1).log().mul(oneHot).sum(-1).mean().neg()).item());
  assertClose([(await probs.evaluate(x, oneHot)).loss!], [want], GPU_TOL, 'probability loss');

  const isFirst = dg.tensor(Float32Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? 1 : 0)), [30, 1]);
  const bin = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 1));
  bin.compile({ optimizer: new optim.Adam(bin.parameters(), { lr: 0.05 }), loss: 'binaryCrossentropy', metrics: ['binaryAccuracy'] });
  const hb = await bin.fit(x, isFirst, { epochs: 20, batchSize: 10, verbose: 0 });
  assert.is(hb.history.binaryAccuracy!.at(-1), 1, 'binary on logits');

  const reg = new nn.Linear(2, 1).compile({ optimizer: 'sgd', loss: 'mse' });
  const ev = await reg.evaluate(x, isFirst);
  const want2 = await dg.noGrad(() => reg.forward(x).sub(isFirst).square().mean()).item();
  assertClose([ev.loss!], [want2], GPU_TOL, 'mse');
  assert.equal(Object.keys(await mlp().compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' }).evaluate(x, y)), ['loss'], 'Keras spelling');
});

test('bad use is a clear error', async () => {
  await dg.init({ backend: 'cpu' });
  const { x, y } = clusters(10);
  const rejects = async (p: Promise<unknown>, fragments: string[], what: string) => {
    let message = '';
    try { await p; } catch (e) { message = (e as Error).message; }
    assert.ok(message, `${what}: expected an error`);
    for (const f of fragments) assert.ok(message.includes(f), `${what}: "${message}" should mention "${f}"`);
  };
  await rejects(mlp().fit(x, y), ['fit', 'compile'], 'fit before compile');
  await rejects(mlp().evaluate(x, y), ['evaluate', 'compile'], 'evaluate before compile');
  const m = mlp().compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  await rejects(m.fit(x, y.narrow(0, 0, 9), { verbose: 0 }), ['fit', 'same number of examples', '[10, 2]', '[9]'], 'length mismatch');
  await rejects(m.fit(x, y.float(), { verbose: 0 }), ['fit', 'sparseCategoricalCrossentropy', 'int32', 'float32'], 'float labels');
  await rejects(m.fit(x, y, { batchSize: 0, verbose: 0 }), ['fit', 'batchSize', '0'], 'batch size');
  await rejects(m.fit(x, y, { validationSplit: 1, verbose: 0 }), ['fit', 'validationSplit'], 'split 1');
  await rejects(m.fit(x, y, { validationSplit: 1e-17, verbose: 0 }), ['fit', 'no validation'], 'split too small');
  const cat = mlp().compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  await rejects(cat.fit(x, y, { verbose: 0 }), ['categoricalCrossentropy', 'one-hot', 'int32'], 'int labels for categorical');
  throwsWith(() => mlp().compile({ optimizer: 'adam', loss: 'hinge' }), ['compile', "'hinge'", 'sparseCategoricalCrossentropy'], 'unknown loss');
  throwsWith(() => mlp().compile({ optimizer: 'adagrad', loss: 'mse' }), ['compile', "'adagrad'", 'adam'], 'unknown optimizer');
  throwsWith(() => mlp().compile({ optimizer: 'adam', loss: 'mse', metrics: ['auc'] }), ['compile', "'auc'", 'accuracy'], 'unknown metric');
  const es = mlp().compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  await rejects(es.fit(x, y, { verbose: 0, callbacks: [new dg.train.EarlyStopping()] }), ['EarlyStopping', "'valLoss'", 'validationData'], 'monitor missing');
});

test.run();
