// LSTM and GRU sequences queue on webgpu with no read-back. (Their op-table rows, cells and
// multi-layer sequences checked against the cpu reference and by finite differences, are
// test/support/recurrentCases.ts, run by test/ops.test.ts.)
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { WebGpuBackend } from '../src/backend/webgpu/index.js';
import { getBackend } from '../src/core/engine.js';
import * as dg from '../src/index.js';
import { hasWebGpu } from './support/compare.js';
import { webgpuTest } from './support/webgpu.js';

await hasWebGpu();

const queueing = suite('recurrent layers: queueing on webgpu');
const layers = {
  LSTM: () => new dg.nn.LSTM(3, 4, { bidirectional: true, numLayers: 2 }),
  GRU: () => new dg.nn.GRU(3, 4, { bidirectional: true, numLayers: 2 }),
};
for (const [name, make] of Object.entries(layers)) {
  webgpuTest(queueing)(`${name}: a whole sequence's forward and backward is queued without one read-back`, async () => {
    await dg.init({ backend: 'webgpu' });
    const { stats } = (getBackend() as WebGpuBackend).rt;
    const x = dg.randn([9, 2, 3], { requiresGrad: true });
    const m = make();
    // A first read settles any error checks that earlier tests' kernels left pending.
    await x.data();
    const before = stats.readbacks;
    const [out] = m.forward(x);
    out.sum().backward();
    assert.is(stats.readbacks, before, 'no read-back while queueing');
    await x.grad!.data();
    assert.is(stats.readbacks, before + 1, 'reading the gradient is the one read-back');
  });
}
queueing.run();
