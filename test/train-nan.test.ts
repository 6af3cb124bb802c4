// NaN in training: TerminateOnNaN stops fit and says so (at an epoch end, or at the batch with
// checkEvery); EarlyStopping and ModelCheckpoint count a NaN monitored value as the worst, so a
// run that is NaN from the start stops after its patience and is never saved as "best".
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { throwsWith } from './support/compare.js';

const test = suite('train NaN');
const dir = mkdtempSync(join(tmpdir(), 'dawngrad-nan-'));
test.before(async () => { await dg.init({ backend: 'cpu' }); });
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** 24 examples in 6 batches of 4; the examples from `poisonFrom` on are NaN (Infinity with `inf`). */
function data(poisonFrom = Infinity, value = NaN): { x: Tensor; y: Tensor } {
  const xs = Float32Array.from({ length: 48 }, (_, i) => (i / 2 >= poisonFrom ? value : Math.sin(i)));
  return { x: dg.tensor(xs, [24, 2]), y: dg.tensor(Int32Array.from({ length: 24 }, (_, i) => i % 2), [24]) };
}

function model(): dg.nn.Sequential {
  dg.manualSeed(5);
  // Tanh, not ReLU: the cpu reference's relu maps NaN to 0, which would hide the poisoned inputs.
  const m = new dg.nn.Sequential(new dg.nn.Linear(2, 4), new dg.nn.Tanh(), new dg.nn.Linear(4, 2));
  return m.compile({ optimizer: new dg.optim.SGD(m.parameters(), { lr: 0.1 }), loss: 'sparseCategoricalCrossentropy' });
}

/** A callback that sets every weight to NaN at the end of epoch `epoch`, as a diverged step would. */
function poisonAfter(m: dg.nn.AnyModule, epoch: number): dg.train.Callback {
  return {
    onEpochEnd: (e) => {
      if (e === epoch) m.loadStateDict(Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, dg.full(t.shape, NaN)])));
    },
  };
}

/** Collects what fit and its callbacks print. */
function sink(): { write(s: string): void; text: string } {
  return { text: '', write(s: string) { this.text += s; } };
}

test('TerminateOnNaN stops at the end of the first epoch whose loss is NaN and says so', async () => {
  const { x, y } = data(0);
  const stop = new dg.train.TerminateOnNaN();
  const output = sink();
  const h = await model().fit(x, y, { epochs: 5, batchSize: 4, shuffle: false, verbose: 0, output, callbacks: [stop] });
  assert.equal(h.epoch, [0]);
  assert.ok(Number.isNaN(h.history.loss![0]));
  assert.equal(stop.stopped, { epoch: 0, batch: null, loss: NaN });
  assert.ok(output.text.includes('TerminateOnNaN: the loss is NaN at epoch 1; training stopped'), output.text);
});

test('TerminateOnNaN with checkEvery: 1 stops at the batch where the loss turned infinite', async () => {
  // Batches of 4 without shuffling: examples 8.. make batch 2 (0-based) the first bad one.
  const { x, y } = data(8, Infinity);
  const stop = new dg.train.TerminateOnNaN({ checkEvery: 1 });
  const seen: number[] = [];
  const output = sink();
  const h = await model().fit(x, y, { epochs: 3, batchSize: 4, shuffle: false, verbose: 0, output, callbacks: [stop, { onBatchEnd: (b) => { seen.push(b); } }] });
  assert.equal(seen, [0, 1, 2], 'no batch after the bad one');
  assert.equal(h.epoch, [0], 'the epoch still ends, with its logs');
  assert.is(stop.stopped?.batch, 2);
  assert.ok(!Number.isFinite(stop.stopped!.loss), String(stop.stopped!.loss));
  assert.ok(output.text.includes('at epoch 1, batch 3; training stopped'), output.text);
  assert.is(output.text.split('TerminateOnNaN').length, 2, 'said once');
});

test('TerminateOnNaN lets a finite run train every epoch, and validates checkEvery', async () => {
  const { x, y } = data();
  const stop = new dg.train.TerminateOnNaN({ checkEvery: 2 });
  const h = await model().fit(x, y, { epochs: 3, batchSize: 4, verbose: 0, callbacks: [stop] });
  assert.equal(h.epoch, [0, 1, 2]);
  assert.is(stop.stopped, null);
  for (const bad of [0, -1, 2.5, NaN]) throwsWith(() => new dg.train.TerminateOnNaN({ checkEvery: bad }), ['TerminateOnNaN', 'checkEvery', String(bad)], `checkEvery ${bad}`);
});

test('EarlyStopping counts NaN as no improvement: a NaN-from-the-start run stops after its patience', async () => {
  const { x, y } = data(0);
  const stop = new dg.train.EarlyStopping({ monitor: 'loss', patience: 2 });
  const h = await model().fit(x, y, { epochs: 20, batchSize: 4, verbose: 0, callbacks: [stop] });
  assert.equal(h.epoch, [0, 1, 2], 'patience 2: the third NaN epoch stops it');
  assert.is(stop.stoppedEpoch, 2);
  assert.is(stop.bestEpoch, -1, 'no epoch was ever best');
  assert.is(stop.best, Infinity);
});

test('EarlyStopping keeps the last finite best when the loss turns NaN, and restores its weights', async () => {
  const { x, y } = data();
  const m = model();
  // From epoch 2 on the weights are NaN, so epochs 2.. log NaN.
  const poison = poisonAfter(m, 1);
  const stop = new dg.train.EarlyStopping({ monitor: 'loss', patience: 1, restoreBestWeights: true });
  const h = await m.fit(x, y, { epochs: 10, batchSize: 4, shuffle: false, verbose: 0, callbacks: [stop, poison] });
  assert.equal(h.epoch, [0, 1, 2, 3]);
  assert.is(stop.bestEpoch, 1);
  assert.is(stop.best, h.history.loss![1]);
  const restored = await m.evaluate(x, y);
  assert.ok(Number.isFinite(restored.loss), `restored weights are finite, loss ${restored.loss}`);
});

test('ModelCheckpoint with saveBestOnly never saves a NaN epoch', async () => {
  const nan = data(0);
  const path = join(dir, 'best-{epoch}.safetensors');
  const ckpt = new dg.train.ModelCheckpoint({ filepath: path, monitor: 'loss', saveBestOnly: true });
  await model().fit(nan.x, nan.y, { epochs: 3, batchSize: 4, verbose: 0, callbacks: [ckpt] });
  assert.equal(ckpt.saved, []);
  assert.ok(!existsSync(join(dir, 'best-1.safetensors')));
  assert.is(ckpt.best, Infinity);

  // Finite, then NaN: the best stays the finite epoch.
  const { x, y } = data();
  const mixed = new dg.train.ModelCheckpoint({ filepath: join(dir, 'mixed-{epoch}.safetensors'), monitor: 'loss', saveBestOnly: true });
  const m = model();
  await m.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0, callbacks: [mixed, poisonAfter(m, 0)] });
  assert.equal(mixed.saved, [join(dir, 'mixed-1.safetensors')]);
});

test.run();
