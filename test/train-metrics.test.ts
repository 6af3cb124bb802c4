// dg.metrics on their own, against counts worked out by hand, on both backends.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { assertClose, GPU_TOL, hasWebGpu, throwsWith } from './support/compare.js';
import { BACKEND_NAMES, backendTest } from './support/webgpu.js';

const { metrics } = dg;
const test = suite('metrics');
await hasWebGpu();

// Seven examples of three classes. Predicted (argmax of the scores): 0 0 1 1 2 2 0; true: 0 1 1 1 2 0 2.
const SCORES = [[3, 1, 0], [2, 1, 1], [0, 5, 1], [1, 2, 0], [0, 0, 9], [1, 0, 2], [4, 0, 3]];
const LABELS = [0, 1, 1, 1, 2, 0, 2];
// rows = true, columns = predicted
const CONFUSION = [[1, 0, 1], [1, 2, 0], [1, 0, 1]];
// precision = tp / predicted: 1/3, 2/2, 1/2; recall = tp / actual: 1/2, 2/3, 1/2; f1 = 2tp / (predicted + actual)
const PRECISION = [1 / 3, 1, 1 / 2];
const RECALL = [1 / 2, 2 / 3, 1 / 2];
const F1 = [2 / 5, 4 / 5, 2 / 4];
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

for (const b of BACKEND_NAMES) {
  backendTest(test, b)(`${b}: accuracy, confusion matrix and per-class / macro scores of class scores`, async () => {
    await dg.init({ backend: b });
    const pred = dg.tensor(SCORES);
    const y = dg.tensor(LABELS, { dtype: 'int32' });
    assertClose([await metrics.accuracy(pred, y)], [4 / 7], GPU_TOL, 'accuracy');
    assert.equal(await metrics.confusionMatrix(pred, y), CONFUSION);
    assertClose(await metrics.precision(pred, y, { average: 'none' }) as number[], PRECISION, GPU_TOL, 'precision per class');
    assertClose(await metrics.recall(pred, y, { average: 'none' }) as number[], RECALL, GPU_TOL, 'recall per class');
    assertClose(await metrics.f1(pred, y, { average: 'none' }) as number[], F1, GPU_TOL, 'f1 per class');
    assertClose([await metrics.precision(pred, y) as number], [mean(PRECISION)], GPU_TOL, 'macro precision');
    assertClose([await metrics.f1(pred, y) as number], [mean(F1)], GPU_TOL, 'macro f1');
  });

  backendTest(test, b)(`${b}: one-hot targets, class-id predictions and binary outputs`, async () => {
    await dg.init({ backend: b });
    const oneHot = dg.tensor(LABELS.map((l) => [0, 1, 2].map((c) => (c === l ? 1 : 0))));
    assertClose([await metrics.accuracy(dg.tensor(SCORES), oneHot)], [4 / 7], GPU_TOL, 'one-hot');
    const ids = dg.tensor([0, 0, 1, 1, 2, 2, 0], { dtype: 'int32' });
    assert.equal(await metrics.confusionMatrix(ids, dg.tensor(LABELS, { dtype: 'int32' }), { numClasses: 3 }), CONFUSION);
    const probs = dg.tensor([0.9, 0.2, 0.6, 0.4]);
    const truth = dg.tensor([1, 0, 0, 0]);
    assertClose([await metrics.binaryAccuracy(probs, truth)], [3 / 4], GPU_TOL, 'binary at 0.5');
    assertClose([await metrics.binaryAccuracy(probs, truth, { threshold: 0.7 })], [1], GPU_TOL, 'binary at 0.7');
    assert.equal(await metrics.confusionMatrix(probs, truth), [[2, 1], [0, 1]]);
  });
}

test('a class never predicted scores 0 precision rather than NaN', async () => {
  await dg.init({ backend: 'cpu' });
  const p = await metrics.precision(dg.tensor([[1, 0], [1, 0]]), dg.tensor([0, 1], { dtype: 'int32' }), { average: 'none' });
  assert.equal(p, [0.5, 0]);
});

test('bad inputs are clear errors', async () => {
  await dg.init({ backend: 'cpu' });
  const pred = dg.tensor(SCORES);
  throwsWith(() => metrics.metricByName('auc'), ['metricByName', "'auc'"], 'unknown name');
  let message = '';
  try { await metrics.accuracy(pred, dg.tensor([0, 1], { dtype: 'int32' })); } catch (e) { message = (e as Error).message; }
  assert.ok(message.includes('accuracy') && message.includes('7 vs 2'), message);
  message = '';
  try { await metrics.confusionMatrix(dg.tensor([0, 1], { dtype: 'int32' }), dg.tensor([0, 1], { dtype: 'int32' })); } catch (e) { message = (e as Error).message; }
  assert.ok(message.includes('numClasses'), message);
});

test.run();
