// Tensors an op saves for its backward (withGrad's `saved`): one policy for every op. They
// outlive an enclosing tidy while the node needs them, go with the node (after backward, or
// when the output is disposed), and are freed at once when no node is made.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { hasWebGpu } from './support/compare.js';
import { forEachBackend } from './support/webgpu.js';

const test = suite('saved for backward');
await hasWebGpu();

// Two ops whose rules read an intermediate: layerNorm its statistics, maxPool2d its arg-max.
const cases: [string, (x: Tensor) => Tensor][] = [
  ['layerNorm', (x) => dg.layerNorm(x, [4])],
  ['maxPool2d', (x) => dg.maxPool2d(x, { kernelSize: 2 })],
];
const live = () => dg.memory().tensors;

for (const [name, op] of cases) {
  forEachBackend(test, `${name}: saved tensors survive an enclosing tidy, then go with backward`, async () => {
    const x = dg.randn([1, 2, 4, 4], { requiresGrad: true });
    const start = live();
    const y = dg.tidy(() => op(x));
    const saved = y.node!.saved;
    assert.is(saved.length, 1, 'one saved tensor');
    assert.not.ok(saved[0]!.isDisposed, 'the tidy left the saved tensor alone');
    assert.is(live(), start + 2, 'the output and its saved tensor');
    const g = dg.onesLike(y);
    y.backward(g);
    assert.ok(saved[0]!.isDisposed, 'backward released the saved tensor');
    assert.is(live(), start + 3, 'the output, its gradient and x.grad');
    for (const t of [y, g, x.grad!]) t.dispose();
    assert.is(live(), start, 'nothing leaked');
  });

  forEachBackend(test, `${name}: disposing the output without backward frees what it saved`, async () => {
    const x = dg.randn([1, 2, 4, 4], { requiresGrad: true });
    const start = live();
    const y = dg.tidy(() => op(x));
    const [saved] = y.node!.saved;
    y.dispose();
    assert.ok(saved!.isDisposed);
    assert.is(live(), start);
  });
}

forEachBackend(test, 'layerNorm under noGrad frees its statistics at once', async () => {
  const x = dg.randn([3, 4], { requiresGrad: true });
  const start = live();
  const y = dg.noGrad(() => dg.layerNorm(x, [4]));
  assert.is(y.node, null);
  assert.is(live(), start + 1, 'only the output is live');
  y.dispose();
  assert.is(live(), start);
});

test.run();
