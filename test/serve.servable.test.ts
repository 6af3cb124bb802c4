// One loaded model version on its own: forward under noGrad leaves no tensor behind, the
// warm-up finds the output shape, and dispose frees the weights.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { DEFAULTS } from '../src/serve/options.js';
import { Servable } from '../src/serve/servable.js';
import { assertClose } from './support/compare.js';

const t = suite('serve servable');
const dir = mkdtempSync(join(tmpdir(), 'dawngrad-servable-'));
t.after(() => rmSync(dir, { recursive: true, force: true }));

t('forward leaves no tensors behind, matches predict, and dispose frees the weights', async () => {
  await dg.init({ backend: 'cpu' });
  dg.manualSeed(5);
  const model = new dg.nn.Sequential(new dg.nn.Conv2d(1, 2, 3), new dg.nn.ReLU(), new dg.nn.Flatten(), new dg.nn.Linear(2 * 3 * 3, 4));
  const path = join(dir, 'm.safetensors');
  await dg.save(model, path, { inputShape: [1, 5, 5] });
  const before = dg.memory().tensors;
  const s = await Servable.load('m', '1', path, DEFAULTS.batching, {});
  assert.equal(s.output, { name: 'output', dtype: 'float32', shape: [-1, 4] }, 'the warm-up found the output shape');
  const loaded = dg.memory().tensors;
  const x = Float32Array.from({ length: 3 * 25 }, (_, i) => Math.sin(i));
  for (let i = 0; i < 5; i++) await s.forward({ data: x, shape: [3, 1, 5, 5] });
  assert.is(dg.memory().tensors, loaded, 'no tensor left by forward');
  const out = await s.batcher.submit({ data: x, shape: [3, 1, 5, 5] }, 10_000);
  const xt = dg.tensor(x, [3, 1, 5, 5]);
  const yt = await model.predict(xt);
  assertClose(out.data, await yt.data(), { atol: 1e-6, rtol: 1e-6 }, 'forward vs predict');
  xt.dispose();
  yt.dispose();
  s.dispose();
  assert.is(dg.memory().tensors, before, 'the weights are freed');
});

t.run();
