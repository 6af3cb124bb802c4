// nn.LastStep and nn.AllSteps, Keras' return_sequences for an LSTM inside a Sequential: which
// values they pick, gradients through them, rebuilding from a spec, and misuse errors.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dg from '../src/index.js';
import { assertClose, GPU_TOL, gradCheck, throwsWith } from './support/compare.js';

const { nn } = dg;
const test = suite('nn.LastStep and nn.AllSteps');

test('LastStep of a bidirectional LSTM is the forward output at the last step next to the reverse one at the first', async () => {
  await dg.init({ backend: 'cpu' });
  dg.manualSeed(5);
  const lstm = new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true, batchFirst: true });
  const x = dg.randn([2, 5, 3]);
  const [out] = lstm.forward(x);
  const last = new nn.LastStep().forward(lstm.forward(x));
  assert.equal([...last.shape], [2, 8]);
  const expected = dg.cat([out.narrow(1, 4, 1).narrow(2, 0, 4), out.narrow(1, 0, 1).narrow(2, 4, 4)], 2).reshape([2, 8]);
  assertClose(await last.data(), await expected.data(), GPU_TOL, 'bidirectional');
});

test('LastStep of a one-way LSTM is its output at the last step; AllSteps is every step', async () => {
  await dg.init({ backend: 'cpu' });
  dg.manualSeed(6);
  const lstm = new nn.LSTM(2, 3, { batchFirst: true });
  const x = dg.randn([4, 7, 2]);
  const [out] = lstm.forward(x);
  assertClose(await new nn.LastStep().forward(lstm.forward(x)).data(), await out.narrow(1, 6, 1).squeeze(1).data(), GPU_TOL, 'last step');
  assert.equal(await new nn.AllSteps().forward(lstm.forward(x)).array(), await out.array());
});

test('gradients flow through LastStep to the LSTM input (float64 finite differences)', async () => {
  await dg.init({ backend: 'cpu' });
  dg.manualSeed(7);
  const lstm = new nn.LSTM(2, 3, { bidirectional: true });
  const pick = new nn.LastStep();
  await gradCheck([{ shape: [4, 2, 2] }], (x) => pick.forward(lstm.forward(x)).square().sum(), 'LastStep');
});

test('a stacked Sequential with AllSteps and LastStep saves and rebuilds', async () => {
  await dg.init({ backend: 'cpu' });
  const m = new nn.Sequential(new nn.LSTM(2, 3, { batchFirst: true }), new nn.AllSteps(), new nn.LSTM(3, 3, { batchFirst: true }), new nn.LastStep(), new nn.Linear(3, 1));
  const copy = nn.buildLayer(m.spec());
  copy.loadStateDict(m.stateDict());
  const x = dg.randn([2, 4, 2]);
  assertClose(await (copy.forward(x) as dg.Tensor).data(), await m.forward(x).data(), GPU_TOL, 'rebuilt');
});

test('misuse: a plain tensor instead of an LSTM result names the layer and the shape', async () => {
  await dg.init({ backend: 'cpu' });
  const bad = dg.zeros([2, 3]) as unknown as [dg.Tensor, [dg.Tensor, dg.Tensor]];
  throwsWith(() => new nn.LastStep().forward(bad), ['LastStep', 'nn.LSTM', 'a tensor [2, 3]'], 'LastStep');
  throwsWith(() => new nn.AllSteps().forward(bad), ['AllSteps', '[out, [hN, cN]]'], 'AllSteps');
});

test.run();
