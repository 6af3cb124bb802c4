// dg.embedding beyond the op table (whose rows are test/support/embeddingCases.ts, run by
// test/ops.test.ts): repeated indices by hand, bad-index errors, and nn.Embedding's paddingIdx.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { getBackend } from '../src/core/engine.js';
import type { WebGpuBackend } from '../src/backend/webgpu/index.js';
import { assertClose, GPU_TOL, hasWebGpu, throwsWith } from './support/compare.js';
import { backendTest, webgpuTest } from './support/webgpu.js';

await hasWebGpu();

const behaviour = suite('embedding: behaviour');
for (const backend of ['cpu', 'webgpu'] as const) {
  backendTest(behaviour, backend)(`${backend}: a row looked up three times gets three rows of gradient`, async () => {
    await dg.init({ backend });
    const w = dg.ones([4, 2], { requiresGrad: true });
    const out = dg.embedding(dg.tensor(new Int32Array([2, 0, 2, 2]), [4]), w);
    assert.equal(await out.array(), [[1, 1], [1, 1], [1, 1], [1, 1]]);
    out.mul(dg.tensor([[1, 2], [10, 20], [100, 200], [1000, 2000]])).sum().backward();
    assert.equal(await w.grad!.array(), [[10, 20], [0, 0], [1101, 2202], [0, 0]]);
  });
}

behaviour('cpu: an index out of range is an error naming it and its position', async () => {
  await dg.init({ backend: 'cpu' });
  const w = dg.zeros([10, 3]);
  throwsWith(() => dg.embedding(dg.tensor(new Int32Array([1, 4, 12]), [3]), w), ['embedding', 'index 12', 'position 2', '10 embeddings'], 'cpu bad index');
  throwsWith(() => dg.embedding(dg.tensor(new Int32Array([-1]), [1]), w), ['index -1', 'position 0'], 'cpu negative index');
});

webgpuTest(behaviour)('webgpu: an index out of range is reported at the next read, then cleared', async () => {
  await dg.init({ backend: 'webgpu' });
  const w = dg.ones([10, 3]);
  const out = dg.embedding(dg.tensor(new Int32Array([1, 4, 12, 30]), [2, 2]), w);
  let message = '';
  try {
    await out.data();
  } catch (e) {
    message = (e as Error).message;
  }
  for (const part of ['embedding', 'index 12', 'position 2', '10 embeddings']) assert.ok(message.includes(part), `"${message}" should mention "${part}"`);
  // The error is reported once; good lookups afterwards read normally and bad rows held zeros, not NaN.
  assert.equal(await dg.embedding(dg.tensor(new Int32Array([9]), [1]), w).array(), [[1, 1, 1]]);
  assert.equal(await out.array(), [[[1, 1, 1], [1, 1, 1]], [[0, 0, 0], [0, 0, 0]]]);
});

webgpuTest(behaviour)('webgpu: the index check rides on the read; a bad index and a bad label queued together are reported one per read', async () => {
  await dg.init({ backend: 'webgpu' });
  const stats = (getBackend() as WebGpuBackend).rt.stats;
  const w = dg.ones([4, 2]);
  const before = stats.readbacks;
  assert.equal(await dg.embedding(dg.tensor(new Int32Array([3]), [1]), w).array(), [[1, 1]]);
  assert.is(stats.readbacks - before, 1, 'one read-back for a lookup');
  const loss = dg.crossEntropy(dg.embedding(dg.tensor(new Int32Array([0, 7]), [2]), w), dg.tensor(new Int32Array([0, 5])));
  const messages: string[] = [];
  for (let i = 0; i < 2; i++) await loss.item().catch((e: Error) => { messages.push(e.message); });
  assert.is(messages.length, 2, messages.join(' | '));
  assert.ok(messages.some((m) => m.includes('embedding: index 7 at position 1')), messages.join(' | '));
  assert.ok(messages.some((m) => m.includes('crossEntropy: label 5 at position 1')), messages.join(' | '));
  // Both reports consumed: the zero row and the clamped label give log(2) at each position.
  assertClose([await loss.item()], [Math.log(2)], GPU_TOL, 'after both reports');
});

webgpuTest(behaviour)('nn.Embedding paddingIdx: the row starts at zeros and stays there through training', async () => {
  for (const backend of ['cpu', 'webgpu'] as const) {
    await dg.init({ backend });
    const e = new dg.nn.Embedding(5, 3, { paddingIdx: -5 });
    assert.equal((await e.weight.array() as number[][])[0], [0, 0, 0], `${backend}: zeros at init`);
    const opt = new dg.optim.SGD(e.parameters(), { lr: 0.5 });
    e.forward(dg.tensor(new Int32Array([0, 0, 3, 4]), [4])).sum().backward();
    opt.step();
    const rows = await e.weight.array() as number[][];
    assert.equal(rows[0], [0, 0, 0], `${backend}: no update to the padding row`);
    assert.ok(rows[3]!.every((v) => Number.isFinite(v)), `${backend}: other rows are updated`);
    const copy = dg.nn.buildLayer(e.spec()) as InstanceType<typeof dg.nn.Embedding>;
    assert.is(copy.paddingIdx, -5, 'paddingIdx survives the saved architecture');
  }
  throwsWith(() => new dg.nn.Embedding(5, 3, { paddingIdx: 5 }), ['Embedding', 'paddingIdx', '[-5, 5)', '5'], 'paddingIdx too big');
  throwsWith(() => dg.embedding(dg.tensor(new Int32Array([1]), [1]), dg.zeros([3, 2]), { paddingIdx: 1.5 }), ['embedding', 'paddingIdx', '1.5'], 'fractional paddingIdx');
});

behaviour('float indices and a weight that is not a matrix are errors that say what was expected', async () => {
  await dg.init({ backend: 'cpu' });
  throwsWith(() => dg.embedding(dg.tensor([1, 2]), dg.zeros([3, 2])), ['embedding', 'int32 indices', 'float32'], 'float indices');
  throwsWith(() => dg.embedding(dg.tensor(new Int32Array([1]), [1]), dg.zeros([3, 2, 2])), ['embedding', '[numEmbeddings, embeddingDim]', '[3, 2, 2]'], 'weight rank');
});
behaviour.run();
